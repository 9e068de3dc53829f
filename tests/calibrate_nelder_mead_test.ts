/**
 * The bounded Nelder-Mead minimiser: known minima, bounds, budgets, and the
 * same path whether points are evaluated one at a time or in batches.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  nelderMead,
  nelderMeadAsync,
  type NelderMeadOptions,
  type NelderMeadResult,
} from "../lib/calibrate/nelder_mead.ts";

const rosenbrock = ([x, y]: number[]) => 100 * (y - x * x) ** 2 + (1 - x) ** 2;

Deno.test("Rosenbrock from (-1.2, 1) reaches (1, 1)", () => {
  const r = nelderMead(rosenbrock, [-1.2, 1], {
    step: [0.1, 0.1],
    maxEvaluations: 2000,
  });
  assert.ok(r.converged, JSON.stringify(r));
  assert.ok(Math.abs(r.x[0] - 1) < 1e-3, `x = ${r.x}`);
  assert.ok(Math.abs(r.x[1] - 1) < 1e-3, `x = ${r.x}`);
  assert.ok(r.fx < 1e-6, `f = ${r.fx}`);
  assert.ok(r.evaluations <= 2000);
  // The steps taken so far are pinned: a change to the method shows here.
  assert.equal(r.evaluations, 176);
  assert.equal(r.iterations, 96);
  // Tighter tolerances get closer.
  const tight = nelderMead(rosenbrock, [-1.2, 1], {
    step: [0.1, 0.1],
    maxEvaluations: 2000,
    xTolerance: 1e-10,
    fTolerance: 1e-14,
  });
  assert.ok(tight.converged);
  assert.ok(Math.hypot(tight.x[0] - 1, tight.x[1] - 1) < 1e-7, `${tight.x}`);
});

Deno.test("a 3-D quadratic with a known minimum", () => {
  const centre = [2, -3, 0.5];
  const weight = [1, 4, 0.25];
  const f = (x: number[]) =>
    7 + x.reduce((a, xi, i) => a + weight[i] * (xi - centre[i]) ** 2, 0);
  const r = nelderMead(f, [0, 0, 0], {
    step: [1, 1, 1],
    maxEvaluations: 5000,
    xTolerance: 1e-9,
    fTolerance: 1e-14,
  });
  assert.ok(r.converged);
  r.x.forEach((xi, i) =>
    assert.ok(Math.abs(xi - centre[i]) < 1e-6, `x[${i}] = ${xi}`)
  );
  assert.ok(Math.abs(r.fx - 7) < 1e-10, `f = ${r.fx}`);
  assert.equal(r.fx, f(r.x));
});

Deno.test("bounds are respected at every evaluated point", () => {
  const lower = [0, 0.5];
  const upper = [0.8, 3];
  const seen: number[][] = [];
  const f = (x: number[]) => {
    seen.push(x.slice());
    return rosenbrock(x);
  };
  // The unconstrained minimum (1, 1) is outside: the best in the box is at
  // x = 0.8 on the upper bound, y = 0.64.
  const r = nelderMead(f, [0.5, 2], {
    step: [0.5, 0.5],
    lower,
    upper,
    maxEvaluations: 2000,
    xTolerance: 1e-10,
    fTolerance: 1e-14,
  });
  assert.equal(seen.length, r.evaluations);
  for (const p of seen) {
    p.forEach((v, j) =>
      assert.ok(v >= lower[j] && v <= upper[j], `point ${p} outside the box`)
    );
  }
  assert.ok(Math.abs(r.x[0] - 0.8) < 1e-6, `x = ${r.x}`);
  assert.ok(Math.abs(r.x[1] - 0.64) < 1e-5, `x = ${r.x}`);
  // An initial vertex beyond a bound steps the other way: 0.5 + 0.5 > 0.8,
  // so 0.5 - 0.5.
  assert.deepEqual(seen.slice(0, 3), [[0.5, 2], [0, 2], [0.5, 2.5]]);
});

Deno.test("initial steps wider than the box, and mirrored trial points", () => {
  const seen: number[][] = [];
  const f = (x: number[]) => {
    seen.push(x.slice());
    return (x[0] - 5) ** 2;
  };
  nelderMead(f, [0.9], {
    step: [10],
    lower: [0],
    upper: [1],
    maxEvaluations: 30,
  });
  // 0.9 + 10 and 0.9 - 10 are both outside: of the two clamped, 0 is
  // farther from 0.9 than 1 is.
  assert.deepEqual(seen[1], [0]);
  assert.ok(seen.every(([x]) => x >= 0 && x <= 1));
  // x0 = upper - step / 2: mirroring x0 + step would give x0 itself.
  seen.length = 0;
  nelderMead(f, [0.75], { step: [0.5], upper: [1], maxEvaluations: 30 });
  assert.deepEqual(seen[1], [0.25]);
  // Simplex [0.75, 0.25]: the reflection 1.25 is mirrored to 0.75, which
  // only ties the best vertex but beats the worst, so the outside
  // contraction 0.75 + 0.5 (0.75 - 0.25) = 1 comes next, on the bound.
  assert.deepEqual(seen.slice(2, 4), [[0.75], [1]]);
});

/** Runs the three drivers on f and checks they agree exactly. */
async function allDrivers(
  f: (x: number[]) => number,
  x0: number[],
  options: NelderMeadOptions,
): Promise<{ result: NelderMeadResult; batches: number[] }> {
  const single = nelderMead(f, x0, options);
  const batches: number[] = [];
  const batched = await nelderMeadAsync(f, x0, {
    ...options,
    evaluateBatch: async (points) => {
      batches.push(points.length);
      // Evaluate out of order, as workers finishing at different times
      // would, but return the values in the points' order.
      const values = new Array<number>(points.length);
      for (let i = points.length - 1; i >= 0; i--) {
        await Promise.resolve();
        values[i] = f(points[i]);
      }
      return values;
    },
  });
  const awaited = await nelderMeadAsync(
    (x) => Promise.resolve(f(x)),
    x0,
    options,
  );
  for (const other of [batched, awaited]) {
    assert.deepEqual(other, single);
  }
  assert.equal(batches.reduce((a, b) => a + b, 0), single.evaluations);
  return { result: single, batches };
}

