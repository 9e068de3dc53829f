/**
 * JSON output that never holds NaN or Infinity: such values become null, and
 * a warning names the key, so a reader is never handed a value that JSON
 * cannot carry.
 *
 * @module
 */

/**
 * Replaces every non-finite number in a value with null and collects a
 * warning for each, naming its key path.
 *
 * @param value Any JSON-like value.
 * @param warnings Receives one message per replaced number.
 * @param path Key path of `value`, for the messages.
 * @returns A copy with nulls in place of non-finite numbers.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { finiteJson } from "./json.ts";
 * const w: string[] = [];
 * const v = finiteJson({ a: NaN, b: 1 }, w) as Record<string, unknown>;
 * assert.equal(v.a, null);
 * assert.equal(v.b, 1);
 * assert.equal(w.length, 1);
 * ```
 */
export function finiteJson(
  value: unknown,
  warnings: string[],
  path = "",
): unknown {
  if (typeof value === "number") {
    if (Number.isFinite(value)) return value;
    warnings.push(
      `${path || "value"} is undefined (${value}); written as null`,
    );
    return null;
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => finiteJson(v, warnings, `${path}[${i}]`));
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = finiteJson(v, warnings, path ? `${path}.${k}` : k);
    }
    return out;
  }
  return value;
}

/**
 * Serialises a value as indented JSON with non-finite numbers as null.
 *
 * @param value Any JSON-like value.
 * @param warnings Receives a message for each replaced number.
 * @returns The JSON text (no trailing newline).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { toJson } from "./json.ts";
 * assert.equal(toJson({ x: Infinity }, []), '{\n  "x": null\n}');
 * ```
 */
export function toJson(value: unknown, warnings: string[]): string {
  return JSON.stringify(finiteJson(value, warnings), null, 2);
}
