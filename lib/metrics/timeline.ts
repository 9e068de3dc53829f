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
  readonly #binS: number;
  readonly #queue: Float64Array;
  readonly #batch: Float64Array;
  readonly #kv: Float64Array;
  readonly #count: Float64Array;

  /**
   * Creates empty bins over [0, horizon).
   *
   * @param horizonS The span to cover, seconds (later iterations, the drain, are left out).
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
    this.#binS = horizonS / bins;
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
    const b = Math.floor(t / this.#binS);
    if (b >= this.#count.length) return;
    this.#queue[b] += queue;
    this.#batch[b] += batch;
    this.#kv[b] += kvOccupancy;
    this.#count[b]++;
  }

  /**
   * The series so far.
   *
   * @returns Per-bin means.
   */
  series(): TimelineSeries {
    const n = this.#count.length;
    const mean = (a: Float64Array) =>
      Array.from(a, (v, b) => this.#count[b] > 0 ? v / this.#count[b] : NaN);
    return {
      t: Array.from({ length: n }, (_, b) => (b + 0.5) * this.#binS),
      queue: mean(this.#queue),
      batch: mean(this.#batch),
      kvOccupancy: mean(this.#kv),
    };
  }
}
