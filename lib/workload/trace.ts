/**
 * Trace replay: requests read from a recorded trace file, streamed row by row
 * so that memory does not grow with the file.
 *
 * Formats:
 *
 * - `azure`: Azure LLM inference trace 2023, CSV
 *   `TIMESTAMP,ContextTokens,GeneratedTokens`; `TIMESTAMP` is a wall-clock
 *   date-time such as `2023-11-16 18:17:03.9799600`, read as UTC with every
 *   fractional digit kept.
 * - `mooncake`: Mooncake JSON lines `{"timestamp": ms, "input_length",
 *   "output_length", "hash_ids": [...]}`; `hash_ids` become `prefixIds`.
 * - `burstgpt`: BurstGPT CSV `Timestamp,Model,Request tokens,Response
 *   tokens,Total tokens,Log Type`, `Timestamp` in seconds. A row with
 *   `Response tokens` 0 is a failed request: skipped and counted in
 *   `stats.failed`.
 * - `csv` and `jsonl`: any CSV with a header, or JSON lines, with `columns`
 *   naming the column (key) of each field and `timestamp_unit` its unit. In a
 *   CSV, a `hash_ids` field is a JSON array (`"[1,2]"`, quoted) or whole
 *   numbers separated by spaces or semicolons.
 *
 * Timing: a row at trace time t arrives at (t - t_first - start_s) / scale,
 * where t_first is the first valid row's time and scale is `time_scale`, or
 * the one that makes the replayed rows per replayed second (first to last
 * arrival) equal `target_rate_per_s`. Times are kept as a whole part and a
 * fraction so that absolute timestamps lose no precision.
 *
 * Rows are taken in this order: a bad row (unparsable, a token count below
 * 1, a timestamp earlier than the previous valid row's) throws or, with
 * `on_bad_row: "skip"`, is counted in `stats.skipped`; `spread_s` moves the
 * row within its timestamp bucket; a row before `start_s` is counted in
 * `stats.outside_window`; the first row at or after `end_s` is counted there
 * too and ends the replay (rows after it are not read, so not counted); a
 * failed BurstGPT row is counted in `stats.failed`; the rest are replayed
 * until `max_rows`. Blank lines are ignored.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import { LineReader } from "./line_reader.ts";
import { splitCsv } from "./csv_fields.ts";
import type { RequestSource } from "./workload.ts";

// Re-exported so that the interface TraceSource extends is documented too.
export type { RequestSource } from "./workload.ts";

/**
 * A trace file format: three named formats and two generic ones that need a
 * column mapping.
 *
 * @example Usage
 * ```ts
 * import type { TraceFormat } from "./trace.ts";
 * const format: TraceFormat = "azure";
 * if (format !== "azure") throw new Error();
 * ```
 */
export type TraceFormat = "azure" | "mooncake" | "burstgpt" | "csv" | "jsonl";

/**
 * Which CSV column or JSON key holds each field (for `csv` and `jsonl`).
 *
 * @example Usage
 * ```ts
 * import type { TraceColumns } from "./trace.ts";
 * const columns: TraceColumns = {
 *   timestamp: "t",
 *   prompt_tokens: "in",
 *   output_tokens: "out",
 * };
 * if (columns.hash_ids !== undefined) throw new Error();
 * ```
 */
export interface TraceColumns {
  /** The arrival time, in `timestamp_unit`. */
  timestamp: string;
  /** The prompt length in tokens. */
  prompt_tokens: string;
  /** The output length in tokens. */
  output_tokens: string;
  /** The prompt's prefix-block ids, if the trace has them. */
  hash_ids?: string;
}

/**
 * How to open and replay a trace.
 *
 * @example Usage
 * ```ts
 * import type { TraceOptions } from "./trace.ts";
 * const options: TraceOptions = {
 *   file: "trace.csv",
 *   format: "azure",
 *   time_scale: 2,
 *   end_s: 600,
 * };
 * if (options.format !== "azure") throw new Error();
 * ```
 */
export interface TraceOptions {
  /** Path of the trace file. */
  file: string;
  /** The file's format. */
  format: TraceFormat;
  /**
   * The column mapping: required for `csv` and `jsonl`, not allowed for the
   * named formats, whose columns are fixed.
   */
  columns?: TraceColumns;
  /**
   * Unit of the timestamp column for `csv` and `jsonl` (default `"s"`);
   * `"datetime"` is Azure-style text such as `2023-11-16 18:17:03.9799600`,
   * read as UTC.
   */
  timestamp_unit?: "s" | "ms" | "us" | "datetime";
  /** Replay k times faster: trace seconds are divided by k (default 1). */
  time_scale?: number;
  /**
   * Instead of `time_scale`: the scale that makes the replayed rows divided
   * by the replayed span (first to last arrival) equal this rate. It costs a
   * first pass over the file.
   */
  target_rate_per_s?: number;
  /** Window start, trace seconds after the first row (default 0). */
  start_s?: number;
  /** Window end (exclusive), trace seconds after the first row. */
  end_s?: number;
  /** Stop after this many replayed rows. */
  max_rows?: number;
  /**
   * Timestamps come in buckets this wide: row j of the n rows sharing
   * timestamp t is moved to t + spread_s * j / n. The rows of one bucket are
   * held in memory.
   */
  spread_s?: number;
  /** What a bad row does: throw (default) or get counted and skipped. */
  on_bad_row?: "error" | "skip";
}

