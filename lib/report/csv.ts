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
 * import { flattenRow } from "./csv.ts";
 * const f = flattenRow({ a: { b: 1 }, c: 2 });
 * if (f["a.b"] !== 1 || f.c !== 2) throw new Error();
 * ```
 */
export function flattenRow(
  row: Record<string, unknown>,
  prefix = "",
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      Object.assign(out, flattenRow(v as Record<string, unknown>, key));
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
 * import { toCsv } from "./csv.ts";
 * if (toCsv([{ a: 1, b: "x,y" }]) !== 'a,b\n1,"x,y"\n') throw new Error();
 * ```
 */
export function toCsv(rows: readonly Record<string, unknown>[]): string {
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
