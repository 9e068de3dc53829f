/**
 * Mode `empirical`: lengths drawn uniformly from observed ones, given as a
 * list or read from a trace's prompt (or output) lengths.
 *
 * @module
 */

import type { Zod } from "../../schema/zod.ts";
import { empiricalSampler } from "../empirical.ts";
import { LENGTH_TRACE_FORMATS } from "../trace_formats/registry.ts";
import { tokenMode } from "./_mode.ts";

/** Mode `empirical`. */
export const EMPIRICAL = tokenMode({
  name: "empirical",
  doc: "drawn from `values` or a trace's lengths",
  keys: (z: Zod) => ({
    values: z.array(
      z.number().int().min(1).describe("A length in tokens."),
    ).min(1).optional().describe(
      "Mode `empirical`: observed lengths, drawn uniformly (or give " +
        "`trace_file`).",
    ),
    trace_file: z.string().min(1).optional().describe(
      "Mode `empirical`: a trace whose prompt (or output) lengths are " +
        "drawn, relative to the scenario file.",
    ),
    trace_format: z.enum(LENGTH_TRACE_FORMATS).optional().describe(
      "Mode `empirical`: the trace's format.",
    ),
  }),
  refine(d, issue) {
    const fromFile = d.trace_file !== undefined || d.trace_format !== undefined;
    if (d.values === undefined && !fromFile) {
      issue(
        undefined,
        "mode empirical needs `values` or `trace_file` and `trace_format`",
      );
    } else if (d.values !== undefined && fromFile) {
      issue("values", "give either values or a trace file, not both");
    } else if (fromFile) {
      for (const key of ["trace_file", "trace_format"] as const) {
        if (d[key] === undefined) {
          issue(key, "is required with trace_file");
          break;
        }
      }
    }
  },
  sampler: (d, stream) => {
    if (!d.values) {
      throw new RangeError(
        "empirical lengths were not loaded (load the scenario from its file, or set values)",
      );
    }
    return empiricalSampler(d.values, stream, { minValue: d.min_value });
  },
  moments: (d) => {
    const v = d.values ?? [];
    if (v.length === 0) return null;
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sq = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
    return { mean, std: Math.sqrt(sq) };
  },
  median: () => 0,
});
