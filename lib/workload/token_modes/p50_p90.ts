/**
 * Mode `p50_p90`: a lognormal given by its median and 90th percentile,
 * mu = ln(p50) and sigma = (ln p90 - ln p50) / z0.9.
 *
 * @module
 */

import type { Zod } from "../../schema/zod.ts";
import {
  type LognormalParams,
  lognormalSampler,
  realMoments,
  Z90,
} from "../lognormal.ts";
import { tokenMode } from "./_mode.ts";

function params(d: { p50: number; p90: number }): LognormalParams {
  return {
    mu: Math.log(d.p50),
    sigma: (Math.log(d.p90) - Math.log(d.p50)) / Z90,
  };
}

/** Mode `p50_p90`. */
export const P50_P90 = tokenMode({
  name: "p50_p90",
  doc: "lognormal by its median `p50` and 90th percentile `p90`",
  keys: (z: Zod) => ({
    p50: z.number().positive().describe("Mode `p50_p90`: median in tokens."),
    p90: z.number().positive().describe(
      "Mode `p50_p90`: 90th percentile in tokens (> p50).",
    ),
  }),
  refine(d, issue) {
    if (d.p90 <= d.p50) issue("p90", `must be > p50 (${d.p50}), got ${d.p90}`);
  },
  lognormal: params,
  sampler: (d, stream) => lognormalSampler(params(d), d.min_value, stream),
  moments: (d) => realMoments(params(d)),
  median: (d) => d.p50,
});
