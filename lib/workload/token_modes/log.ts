/**
 * Mode `log` (the default): a lognormal given by its log-space mu and sigma,
 * the prototype's first mode.
 *
 * @module
 */

import type { Zod } from "../../schema/zod.ts";
import { lognormalSampler, realMoments } from "../lognormal.ts";
import { tokenMode } from "./_mode.ts";

/** The largest mu (mean of ln tokens) taken: e^20 is 4.9e8 tokens. */
const LOG_MU_LIMIT = 20;
// mu + 10 sigma below this: e^700 is about the largest finite double's size.
const LOG_SPACE_LIMIT = 700;

/** Mode `log`. */
export const LOG = tokenMode({
  name: "log",
  isDefault: true,
  doc: "lognormal by its log-space mu `mean` and `sigma` (the default)",
  keys: (z: Zod) => ({
    // The prototype's defaults: mu 6.0, sigma 1.0.
    mean: z.number().default(6).describe(
      "Mode `log`: the log-space mu (default 6.0).",
    ),
    sigma: z.number().positive().default(1).describe(
      "Mode `log`: the log-space sigma (> 0, default 1.0).",
    ),
  }),
  refine(d, issue) {
    // In log space a mean of 700 is e^700 tokens: surely meant in tokens.
    if (d.mean > LOG_MU_LIMIT) {
      issue(
        "mean",
        `is mu = the mean of ln(tokens) in mode log (the default), so ${d.mean} means e^${d.mean} tokens; for a mean of ${d.mean} tokens write mode: real_mean_std with mean and std (or mode: p50_p90)`,
      );
    } else if (d.mean + 10 * d.sigma > LOG_SPACE_LIMIT) {
      // Beyond mu + 10 sigma the draws could overflow to Infinity.
      issue(
        "sigma",
        `is the standard deviation of ln(tokens) in mode log; ${d.sigma} puts lengths beyond e^${LOG_SPACE_LIMIT} (write mode: real_mean_std for a std in tokens)`,
      );
    }
  },
  lognormal: (d) => ({ mu: d.mean, sigma: d.sigma }),
  sampler: (d, stream) =>
    lognormalSampler({ mu: d.mean, sigma: d.sigma }, d.min_value, stream),
  moments: (d) => realMoments({ mu: d.mean, sigma: d.sigma }),
  median: (d) => Math.exp(d.mean),
});
