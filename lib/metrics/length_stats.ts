/**
 * Statistics of token lengths as simulated: whole numbers, so a count per
 * length gives exact percentiles (the same interpolation as latencies) in
 * memory bounded by the longest length, not by the number of requests.
 *
 * @module
 */

/** Statistics of simulated lengths, tokens. */
export interface LengthSummary {
  /** Mean length. */
  mean: number;
  /** Population standard deviation. */
  std: number;
  /** Median (p50). */
  p50: number;
  /** 90th percentile. */
  p90: number;
  /** Longest length. */
  max: number;
}

/**
 * Exact mean, standard deviation, p50, p90 and maximum of whole lengths.
 *
 * @example Usage
 * ```ts
 * import { LengthStats } from "./length_stats.ts";
 * import assert from "node:assert/strict";
 * const s = new LengthStats();
 * for (const v of [1, 2, 3, 4]) s.add(v);
 * assert.deepEqual(s.summary(), { mean: 2.5, std: Math.sqrt(1.25), p50: 2.5, p90: 3.7, max: 4 });
 * ```
 */
export class LengthStats {
  #counts = new Float64Array(1024);
  #n = 0;
  #sum = 0;
  #sumSq = 0;
  #max = 0;

  /** Lengths counted. */
  get count(): number {
    return this.#n;
  }

  /**
   * Counts one length.
   *
   * @param v A whole number of tokens, 0 or more.
   */
  add(v: number): void {
    if (v >= this.#counts.length) {
      let size = this.#counts.length;
      while (size <= v) size *= 2;
      const grown = new Float64Array(size);
      grown.set(this.#counts);
      this.#counts = grown;
    }
    this.#counts[v]++;
    this.#n++;
    this.#sum += v;
    this.#sumSq += v * v;
    if (v > this.#max) this.#max = v;
  }

  // The value of rank r (0-based) in sorted order.
  #at(r: number): number {
    let seen = 0;
    const c = this.#counts;
    for (let v = 0; v <= this.#max; v++) {
      seen += c[v];
      if (seen > r) return v;
    }
    return this.#max;
  }

  #quantile(q: number): number {
    const rank = (this.#n - 1) * q;
    const lo = Math.floor(rank);
    const a = this.#at(lo);
    const b = lo + 1 < this.#n ? this.#at(lo + 1) : a;
    return a + (b - a) * (rank - lo);
  }

  /**
   * The statistics (population standard deviation), or null with no lengths.
   *
   * @returns `{mean, std, p50, p90, max}`.
   */
  summary(): LengthSummary | null {
    const n = this.#n;
    if (n === 0) return null;
    const mean = this.#sum / n;
    return {
      mean,
      std: Math.sqrt(Math.max(0, this.#sumSq / n - mean * mean)),
      p50: this.#quantile(0.5),
      p90: this.#quantile(0.9),
      max: this.#max,
    };
  }
}
