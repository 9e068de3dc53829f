/**
 * The trace formats, one file each, and the `trace` section made from them:
 * the replay's keys (file, window, time scale, ...) and each format's own
 * (`columns` and `timestamp_unit` for the formats without fixed columns),
 * as a union discriminated on `format`. A new format is one new file here
 * and one line in the list of `registry.ts`. This module builds the schema
 * (it loads zod); code that replays validated options imports
 * `registry.ts` instead.
 *
 * @module
 */

import { z, type Zod } from "../../schema/zod.ts";
import { parseWith } from "../../schema/issues.ts";
import type { Path } from "../../errors.ts";
import type { Same } from "../../schema/same.ts";
import { columnsSchema, type FormatSchema } from "./format.ts";
import type { TraceOptions, TraceOptionsInput } from "./options.ts";
import { FORMAT_ENTRIES, TRACE_FORMATS } from "./registry.ts";

export type {
  FormatOptions,
  FormatSchema,
  RowLayout,
  RowParser,
  TraceColumns,
  TraceFormatDefinition,
  TraceFormatEntry,
} from "./format.ts";
export type {
  FixedTraceOptions,
  LengthTraceFormat,
  MappedTraceOptions,
  TraceDefaults,
  TraceFormat,
  TraceOptions,
  TraceOptionsInput,
  TraceReplayOptions,
} from "./options.ts";
export {
  COLUMN_KEYS,
  columnsSchema,
  defineTraceFormat,
  timestampUnitSchema,
} from "./format.ts";
export {
  FORMAT_ENTRIES,
  hasPrefixIds,
  LENGTH_TRACE_FORMATS,
  TRACE_FORMATS,
} from "./registry.ts";
export {
  TIMESTAMP_UNITS,
  type TimestampUnit,
  type TimestampUnitEntry,
} from "./timestamp_units.ts";

const ENTRIES = FORMAT_ENTRIES;

/**
 * The `columns` section: which CSV column or JSON key holds each field.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { COLUMNS } from "./mod.ts";
 * const c = COLUMNS.parse({ timestamp: "t", prompt_tokens: "in", output_tokens: "out" });
 * assert.equal(c.hash_ids, undefined);
 * ```
 */
export const COLUMNS: ReturnType<typeof columnsSchema> = columnsSchema(z);

const positive = (description: string) =>
  z.number().positive().optional().describe(description);

/** The replay's keys, which every format takes. */
const FILE = {
  file: z.string().min(1).describe("The trace, relative to the scenario file."),
};
const REPLAY = {
  time_scale: positive("Replay this many times faster."),
  target_rate_per_s: positive(
    "Instead of time_scale: scale time so the mean rate is this.",
  ),
  start_s: z.number().min(0).optional().describe(
    "Window start, trace seconds after its first row.",
  ),
  end_s: positive("Window end (exclusive), trace seconds after its first row."),
  max_rows: z.number().int().min(1).optional().describe(
    "Replay at most this many rows.",
  ),
  spread_s: positive(
    "Timestamps come in buckets of this width (Mooncake's conversation " +
      "trace: 3): spread each bucket's rows evenly across it.",
  ),
  on_bad_row: z.enum(["error", "skip"]).default("error").describe(
    "`error` (default: the file and line) or `skip` (counted in " +
      "`trace_skipped_rows`).",
  ),
};

// Each format's section: the file, the format's own keys, then the
// replay's, in the order the keys have always been listed.
type Flat<T> = { [K in keyof T]: T[K] };
type Option<S extends FormatSchema> = z.ZodObject<
  Flat<typeof FILE & S["shape"] & typeof REPLAY>,
  z.core.$strict
>;
type OptionsOf<T extends readonly unknown[]> = {
  -readonly [I in keyof T]: T[I] extends
    { schema: (z: Zod) => infer S extends FormatSchema } ? Option<S>
    : never;
};
type Options = OptionsOf<typeof ENTRIES>;

// Each format's own keys, built once.
const SCHEMAS: readonly FormatSchema[] = ENTRIES.map((e) => e.schema(z));

