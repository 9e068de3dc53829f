/**
 * A bounded Levenberg-Marquardt least-squares search with forward-difference
 * Jacobians: it minimises the sum of squared residuals r(x), which follows
 * long, narrow valleys (two parameters that trade against each other) far
 * faster than a simplex does. Each Jacobian's n + 1 points are evaluated as
 * one batch, so a caller can spread them over workers; the search is
 * deterministic, and the same whether the batch runs in order or not.
 *
 * Step: solve (J'J + lambda diag(J'J)) d = -J'r, clamp x + d into the
 * bounds, accept it when the sum of squares falls (lambda / 3), else raise
 * lambda x 3 and solve again with the same Jacobian.
 *
 * @module
 */

/** Options of {@linkcode levenbergMarquardt}. */
export interface LevenbergMarquardtOptions {
  /** Forward-difference step per coordinate (non-zero). */
  step: readonly number[];
  /** Lower bounds (default -Infinity). */
  lower?: readonly number[];
  /** Upper bounds (default Infinity). */
  upper?: readonly number[];
  /** Points evaluated at most. */
  maxEvaluations: number;
  /** Stop when a step lowers the sum of squares by less than this share (1e-6). */
  relativeTolerance?: number;
}

/** The outcome of {@linkcode levenbergMarquardt}. */
export interface LevenbergMarquardtResult {
  /** The best point evaluated. */
  x: number[];
  /** Its sum of squared residuals. */
  fx: number;
  /** Points evaluated. */
  evaluations: number;
  /** Whether a step stopped improving (rather than the budget running out). */
  converged: boolean;
}

function sumSquares(r: readonly number[]): number {
  let s = 0;
  for (const v of r) s += v * v;
  return Number.isFinite(s) ? s : Infinity;
}

// Solves A d = b for a small symmetric positive definite A (Gaussian
// elimination with partial pivoting); null when singular.
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) {
      if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    }
    if (!(Math.abs(m[p][c]) > 1e-300)) return null;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const d = new Array(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * d[k];
    d[r] = s / m[r][r];
  }
  return d;
}

/**
 * Minimises the sum of squared residuals (module doc).
 *
 * @param residuals Evaluates a batch of points: one residual vector each, in order.
 * @param x0 The start.
 * @param options Difference steps, bounds, budget.
 * @returns The best point found.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { levenbergMarquardt } from "./levenberg_marquardt.ts";
 * // Rosenbrock as residuals: 10 (y - x^2) and 1 - x.
 * const r = await levenbergMarquardt(
 *   (ps) => Promise.resolve(ps.map(([x, y]) => [10 * (y - x * x), 1 - x])),
 *   [-1.2, 1],
 *   { step: [1e-7, 1e-7], maxEvaluations: 500 },
 * );
 * assert.ok(Math.abs(r.x[0] - 1) <= 1e-4, String(r.x));
 * assert.ok(Math.abs(r.x[1] - 1) <= 1e-4, String(r.x));
 * ```
 */
export async function levenbergMarquardt(
  residuals: (points: number[][]) => Promise<number[][]>,
  x0: readonly number[],
  options: LevenbergMarquardtOptions,
): Promise<LevenbergMarquardtResult> {
  const n = x0.length;
  const lower = options.lower ?? new Array(n).fill(-Infinity);
  const upper = options.upper ?? new Array(n).fill(Infinity);
  const tol = options.relativeTolerance ?? 1e-6;
  const clamp = (x: number[]) =>
    x.map((v, i) => Math.min(upper[i], Math.max(lower[i], v)));
  let evaluations = 0;
  const budget = options.maxEvaluations;
  let x = clamp(x0.slice());
  let [r] = await residuals([x]);
  evaluations++;
  let fx = sumSquares(r);
  let lambda = 1e-2;
  let converged = false;
  while (evaluations + n + 1 <= budget) {
    // Forward differences, stepping inwards at an upper bound.
    const h = options.step.map((s, i) => x[i] + s > upper[i] ? -s : s);
    const probes = h.map((hi, i) => {
      const p = x.slice();
      p[i] += hi;
      return p;
    });
    const rs = await residuals(probes);
    evaluations += n;
    const m = r.length;
    const jac = rs.map((ri, i) => ri.map((v, k) => (v - r[k]) / h[i])); // jac[i][k] = dr_k/dx_i
    const jtj = Array.from(
      { length: n },
      (_, i) =>
        Array.from({ length: n }, (_, j) => {
          let s = 0;
          for (let k = 0; k < m; k++) s += jac[i][k] * jac[j][k];
          return s;
        }),
    );
    const jtr = Array.from({ length: n }, (_, i) => {
      let s = 0;
      for (let k = 0; k < m; k++) s += jac[i][k] * r[k];
      return -s;
    });
    let accepted = false;
    while (evaluations < budget && lambda < 1e12) {
      const a = jtj.map((row, i) =>
        row.map((v, j) => v + (i === j ? lambda * (v > 0 ? v : 1) : 0))
      );
      const d = solve(a, jtr);
      if (!d) {
        lambda *= 3;
        continue;
      }
      const xn = clamp(x.map((v, i) => v + d[i]));
      if (xn.every((v, i) => v === x[i])) break;
      const [rn] = await residuals([xn]);
      evaluations++;
      const fn = sumSquares(rn);
      if (fn < fx) {
        const gain = (fx - fn) / Math.max(fx, 1e-300);
        x = xn;
        r = rn;
        fx = fn;
        lambda = Math.max(lambda / 3, 1e-9);
        accepted = true;
        if (gain < tol) converged = true;
        break;
      }
      lambda *= 3;
    }
    if (!accepted) converged = true;
    if (converged) break;
  }
  return { x, fx, evaluations, converged };
}
