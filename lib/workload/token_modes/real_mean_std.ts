/**
 * Mode `real_mean_std`: a lognormal given by its real-space mean and
 * standard deviation, sigma^2 = ln(1 + std^2 / mean^2) and
 * mu = ln(mean) - sigma^2 / 2.
 *
 * @module
 */

import type { Zod } from "../../schema/zod.ts";
import {
  type LognormalParams,
  lognormalSampler,
  realMoments,
} from "../lognormal.ts";
import { tokenMode } from "./_mode.ts";

function params(d: { mean: number; std: number }): LognormalParams {
  const s2 = Math.log(1 + (d.std * d.std) / (d.mean * d.mean));
  return { mu: Math.log(d.mean) - s2 / 2, sigma: Math.sqrt(s2) };
}

/** Mode `real_mean_std`. */
export const REAL_MEAN_STD = tokenMode({
  name: "real_mean_std",
  doc: "lognormal by its real-space `mean` and `std`",
  keys: (z: Zod) => ({
    mean: z.number().positive().describe(
      "Mode `real_mean_std`: the mean in tokens (> 0).",
    ),
    std: z.number().positive().describe(
      "Mode `real_mean_std`: standard deviation in tokens.",
    ),
  }),
  lognormal: params,
  sampler: (d, stream) => lognormalSampler(params(d), d.min_value, stream),
  // Through mu and sigma, as every lognormal mode reports them.
  moments: (d) => realMoments(params(d)),
  median: (d) => Math.exp(params(d).mu),
});
