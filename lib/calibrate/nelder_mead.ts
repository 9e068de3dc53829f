/**
 * A deterministic, bounded Nelder-Mead simplex minimiser for fitting a few
 * engine parameters to measured latencies, where each evaluation is a whole
 * simulation.
 *
 * The method is the standard one (Nelder and Mead 1965, in the form of
 * Lagarias, Reeds, Wright and Wright 1998): reflection 1, expansion 2,
 * contraction 0.5 (outside when the reflected point beats the worst vertex,
 * inside otherwise), shrink 0.5 towards the best vertex. The initial simplex
 * is x0 and x0 + step[i] e_i.
 *
 * Bounds: a trial point outside [lower, upper] is mirrored back into the box
 * coordinate by coordinate (x < lower becomes 2 lower - x) and then clamped,
 * should the mirrored point still lie outside (an overshoot wider than the
 * box). Mirroring rather than clamping keeps vertices off the boundary face,
 * where a clamped simplex can collapse and lose a dimension for good, and a
 * minimum on the boundary is approached from inside. Contraction and shrink
 * points are convex combinations of vertices, so they are always inside.
 * An initial vertex x0 + step[i] e_i beyond a bound is replaced by
 * x0 - step[i] e_i, and if that is outside too, by whichever of the two
 * clamped is farther from x0 (mirroring could land on x0 itself and make
 * the simplex degenerate).
 *
 * Determinism: vertices are ordered by value; ties keep the older vertex
 * first (an accepted point goes after every vertex with a value <= its own,
 * and a shrink keeps the best vertex first and re-sorts the others stably
 * by value). NaN values count as +Infinity, so a failed evaluation is never
 * preferred. The search is written once, as a sequence of batches of points
 * to evaluate; {@linkcode nelderMead} evaluates each batch with `f` in
 * order and {@linkcode nelderMeadAsync} with `evaluateBatch` (e.g. on worker
 * threads) or `f`, so both take the same steps, give bit-identical results
 * for the same values, and count the same evaluations.
 *
 * Batches: the initial simplex (n + 1 points), each shrink (n points) and,
 * one point at a time, the reflection and then the expansion or
 * contraction it calls for. With `speculative: true`, each iteration instead
 * evaluates the reflection, the expansion and both contractions in one batch
 * of 4 points: the decisions, and so the path, are the same as without it,
 * but each iteration costs 4 evaluations instead of 1 or 2, which pays only
 * when the points run in parallel.
 *
 * Stopping: converged when every vertex is within `xTolerance` of the best
 * in every coordinate and within `fTolerance` of it in value (scipy's
 * `xatol` and `fatol` test, with its defaults 1e-4); otherwise when the
 * next batch would take the evaluations past `maxEvaluations`. The result
 * is the best point evaluated (the first of equals).
 *
 * @module
 */

/**
 * Options for {@linkcode nelderMead}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { nelderMead, type NelderMeadOptions } from "./nelder_mead.ts";
 * // x stays at or above 1: the bounded minimum of x^2 is there.
 * const options: NelderMeadOptions = { step: [0.5], lower: [1], maxEvaluations: 200 };
 * const r = nelderMead(([x]) => x * x, [2], options);
 * assert.ok(r.evaluations <= 200);
 * assert.ok(Math.abs(r.x[0] - 1) < 1e-3, String(r.x));
 * ```
 */
export interface NelderMeadOptions {
  /** Initial simplex offsets: vertex i + 1 is x0 + step[i] e_i (non-zero). */
  step: readonly number[];
  /** Lower bounds, one per coordinate (-Infinity for none). */
  lower?: readonly number[];
  /** Upper bounds, one per coordinate (Infinity for none). */
  upper?: readonly number[];
  /** Evaluation budget (>= n + 1); never exceeded. */
  maxEvaluations: number;
  /** Convergence: max coordinate distance of vertices to the best (1e-4). */
  xTolerance?: number;
  /** Convergence: max value difference of vertices to the best (1e-4). */
  fTolerance?: number;
  /**
   * Evaluate reflection, expansion and both contractions together, 4 points
   * per iteration (default false). Same path, more evaluations.
   */
  speculative?: boolean;
}

/**
 * Options for {@linkcode nelderMeadAsync}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { nelderMeadAsync, type NelderMeadAsyncOptions } from "./nelder_mead.ts";
 * const options: NelderMeadAsyncOptions = {
 *   step: [1],
 *   maxEvaluations: 50,
 *   evaluateBatch: (points) => Promise.resolve(points.map(([x]) => (x - 2) ** 2)),
 * };
 * // The batch evaluator is used instead of f.
 * const r = await nelderMeadAsync(() => NaN, [0], options);
 * assert.ok(Math.abs(r.x[0] - 2) < 1e-2, String(r.x));
 * ```
 */
