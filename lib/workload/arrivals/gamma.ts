/**
 * Gamma renewal arrivals: i.i.d. gamma gaps with mean 1 / `rate_per_s` and
 * coefficient of variation `cv` (shape 1 / cv^2); cv 1 is Poisson, cv > 1
 * bursty, cv < 1 smoother.
 *
 * @module
 */

import type { Zod } from "../../schema/zod.ts";
import type { RandomStream } from "../../engine/random.ts";
import { defineArrivalProcess, PROCESS_DOC, ratePerSOrInf } from "./process.ts";

const DOC = "i.i.d. gamma gaps with coefficient of variation `cv`: " +
  "bursty above 1";

/**
 * The `gamma` process.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { gamma } from "./gamma.ts";
 * import { RandomStream } from "../../engine/random.ts";
 * const clock = gamma.clock(
 *   { process: "gamma", rate_per_s: 5, cv: 2 },
 *   new RandomStream(1, "arrivals"),
 * );
 * let last = 0;
 * for (let i = 0; i < 100; i++) {
 *   const t = clock();
 *   assert.ok(t >= last, "arrival times must not decrease");
 *   last = t;
 * }
 * ```
 */
export const gamma = defineArrivalProcess({
  name: "gamma",
  doc: DOC,
  schema: (z: Zod) =>
    z.strictObject({
      process: z.literal("gamma").describe(PROCESS_DOC),
      rate_per_s: ratePerSOrInf(z),
      cv: z.number().positive().describe(
        "`gamma`: coefficient of variation of the gaps.",
      ),
    }),
  clock(spec, stream) {
    const shape = 1 / (spec.cv * spec.cv);
    const scale = 1 / (spec.rate_per_s * shape);
    let t = 0;
    return () => (t += scale * gammaVariate(shape, stream));
  },
  meanRate: (spec) => spec.rate_per_s,
  scaled: (spec, factor) => ({ ...spec, rate_per_s: spec.rate_per_s * factor }),
});

/**
 * A standard gamma variate (scale 1) by Marsaglia and Tsang (2000). For
 * shape < 1 the squeeze does not apply, so draw with shape + 1 and multiply
 * by U^(1 / shape), which gives the right law (their section 6).
 */
function gammaVariate(shape: number, stream: RandomStream): number {
  if (shape < 1) {
    const g = gammaVariate(shape + 1, stream);
    return g * Math.pow(stream.next(), 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = stream.normal();
    const v0 = 1 + c * x;
    if (v0 <= 0) continue;
    const v = v0 * v0 * v0;
    const u = stream.next();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v;
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}
