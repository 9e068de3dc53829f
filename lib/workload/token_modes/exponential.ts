/**
 * Mode `exponential`: lengths floor(X) with X exponential of the given mean
 * (M/M/c validation).
 *
 * @module
 */

import type { Zod } from "../../schema/zod.ts";
import { tokenMode } from "./_mode.ts";

/** Mode `exponential`. */
export const EXPONENTIAL = tokenMode({
  name: "exponential",
  doc: "exponential lengths of mean `mean`",
  keys: (z: Zod) => ({
    mean: z.number().positive().describe(
      "Mode `exponential`: the mean in tokens (> 0).",
    ),
  }),
  sampler: (d, stream) => () =>
    Math.max(Math.floor(stream.exponential(d.mean)), d.min_value),
  moments: (d) => ({ mean: d.mean, std: d.mean }),
  median: (d) => d.mean * Math.LN2,
});