export interface NelderMeadAsyncOptions extends NelderMeadOptions {
  /**
   * Evaluates a batch of points, returning one value per point in order;
   * when given, `f` is not called. The points are copies the caller may
   * keep.
   */
  evaluateBatch?: (points: number[][]) => Promise<number[]>;
}

/**
 * The outcome of a minimisation.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { nelderMead, type NelderMeadResult } from "./nelder_mead.ts";
 * const r: NelderMeadResult = nelderMead(([x]) => (x - 1) ** 2, [0], {
 *   step: [1], maxEvaluations: 100,
 * });
 * assert.ok(r.converged);
 * assert.equal(r.fx, (r.x[0] - 1) ** 2);
 * ```
 */
export interface NelderMeadResult {
  /** The best point evaluated. */
  x: number[];
  /** Its value. */
  fx: number;
  /** Evaluations made (<= maxEvaluations). */
  evaluations: number;
  /** Iterations begun (reflections proposed). */
  iterations: number;
  /** Whether the tolerances were met (false: the budget ran out). */
  converged: boolean;
}

/**
 * Minimises f from x0 (synchronous evaluation).
 *
 * @param f The function to minimise; NaN counts as +Infinity.
 * @param x0 The starting point, inside the bounds.
 * @param options Initial step, bounds, budget and tolerances.
 * @returns The best point found.
 * @throws {RangeError} If an option is out of range or x0 is outside the
 *   bounds.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { nelderMead } from "./nelder_mead.ts";
 * const r = nelderMead(
 *   ([x, y]) => (x - 3) ** 2 + 10 * (y + 1) ** 2,
 *   [0, 0],
 *   { step: [1, 1], maxEvaluations: 500, xTolerance: 1e-8, fTolerance: 1e-12 },
 * );
 * assert.ok(r.converged);
 * assert.ok(Math.abs(r.x[0] - 3) <= 1e-6 && Math.abs(r.x[1] + 1) <= 1e-6, String(r.x));
 * // A bound at 2 keeps x away from 3: the best is on the bound.
 * const b = nelderMead(([x]) => (x - 3) ** 2, [0], {
 *   step: [1], upper: [2], maxEvaluations: 500, xTolerance: 1e-9,
 * });
 * assert.ok(b.x[0] <= 2, String(b.x));
 * assert.ok(Math.abs(b.x[0] - 2) <= 1e-6, String(b.x));
 * ```
 */
export function nelderMead(
  f: (x: number[]) => number,
  x0: readonly number[],
  options: NelderMeadOptions,
): NelderMeadResult {
  const steps = search(x0, options);
  let batch = steps.next();
  while (!batch.done) {
    batch = steps.next(batch.value.map((p) => f(p.slice())));
  }
  return batch.value;
}

/**
 * Minimises f from x0, evaluating each batch of candidate points with
 * `options.evaluateBatch` when given (say, on worker threads), otherwise
 * with `f` one point at a time. Takes the same steps as
 * {@linkcode nelderMead}, so the result is identical for the same values.
 *
 * @param f The function to minimise (may return a promise); NaN counts as
 *   +Infinity. Not called when `evaluateBatch` is given.
 * @param x0 The starting point, inside the bounds.
 * @param options Initial step, bounds, budget, tolerances and the batch
 *   evaluator.
 * @returns The best point found.
 * @throws {RangeError} If an option is out of range, x0 is outside the
 *   bounds, or `evaluateBatch` returns the wrong number of values.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { nelderMead, nelderMeadAsync } from "./nelder_mead.ts";
 * const f = ([x, y]: number[]) => (x - 1) ** 2 + (y - 2) ** 2;
 * const options = { step: [0.5, 0.5], maxEvaluations: 300 };
 * const batched = await nelderMeadAsync(f, [0, 0], {
 *   ...options,
 *   evaluateBatch: (points) => Promise.resolve(points.map(f)),
 * });
 * const single = nelderMead(f, [0, 0], options);
 * assert.equal(batched.x.join(), single.x.join());
 * assert.equal(batched.evaluations, single.evaluations);
 * ```
 */
export async function nelderMeadAsync(
  f: (x: number[]) => number | Promise<number>,
  x0: readonly number[],
  options: NelderMeadAsyncOptions,
): Promise<NelderMeadResult> {
  const steps = search(x0, options);
  const evaluateBatch = options.evaluateBatch;
  let batch = steps.next();
  while (!batch.done) {
    const points = batch.value.map((p) => p.slice());
    let values: number[];
    if (evaluateBatch !== undefined) {
      values = await evaluateBatch(points);
      if (!Array.isArray(values) || values.length !== points.length) {
        throw new RangeError(
          `evaluateBatch must return ${points.length} values, got ${
            Array.isArray(values) ? values.length : typeof values
          }`,
        );
      }
    } else {
      values = [];
      for (const p of points) values.push(await f(p));
    }
    batch = steps.next(values);
  }
  return batch.value;
}

