/**
 * Trace replay: requests read from a recorded trace file, streamed row by row
 * so that memory does not grow with the file. {@linkcode openTrace} checks
 * the options with the scenario's own schema and replays them as
 * `trace_replay.ts` states (timing, the order in which rows are taken); the
 * formats (how a row is read) are in `trace_formats/`.
 *
 * @module
 */

import {
  parseTraceOptions,
  type TraceOptionsInput,
} from "./trace_formats/mod.ts";
import { openValidTrace, type TraceSource } from "./trace_replay.ts";

export {
  openValidTrace,
  type TraceSource,
  type TraceStats,
} from "./trace_replay.ts";

/**
 * Opens a trace for replay. The options are validated by the scenario's
 * own schema ({@linkcode parseTraceOptions}; validated options pass as they
 * are). Errors in the options, a missing file, a bad header and (unless
 * skipped) a bad row throw `InputError`, whose message names the file and
 * the 1-based line: `azure.csv:17: GeneratedTokens: must be a whole number
 * >= 1, got "abc"`.
 *
 * @param options The file, its format and how to replay it.
 * @returns The request source, positioned before the first request.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { openTrace } from "./trace.ts";
 * const file = Deno.makeTempFileSync({ suffix: ".csv" });
 * Deno.writeTextFileSync(
 *   file,
 *   "TIMESTAMP,ContextTokens,GeneratedTokens\n" +
 *     "2023-11-16 18:17:03.9799600,4808,10\n" +
 *     "2023-11-16 18:17:04.0319600,3180,8\n",
 * );
 * const trace = openTrace({ file, format: "azure", time_scale: 2 });
 * const arrivals: number[] = [];
 * while (trace.next()) arrivals.push(trace.arrivalS);
 * assert.equal(arrivals.length, 2);
 * // 0.052 trace seconds apart, replayed twice as fast.
 * assert.ok(Math.abs(arrivals[1] - 0.026) < 1e-12, String(arrivals));
 * Deno.removeSync(file);
 * ```
 */
export function openTrace(options: TraceOptionsInput): TraceSource {
  return openValidTrace(parseTraceOptions(options));
}
