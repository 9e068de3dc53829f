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

// The bucket of a value, as it has always been computed.
function bucket(value: number): number {
  const b = value <= MIN_VALUE
    ? 0
    : Math.floor(Math.log(value / MIN_VALUE) / LOG_GAMMA) + 1;
  return b >= BUCKETS ? BUCKETS - 1 : b;
}

// LOW[b]: the least double in bucket b, found once by bisection on `bucket`
// itself, so that comparing against it agrees with the logarithm to the last
// bit (`bucket` is non-decreasing: a value between two edges is in the
// bucket they bound); LOW[BUCKETS] is Infinity. NaN until needed.
const LOW = new Float64Array(BUCKETS + 1).fill(NaN);
LOW[0] = -Infinity;
LOW[BUCKETS] = Infinity;

function lowEdge(b: number): number {
  const low = LOW[b];
  return low === low ? low : findLowEdge(b);
}

function findLowEdge(b: number): number {
  // bucket(lo) < b <= bucket(hi), narrowed to adjacent doubles.
  const guess = MIN_VALUE * Math.pow(GAMMA, b - 1);
  let lo = guess * (1 - 1e-9), hi = guess * (1 + 1e-9);
  while (bucket(lo) >= b) lo *= 1 - 1e-6;
  while (bucket(hi) < b) hi *= 1 + 1e-6;
  while (true) {
    const mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) break;
    if (bucket(mid) >= b) hi = mid;
    else lo = mid;
  }
  LOW[b] = hi;
  return hi;
}

/** Histogram with 1% relative bucket width. */
export class LogHistogram {
  #counts = new Float64Array(BUCKETS);
  // The last bucket and its edges [lo, hi): a value between them needs no
  // logarithm (an instance adds through its own cursor instead).
  #lastBucket = -1;
  #lastLo = NaN;
  #lastHi = NaN;
  /** Number of values added. */
  count = 0;
  /** Sum of the values added (for the exact mean). */
  sum = 0;
  /** Sum of their squares (for the standard deviation). */
  sumSq = 0;

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
    let b = this.#lastBucket;
    if (!(value >= this.#lastLo && value < this.#lastHi)) {
      b = bucket(value);
      this.#lastBucket = b;
      this.#lastLo = b === b ? lowEdge(b) : NaN;
      this.#lastHi = b === b ? lowEdge(b + 1) : NaN;
    }
    this.addInBucket(b, value, times);
  }

  /**
   * A cursor that adds to this histogram, remembering the last two buckets
   * it added to: one source's values (an instance's token gaps) change
   * little from one to the next, and a value inside a remembered bucket's
   * edges needs no logarithm.
   *
   * @returns A new cursor.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { LogHistogram } from "./log_histogram.ts";
   * const h = new LogHistogram();
   * const c = h.cursor();
   * c.add(0.01, 3);
   * c.add(0.0100001, 1);
   * h.add(0.01);
   * assert.equal(h.count, 5);
   * assert.ok(Math.abs(h.quantile(0.5) - 0.01) <= 0.01 * 0.005);
   * ```
   */
  cursor(): LogHistogramCursor {
    return new LogHistogramCursor(this);
  }

  /**
   * Adds a value several times, given its bucket.
   *
   * @param b The value's bucket (as a {@linkcode LogHistogramCursor} found it).
   * @param value The value.
   * @param times How many times (a positive integer).
   */
  addInBucket(b: number, value: number, times: number): void {
    this.#counts[b] += times;
    this.count += times;
    this.sum += value * times;
    this.sumSq += value * value * times;
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

/**
 * Adds to a {@linkcode LogHistogram} through a cache of the last two
 * buckets and their edges (see {@linkcode LogHistogram.cursor}); the
 * histogram's counts and sum are exactly as if added directly.
 */
export class LogHistogramCursor {
  readonly #h: LogHistogram;
  #b = -1;
  #lo = NaN;
  #hi = NaN;
  #b2 = -1;
  #lo2 = NaN;
  #hi2 = NaN;

  /**
   * Creates a cursor (see {@linkcode LogHistogram.cursor}).
   *
   * @param histogram The histogram it adds to.
   */
  constructor(histogram: LogHistogram) {
    this.#h = histogram;
  }

  /**
   * Adds a value several times, as {@linkcode LogHistogram.addCount}.
   *
   * @param value A non-negative value.
   * @param times How many times (nothing when not positive).
   */
  add(value: number, times: number): void {
    if (times <= 0) return;
    if (!(value >= this.#lo && value < this.#hi)) this.#miss(value);
    this.#h.addInBucket(this.#b, value, times);
  }

  // Outside the last bucket: the one before, or the logarithm's.
  #miss(value: number): void {
    const b = this.#b, lo = this.#lo, hi = this.#hi;
    if (value >= this.#lo2 && value < this.#hi2) {
      this.#b = this.#b2;
      this.#lo = this.#lo2;
      this.#hi = this.#hi2;
    } else {
      const nb = bucket(value);
      this.#b = nb;
      if (nb === nb) {
        // The edges' table, read here (not through lowEdge) to stay inline.
        const low = LOW[nb], high = LOW[nb + 1];
        this.#lo = low === low ? low : findLowEdge(nb);
        this.#hi = high === high ? high : findLowEdge(nb + 1);
      } else {
        this.#lo = NaN;
        this.#hi = NaN;
      }
    }
    this.#b2 = b;
    this.#lo2 = lo;
    this.#hi2 = hi;
  }
}