/**
 * Row counts of a replay so far.
 *
 * @example Usage
 * ```ts
 * import type { TraceStats } from "./trace.ts";
 * const stats: TraceStats = { rows: 3, skipped: 0, failed: 1, outside_window: 0 };
 * if (stats.rows + stats.failed !== 4) throw new Error();
 * ```
 */
export interface TraceStats {
  /** Rows replayed. */
  rows: number;
  /** Bad rows skipped (with `on_bad_row: "skip"`). */
  skipped: number;
  /**
   * Failed requests skipped: BurstGPT rows with 0 response tokens, inside
   * the window.
   */
  failed: number;
  /**
   * Rows before `start_s`, plus the first row at or after `end_s`, where
   * reading stops.
   */
  outside_window: number;
}

/**
 * A replayed trace: a request source whose requests also carry their
 * prompt's prefix-block ids.
 *
 * @example Usage
 * ```ts
 * import { openTrace } from "./trace.ts";
 * const file = Deno.makeTempFileSync({ suffix: ".jsonl" });
 * Deno.writeTextFileSync(
 *   file,
 *   '{"timestamp": 0, "input_length": 600, "output_length": 5, "hash_ids": [0, 1]}\n',
 * );
 * const trace = openTrace({ file, format: "mooncake" });
 * if (!trace.next() || trace.prefixIds.join() !== "0,1") throw new Error();
 * if (trace.next() || trace.stats.rows !== 1) throw new Error();
 * Deno.removeSync(file);
 * ```
 */
export interface TraceSource extends RequestSource {
  /**
   * The current row's prefix-block ids (`hash_ids`); empty when the format
   * has none. Treat it as read-only.
   */
  prefixIds: number[];
  /** Row counts so far; final once `next()` has returned false. */
  readonly stats: TraceStats;
  /**
   * Closes the file before the end; `next()` then returns false. The file
   * closes by itself when `next()` returns false or throws.
   */
  close(): void;
}

/**
 * Opens a trace for replay. Errors in the options, a missing file, a bad
 * header and (unless skipped) a bad row throw `InputError`, whose message
 * names the file and the 1-based line: `azure.csv:17: GeneratedTokens: must
 * be a whole number >= 1, got "abc"`.
 *
 * @param options The file, its format and how to replay it.
 * @returns The request source, positioned before the first request.
 *
 * @example Usage
 * ```ts
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
 * if (arrivals.length !== 2 || Math.abs(arrivals[1] - 0.026) > 1e-12) {
 *   throw new Error(String(arrivals));
 * }
 * Deno.removeSync(file);
 * ```
 */
export function openTrace(options: TraceOptions): TraceSource {
  const o = checkOptions(options);
  if (o.targetRate === undefined) return new Trace(o, o.timeScale);
  // The first pass replays exactly as the second will (same window, skips,
  // spreading and row limit), so the rate it measures is the replayed one.
  const probe = new Trace(o, 1);
  let n = 0;
  let first = 0;
  let last = 0;
  while (probe.next()) {
    if (n === 0) first = probe.arrivalS;
    last = probe.arrivalS;
    n++;
  }
  const span = last - first;
  if (n < 2 || !(span > 0)) {
    throw new InputError(
      `${o.file}: target_rate_per_s needs at least two replayed rows at different times, got ${n} row(s) spanning ${span} s`,
    );
  }
  return new Trace(o, o.targetRate * span / n);
}

// ---------------------------------------------------------------------------
// Options

type Unit = "s" | "ms" | "us" | "datetime";

interface Layout {
  json: boolean;
  unit: Unit;
  columns: TraceColumns;
  // BurstGPT marks failed requests with 0 response tokens.
  zeroOutputFails: boolean;
}

const NAMED: Record<"azure" | "mooncake" | "burstgpt", Layout> = {
  azure: {
    json: false,
    unit: "datetime",
    columns: {
      timestamp: "TIMESTAMP",
      prompt_tokens: "ContextTokens",
      output_tokens: "GeneratedTokens",
    },
    zeroOutputFails: false,
  },
  mooncake: {
    json: true,
    unit: "ms",
    columns: {
      timestamp: "timestamp",
      prompt_tokens: "input_length",
      output_tokens: "output_length",
      hash_ids: "hash_ids",
    },
    zeroOutputFails: false,
  },
  burstgpt: {
    json: false,
    unit: "s",
    columns: {
      timestamp: "Timestamp",
      prompt_tokens: "Request tokens",
      output_tokens: "Response tokens",
    },
    zeroOutputFails: true,
  },
};

