/**
 * Percentiles by linear interpolation between order statistics (numpy's
 * default, the prototype's method): the q-quantile of n sorted values is at
 * rank (n - 1) q.
 *
 * @module
 */

/**
 * The q-quantile of values that are already sorted ascending.
 *
 * @param sorted Values sorted ascending.
 * @param q The quantile, in [0, 1].
 * @returns The interpolated quantile, or NaN when there are no values.
 *
 * @example Usage
 * ```ts
 * import { quantileSorted } from "./percentile.ts";
 * if (quantileSorted(Float64Array.of(1, 2, 3, 4), 0.5) !== 2.5) throw new Error();
 * ```
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = (n - 1) * q;
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, n - 1);
  const frac = rank - lo;
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

/**
 * The mean of the values, or NaN when there are none.
 *
 * @param values The values.
 * @returns Their arithmetic mean.
 *
 * @example Usage
 * ```ts
 * import { mean } from "./percentile.ts";
 * if (mean([1, 2, 3]) !== 2) throw new Error();
 * ```
 */
export function mean(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i];
  return s / n;
}
