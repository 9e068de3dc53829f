/**
 * CSV rows of a trace (the `azure`, `burstgpt` and `csv` formats).
 *
 * @module
 */

import { InputError } from "../../errors.ts";
import { splitCsv } from "../csv_fields.ts";
import type { LineReader } from "../line_reader.ts";
import type { TimestampUnit } from "./timestamp_units.ts";
import type { RowLayout, RowParser, TraceColumns } from "./format.ts";
import {
  NO_IDS,
  parseCount,
  parseIdList,
  parseTime,
  timeError,
} from "./_fields.ts";
import { show, showNames } from "./_show.ts";

/**
 * The rows of a CSV trace with a header line: the layout's columns are
 * found in the header, then each row is split and parsed in place.
 */
export class CsvRows implements RowParser {
  w = 0;
  f = 0;
  prompt = 0;
  output = 0;
  ids: number[] = NO_IDS;
  session = "";
  failed = false;
  readonly timeName: string;

  #unit: TimestampUnit;
  #zeroOutputFails: boolean;
  #names: string[];
  #n: number;
  #iTime: number;
  #iPrompt: number;
  #iOutput: number;
  #iIds: number;
  #iSession: number;
  // Field i of the current row is text.slice(s[i], e[i]), text being the
  // reader's buffer, or src[i] in a row with quoted fields. Rows without
  // quotes store no string: a store of the young buffer into this old object
  // per row costs a write barrier, a third of the parsing time.
  #quoted = false;
  #src: string[];
  #s: Int32Array;
  #e: Int32Array;

  /**
   * Reads the header (the first non-blank line) and finds the columns.
   *
   * @param file The file, for messages.
   * @param layout The columns, unit and rules.
   * @param reader The file's lines, positioned before the header.
   * @throws {InputError} On an empty file, a bad header or a missing column.
   */
  constructor(file: string, layout: RowLayout, reader: LineReader) {
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
      const where = layout.mapped
        ? `columns.${key}: column "${name}" is not in the header`
        : `missing column "${name}" for format "${layout.format}"`;
      throw new InputError(
        `${at}: ${where} (columns: ${showNames(names)})`,
      );
    };
    this.#iTime = find("timestamp");
    this.#iPrompt = find("prompt_tokens");
    this.#iOutput = find("output_tokens");
    this.#iIds = find("hash_ids");
    this.#iSession = find("session_id");
    this.timeName = names[this.#iTime];
  }

  /** Parses a row; see {@linkcode RowParser.parse}. */
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
    const is = this.#iSession;
    if (is >= 0) {
      const session = this.#field(text, is).trim();
      if (session === "") return `${this.#names[is]}: must not be empty`;
      this.session = session;
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