const FORMATS = ["azure", "mooncake", "burstgpt", "csv", "jsonl"];
const UNITS = ["s", "ms", "us", "datetime"];
const DIVISOR: Record<Unit, number> = { s: 1, ms: 1e3, us: 1e6, datetime: 1 };
const COLUMN_KEYS = ["timestamp", "prompt_tokens", "output_tokens", "hash_ids"];

interface Checked {
  file: string;
  format: TraceFormat;
  layout: Layout;
  timeScale: number;
  targetRate: number | undefined;
  startS: number;
  endS: number;
  maxRows: number;
  spreadS: number;
  skipBad: boolean;
}

function checkOptions(options: TraceOptions): Checked {
  if (typeof options !== "object" || options === null) {
    throw new InputError(
      `trace options must be an object, got ${show(options)}`,
    );
  }
  const { file, format } = options;
  if (typeof file !== "string" || file === "") {
    throw new InputError(`must be a file path, got ${show(file)}`, ["file"]);
  }
  if (!FORMATS.includes(format)) {
    throw new InputError(
      `must be one of ${FORMATS.join(", ")}, got ${show(format)}`,
      ["format"],
    );
  }
  let layout: Layout;
  if (format === "csv" || format === "jsonl") {
    const unit = options.timestamp_unit ?? "s";
    if (!UNITS.includes(unit)) {
      throw new InputError(
        `must be one of ${UNITS.join(", ")}, got ${show(unit)}`,
        ["timestamp_unit"],
      );
    }
    layout = {
      json: format === "jsonl",
      unit,
      columns: checkColumns(options.columns, format),
      zeroOutputFails: false,
    };
  } else {
    if (options.columns !== undefined) {
      throw new InputError(
        `must not be given for format "${format}", whose columns are fixed`,
        ["columns"],
      );
    }
    if (options.timestamp_unit !== undefined) {
      throw new InputError(
        `must not be given for format "${format}", whose timestamp unit is fixed`,
        ["timestamp_unit"],
      );
    }
    layout = NAMED[format];
  }
  if (
    options.time_scale !== undefined && options.target_rate_per_s !== undefined
  ) {
    throw new InputError(
      "give time_scale or target_rate_per_s, not both",
      ["target_rate_per_s"],
    );
  }
  const startS = checkNumber(options.start_s, "start_s", 0, true);
  const endS = checkNumber(options.end_s, "end_s", Infinity, false);
  if (!(endS > startS)) {
    throw new InputError(`must be > start_s (${startS}), got ${endS}`, [
      "end_s",
    ]);
  }
  const maxRows = options.max_rows ?? Infinity;
  if (
    maxRows !== Infinity && (!Number.isSafeInteger(maxRows) || maxRows < 1)
  ) {
    throw new InputError(
      `must be a whole number >= 1, got ${show(maxRows)}`,
      ["max_rows"],
    );
  }
  const skip = options.on_bad_row ?? "error";
  if (skip !== "error" && skip !== "skip") {
    throw new InputError(
      `must be "error" or "skip", got ${show(skip)}`,
      ["on_bad_row"],
    );
  }
  return {
    file,
    format,
    layout,
    timeScale: checkNumber(options.time_scale, "time_scale", 1, false),
    targetRate: options.target_rate_per_s === undefined
      ? undefined
      : checkNumber(options.target_rate_per_s, "target_rate_per_s", 1, false),
    startS,
    endS,
    maxRows,
    spreadS: checkNumber(options.spread_s, "spread_s", 0, false),
    skipBad: skip === "skip",
  };
}

function checkNumber(
  value: unknown,
  key: string,
  fallback: number,
  zeroAllowed: boolean,
): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== "number" || !Number.isFinite(value) ||
    (zeroAllowed ? value < 0 : value <= 0)
  ) {
    throw new InputError(
      `must be a number ${zeroAllowed ? ">=" : ">"} 0, got ${show(value)}`,
      [key],
    );
  }
  return value;
}

function checkColumns(columns: unknown, format: string): TraceColumns {
  if (typeof columns !== "object" || columns === null) {
    throw new InputError(
      `required for format "${format}": an object naming the timestamp, prompt_tokens and output_tokens ${
        format === "csv" ? "columns" : "keys"
      }`,
      ["columns"],
    );
  }
  const c = columns as Record<string, unknown>;
  for (const key of Object.keys(c)) {
    if (!COLUMN_KEYS.includes(key)) {
      throw new InputError(
        `unknown key, expected one of ${COLUMN_KEYS.join(", ")}`,
        ["columns", key],
      );
    }
  }
  for (const key of COLUMN_KEYS) {
    const v = c[key];
    if (v === undefined && key === "hash_ids") continue;
    if (typeof v !== "string" || v === "") {
      throw new InputError(`must be a column name, got ${show(v)}`, [
        "columns",
        key,
      ]);
    }
  }
  return c as unknown as TraceColumns;
}

