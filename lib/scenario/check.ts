/**
 * Checks one section of untyped input against its definition in the
 * schema, filling defaults; every error names the key path and the value.
 *
 * @module
 */

import { didYouMean, InputError } from "./errors.ts";
import type { FieldSpec, ObjectField } from "./schema.ts";

/** A key path, as errors name it. */
export type Path = (string | number)[];

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return JSON.stringify(value);
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
  const known = Object.keys(spec.fields);
  for (const key of Object.keys(input)) {
    if (!(key in spec.fields)) {
      const hint = didYouMean(key, known);
      throw new InputError(
        `unknown key${hint ? ` (did you mean "${hint}"?)` : ""}`,
        [...path, key],
      );
    }
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