Deno.test("batch and single evaluation take the same path", async () => {
  const { result, batches } = await allDrivers(rosenbrock, [-1.2, 1], {
    step: [0.1, 0.1],
    maxEvaluations: 2000,
  });
  // The initial simplex is one batch of n + 1; the rest are reflections,
  // expansions and contractions (1) and shrinks (n).
  assert.equal(batches[0], 3);
  assert.ok(batches.slice(1).every((b) => b === 1 || b === 2));
  assert.ok(result.converged);

  // Also with bounds, in 4-D, and with a budget that runs out.
  const f = (x: number[]) =>
    x.reduce((a, xi, i) => a + (i + 1) * (xi - 0.3 * i) ** 2, 0) +
    Math.sin(3 * x[0]);
  const bounded = await allDrivers(f, [0.5, 0.5, 0.5, 0.5], {
    step: [0.2, -0.2, 0.3, 0.1],
    lower: [-1, 0, 0, 0],
    upper: [1, 0.6, 2, 2],
    maxEvaluations: 60,
  });
  assert.equal(bounded.result.converged, false);
  assert.ok(bounded.result.evaluations <= 60);
  assert.equal(bounded.batches[0], 5);
});

Deno.test("speculative batches of 4 follow the same path at a higher cost", async () => {
  const options = { step: [0.1, 0.1], maxEvaluations: 5000 };
  const plain = nelderMead(rosenbrock, [-1.2, 1], options);
  const { result, batches } = await allDrivers(rosenbrock, [-1.2, 1], {
    ...options,
    speculative: true,
  });
  assert.deepEqual(result.x, plain.x);
  assert.equal(result.fx, plain.fx);
  assert.equal(result.iterations, plain.iterations);
  assert.ok(result.evaluations > plain.evaluations);
  assert.ok(batches.slice(1).every((b) => b === 4 || b === 2));
  // Every iteration is one batch of 4, plus a batch of n per shrink.
  const shrinks = batches.filter((b) => b === 2).length;
  assert.equal(result.evaluations, 3 + 4 * result.iterations + 2 * shrinks);
});

