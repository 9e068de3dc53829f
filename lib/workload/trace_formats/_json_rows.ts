/**
 * JSON-lines rows of a trace (the `mooncake` and `jsonl` formats).
 *
 * @module
 */

import { InputError } from "../../errors.ts";
import type { TimestampUnit } from "./timestamp_units.ts";
import {
  COLUMN_KEYS,
  type RowLayout,
  type RowParser,
  type TraceColumns,
} from "./format.ts";
import {
  isIdArray,
  jsonCount,
  NO_IDS,
  parseTime,
  timeError,
} from "./_fields.ts";
import { oneLine, show } from "./_show.ts";

/**
 * The rows of a JSON-lines trace: one object per line, the layout's columns
 * as its keys.
 */
export class JsonRows implements RowParser {
  w = 0;
  f = 0;
  prompt = 0;
  output = 0;
  ids: number[] = NO_IDS;
  session = "";
  readonly failed = false;
  readonly timeName: string;

  #file: string;
  #unit: TimestampUnit;
  #columns: TraceColumns;
  // A mapping error is reported once, on the first object, rather than as a
  // bad row on every line.
  #checkKeys: boolean;
  #row: Record<string, unknown> = {};

  /**
   * Prepares to parse rows.
   *
   * @param file The file, for messages.
   * @param layout The columns, unit and rules.
   */
  constructor(file: string, layout: RowLayout) {
    this.#file = file;
    this.#unit = layout.unit;
    this.#columns = layout.columns;
    this.#checkKeys = layout.mapped;
    this.timeName = layout.columns.timestamp;
  }

  /** Parses a row; see {@linkcode RowParser.parse}. */
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
    const sessionKey = columns.session_id;
    if (sessionKey !== undefined) {
      const v = r[sessionKey];
      if (v === undefined) return `missing field "${sessionKey}"`;
      if (
        !(typeof v === "string" && v.length > 0) &&
        !(typeof v === "number" && Number.isFinite(v))
      ) {
        return `${sessionKey}: must be a text or a number, got ${show(v)}`;
      }
      this.session = String(v);
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
