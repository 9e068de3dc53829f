/**
 * Mode `uniform`: whole-number lengths uniform on [low, high].
 *
 * @module
 */

import type { Zod } from "../../schema/zod.ts";
import { uniformSampler } from "../empirical.ts";
import { tokenMode } from "./_mode.ts";

/** Mode `uniform`. */
export const UNIFORM = tokenMode({
  name: "uniform",
  doc: "whole numbers uniform from `low` to `high`",
  keys: (z: Zod) => ({
    low: z.number().int().min(1).describe(
      "Mode `uniform`: smallest length (inclusive).",
    ),
    high: z.number().int().min(1).describe(
      "Mode `uniform`: largest length (inclusive, >= low).",
    ),
  }),
  refine(d, issue) {
    if (d.high < d.low) {
      issue("high", `must be >= low (${d.low}), got ${d.high}`);
    }
  },
  sampler: (d, stream) => {
    const draw = uniformSampler(d.low, d.high, stream);
    return () => Math.max(draw(), d.min_value);
  },
  moments: (d) => {
    // n = high - low + 1 equally likely whole numbers.
    const n = d.high - d.low + 1;
    return { mean: (d.low + d.high) / 2, std: Math.sqrt((n * n - 1) / 12) };
  },
  median: (d) => (d.low + d.high) / 2,
});
