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
 * import assert from "node:assert/strict";
 * import { quantileSorted } from "./percentile.ts";
 * assert.equal(quantileSorted(Float64Array.of(1, 2, 3, 4), 0.5), 2.5);
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
 * import assert from "node:assert/strict";
 * import { mean } from "./percentile.ts";
 * assert.equal(mean([1, 2, 3]), 2);
 * ```
 */
export function mean(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i];
  return s / n;
}

/**
 * Several quantiles of unsorted values without a full sort: quickselect
 * finds each order statistic in linear expected time. The results equal
 * {@linkcode quantileSorted} on the sorted values exactly. The array is
 * reordered in place.
 *
 * @param values The values (reordered in place).
 * @param qs Quantiles in [0, 1], in increasing order.
 * @returns One value per quantile (NaN when there are no values).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { quantilesInPlace } from "./percentile.ts";
 * const [p50, p90] = quantilesInPlace(Float64Array.of(5, 1, 4, 2, 3), [0.5, 0.9]);
 * assert.equal(p50, 3);
 * assert.ok(Math.abs(p90 - 4.6) <= 1e-12);
 * ```
 */
export function quantilesInPlace(
  values: Float64Array,
  qs: readonly number[],
): number[] {
  const n = values.length;
  if (n === 0) return qs.map(() => NaN);
  const out: number[] = [];
  let from = 0;
  for (const q of qs) {
    const rank = (n - 1) * q;
    const lo = Math.floor(rank);
    select(values, lo, from, n - 1);
    from = lo;
    const a = values[lo];
    let b = a;
    if (lo + 1 < n && rank > lo) {
      // Everything right of the k-th statistic is >= it: the next order
      // statistic is the smallest of them.
      b = values[lo + 1];
      for (let i = lo + 2; i < n; i++) if (values[i] < b) b = values[i];
    }
    out.push(a + (b - a) * (rank - lo));
  }
  return out;
}

// Reorders a[left..right] so that a[k] is the value a full sort would put
// there, smaller-or-equal values before it and greater-or-equal after.
function select(a: Float64Array, k: number, left: number, right: number) {
  while (right > left) {
    // Median of three as the pivot keeps sorted input linear.
    const mid = (left + right) >>> 1;
    if (a[mid] < a[left]) swap(a, mid, left);
    if (a[right] < a[left]) swap(a, right, left);
    if (a[right] < a[mid]) swap(a, right, mid);
    const pivot = a[mid];
    let i = left, j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