// ---------------------------------------------------------------------------
// Replay

const NO_IDS: number[] = Object.freeze([]) as unknown as number[];

class Trace implements TraceSource {
  arrivalS = 0;
  promptTokens = 0;
  outputTokens = 0;
  prefixIds: number[] = NO_IDS;
  readonly stats: TraceStats = {
    rows: 0,
    skipped: 0,
    failed: 0,
    outside_window: 0,
  };

  #rows: RowStream;
  #scale: number;
  #startS: number;
  #endS: number;
  #maxRows: number;
  #spreadS: number;
  #done = false;

  // The row taken from the stream (after spreading).
  #t = 0;
  #prompt = 0;
  #output = 0;
  #ids: number[] = NO_IDS;
  #failed = false;

  // The current timestamp bucket, when spreading.
  #bucketT = 0;
  #bucketN = 0;
  #bucketI = 0;
  #bPrompt: number[] = [];
  #bOutput: number[] = [];
  #bIds: number[][] = [];
  #bFailed: boolean[] = [];
  #pending = false;

  constructor(o: Checked, scale: number) {
    this.#scale = scale;
    this.#startS = o.startS;
    this.#endS = o.endS;
    this.#maxRows = o.maxRows;
    this.#spreadS = o.spreadS;
    this.#rows = new RowStream(o, this.stats);
  }