const UNION = z.discriminatedUnion(
  "format",
  SCHEMAS.map((s) =>
    z.strictObject({ ...FILE, ...s.shape, ...REPLAY })
  ) as unknown as Options,
);

// The documented types and the schema agree.
const _optionsMatch: Same<TraceOptions, z.output<typeof UNION>> = true;
const _inputMatch: Same<TraceOptionsInput, z.input<typeof UNION>> = true;

// The keys only the formats without fixed columns take.
const MAPPED = ENTRIES.filter((e) => !("columns" in e));
const MAPPED_KEYS = [
  ...new Set(
    SCHEMAS.filter((_, i) => !("columns" in ENTRIES[i]))
      .flatMap((s) => Object.keys(s.shape)).filter((k) => k !== "format"),
  ),
];

// A named format's columns are fixed: a mapping given for it is a mistake
// worth naming as such, rather than an unknown key.
function fixedColumns(raw: unknown, ctx: z.RefinementCtx): void {
  if (typeof raw !== "object" || raw === null) return;
  const values = raw as Record<string, unknown>;
  const format = values.format;
  if (typeof format !== "string" || !TRACE_FORMATS.has(format)) return;
  if (TRACE_FORMATS.get(format).columns === undefined) return;
  for (const key of MAPPED_KEYS) {
    if (values[key] !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `is only for format ${
          MAPPED.map((e) => e.name).join(" or ")
        } (${format} has fixed columns)`,
      });
      return;
    }
  }
}

// A key set to undefined (`{ columns: undefined }` from a library caller
// that passes its optional arguments through) is a key not given.
function withoutUndefined(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return raw;
  const entries = Object.entries(raw);
  if (entries.every(([, v]) => v !== undefined)) return raw;
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}

// The rules that span keys of the section.
function replayRules(o: TraceOptions, ctx: z.RefinementCtx): void {
  if (o.time_scale !== undefined && o.target_rate_per_s !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["target_rate_per_s"],
      message: "give time_scale or target_rate_per_s, not both",
    });
  }
  if (o.end_s !== undefined && o.end_s <= (o.start_s ?? 0)) {
    ctx.addIssue({
      code: "custom",
      path: ["end_s"],
      message: `must be > start_s (${o.start_s ?? 0}), got ${o.end_s}`,
    });
  }
}

/**
 * The schema of the `trace` section: a union discriminated on `format`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { traceSchema } from "./mod.ts";
 * const o = traceSchema.parse({ file: "t.csv", format: "azure" });
 * assert.equal(o.on_bad_row, "error");
 * assert.equal(traceSchema.safeParse({ file: "t.csv", format: "csv" }).success, false);
 * ```
 */
export const traceSchema: z.ZodType<TraceOptions> = z.preprocess(
  (raw, ctx) => {
    fixedColumns(raw, ctx);
    return withoutUndefined(raw);
  },
  UNION.superRefine(replayRules),
).describe(
  "Replay a request trace instead of generating arrivals and lengths " +
    "(`arrival`, `prompt_tokens`, `output_tokens` and `classes` are then " +
    "not used). The file is streamed: memory does not grow with it. " +
    "Formats: " + ENTRIES.map((e) => `\`${e.name}\` (${e.doc})`).join(", ") +
    ".",
);

/**
 * Validates trace options with the scenario's own schema, filling defaults.
 *
 * @param raw The options, as a user writes them.
 * @param path Where they sit, for the key paths of errors (none: relative).
 * @returns The validated options.
 * @throws {InputError} Naming the key, what it must be and what it got.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTraceOptions } from "./mod.ts";
 * const o = parseTraceOptions({ file: "t.jsonl", format: "mooncake" });
 * assert.equal(o.on_bad_row, "error");
 * assert.throws(
 *   () => parseTraceOptions({ file: "t.csv", format: "azure", time_scale: 0 }),
 *   { message: "time_scale: must be > 0, got 0" },
 * );
 * ```
 */
export function parseTraceOptions(
  raw: unknown,
  path: Path = [],
): TraceOptions {
  return parseWith(traceSchema, raw, path);
}
