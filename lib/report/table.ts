/**
 * Plain-text tables for people: aligned columns, numbers to four
 * significant digits.
 *
 * @module
 */

/**
 * Formats a value for a table cell.
 *
 * @param v The value.
 * @returns Its text.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatCell } from "./table.ts";
 * assert.equal(formatCell(0.123456), "0.1235");
 * assert.equal(formatCell(NaN), "-");
 * ```
 */
export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return "-";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return "-";
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e7)) return v.toExponential(3);
    return String(Number(v.toPrecision(4)));
  }
  if (typeof v === "object") {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}=${formatCell(x)}`).join(" ");
  }
  return String(v);
}

/**
 * Renders rows as an aligned text table with a header rule.
 *
 * @param header Column titles.
 * @param rows Cell values, one array per row.
 * @returns The table text, ending with a newline.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderTable } from "./table.ts";
 * const t = renderTable(["key", "value"], [["a", 1]]);
 * assert.ok(t.includes("a        1"), t);
 * ```
 */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly unknown[])[],
): string {
  const text = [header.slice(), ...rows.map((r) => r.map(formatCell))];
  const widths = header.map((_, c) =>
    Math.max(...text.map((r) => (r[c] ?? "").length))
  );
  const line = (r: readonly string[]) =>
    r.map((cell, c) =>
      c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])
    ).join("  ").trimEnd();
  return [
    line(text[0]),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...text.slice(1).map(line),
  ].join("\n") + "\n";
}
