/**
 * Splitting a CSV line into fields, shared by trace replay and measured runs.
 *
 * @module
 */

/**
 * The fields of one CSV line, `text[start, end)`, with RFC 4180 quoting, or
 * what is wrong with it.
 *
 * @param text The text holding the line.
 * @param start Where the line starts.
 * @param end Where it ends (before the line break).
 * @returns The fields, or a message.
 *
 * @example Usage
 * ```ts
 * import { splitCsv } from "./csv_fields.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(splitCsv('a,"b,""c""",', 0, 12), ["a", 'b,"c"', ""]);
 * assert.match(String(splitCsv('"a', 0, 2)), /unterminated/);
 * ```
 */
export function splitCsv(
  text: string,
  start: number,
  end: number,
): string[] | string {
  const fields: string[] = [];
  let p = start;
  for (;;) {
    if (p < end && text.charCodeAt(p) === 34) {
      let value = "";
      p++;
      for (;;) {
        const q = text.indexOf('"', p);
        if (q === -1 || q >= end) {
          return `unterminated quoted field (field ${fields.length + 1})`;
        }
        value += text.slice(p, q);
        if (q + 1 < end && text.charCodeAt(q + 1) === 34) {
          value += '"';
          p = q + 2;
        } else {
          p = q + 1;
          break;
        }
      }
      fields.push(value);
      if (p >= end) break;
      if (text.charCodeAt(p) !== 44) {
        return `unexpected text after the closing quote of field ${fields.length}`;
      }
      p++;
    } else {
      let comma = text.indexOf(",", p);
      if (comma === -1 || comma > end) comma = end;
      fields.push(text.slice(p, comma));
      if (comma >= end) break;
      p = comma + 1;
    }
  }
  return fields;
}
