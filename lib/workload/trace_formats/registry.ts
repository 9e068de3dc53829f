/**
 * The trace formats, one file each, as replaying a validated scenario needs
 * them: names, docs, layouts and row parsers, without their schemas, so
 * that a sweep worker does not load zod. A new format is one new file and
 * one line in the list below; `mod.ts` builds the `trace` section's schema
 * from the same list.
 *
 * @module
 */

import { Registry } from "../../registry.ts";
import type { Same } from "../../schema/same.ts";
import { AZURE } from "./azure.ts";
import { BURSTGPT } from "./burstgpt.ts";
import { CSV } from "./csv.ts";
import type { TraceFormatEntry } from "./format.ts";
import { JSONL } from "./jsonl.ts";
import { MOONCAKE } from "./mooncake.ts";
import type {
  LengthTraceFormat,
  TraceFormat,
  TraceOptions,
} from "./options.ts";

/**
 * Every trace format as its file defines it, in the order help and docs
 * list them.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { FORMAT_ENTRIES } from "./registry.ts";
 * assert.equal(FORMAT_ENTRIES[0].name, "azure");
 * ```
 */
export const FORMAT_ENTRIES = [AZURE, MOONCAKE, BURSTGPT, CSV, JSONL] as const;

/**
 * Every trace format, in the order help and docs list them.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { TRACE_FORMATS } from "./registry.ts";
 * assert.deepEqual(TRACE_FORMATS.names, [
 *   "azure", "mooncake", "burstgpt", "csv", "jsonl",
 * ]);
 * assert.throws(() => TRACE_FORMATS.get("azur"), /did you mean "azure"/);
 * ```
 */
export const TRACE_FORMATS: Registry<TraceFormatEntry> = new Registry<
  TraceFormatEntry
>("trace format", FORMAT_ENTRIES);

// The documented names are the list's.
const _formatsMatch: Same<
  TraceFormat,
  (typeof FORMAT_ENTRIES)[number]["name"]
> = true;
const _lengthsMatch: Same<
  LengthTraceFormat,
  Extract<(typeof FORMAT_ENTRIES)[number], { lengths: true }>["name"]
> = true;

/**
 * The formats an `empirical` token mode can read lengths from, for its
 * `trace_format` key.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { LENGTH_TRACE_FORMATS } from "./registry.ts";
 * assert.deepEqual(LENGTH_TRACE_FORMATS, ["azure", "mooncake", "burstgpt"]);
 * ```
 */
export const LENGTH_TRACE_FORMATS: readonly [
  LengthTraceFormat,
  ...LengthTraceFormat[],
] = FORMAT_ENTRIES.filter((e) => e.lengths).map((e) => e.name) as [
  LengthTraceFormat,
  ...LengthTraceFormat[],
];

/**
 * Whether a trace's rows carry prefix-block ids (`hash_ids`), which a
 * prefix cache needs: the format's fixed columns, or the mapping, name them.
 *
 * @param options Validated trace options.
 * @returns True when the rows have ids.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasPrefixIds } from "./registry.ts";
 * const replay = { file: "t", on_bad_row: "error" } as const;
 * assert.ok(hasPrefixIds({ ...replay, format: "mooncake" }));
 * assert.equal(hasPrefixIds({ ...replay, format: "azure" }), false);
 * ```
 */
export function hasPrefixIds(options: TraceOptions): boolean {
  const layout = TRACE_FORMATS.get(options.format).layout(options);
  return layout.columns.hash_ids !== undefined;
}
