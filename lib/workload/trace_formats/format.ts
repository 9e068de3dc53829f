/**
 * What a trace format is: its keys in the `trace` section (zod schemas,
 * built from the namespace they are given so that replaying a validated
 * scenario does not load zod), where a row's fields are (fixed columns, or
 * the options' mapping) and the parser of its rows. Each format is one file
 * of this folder and one line in `registry.ts`.
 *
 * @module
 */

import type { z, Zod } from "../../schema/zod.ts";
import type { LineReader } from "../line_reader.ts";
import type { RegistryEntry } from "../../registry.ts";
import type { Same } from "../../schema/same.ts";
import { TIMESTAMP_UNITS, type TimestampUnit } from "./timestamp_units.ts";

/**
 * Builds the `columns` section: which CSV column or JSON key holds each
 * field.
 *
 * @param z The zod namespace.
 * @returns The section's schema.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "../../schema/zod.ts";
 * import { columnsSchema } from "./format.ts";
 * const c = columnsSchema(z).parse({ timestamp: "t", prompt_tokens: "in", output_tokens: "out" });
 * assert.equal(c.hash_ids, undefined);
 * ```
 */
export function columnsSchema(z: Zod) {
  return z.strictObject({
    timestamp: z.string().min(1).describe("Arrival time."),
    prompt_tokens: z.string().min(1).describe("Prompt length."),
    output_tokens: z.string().min(1).describe("Output length."),
    hash_ids: z.string().min(1).optional().describe(
      "Prefix block ids (a JSON list), optional.",
    ),
    session_id: z.string().min(1).optional().describe(
      "The session (conversation, agent run) a row is a turn of, optional: " +
        "a session's rows are its turns in order, and a turn is sent no " +
        "earlier than the end of the previous turn's response.",
    ),
  }).describe("`csv` / `jsonl`: which column or key holds each field.");
}

/**
 * Which CSV column or JSON key holds each field.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TraceColumns } from "./format.ts";
 * const columns: TraceColumns = {
 *   timestamp: "t",
 *   prompt_tokens: "in",
 *   output_tokens: "out",
 * };
 * assert.equal(columns.hash_ids, undefined);
 * ```
 */
export interface TraceColumns {
  /** Arrival time. */
  timestamp: string;
  /** Prompt length. */
  prompt_tokens: string;
  /** Output length. */
  output_tokens: string;
  /** Prefix block ids (a JSON list), optional. */
  hash_ids?: string;
  /** The session a row is a turn of, optional. */
  session_id?: string;
}

// The documented type and the schema's output are the same type.
const _columnsMatch: Same<
  TraceColumns,
  z.output<ReturnType<typeof columnsSchema>>
> = true;

/**
 * The fields of a row, in the order a mapping is checked: the keys of
 * {@linkcode columnsSchema}, listed so that reading a trace needs no zod.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "../../schema/zod.ts";
 * import { COLUMN_KEYS, columnsSchema } from "./format.ts";
 * assert.deepEqual(COLUMN_KEYS, Object.keys(columnsSchema(z).shape));
 * ```
 */
export const COLUMN_KEYS: readonly (keyof TraceColumns)[] = [
  "timestamp",
  "prompt_tokens",
  "output_tokens",
  "hash_ids",
  "session_id",
] satisfies readonly (keyof TraceColumns)[];

/**
 * Builds the `timestamp_unit` key of the formats whose options map the
 * columns.
 *
 * @param z The zod namespace.
 * @returns The key's schema.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "../../schema/zod.ts";
 * import { timestampUnitSchema } from "./format.ts";
 * assert.equal(timestampUnitSchema(z).safeParse("h").success, false);
 * ```
 */
export function timestampUnitSchema(z: Zod) {
  return z.enum(
    TIMESTAMP_UNITS.names as [TimestampUnit, ...TimestampUnit[]],
  ).optional().describe(
    "`csv` / `jsonl`: unit of the timestamps (`datetime`: text like " +
      "`2023-11-16 18:17:03.9799600`).",
  );
}

/** The description of every format's `format` key. */
export const FORMAT_DOC = "The trace's format.";

/** What a format reads from the trace options. */
export interface FormatOptions {
  /** The format's name. */
  format: string;
  /** The column mapping (formats without fixed columns). */
  columns?: TraceColumns;
  /** The timestamps' unit (formats without fixed columns; default `s`). */
  timestamp_unit?: TimestampUnit;
}