// ---------------------------------------------------------------------------
// The search, as a generator of batches: it yields the points to evaluate
// and is resumed with their values.

interface Vertex {
  x: number[];
  f: number;
}

type Search = Generator<number[][], NelderMeadResult, number[]>;

function* search(x0: readonly number[], options: NelderMeadOptions): Search {
  const o = check(x0, options);
  const n = x0.length;
  let evaluations = 0;
  let iterations = 0;
  let bestX = x0.slice();
  let bestF = Infinity;
  let anyEvaluated = false;

  // Evaluates points (one batch), tracking the best point evaluated.
  function* evaluate(points: number[][]): Generator<
    number[][],
    number[],
    number[]
  > {
    const raw = yield points;
    evaluations += points.length;
    const values = points.map((_, i) => {
      const v = Number(raw[i]);
      return Number.isNaN(v) ? Infinity : v;
    });
    values.forEach((v, i) => {
      if (!anyEvaluated || v < bestF) {
        anyEvaluated = true;
        bestF = v;
        bestX = points[i].slice();
      }
    });
    return values;
  }
  const afford = (k: number) => evaluations + k <= o.maxEvaluations;
  const result = (converged: boolean): NelderMeadResult => ({
    x: bestX.slice(),
    fx: bestF,
    evaluations,
    iterations,
    converged,
  });

  // Initial simplex.
  const initial = [x0.slice()];
  for (let i = 0; i < n; i++) {
    const p = x0.slice();
    p[i] = initialCoordinate(x0[i], o.step[i], o.lower[i], o.upper[i]);
    initial.push(p);
  }
  const f0 = yield* evaluate(initial);
  let simplex: Vertex[] = initial.map((x, i) => ({ x, f: f0[i] }));
  simplex = stableSortByValue(simplex);

  // Accepts a point in place of the worst vertex, after every vertex with a
  // value <= its own.
  const accept = (x: number[], f: number) => {
    simplex.pop();
    let at = simplex.length;
    while (at > 0 && simplex[at - 1].f > f) at--;
    simplex.splice(at, 0, { x, f });
  };

  for (;;) {
    if (converged(simplex, o)) return result(true);
    const best = simplex[0];
    const worst = simplex[n];
    const secondWorst = simplex[n - 1];
    const centroid = new Array<number>(n).fill(0);
    for (let k = 0; k < n; k++) {
      const x = simplex[k].x;
      for (let j = 0; j < n; j++) centroid[j] += x[j] / n;
    }
    // centroid + t (centroid - worst), mirrored into the bounds.
    const along = (t: number) =>
      fold(centroid.map((c, j) => c + t * (c - worst.x[j])), o);
    const reflected = along(1);

    let fr: number;
    let expanded: number[] | undefined;
    let fe = NaN;
    let outside: number[] | undefined;
    let fo = NaN;
    let inside: number[] | undefined;
    let fi = NaN;
    if (o.speculative) {
      if (!afford(4)) return result(false);
      iterations++;
      expanded = along(2);
      outside = along(0.5);
      inside = along(-0.5);
      [fr, fe, fo, fi] = yield* evaluate([
        reflected,
        expanded,
        outside,
        inside,
      ]);
    } else {
      if (!afford(1)) return result(false);
      iterations++;
      [fr] = yield* evaluate([reflected]);
    }

    if (fr < best.f) {
      if (expanded === undefined) {
        if (!afford(1)) return result(false);
        expanded = along(2);
        [fe] = yield* evaluate([expanded]);
      }
      if (fe < fr) accept(expanded, fe);
      else accept(reflected, fr);
      continue;
    }
    if (fr < secondWorst.f) {
      accept(reflected, fr);
      continue;
    }
    if (fr < worst.f) {
      if (outside === undefined) {
        if (!afford(1)) return result(false);
        outside = along(0.5);
        [fo] = yield* evaluate([outside]);
      }
      if (fo <= fr) {
        accept(outside, fo);
        continue;
      }
    } else {
      if (inside === undefined) {
        if (!afford(1)) return result(false);
        inside = along(-0.5);
        [fi] = yield* evaluate([inside]);
      }
      if (fi < worst.f) {
        accept(inside, fi);
        continue;
      }
    }

    // Shrink towards the best vertex.
    if (!afford(n)) return result(false);
    const shrunk = simplex.slice(1).map((v) =>
      v.x.map((xj, j) => best.x[j] + 0.5 * (xj - best.x[j]))
    );
    const fs = yield* evaluate(shrunk);
    // Stable: the best vertex stays first unless a shrunk point is strictly
    // better, and tied shrunk points keep their order.
    simplex = stableSortByValue([
      best,
      ...shrunk.map((x, i) => ({ x, f: fs[i] })),
    ]);
  }
}

