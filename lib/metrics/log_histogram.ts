/**
 * A log-bucketed histogram for quantiles of values too many to keep, such as
 * every inter-token gap of a run. Bucket edges grow by a factor of 1.01, and
 * a quantile is reported as its bucket's geometric midpoint, so its relative
 * error is at most 0.5% (for values in [1e-7, 1e5]; values outside are
 * clamped into the end buckets and counted). The mean is exact.
 *
 * @module
 */

const GAMMA = 1.01;
const LOG_GAMMA = Math.log(GAMMA);
const MIN_VALUE = 1e-7;
const BUCKETS = Math.ceil(Math.log(1e5 / MIN_VALUE) / LOG_GAMMA) + 1;

/** Histogram with 1% relative bucket width. */
export class LogHistogram {
  #counts = new Float64Array(BUCKETS);
  #lastValue = NaN;
  #lastBucket = 0;
  /** Number of values added. */
  count = 0;
  /** Sum of the values added (for the exact mean). */
  sum = 0;

  /**
   * Adds a value (seconds, say).
   *
   * @param value A non-negative value.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { LogHistogram } from "./log_histogram.ts";
   * const h = new LogHistogram();
   * for (let i = 1; i <= 1000; i++) h.add(i / 1000);
   * const p50 = h.quantile(0.5);
   * assert.ok(Math.abs(p50 - 0.5) <= 0.5 * 0.006, String(p50));
   * ```
   */
  add(value: number): void {
    this.addCount(value, 1);
  }

  /**
   * Adds a value several times at once (the equal gaps of one iteration).
   *
   * @param value A non-negative value.
   * @param times How many times (a non-negative integer).
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { LogHistogram } from "./log_histogram.ts";
   * const h = new LogHistogram();
   * h.addCount(0.01, 99);
   * h.add(1);
   * assert.equal(h.count, 100);
   * assert.ok(Math.abs(h.quantile(0.98) - 0.01) <= 0.01 * 0.005);
   * ```
   */
  addCount(value: number, times: number): void {
    if (times <= 0) return;
    // Gaps from one iteration are often equal: skip the logarithm then.
    let b = this.#lastBucket;
    if (value !== this.#lastValue) {
      b = value <= MIN_VALUE
        ? 0
        : Math.floor(Math.log(value / MIN_VALUE) / LOG_GAMMA) + 1;
      if (b >= BUCKETS) b = BUCKETS - 1;
      this.#lastValue = value;
      this.#lastBucket = b;
    }
    this.#counts[b] += times;
    this.count += times;
    this.sum += value * times;
  }

  /**
   * The q-quantile as the exact summaries define it: linear interpolation
   * between the order statistics at 0-based rank (n - 1) q (numpy's
   * default). Each order statistic is within 0.5% (relative), so the
   * quantile is too.
   *
   * @param q The quantile in [0, 1].
   * @returns The estimate, or NaN when empty.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { LogHistogram } from "./log_histogram.ts";
   * const h = new LogHistogram();
   * h.add(1);
   * h.add(2);
   * // Halfway between the two values.
   * assert.ok(Math.abs(h.quantile(0.5) - 1.5) <= 1.5 * 0.005);
   * ```
   */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = (this.count - 1) * q;
    const lo = Math.floor(rank);
    const a = this.#valueAtRank(lo);
    if (rank === lo || lo + 1 >= this.count) return a;
    return a + (this.#valueAtRank(lo + 1) - a) * (rank - lo);
  }

  // The value of the order statistic of 0-based rank r: its bucket's
  // geometric midpoint.
  #valueAtRank(r: number): number {
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.#counts[b];
      if (seen > r) {
        if (b === 0) return MIN_VALUE;
        // Bucket b holds (MIN gamma^(b-1), MIN gamma^b].
        return MIN_VALUE * Math.pow(GAMMA, b - 0.5);
      }
    }
    return NaN;
  }
}
