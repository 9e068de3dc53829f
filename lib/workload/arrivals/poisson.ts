/**
 * Poisson arrivals: exponential gaps with mean 1 / `rate_per_s`.
 *
 * @module
 */

import type { Zod } from "../../schema/zod.ts";
import { defineArrivalProcess, PROCESS_DOC, ratePerSOrInf } from "./process.ts";

const DOC = "exponential gaps with mean 1 / rate_per_s; the default";

/**
 * The `poisson` process (the default when `process` is not given).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "../../schema/zod.ts";
 * import { poisson } from "./poisson.ts";
 * import { RandomStream } from "../../engine/random.ts";
 * const clock = poisson.clock(
 *   { process: "poisson", rate_per_s: 5 },
 *   new RandomStream(1, "arrivals"),
 * );
 * const first = clock();
 * assert.ok(first > 0 && clock() > first);
 * assert.deepEqual(poisson.schema(z).parse({ rate_per_s: 1 }), {
 *   process: "poisson",
 *   rate_per_s: 1,
 * });
 * ```
 */
export const poisson = defineArrivalProcess({
  name: "poisson",
  doc: DOC,
  schema: (z: Zod) =>
    z.strictObject({
      process: z.literal("poisson").default("poisson").describe(PROCESS_DOC),
      rate_per_s: ratePerSOrInf(z),
    }),
  clock(spec, stream) {
    const meanGap = 1 / spec.rate_per_s;
    let t = 0;
    return () => (t += stream.exponential(meanGap));
  },
  meanRate: (spec) => spec.rate_per_s,
  scaled: (spec, factor) => ({ ...spec, rate_per_s: spec.rate_per_s * factor }),
});