interface Checked {
  step: readonly number[];
  lower: readonly number[];
  upper: readonly number[];
  maxEvaluations: number;
  xTolerance: number;
  fTolerance: number;
  speculative: boolean;
}

function check(x0: readonly number[], options: NelderMeadOptions): Checked {
  const n = x0.length;
  if (n === 0) throw new RangeError("x0 must have at least one coordinate");
  const vector = (
    v: readonly number[] | undefined,
    name: string,
    fallback: number,
  ): readonly number[] => {
    if (v === undefined) return new Array<number>(n).fill(fallback);
    if (v.length !== n) {
      throw new RangeError(
        `${name} must have ${n} entries (one per coordinate), got ${v.length}`,
      );
    }
    return v;
  };
  x0.forEach((x, i) => {
    if (!Number.isFinite(x)) {
      throw new RangeError(`x0[${i}] must be finite, got ${x}`);
    }
  });
  const step = vector(options.step, "step", NaN);
  step.forEach((s, i) => {
    if (!Number.isFinite(s) || s === 0) {
      throw new RangeError(`step[${i}] must be finite and non-zero, got ${s}`);
    }
  });
  const lower = vector(options.lower, "lower", -Infinity);
  const upper = vector(options.upper, "upper", Infinity);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(lower[i]) || Number.isNaN(upper[i])) {
      throw new RangeError(`bounds of coordinate ${i} must not be NaN`);
    }
    if (!(lower[i] < upper[i])) {
      throw new RangeError(
        `lower[${i}] (${lower[i]}) must be < upper[${i}] (${upper[i]})`,
      );
    }
    if (x0[i] < lower[i] || x0[i] > upper[i]) {
      throw new RangeError(
        `x0[${i}] = ${x0[i]} is outside [${lower[i]}, ${upper[i]}]`,
      );
    }
  }
  const maxEvaluations = options.maxEvaluations;
  if (!Number.isSafeInteger(maxEvaluations) || maxEvaluations < n + 1) {
    throw new RangeError(
      `maxEvaluations must be a whole number >= ${
        n + 1
      } (the initial simplex), got ${maxEvaluations}`,
    );
  }
  const tolerance = (v: number | undefined, name: string) => {
    const t = v ?? 1e-4;
    if (!(t >= 0)) throw new RangeError(`${name} must be >= 0, got ${v}`);
    return t;
  };
  return {
    step,
    lower,
    upper,
    maxEvaluations,
    xTolerance: tolerance(options.xTolerance, "xTolerance"),
    fTolerance: tolerance(options.fTolerance, "fTolerance"),
    speculative: options.speculative ?? false,
  };
}

/** Coordinate i of initial vertex i + 1 (see the module doc). */
function initialCoordinate(
  x: number,
  step: number,
  lo: number,
  hi: number,
): number {
  const inside = (v: number) => v >= lo && v <= hi;
  if (inside(x + step)) return x + step;
  if (inside(x - step)) return x - step;
  const up = Math.min(hi, Math.max(lo, x + step));
  const down = Math.min(hi, Math.max(lo, x - step));
  return Math.abs(down - x) > Math.abs(up - x) ? down : up;
}

/** Mirrors each coordinate into [lower, upper], then clamps. */
function fold(x: number[], o: Checked): number[] {
  for (let j = 0; j < x.length; j++) {
    const lo = o.lower[j];
    const hi = o.upper[j];
    let v = x[j];
    if (v < lo) v = lo + (lo - v);
    else if (v > hi) v = hi - (v - hi);
    x[j] = Math.min(hi, Math.max(lo, v));
  }
  return x;
}

function stableSortByValue(vertices: Vertex[]): Vertex[] {
  // Array.prototype.sort is stable (ES2019).
  return vertices.slice().sort((a, b) => a.f < b.f ? -1 : a.f > b.f ? 1 : 0);
}

function converged(simplex: Vertex[], o: Checked): boolean {
  const best = simplex[0];
  for (let i = 1; i < simplex.length; i++) {
    const v = simplex[i];
    if (!(Math.abs(v.f - best.f) <= o.fTolerance)) return false;
    for (let j = 0; j < v.x.length; j++) {
      if (!(Math.abs(v.x[j] - best.x[j]) <= o.xTolerance)) return false;
    }
  }
  return true;
}
