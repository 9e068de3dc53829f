/**
 * Evenly spaced arrivals: the n-th at n / `rate_per_s`.
 *
 * @module
 */

import type { Zod } from "../../schema/zod.ts";
import { defineArrivalProcess, PROCESS_DOC, ratePerSOrInf } from "./process.ts";

const DOC = "evenly spaced";

/**
 * The `deterministic` process.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { deterministic } from "./deterministic.ts";
 * import { RandomStream } from "../../engine/random.ts";
 * const even = deterministic.clock(
 *   { process: "deterministic", rate_per_s: 4 },
 *   new RandomStream(1, "arrivals"),
 * );
 * assert.deepEqual([even(), even(), even()], [0.25, 0.5, 0.75]);
 * ```
 */
export const deterministic = defineArrivalProcess({
  name: "deterministic",
  doc: DOC,
  schema: (z: Zod) =>
    z.strictObject({
      process: z.literal("deterministic").describe(PROCESS_DOC),
      rate_per_s: ratePerSOrInf(z),
    }),
  clock(spec) {
    const rate = spec.rate_per_s;
    let n = 0;
    // n / rate rather than a running sum, so no rounding error accumulates.
    return () => ++n / rate;
  },
  meanRate: (spec) => spec.rate_per_s,
  scaled: (spec, factor) => ({ ...spec, rate_per_s: spec.rate_per_s * factor }),
});
