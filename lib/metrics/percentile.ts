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

/**
 * {@linkcode quantilesInPlace} over values held in equal chunks (every chunk
 * but the last holds `2 ** shift` values), so that a long column needs no
 * contiguous copy: the same quickselect on the same logical array, so the
 * results are the same, bit for bit. The values are reordered in place.
 *
 * @param chunks The chunks, in order.
 * @param n Number of values (the last chunk may be longer than it fills).
 * @param shift log2 of the chunk length.
 * @param qs Quantiles in [0, 1], in increasing order.
 * @returns One value per quantile (NaN when there are no values).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { quantilesInPlace, quantilesOfChunks } from "./percentile.ts";
 * const values = Array.from({ length: 10 }, (_, i) => (i * 7) % 10);
 * const chunks = [0, 4, 8].map((i) => Float64Array.from(values.slice(i, i + 4)));
 * assert.deepEqual(
 *   quantilesOfChunks(chunks, 10, 2, [0.5, 0.9]),
 *   quantilesInPlace(Float64Array.from(values), [0.5, 0.9]),
 * );
 * ```
 */
export function quantilesOfChunks(
  chunks: readonly Float64Array[],
  n: number,
  shift: number,
  qs: readonly number[],
): number[] {
  if (n <= 1 << shift) return quantilesInPlace(chunks[0].subarray(0, n), qs);
  const mask = (1 << shift) - 1;
  const at = (i: number) => chunks[i >>> shift][i & mask];
  const out: number[] = [];
  let from = 0;
  for (const q of qs) {
    const rank = (n - 1) * q;
    const lo = Math.floor(rank);
    selectChunked(chunks, shift, mask, lo, from, n - 1);
    from = lo;
    const a = at(lo);
    let b = a;
    if (lo + 1 < n && rank > lo) {
      b = at(lo + 1);
      for (let i = lo + 2; i < n; i++) {
        const v = chunks[i >>> shift][i & mask];
        if (v < b) b = v;
      }
    }
    out.push(a + (b - a) * (rank - lo));
  }
  return out;
}

// select() on a chunked array: the same comparisons and swaps.
function selectChunked(
  c: readonly Float64Array[],
  s: number,
  m: number,
  k: number,
  left: number,
  right: number,
) {
  while (right > left) {
    const mid = (left + right) >>> 1;
    if (get(c, s, m, mid) < get(c, s, m, left)) swapChunked(c, s, m, mid, left);
    if (get(c, s, m, right) < get(c, s, m, left)) {
      swapChunked(c, s, m, right, left);
    }
    if (get(c, s, m, right) < get(c, s, m, mid)) {
      swapChunked(c, s, m, right, mid);
    }
    const pivot = get(c, s, m, mid);
    let i = left, j = right;
    while (i <= j) {
      let ci = c[i >>> s], vi = ci[i & m];
      while (vi < pivot) {
        i++;
        ci = c[i >>> s];
        vi = ci[i & m];
      }
      let cj = c[j >>> s], vj = cj[j & m];
      while (vj > pivot) {
        j--;
        cj = c[j >>> s];
        vj = cj[j & m];
      }
      if (i <= j) {
        ci[i & m] = vj;
        cj[j & m] = vi;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

function get(c: readonly Float64Array[], s: number, m: number, i: number) {
  return c[i >>> s][i & m];
}

function swapChunked(
  c: readonly Float64Array[],
  s: number,
  m: number,
  i: number,
  j: number,
): void {
  const ci = c[i >>> s], cj = c[j >>> s];
  const t = ci[i & m];
  ci[i & m] = cj[j & m];
  cj[j & m] = t;
}
