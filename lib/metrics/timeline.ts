/**
 * Time series of a batched run for charts: queue length, batch size and KV
 * occupancy, averaged over the iterations that start in each of a fixed
 * number of equal time bins, across all instances of a pool. Constant memory
 * whatever the run's length.
 *
 * @module
 */

/** The series, one value per bin (NaN where no iteration started). */
export interface TimelineSeries {
  /** Bin centres, seconds. */
  t: number[];
  /** Mean requests waiting (not yet admitted) at an instance. */
  queue: number[];
  /** Mean requests per iteration. */
  batch: number[];
  /** Mean KV blocks in use over capacity. */
  kvOccupancy: number[];
}

/** Accumulates the series of one pool. */
export class Timeline {
  #binS: number;
  // No horizon (a count run): bins start at 1 s and double in width (pairs
  // merged) whenever an iteration starts past the last.
  readonly #open: boolean;
  readonly #queue: Float64Array;
  readonly #batch: Float64Array;
  readonly #kv: Float64Array;
  readonly #count: Float64Array;

  /**
   * Creates empty bins over [0, horizon).
   *
   * @param horizonS The span to cover, seconds (later iterations, the drain, are left out);
   * Infinity: the whole run, whatever its length.
   * @param bins Number of bins (default 200).
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { Timeline } from "./timeline.ts";
   * const tl = new Timeline(10, 5);
   * tl.add(1, 2, 4, 0.5);
   * tl.add(1.5, 0, 6, 0.7);
   * const s = tl.series();
   * assert.equal(s.batch[0], 5);
   * assert.equal(s.t[0], 1);
   * assert.ok(Number.isNaN(s.batch[1]));
   * ```
   */
  constructor(horizonS: number, bins = 200) {
    this.#open = horizonS === Infinity;
    this.#binS = this.#open ? 1 : horizonS / bins;
    this.#queue = new Float64Array(bins);
    this.#batch = new Float64Array(bins);
    this.#kv = new Float64Array(bins);
    this.#count = new Float64Array(bins);
  }

  /**
   * Adds one iteration.
   *
   * @param t Its start, seconds.
   * @param queue Requests waiting at its instance.
   * @param batch Requests in it.
   * @param kvOccupancy KV in use over capacity.
   */
  add(t: number, queue: number, batch: number, kvOccupancy: number): void {
    let b = Math.floor(t / this.#binS);
    if (b >= this.#count.length) {
      if (!this.#open) return;
      while (b >= this.#count.length) b = this.#widen(t);
    }
    this.#queue[b] += queue;
    this.#batch[b] += batch;
    this.#kv[b] += kvOccupancy;
    this.#count[b]++;
  }

  // Doubles the bin width, merging pairs; returns t's new bin.
  #widen(t: number): number {
    for (const a of [this.#queue, this.#batch, this.#kv, this.#count]) {
      const n = a.length;
      for (let b = 0; b < n / 2; b++) a[b] = a[2 * b] + a[2 * b + 1];
      a.fill(0, n / 2);
    }
    this.#binS *= 2;
    return Math.floor(t / this.#binS);
  }

  /**
   * The series so far.
   *
   * @returns Per-bin means.
   */
  series(): TimelineSeries {
    let n = this.#count.length;
    // Without a horizon, the series ends at the last iteration's bin.
    if (this.#open) { while (n > 0 && this.#count[n - 1] === 0) n--; }
    const mean = (a: Float64Array) =>
      Array.from(
        a.subarray(0, n),
        (v, b) => this.#count[b] > 0 ? v / this.#count[b] : NaN,
      );
    return {
      t: Array.from({ length: n }, (_, b) => (b + 0.5) * this.#binS),
      queue: mean(this.#queue),
      batch: mean(this.#batch),
      kvOccupancy: mean(this.#kv),
    };
  }
}
