/**
 * The documented types of the `trace` section. The formats' zod schemas
 * stay the one definition (validation, defaults, JSON Schema); these types
 * say the same for readers and editors, and `mod.ts` checks at compile time
 * that the two agree.
 *
 * @module
 */

import type { TraceColumns } from "./format.ts";
import type { TimestampUnit } from "./timestamp_units.ts";

/** A trace format's name. */
export type TraceFormat = "azure" | "mooncake" | "burstgpt" | "csv" | "jsonl";

/**
 * A format an `empirical` token mode can read lengths from (the formats
 * with fixed columns).
 */
export type LengthTraceFormat = "azure" | "mooncake" | "burstgpt";

/** The keys every format takes: the file, and how it is replayed. */
export interface TraceReplayOptions {
  /** The trace, relative to the scenario file. */
  file: string;
  /** Replay this many times faster. */
  time_scale?: number;
  /** Instead of time_scale: scale time so the mean rate is this. */
  target_rate_per_s?: number;
  /** Window start, trace seconds after its first row. */
  start_s?: number;
  /** Window end (exclusive), trace seconds after its first row. */
  end_s?: number;
  /** Replay at most this many rows. */
  max_rows?: number;
  /**
   * Timestamps come in buckets of this width (Mooncake's conversation
   * trace: 3): spread each bucket's rows evenly across it.
   */
  spread_s?: number;
  /**
   * `error` (default: the file and line) or `skip` (counted in
   * `trace_skipped_rows`).
   */
  on_bad_row: "error" | "skip";
}

/** Options of a format with fixed columns (`azure`, `mooncake`, `burstgpt`). */
export interface FixedTraceOptions extends TraceReplayOptions {
  /** The trace's format. */
  format: LengthTraceFormat;
}

/** Options of a format whose columns the options map (`csv`, `jsonl`). */
export interface MappedTraceOptions extends TraceReplayOptions {
  /** The trace's format. */
  format: "csv" | "jsonl";
  /** Which column or key holds each field. */
  columns: TraceColumns;
  /**
   * Unit of the timestamps (default `s`; `datetime`: text like
   * `2023-11-16 18:17:03.9799600`).
   */
  timestamp_unit?: TimestampUnit;
}

/**
 * Validated trace options (defaults filled): the `trace` section of a
 * scenario, or what {@linkcode parseTraceOptions} returns.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TraceOptions } from "./options.ts";
 * const options: TraceOptions = {
 *   file: "trace.csv",
 *   format: "azure",
 *   time_scale: 2,
 *   on_bad_row: "error",
 * };
 * assert.equal(options.format, "azure");
 * ```
 */
export type TraceOptions = FixedTraceOptions | MappedTraceOptions;

/**
 * The trace options as a user writes them: as {@linkcode TraceOptions},
 * with the keys that have a default (`on_bad_row`) optional.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TraceOptionsInput } from "./options.ts";
 * const raw: TraceOptionsInput = { file: "trace.csv", format: "azure" };
 * assert.equal(raw.on_bad_row, undefined);
 * ```
 */
export type TraceOptionsInput =
  | (Omit<FixedTraceOptions, "on_bad_row"> & Partial<TraceDefaults>)
  | (Omit<MappedTraceOptions, "on_bad_row"> & Partial<TraceDefaults>);

/** The trace options' keys that have a default. */
export type TraceDefaults = Pick<TraceReplayOptions, "on_bad_row">;
