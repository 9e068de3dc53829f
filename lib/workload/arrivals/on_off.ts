/**
 * On/off bursts: Poisson at `rate_per_s` during "on" periods and nothing
 * during "off" periods; period lengths are exponential with means
 * `mean_on_s` and `mean_off_s`; the process starts "on".
 *
 * @module
 */

import type { Zod } from "../../schema/zod.ts";
import { defineArrivalProcess, PROCESS_DOC, ratePerS } from "./process.ts";

const DOC = "Poisson at rate_per_s during exponential on periods, none " +
  "during off periods";

/**
 * The `on_off` process.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { onOff } from "./on_off.ts";
 * const spec = {
 *   process: "on_off",
 *   rate_per_s: 6,
 *   mean_on_s: 10,
 *   mean_off_s: 20,
 * } as const;
 * assert.equal(onOff.meanRate(spec), 2);
 * assert.equal(onOff.meanRate(onOff.scaled(spec, 2)), 4);
 * ```
 */
export const onOff = defineArrivalProcess({
  name: "on_off",
  doc: DOC,
  schema: (z: Zod) =>
    z.strictObject({
      process: z.literal("on_off").describe(PROCESS_DOC),
      rate_per_s: ratePerS(z),
      mean_on_s: z.number().positive().describe(
        "`on_off`: mean length of an on period, seconds.",
      ),
      mean_off_s: z.number().positive().describe(
        "`on_off`: mean length of an off period, seconds.",
      ),
    }),
  clock(spec, stream) {
    const meanGap = 1 / spec.rate_per_s;
    let t = 0;
    let periodEnd = stream.exponential(spec.mean_on_s);
    return () => {
      for (;;) {
        const candidate = t + stream.exponential(meanGap);
        if (candidate < periodEnd) return (t = candidate);
        // The overshooting draw is discarded (memorylessness); skip the off
        // period and restart at the next on period.
        t = periodEnd + stream.exponential(spec.mean_off_s);
        periodEnd = t + stream.exponential(spec.mean_on_s);
      }
    };
  },
  meanRate: (spec) =>
    spec.rate_per_s * spec.mean_on_s / (spec.mean_on_s + spec.mean_off_s),
  scaled: (spec, factor) => ({ ...spec, rate_per_s: spec.rate_per_s * factor }),
});
