/**
 * Mode `constant`: every request has the same length (M/D/c validation).
 *
 * @module
 */

import type { Zod } from "../../schema/zod.ts";
import { tokenMode } from "./_mode.ts";

/** Mode `constant`. */
export const CONSTANT = tokenMode({
  name: "constant",
  doc: "every length is `value`",
  keys: (z: Zod) => ({
    value: z.number().int().min(1).describe(
      "Mode `constant`: the length in tokens.",
    ),
  }),
  sampler: (d) => {
    const v = Math.max(d.value, d.min_value);
    return () => v;
  },
  moments: (d) => ({ mean: d.value, std: 0 }),
  median: (d) => d.value,
});
