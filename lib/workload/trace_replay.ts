/**
 * Trace replay: requests read from a recorded trace file, streamed row by row
 * so that memory does not grow with the file. The formats (how a row is
 * read) are in `trace_formats/`; this module replays their rows.
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
 * This module takes validated options (a validated scenario's `trace`) and
 * loads no schema, so that a sweep worker replaying a trace does not load
 * zod; `openTrace` in `trace.ts` checks the options first.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import { LineReader } from "./line_reader.ts";
import type { RequestSource } from "./request_source.ts";
import type { RowParser, TraceFormatEntry } from "./trace_formats/format.ts";
import type { TraceOptions } from "./trace_formats/options.ts";
import { TRACE_FORMATS } from "./trace_formats/registry.ts";
import { TIMESTAMP_UNITS } from "./trace_formats/timestamp_units.ts";
import { NO_IDS } from "./trace_formats/_fields.ts";
import { oneLine } from "./trace_formats/_show.ts";

/**
 * Row counts of a replay so far.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TraceStats } from "./trace.ts";
 * const stats: TraceStats = { rows: 3, skipped: 0, failed: 1, outside_window: 0 };
 * assert.equal(stats.rows + stats.failed, 4);
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
 * import assert from "node:assert/strict";
 * import { openTrace } from "./trace.ts";
 * const file = Deno.makeTempFileSync({ suffix: ".jsonl" });
 * Deno.writeTextFileSync(
 *   file,
 *   '{"timestamp": 0, "input_length": 600, "output_length": 5, "hash_ids": [0, 1]}\n',
 * );
 * const trace = openTrace({ file, format: "mooncake" });
 * assert.ok(trace.next());
 * assert.deepEqual(trace.prefixIds, [0, 1]);
 * assert.equal(trace.next(), false);
 * assert.equal(trace.stats.rows, 1);
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
 * Opens a trace for replay from options already validated (a validated
 * scenario's `trace`, or what `parseTraceOptions` returns): as
 * `openTrace` in `trace.ts`, without checking them.
 *
 * @param options The validated options.
 * @returns The request source, positioned before the first request.
 * @throws {InputError} On a missing file, a bad header or (unless skipped)
 * a bad row, naming the file and line.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { openValidTrace } from "./trace_replay.ts";
 * const file = Deno.makeTempFileSync({ suffix: ".csv" });
 * Deno.writeTextFileSync(
 *   file,
 *   "TIMESTAMP,ContextTokens,GeneratedTokens\n" +
 *     "2023-11-16 18:17:03.9799600,600,5\n",
 * );
 * const trace = openValidTrace({ file, format: "azure", on_bad_row: "error" });
 * assert.ok(trace.next());
 * assert.equal(trace.promptTokens, 600);
 * assert.equal(trace.next(), false);
 * Deno.removeSync(file);
 * ```
 */
export function openValidTrace(options: TraceOptions): TraceSource {
  const o = settings(options);
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
// Replay

// The validated options as the replay reads them.
interface Settings {
  file: string;
  format: TraceFormatEntry;
  options: TraceOptions;
  timeScale: number;
  targetRate: number | undefined;
  startS: number;
  endS: number;
  maxRows: number;
  spreadS: number;
  skipBad: boolean;
}

function settings(o: TraceOptions): Settings {
  return {
    file: o.file,
    format: TRACE_FORMATS.get(o.format),
    options: o,
    timeScale: o.time_scale ?? 1,
    targetRate: o.target_rate_per_s,
    startS: o.start_s ?? 0,
    endS: o.end_s ?? Infinity,
    maxRows: o.max_rows ?? Infinity,
    spreadS: o.spread_s ?? 0,
    skipBad: o.on_bad_row === "skip",
  };
}

class Trace implements TraceSource {
  arrivalS = 0;
  promptTokens = 0;
  outputTokens = 0;
  prefixIds: number[] = NO_IDS;
  sessionKey: string | undefined = undefined;
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
  #session = "";
  #failed = false;

  // The current timestamp bucket, when spreading.
  #bucketT = 0;
  #bucketN = 0;
  #bucketI = 0;
  #bPrompt: number[] = [];
  #bOutput: number[] = [];
  #bIds: number[][] = [];
  #bSession: string[] = [];
  #bFailed: boolean[] = [];
  #pending = false;

  constructor(o: Settings, scale: number) {
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
        if (this.#session !== "") this.sessionKey = this.#session;
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
    this.#session = rows.session;
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
    this.#session = this.#bSession[i];
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
      this.#bSession[n] = rows.session;
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
        this.#bSession.length =
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
  session = "";
  failed = false;
  line = 0;

  #reader: LineReader;
  #parser: RowParser;
  #stats: TraceStats;
  #skipBad: boolean;
  #divisor: number;
  #started = false;
  #w0 = 0;
  #f0 = 0;
  #prevT = -Infinity;
  #prevLine = 0;

  constructor(o: Settings, stats: TraceStats) {
    this.file = o.file;
    this.#stats = stats;
    this.#skipBad = o.skipBad;
    const layout = o.format.layout(o.options);
    this.#divisor = TIMESTAMP_UNITS.get(layout.unit).divisor;
    try {
      this.#reader = new LineReader(o.file);
    } catch (e) {
      throw asInputError(o.file, e);
    }
    try {
      this.#parser = o.format.rows(o.file, layout, this.#reader);
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
          this.session = parser.session;
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