  next(): boolean {
    if (this.#done) return false;
    try {
      const stats = this.stats;
      for (;;) {
        if (!(this.#spreadS > 0 ? this.#pullSpread() : this.#pull())) {
          this.close();
          return false;
        }
        const t = this.#t;
        if (t < this.#startS) {
          stats.outside_window++;
          continue;
        }
        if (t >= this.#endS) {
          stats.outside_window++;
          this.close();
          return false;
        }
        if (this.#failed) {
          stats.failed++;
          continue;
        }
        this.arrivalS = (t - this.#startS) / this.#scale;
        this.promptTokens = this.#prompt;
        this.outputTokens = this.#output;
        this.prefixIds = this.#ids;
        // Close at the last row rather than on the next call, so that a
        // caller that stops at max_rows leaves no file open.
        if (++stats.rows >= this.#maxRows) this.close();
        return true;
      }
    } catch (e) {
      this.close();
      throw asInputError(this.#rows.file, e);
    }
  }

  close(): void {
    this.#done = true;
    this.#rows.close();
  }

  #pull(): boolean {
    const rows = this.#rows;
    if (!rows.next()) return false;
    this.#t = rows.t;
    this.#prompt = rows.prompt;
    this.#output = rows.output;
    this.#ids = rows.ids;
    this.#failed = rows.failed;
    return true;
  }

  #pullSpread(): boolean {
    if (this.#bucketI >= this.#bucketN && !this.#fillBucket()) return false;
    const i = this.#bucketI++;
    this.#t = this.#bucketT + this.#spreadS * i / this.#bucketN;
    this.#prompt = this.#bPrompt[i];
    this.#output = this.#bOutput[i];
    this.#ids = this.#bIds[i];
    this.#failed = this.#bFailed[i];
    return true;
  }

  // Reads all rows sharing the next timestamp: spreading row j of n needs n.
  #fillBucket(): boolean {
    const rows = this.#rows;
    if (!this.#pending && !rows.next()) return false;
    this.#pending = false;
    const t = rows.t;
    let n = 0;
    for (;;) {
      this.#bPrompt[n] = rows.prompt;
      this.#bOutput[n] = rows.output;
      this.#bIds[n] = rows.ids;
      this.#bFailed[n] = rows.failed;
      n++;
      if (!rows.next()) break;
      if (rows.t !== t) {
        this.#pending = true;
        break;
      }
    }
    // Drop references to the previous, larger bucket's id arrays.
    if (this.#bIds.length > n) {
      this.#bPrompt.length =
        this.#bOutput.length =
        this.#bIds.length =
        this.#bFailed.length =
          n;
    }
    const spread = this.#spreadS;
    if (this.#pending && t + spread * (n - 1) / n > rows.t) {
      throw new InputError(
        `${rows.file}:${rows.line}: spread_s ${spread} would move the ${n} rows of the previous timestamp past this row's, out of order; use a smaller spread_s`,
      );
    }
    this.#bucketT = t;
    this.#bucketN = n;
    this.#bucketI = 0;
    return true;
  }
}

function asInputError(file: string, e: unknown): unknown {
  if (e instanceof InputError) return e;
  if (e instanceof Deno.errors.NotFound) {
    return new InputError(`${file}: file not found`);
  }
  for (const kind of Object.values(Deno.errors)) {
    if (e instanceof kind) {
      return new InputError(`${file}: cannot read: ${oneLine(e.message)}`);
    }
  }
  return e;
}

/** Valid rows in file order, with times in seconds after the first one. */
class RowStream {
  readonly file: string;
  t = 0;
  prompt = 0;
  output = 0;
  ids: number[] = NO_IDS;
  failed = false;
  line = 0;

  #reader: LineReader;
  #parser: CsvParser | JsonParser;
  #stats: TraceStats;
  #skipBad: boolean;
  #divisor: number;
  #started = false;
  #w0 = 0;
  #f0 = 0;
  #prevT = -Infinity;
  #prevLine = 0;

  constructor(o: Checked, stats: TraceStats) {
    this.file = o.file;
    this.#stats = stats;
    this.#skipBad = o.skipBad;
    this.#divisor = DIVISOR[o.layout.unit];
    try {
      this.#reader = new LineReader(o.file);
    } catch (e) {
      throw asInputError(o.file, e);
    }
    try {
      this.#parser = o.layout.json
        ? new JsonParser(o.file, o.layout, o.format)
        : new CsvParser(o.file, o.layout, o.format, this.#reader);
    } catch (e) {
      this.#reader.close();
      throw asInputError(o.file, e);
    }
  }

  next(): boolean {
    const reader = this.#reader;
    const parser = this.#parser;
    while (reader.next()) {
      const start = reader.start;
      const end = reader.end;
      if (start === end) continue;
      const line = reader.lineNumber;
      let error = parser.parse(reader.text, start, end, line);
      if (error === null) {
        if (!this.#started) {
          this.#started = true;
          this.#w0 = parser.w;
          this.#f0 = parser.f;
        }
        // Subtract whole parts and fractions separately: an absolute time in
        // seconds since 1970 has no room left in a double for 7 decimals.
        const t = (parser.w - this.#w0 + (parser.f - this.#f0)) /
          this.#divisor;
        if (t >= this.#prevT) {
          this.#prevT = t;
          this.#prevLine = line;
          this.t = t;
          this.prompt = parser.prompt;
          this.output = parser.output;
          this.ids = parser.ids;
          this.failed = parser.failed;
          this.line = line;
          return true;
        }
        error = `timestamps must not decrease: ${parser.timeName} ${
          parser.timeText(reader.text)
        } is earlier than line ${this.#prevLine}'s`;
      }
      if (!this.#skipBad) {
        throw new InputError(`${this.file}:${line}: ${error}`);
      }
      this.#stats.skipped++;
    }
    return false;
  }

  close(): void {
    this.#reader.close();
  }
}

// ---------------------------------------------------------------------------
// Row parsers. `parse` returns null for a good row, whose fields it leaves in
// its own properties, or what is wrong with it.

class CsvParser {
  w = 0;
  f = 0;
  prompt = 0;
  output = 0;
  ids: number[] = NO_IDS;
  failed = false;
  readonly timeName: string;

  #unit: Unit;
  #zeroOutputFails: boolean;
  #names: string[];
  #n: number;
  #iTime: number;
  #iPrompt: number;
  #iOutput: number;
  #iIds: number;
  // Field i of the current row is text.slice(s[i], e[i]), text being the
  // reader's buffer, or src[i] in a row with quoted fields. Rows without
  // quotes store no string: a store of the young buffer into this old object
  // per row costs a write barrier, a third of the parsing time.
  #quoted = false;
  #src: string[];
  #s: Int32Array;
  #e: Int32Array;

  constructor(
    file: string,
    layout: Layout,
    format: string,
    reader: LineReader,
  ) {
    this.#unit = layout.unit;
    this.#zeroOutputFails = layout.zeroOutputFails;
    let header: string[] | string | undefined;
    while (reader.next()) {
      if (reader.start === reader.end) continue;
      header = splitCsv(reader.text, reader.start, reader.end);
      break;
    }
    if (header === undefined) {
      throw new InputError(`${file}: empty file, expected a header line`);
    }
    const at = `${file}:${reader.lineNumber}`;
    if (typeof header === "string") throw new InputError(`${at}: ${header}`);
    const names = header.map((h) => h.trim());
    this.#names = names;
    this.#n = names.length;
    this.#src = new Array(names.length).fill("");
    this.#s = new Int32Array(names.length);
    this.#e = new Int32Array(names.length);
    const find = (key: keyof TraceColumns): number => {
      const name = layout.columns[key];
      if (name === undefined) return -1;
      const i = names.indexOf(name);
      if (i >= 0) return i;
      const where = format === "csv"
        ? `columns.${key}: column "${name}" is not in the header`
        : `missing column "${name}" for format "${format}"`;
      throw new InputError(
        `${at}: ${where} (columns: ${showNames(names)})`,
      );
    };
    this.#iTime = find("timestamp");
    this.#iPrompt = find("prompt_tokens");
    this.#iOutput = find("output_tokens");
    this.#iIds = find("hash_ids");
    this.timeName = names[this.#iTime];
  }

  parse(text: string, start: number, end: number): string | null {
    const split = this.#split(text, start, end);
    if (split !== null) return split;
    // Fields of a quoted row are separate strings; others lie in `text`.
    const src = this.#quoted ? this.#src : null;
    const s = this.#s;
    const e = this.#e;
    const it = this.#iTime;
    if (!parseTime(src?.[it] ?? text, s[it], e[it], this.#unit, this)) {
      return timeError(this.timeName, this.#unit, this.timeText(text));
    }
    const io = this.#iOutput;
    const output = parseCount(src?.[io] ?? text, s[io], e[io]);
    if (output === 0 && this.#zeroOutputFails) {
      this.failed = true;
      this.ids = NO_IDS;
      return null;
    }
    this.failed = false;
    if (!(output >= 1)) return this.#countError(text, io);
    const ip = this.#iPrompt;
    const prompt = parseCount(src?.[ip] ?? text, s[ip], e[ip]);
    if (!(prompt >= 1)) return this.#countError(text, ip);
    this.prompt = prompt;
    this.output = output;
    const ih = this.#iIds;
    if (ih >= 0) {
      const ids = parseIdList(src?.[ih] ?? text, s[ih], e[ih]);
      if (ids === null) {
        return `${
          this.#names[ih]
        }: must be a JSON array or a space-separated list of whole numbers, got ${
          show(this.#field(text, ih))
        }`;
      }
      this.ids = ids;
    }
    return null;
  }

  /** The current row's timestamp field, for messages; `text` as parsed. */
  timeText(text: string): string {
    return show(this.#field(text, this.#iTime));
  }

  #field(text: string, i: number): string {
    return (this.#quoted ? this.#src[i] : text).slice(this.#s[i], this.#e[i]);
  }

  #countError(text: string, i: number): string {
    return `${this.#names[i]}: must be a whole number >= 1, got ${
      show(this.#field(text, i))
    }`;
  }

  #split(text: string, start: number, end: number): string | null {
    const n = this.#n;
    const s = this.#s;
    const e = this.#e;
    let col = 0;
    let p = start;
    this.#quoted = false;
    for (;;) {
      if (p < end && text.charCodeAt(p) === 34) {
        this.#quoted = true;
        return this.#splitQuoted(text, start, end);
      }
      let comma = text.indexOf(",", p);
      if (comma === -1 || comma > end) comma = end;
      if (col < n) {
        s[col] = p;
        e[col] = comma;
      }
      col++;
      if (comma >= end) break;
      p = comma + 1;
    }
    return col === n ? null : this.#countMismatch(col);
  }

  #splitQuoted(text: string, start: number, end: number): string | null {
    const fields = splitCsv(text, start, end);
    if (typeof fields === "string") return fields;
    const n = Math.min(fields.length, this.#n);
    for (let i = 0; i < n; i++) {
      this.#src[i] = fields[i];
      this.#s[i] = 0;
      this.#e[i] = fields[i].length;
    }
    return fields.length === this.#n
      ? null
      : this.#countMismatch(fields.length);
  }

  #countMismatch(count: number): string {
    return count < this.#n
      ? `missing field "${
        this.#names[count]
      }" (${count} fields, the header has ${this.#n})`
      : `${count} fields, the header has ${this.#n}`;
  }
}

class JsonParser {
  w = 0;
  f = 0;
  prompt = 0;
  output = 0;
  ids: number[] = NO_IDS;
  readonly failed = false;
  readonly timeName: string;

  #file: string;
  #unit: Unit;
  #columns: TraceColumns;
  // A mapping error is reported once, on the first object, rather than as a
  // bad row on every line.
  #checkKeys: boolean;
  #row: Record<string, unknown> = {};

  constructor(file: string, layout: Layout, format: string) {
    this.#file = file;
    this.#unit = layout.unit;
    this.#columns = layout.columns;
    this.#checkKeys = format === "jsonl";
    this.timeName = layout.columns.timestamp;
  }

  parse(
    text: string,
    start: number,
    end: number,
    line: number,
  ): string | null {
    let row: unknown;
    try {
      row = JSON.parse(text.slice(start, end));
    } catch (e) {
      return `bad JSON: ${oneLine(e instanceof Error ? e.message : String(e))}`;
    }
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      return `expected a JSON object, got ${show(row)}`;
    }
    const r = row as Record<string, unknown>;
    this.#row = r;
    const columns = this.#columns;
    if (this.#checkKeys) this.#checkMapping(r, line);

    const tv = r[columns.timestamp];
    if (tv === undefined) return `missing field "${columns.timestamp}"`;
    if (typeof tv === "number" && this.#unit !== "datetime") {
      if (!Number.isFinite(tv)) {
        return timeError(this.timeName, this.#unit, show(tv));
      }
      this.w = tv;
      this.f = 0;
    } else if (
      typeof tv !== "string" || !parseTime(tv, 0, tv.length, this.#unit, this)
    ) {
      return timeError(this.timeName, this.#unit, show(tv));
    }

    const prompt = jsonCount(r[columns.prompt_tokens]);
    if (!(prompt >= 1)) return this.#countError(columns.prompt_tokens);
    const output = jsonCount(r[columns.output_tokens]);
    if (!(output >= 1)) return this.#countError(columns.output_tokens);
    this.prompt = prompt;
    this.output = output;

    const key = columns.hash_ids;
    if (key !== undefined) {
      const ids = r[key];
      if (ids === undefined) return `missing field "${key}"`;
      if (!isIdArray(ids)) {
        return `${key}: must be an array of whole numbers, got ${show(ids)}`;
      }
      this.ids = ids;
    }
    return null;
  }

  /** The current row's timestamp value, for messages. */
  timeText(_text: string): string {
    return show(this.#row[this.#columns.timestamp]);
  }

  #countError(key: string): string {
    const v = this.#row[key];
    return v === undefined
      ? `missing field "${key}"`
      : `${key}: must be a whole number >= 1, got ${show(v)}`;
  }

  #checkMapping(row: Record<string, unknown>, line: number): void {
    this.#checkKeys = false;
    for (const field of COLUMN_KEYS) {
      const key = this.#columns[field as keyof TraceColumns];
      if (key === undefined || key in row) continue;
      throw new InputError(
        `${this.#file}:${line}: columns.${field}: key "${key}" is not in the first row (keys: ${
          Object.keys(row).join(", ")
        })`,
      );
    }
  }
}

// ---------------------------------------------------------------------------
// Field parsers: they read text[s, e) in place, without slicing.

/** Sets out.w and out.f (whole part and fraction) and returns true, or false. */
function parseTime(
  text: string,
  s: number,
  e: number,
  unit: Unit,
  out: { w: number; f: number },
): boolean {
  return unit === "datetime"
    ? parseDateTime(text, s, e, out)
    : parseDecimal(text, s, e, out);
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

function parseDecimal(
  text: string,
  s: number,
  e: number,
  out: { w: number; f: number },
): boolean {
  while (s < e && isBlank(text.charCodeAt(s))) s++;
  while (e > s && isBlank(text.charCodeAt(e - 1))) e--;
  const from = s;
  let negative = false;
  const sign = text.charCodeAt(s);
  if (sign === 45 || sign === 43) {
    negative = sign === 45;
    s++;
  }
  let w = 0;
  let digits = 0;
  for (; s < e; s++) {
    const d = text.charCodeAt(s) - 48;
    if (d < 0 || d > 9) break;
    w = w * 10 + d;
    digits++;
  }
  let f = 0;
  if (s < e && text.charCodeAt(s) === 46) {
    s = readFraction(text, s + 1, e);
    f = fraction.value;
    digits += fraction.digits;
  }
  if (s < e) {
    // Only an exponent is left to accept; Number() handles it exactly.
    const c = text.charCodeAt(s);
    if (digits === 0 || (c !== 101 && c !== 69)) return false;
    const v = Number(text.slice(from, e));
    if (!Number.isFinite(v)) return false;
    out.w = v;
    out.f = 0;
    return true;
  }
  if (digits === 0) return false;
  out.w = negative ? -w : w;
  out.f = negative ? -f : f;
  return true;
}

// The digits after a decimal point, from `p`: their value (in [0, 1)) and
// count go to `fraction`; returns where they end.
const fraction = { value: 0, digits: 0 };
function readFraction(text: string, p: number, e: number): number {
  let f = 0, scale = 1, digits = 0;
  for (; p < e; p++) {
    const d = text.charCodeAt(p) - 48;
    if (d < 0 || d > 9) break;
    // Digits beyond the 15th cannot change a double's fraction.
    if (scale < 1e15) {
      f = f * 10 + d;
      scale *= 10;
    }
    digits++;
  }
  fraction.value = f / scale;
  fraction.digits = digits;
  return p;
}

function twoDigits(text: string, p: number): number {
  const a = text.charCodeAt(p) - 48;
  const b = text.charCodeAt(p + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// `YYYY-MM-DD HH:MM:SS[.fraction][Z]` (or `T` between date and time), UTC.
function parseDateTime(
  text: string,
  s: number,
  e: number,
  out: { w: number; f: number },
): boolean {
  while (s < e && isBlank(text.charCodeAt(s))) s++;
  while (e > s && isBlank(text.charCodeAt(e - 1))) e--;
  if (e - s < 19) return false;
  const hi = twoDigits(text, s);
  const lo = twoDigits(text, s + 2);
  const month = twoDigits(text, s + 5);
  const day = twoDigits(text, s + 8);
  const hour = twoDigits(text, s + 11);
  const minute = twoDigits(text, s + 14);
  const second = twoDigits(text, s + 17);
  const sep = text.charCodeAt(s + 10);
  if (
    (hi | lo | month | day | hour | minute | second) < 0 ||
    text.charCodeAt(s + 4) !== 45 || text.charCodeAt(s + 7) !== 45 ||
    (sep !== 32 && sep !== 84) || text.charCodeAt(s + 13) !== 58 ||
    text.charCodeAt(s + 16) !== 58
  ) {
    return false;
  }
  const year = hi * 100 + lo;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (
    month < 1 || month > 12 || day < 1 ||
    day > MONTH_DAYS[month - 1] + (month === 2 && leap ? 1 : 0) ||
    hour > 23 || minute > 59 || second > 59
  ) {
    return false;
  }
  let p = s + 19;
  let f = 0;
  if (p < e && text.charCodeAt(p) === 46) {
    p = readFraction(text, p + 1, e);
    if (fraction.digits === 0) return false;
    f = fraction.value;
  }
  if (p < e && text.charCodeAt(p) === 90) p++;
  if (p !== e) return false;
  out.w = daysFromCivil(year, month, day) * 86400 + hour * 3600 +
    minute * 60 + second;
  out.f = f;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// algorithm), so that no Date object is made per row.
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) +
    day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** A whole number >= 0 (`12`, `12.0`), or NaN. */
function parseCount(text: string, s: number, e: number): number {
  while (s < e && isBlank(text.charCodeAt(s))) s++;
  while (e > s && isBlank(text.charCodeAt(e - 1))) e--;
  let v = 0;
  let p = s;
  for (; p < e; p++) {
    const d = text.charCodeAt(p) - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  if (p === s) return NaN;
  if (p < e) {
    if (text.charCodeAt(p) !== 46) return NaN;
    for (p++; p < e; p++) if (text.charCodeAt(p) !== 48) return NaN;
  }
  return v <= Number.MAX_SAFE_INTEGER ? v : NaN;
}

function jsonCount(v: unknown): number {
  if (typeof v === "number") {
    return Number.isSafeInteger(v) && v >= 0 ? v : NaN;
  }
  return typeof v === "string" ? parseCount(v, 0, v.length) : NaN;
}

function isIdArray(v: unknown): v is number[] {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    if (!Number.isSafeInteger(v[i])) return false;
  }
  return true;
}

function parseIdList(text: string, s: number, e: number): number[] | null {
  while (s < e && isBlank(text.charCodeAt(s))) s++;
  while (e > s && isBlank(text.charCodeAt(e - 1))) e--;
  if (s === e) return [];
  if (text.charCodeAt(s) === 91) {
    try {
      const v: unknown = JSON.parse(text.slice(s, e));
      return isIdArray(v) ? v : null;
    } catch {
      return null;
    }
  }
  const ids: number[] = [];
  let p = s;
  while (p < e) {
    let q = p;
    while (q < e) {
      const c = text.charCodeAt(q);
      if (c === 32 || c === 59 || c === 9) break;
      q++;
    }
    if (q > p) {
      const id = parseCount(text, p, q);
      if (Number.isNaN(id)) return null;
      ids.push(id);
    }
    p = q + 1;
  }
  return ids;
}

function timeError(name: string, unit: Unit, got: string): string {
  return unit === "datetime"
    ? `${name}: must be a date-time like "2023-11-16 18:17:03.9799600" (UTC), got ${got}`
    : `${name}: must be a number (${unit}), got ${got}`;
}

/** A value for an error message: quoted, on one line, not too long. */
function show(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return printable(s, 80);
}

function oneLine(s: string): string {
  return printable(s.replace(/\s+/g, " ").trim(), 160);
}

// Text from a file, fit for a one-line message: control, format and
// unassigned characters and undecodable bytes (U+FFFD) escaped as \uXXXX,
// cut at `max` characters. A binary file gives a short, readable excerpt.
function printable(s: string, max: number): string {
  let out = "";
  for (const ch of s) {
    const safe = /[\p{C}\p{Zl}\p{Zp}\uFFFD]/u.test(ch)
      ? `\\u${ch.codePointAt(0)!.toString(16).padStart(4, "0")}`
      : ch;
    if (out.length + safe.length > max - 3) return `${out}...`;
    out += safe;
  }
  return out;
}

// Header names for a message: each printable, at most a few.
function showNames(names: readonly string[]): string {
  const shown = names.slice(0, 12).map((n) => printable(n, 40)).join(", ");
  return printable(shown, 200) +
    (names.length > 12 ? `, ... (${names.length} columns)` : "");
}