Deno.test("deterministic, ties included", () => {
  // A staircase: many exact ties, so the tie-breaking decides the path.
  const stairs = ([x, y]: number[]) =>
    Math.floor(4 * Math.abs(x - 1)) + Math.floor(4 * Math.abs(y + 2));
  const options = { step: [1, 1], maxEvaluations: 300 };
  const a = nelderMead(stairs, [3, 3], options);
  const b = nelderMead(stairs, [3, 3], options);
  assert.deepEqual(a, b);
  assert.equal(a.fx, 0);
  // Ties: the first of equal points evaluated is the result.
  const flat = nelderMead(() => 1, [0, 0], {
    step: [1, 1],
    maxEvaluations: 50,
  });
  assert.deepEqual(flat.x, [0, 0]);
  assert.equal(flat.fx, 1);
});

Deno.test("the budget is never exceeded", () => {
  for (const maxEvaluations of [3, 4, 5, 10, 37]) {
    let calls = 0;
    const r = nelderMead(
      (x) => {
        calls++;
        return rosenbrock(x);
      },
      [-1.2, 1],
      { step: [0.1, 0.1], maxEvaluations },
    );
    assert.equal(r.converged, false);
    assert.equal(calls, r.evaluations);
    assert.ok(r.evaluations <= maxEvaluations);
    // It stops only when the next batch (1, or n = 2 for a shrink) does
    // not fit.
    assert.ok(r.evaluations >= maxEvaluations - 1, `${r.evaluations}`);
  }
});

Deno.test("NaN counts as +Infinity", () => {
  const f = ([x]: number[]) => (x < 0 ? NaN : (x - 2) ** 2);
  const r = nelderMead(f, [0.5], {
    step: [-1],
    maxEvaluations: 500,
    xTolerance: 1e-9,
  });
  assert.ok(Math.abs(r.x[0] - 2) < 1e-6, `x = ${r.x}`);
  // All NaN: the first point evaluated, with value Infinity.
  const none = nelderMead(() => NaN, [1, 2], {
    step: [1, 1],
    maxEvaluations: 20,
  });
  assert.deepEqual(none.x, [1, 2]);
  assert.equal(none.fx, Infinity);
});

Deno.test("bad options are RangeErrors that say what was wrong", async () => {
  const f = ([x]: number[]) => x * x;
  const cases: [number[], NelderMeadOptions, RegExp][] = [
    [[], { step: [], maxEvaluations: 10 }, /at least one coordinate/],
    [
      [0],
      { step: [0], maxEvaluations: 10 },
      /step\[0\] must be finite and non-zero, got 0/,
    ],
    [[0], { step: [1, 1], maxEvaluations: 10 }, /step must have 1 entries/],
    [
      [0],
      { step: [1], maxEvaluations: 1 },
      /maxEvaluations must be a whole number >= 2/,
    ],
    [
      [5],
      { step: [1], upper: [2], maxEvaluations: 10 },
      /x0\[0\] = 5 is outside \[-Infinity, 2\]/,
    ],
    [
      [0],
      { step: [1], lower: [1], upper: [1], maxEvaluations: 10 },
      /lower\[0\] \(1\) must be < upper\[0\] \(1\)/,
    ],
    [
      [0],
      { step: [1], maxEvaluations: 10, xTolerance: -1 },
      /xTolerance must be >= 0/,
    ],
    [[NaN], { step: [1], maxEvaluations: 10 }, /x0\[0\] must be finite/],
  ];
  for (const [x0, options, message] of cases) {
    assert.throws(() => nelderMead(f, x0, options), (e: unknown) => {
      assert.ok(e instanceof RangeError);
      assert.match(e.message, message);
      return true;
    });
  }
  await assert.rejects(
    nelderMeadAsync(f, [1], {
      step: [1],
      maxEvaluations: 10,
      evaluateBatch: () => Promise.resolve([1]),
    }),
    /evaluateBatch must return 2 values, got 1/,
  );
});

Deno.test("points handed to f are copies", () => {
  // A function that scribbles on its argument does not disturb the search.
  const clean = nelderMead(rosenbrock, [-1.2, 1], {
    step: [0.1, 0.1],
    maxEvaluations: 400,
  });
  const dirty = nelderMead(
    (x) => {
      const v = rosenbrock(x);
      x[0] = 1e9;
      return v;
    },
    [-1.2, 1],
    { step: [0.1, 0.1], maxEvaluations: 400 },
  );
  assert.deepEqual(dirty, clean);
});