/** Where a row's fields are and how they are read. */
export interface RowLayout {
  /** The format's name, for messages. */
  format: string;
  /** The timestamps' unit. */
  unit: TimestampUnit;
  /** The column (key) of each field. */
  columns: TraceColumns;
  /**
   * Whether the columns come from the options' mapping (messages then name
   * `columns.<field>`) rather than being fixed by the format.
   */
  mapped: boolean;
  /** Whether a row with 0 output tokens is a failed request (BurstGPT). */
  zeroOutputFails: boolean;
}

/**
 * A parser of one format's rows. `parse` leaves a good row's fields in the
 * parser's own properties (so that no object is made per row) and returns
 * null, or returns what is wrong with the row.
 */
export interface RowParser {
  /** Timestamp, whole part (in the layout's unit). */
  w: number;
  /** Timestamp, fraction. */
  f: number;
  /** Prompt tokens. */
  prompt: number;
  /** Output tokens. */
  output: number;
  /** Prefix-block ids (a shared empty list when there are none). */
  ids: number[];
  /** The row's session (empty without a `session_id` column). */
  session: string;
  /** Whether the row is a failed request (skipped and counted). */
  readonly failed: boolean;
  /** The timestamp column's name, for messages. */
  readonly timeName: string;
  /**
   * Parses `text[start, end)`, the file's 1-based line `line`.
   *
   * @returns Null for a good row, or the problem.
   */
  parse(text: string, start: number, end: number, line: number): string | null;
  /** The current row's timestamp as a message shows it. */
  timeText(text: string): string;
}

/** The schema of one format's own keys: `format` and, maybe, a mapping. */
export type FormatSchema = z.ZodObject<
  { format: z.ZodLiteral<string> } & z.ZodRawShape,
  z.core.$strict
>;

/**
 * One trace format, as the registry lists it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { TRACE_FORMATS } from "./mod.ts";
 * const azure = TRACE_FORMATS.get("azure");
 * assert.equal(azure.columns?.timestamp, "TIMESTAMP");
 * assert.equal(azure.layout({ format: "azure" }).unit, "datetime");
 * ```
 */
export interface TraceFormatEntry extends RegistryEntry {
  /** The fixed columns, or undefined when the options map them. */
  readonly columns?: TraceColumns;
  /**
   * Whether an `empirical` token mode may read lengths from the format
   * (which needs fixed columns: a token section has no mapping).
   */
  readonly lengths: boolean;
  /**
   * Where the fields are, from the (valid) options.
   *
   * @param options The trace options.
   * @returns The layout.
   */
  layout(options: FormatOptions): RowLayout;
  /**
   * The parser of the file's rows; a format with a header reads it here.
   *
   * @param file The file, for messages.
   * @param layout The layout from {@linkcode layout}.
   * @param reader The file's lines, before the first.
   * @returns The parser.
   * @throws {InputError} On a bad header.
   */
  rows(file: string, layout: RowLayout, reader: LineReader): RowParser;
}

/**
 * One trace format as its file defines it, with its zod schema.
 *
 * @typeParam S The schema of the format's own keys.
 */
export interface TraceFormatDefinition<S extends FormatSchema = FormatSchema>
  extends TraceFormatEntry {
  /**
   * Builds the format's keys in the `trace` section besides the replay's
   * own (`file`, `time_scale`, ...): `format` as the literal name, and for
   * a format without fixed columns, `columns` and `timestamp_unit`.
   *
   * @param z The zod namespace.
   * @returns The schema.
   */
  schema(z: Zod): S;
}

/**
 * Declares a format with its literal types kept (its name, its schema and
 * `lengths`, from which the options' type and the length formats come).
 *
 * @typeParam E The entry's type.
 * @param entry The format.
 * @returns The same entry.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "../../schema/zod.ts";
 * import { defineTraceFormat } from "./format.ts";
 * import { JsonRows } from "./_json_rows.ts";
 * const layout = {
 *   format: "tiny",
 *   unit: "s",
 *   columns: { timestamp: "t", prompt_tokens: "p", output_tokens: "o" },
 *   mapped: false,
 *   zeroOutputFails: false,
 * } as const;
 * const tiny = defineTraceFormat({
 *   name: "tiny",
 *   doc: "JSON lines t, p, o",
 *   schema: (z) => z.strictObject({ format: z.literal("tiny") }),
 *   columns: layout.columns,
 *   lengths: true,
 *   layout: () => layout,
 *   rows: (file, l) => new JsonRows(file, l),
 * });
 * assert.equal(tiny.layout().columns.prompt_tokens, "p");
 * assert.ok(tiny.schema(z).safeParse({ format: "tiny" }).success);
 * ```
 */
export function defineTraceFormat<
  const E extends TraceFormatDefinition<FormatSchema>,
>(entry: E): E {
  return entry;
}
