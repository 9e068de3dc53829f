/**
 * CSV for sweep results: one row per point, nested groups flattened to
 * dotted column names, and quoting per RFC 4180.
 *
 * @module
 */

/**
 * Flattens nested objects into dotted keys (`offered_load.prefill`).
 *
 * @param row A record that may hold nested records.
 * @param prefix Key prefix for recursion.
 * @returns A flat record.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { flattenRow } from "./csv.ts";
 * assert.deepEqual(flattenRow({ a: { b: 1 }, c: 2 }), { "a.b": 1, c: 2 });
 * ```
 */
export function flattenRow(
  row: object,
  prefix = "",
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const entries: [string, unknown][] = Object.entries(row);
  for (const [k, v] of entries) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      Object.assign(out, flattenRow(v, key));
    } else out[key] = v;
  }
  return out;
}

/**
 * Writes rows as CSV text. Columns are the union of the rows' keys in order
 * of first appearance; a missing or non-finite value is an empty cell.
 *
 * @param rows The rows (nested values are flattened).
 * @returns CSV text ending with a newline.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { toCsv } from "./csv.ts";
 * assert.equal(toCsv([{ a: 1, b: "x,y" }, { a: NaN }]), 'a,b\n1,"x,y"\n,\n');
 * ```
 */
export function toCsv(rows: readonly object[]): string {
  const flat = rows.map((r) => flattenRow(r));
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const r of flat) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
    }
  }
  const cell = (v: unknown): string => {
    if (v === undefined || v === null) return "";
    if (typeof v === "number" && !Number.isFinite(v)) return "";
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const lines = [columns.map(cell).join(",")];
  for (const r of flat) lines.push(columns.map((c) => cell(r[c])).join(","));
  return lines.join("\n") + "\n";
}
