/**
 * Poisson arrivals with a daily (or any periodic) swing: rate(t) =
 * rate_per_s (1 + amplitude cos(2 pi (t - peak_s) / period_s)),
 * 0 <= amplitude <= 1.
 *
 * @module
 */

import type { Zod } from "../../schema/zod.ts";
import { defineArrivalProcess, PROCESS_DOC, ratePerS } from "./process.ts";

const DOC = "Poisson with rate x (1 + amplitude cos(2 pi (t - peak_s) / " +
  "period_s))";

/**
 * The `diurnal` process.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "../../schema/zod.ts";
 * import { diurnal } from "./diurnal.ts";
 * const spec = diurnal.schema(z).parse({
 *   process: "diurnal",
 *   rate_per_s: 2,
 *   amplitude: 0.5,
 * });
 * assert.equal(spec.period_s, 86400);
 * assert.equal(diurnal.meanRate(spec), 2);
 * ```
 */
export const diurnal = defineArrivalProcess({
  name: "diurnal",
  doc: DOC,
  schema: (z: Zod) =>
    z.strictObject({
      process: z.literal("diurnal").describe(PROCESS_DOC),
      rate_per_s: ratePerS(z),
      amplitude: z.number().min(0).max(1).describe(
        "`diurnal`: relative swing of the rate, 0 to 1.",
      ),
      period_s: z.number().positive().default(86400).describe(
        "`diurnal`: period, seconds (86400: a day).",
      ),
      peak_s: z.number().min(0).default(0).describe(
        "`diurnal`: time of the peak within the period, seconds.",
      ),
    }),
  clock(spec, stream) {
    const { rate_per_s: rate, amplitude, period_s: period, peak_s: peak } =
      spec;
    const peakRate = rate * (1 + amplitude);
    const omega = 2 * Math.PI / period;
    let t = 0;
    // Lewis-Shedler thinning: candidates at the peak rate, each kept with
    // probability rate(t) / peak rate, is exactly the inhomogeneous process.
    return () => {
      for (;;) {
        t += stream.exponential(1 / peakRate);
        const r = rate * (1 + amplitude * Math.cos(omega * (t - peak)));
        if (stream.next() * peakRate < r) return t;
      }
    };
  },
  // The cosine integrates to zero over a period.
  meanRate: (spec) => spec.rate_per_s,
  scaled: (spec, factor) => ({ ...spec, rate_per_s: spec.rate_per_s * factor }),
});
