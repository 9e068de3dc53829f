/**
 * Checks one section of untyped input against its definition in the
 * schema, filling defaults; every error names the key path and the value.
 *
 * @module
 */

import { didYouMean, InputError, quoteExcerpt } from "../errors.ts";
import type { FieldSpec, ObjectField } from "./schema.ts";

// Unknown keys named in one message at most.
const MAX_LISTED = 20;

/** A key path, as errors name it. */
export type Path = (string | number)[];

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return quoteExcerpt(value);
  if (typeof value === "object") return "a mapping";
  return String(value);
}

/**
 * Checks a mapping against a section's definition and fills its defaults.
 *
 * @param raw The input.
 * @param spec The section's definition.
 * @param path Where the section sits, for error messages.
 * @returns The checked section with defaults filled.
 * @throws {InputError} On an unknown key, a wrong type or a value out of range.
 *
 * @example Usage
 * ```ts
 * import { checkObject } from "./check.ts";
 * const spec = { kind: "object", description: "", fields: {
 *   n: { kind: "number", description: "", default: 3 } } } as const;
 * if (checkObject({}, spec, []).n !== 3) throw new Error();
 * ```
 */
export function checkObject(
  raw: unknown,
  spec: ObjectField,
  path: Path,
): Record<string, unknown> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new InputError(`must be a mapping, got ${describe(raw)}`, path);
  }
  const input = raw as Record<string, unknown>;
  // One pass over the keys; the message names the first unknown key (with
  // a suggestion) and a bounded number of the others.
  let unknown: string[] | undefined;
  let more = 0;
  for (const key of Object.keys(input)) {
    if (Object.hasOwn(spec.fields, key)) continue;
    unknown ??= [];
    if (unknown.length < MAX_LISTED) unknown.push(key);
    else more++;
  }
  if (unknown) {
    const [first, ...others] = unknown;
    const hint = didYouMean(first, Object.keys(spec.fields));
    const also = others.length === 0
      ? ""
      : `; also unknown: ${others.map((k) => JSON.stringify(k)).join(", ")}${
        more > 0 ? ` and ${more} more` : ""
      }`;
    throw new InputError(
      `unknown key${hint ? ` (did you mean "${hint}"?)` : ""}${also}`,
      [...path, first],
    );
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(spec.fields)) {
    const value = input[key];
    const keyPath = [...path, key];
    if (value === undefined) {
      if (field.kind === "object") {
        if (!field.optional) out[key] = checkObject({}, field, keyPath);
      } else if (
        field.kind !== "enum" && field.kind !== "string" &&
        field.kind !== "boolean" && field.required
      ) {
        throw new InputError("is required", keyPath);
      } else if (
        field.kind !== "catalog" && field.kind !== "array" &&
        field.default !== undefined
      ) {
        out[key] = field.default;
      }
      continue;
    }
    out[key] = checkField(value, field, keyPath);
  }
  return out;
}

function checkField(value: unknown, field: FieldSpec, path: Path): unknown {
  switch (field.kind) {
    case "object":
      return checkObject(value, field, path);
    case "array": {
      if (!Array.isArray(value)) {
        throw new InputError(`must be a list, got ${describe(value)}`, path);
      }
      if (field.minItems !== undefined && value.length < field.minItems) {
        throw new InputError(
          `must have at least ${field.minItems} item(s), got ${value.length}`,
          path,
        );
      }
      return value.map((v, k) => checkField(v, field.items, [...path, k]));
    }
    case "string":
      if (typeof value !== "string" || value === "") {
        throw new InputError(`must be a text, got ${describe(value)}`, path);
      }
      return value;
    case "boolean":
      if (typeof value !== "boolean") {
        throw new InputError(
          `must be true or false, got ${describe(value)}`,
          path,
        );
      }
      return value;
    case "catalog":
      if (typeof value === "object" && value !== null) {
        return checkObject(value, field.inline, path);
      }
      if (typeof value !== "string" || !field.values.includes(value)) {
        const hint = typeof value === "string"
          ? didYouMean(value, field.values)
          : undefined;
        throw new InputError(
          `must be one of ${field.values.join(", ")} or a mapping, got ${
            describe(value)
          }` + (hint ? ` (did you mean "${hint}"?)` : ""),
          path,
        );
      }
      return value;
    case "enum":
      if (typeof value !== "string" || !field.values.includes(value)) {
        const hint = typeof value === "string"
          ? didYouMean(value, field.values)
          : undefined;
        throw new InputError(
          `must be one of ${field.values.join(", ")}, got ${describe(value)}` +
            (hint ? ` (did you mean "${hint}"?)` : ""),
          path,
        );
      }
      return value;
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new InputError(
          `must be a${field.integer ? "n integer" : " number"}, got ${
            describe(value)
          }`,
          path,
        );
      }
      if (field.integer && !Number.isInteger(value)) {
        throw new InputError(`must be an integer, got ${value}`, path);
      }
      if (field.integer && !Number.isSafeInteger(value)) {
        throw new InputError(
          `must be an integer within ±${Number.MAX_SAFE_INTEGER} (larger ones cannot be represented exactly), got ${value}`,
          path,
        );
      }
      if (field.min !== undefined && value < field.min) {
        throw new InputError(`must be >= ${field.min}, got ${value}`, path);
      }
      if (field.exclusiveMin !== undefined && value <= field.exclusiveMin) {
        throw new InputError(
          `must be > ${field.exclusiveMin}, got ${value}`,
          path,
        );
      }
      if (field.max !== undefined && value > field.max) {
        throw new InputError(`must be <= ${field.max}, got ${value}`, path);
      }
      return value;
    }
  }
}
