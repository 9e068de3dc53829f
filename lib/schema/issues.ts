/**
 * Validates untyped input against a zod schema and turns the first issue
 * into llmsim's one-line {@linkcode InputError}: the key path, what the key
 * must be, and what it got ("prompt_tokens.std: must be > 0, got -1"). zod's
 * own messages are written for API clients; these are written for someone
 * editing a YAML file, and they name the variant a key belongs to
 * ("is not used with mode log (it takes mean, sigma)").
 *
 * @module
 */

import type { z } from "./zod.ts";
import { didYouMean, InputError, type Path, quoteExcerpt } from "../errors.ts";

// Unknown keys named in one message at most.
const MAX_LISTED = 20;

type Schema = z.ZodType;
type Issue = z.core.$ZodIssue;

// zod's internal definition, read only to find the schema at a key path.
// deno-lint-ignore no-explicit-any
type Def = any;

function defOf(schema: Schema): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/**
 * A value as an error message shows it.
 *
 * @param value Any input value.
 * @returns A short description ("a list", a quoted excerpt, the number).
 */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return quoteExcerpt(value);
  if (typeof value === "object") return "a mapping";
  return String(value);
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

// Wrappers whose inner schema is the one that describes the value.
const WRAPPERS = new Set([
  "optional",
  "default",
  "prefault",
  "nullable",
  "readonly",
  "catch",
  "nonoptional",
]);

function unwrap(schema: Schema): Schema {
  let s = schema;
  for (;;) {
    const def = defOf(s);
    if (WRAPPERS.has(def.type)) s = def.innerType;
    else if (def.type === "pipe") s = def.out;
    else if (def.type === "lazy") s = def.getter();
    else return s;
  }
}

/** The variant of a discriminated union the value names, or undefined. */
function variantOf(union: Schema, value: unknown): Schema | undefined {
  const def = defOf(union);
  if (!isMapping(value)) return undefined;
  for (const option of def.options as Schema[]) {
    const o = unwrap(option);
    const shape = defOf(o).shape;
    if (!shape) continue;
    const key = shape[def.discriminator];
    const given = value[def.discriminator];
    // An absent discriminator selects the variant that defaults it.
    if (given === undefined) {
      if (defOf(key).type === "default") return o;
      continue;
    }
    const lit = defOf(unwrap(key));
    if (lit.type === "literal" && lit.values.includes(given)) return o;
  }
  return undefined;
}

// The object or union option a mapping value is checked against.
function resolve(schema: Schema, value: unknown): Schema {
  let s = unwrap(schema);
  for (;;) {
    const def = defOf(s);
    if (def.type !== "union") return s;
    const next = def.discriminator !== undefined
      ? variantOf(s, value)
      : (def.options as Schema[]).map(unwrap).find((o) =>
        isMapping(value)
          ? defOf(o).type === "object"
          : defOf(o).type !== "object"
      );
    if (next === undefined) return s;
    s = unwrap(next);
  }
}

interface Located {
  /** The schema of the value at the path. */
  schema?: Schema;
  /** The union the enclosing object is a variant of, with its discriminator. */
  variant?: { union: Schema; discriminator: string; object: Schema };
}

function locate(
  root: Schema,
  raw: unknown,
  path: readonly PropertyKey[],
): Located {
  let s: Schema | undefined = root;
  let value = raw;
  let variant: Located["variant"];
  for (let k = 0; k <= path.length && s !== undefined; k++) {
    const u = unwrap(s);
    const udef = defOf(u);
    const r = resolve(u, value);
    variant = udef.type === "union" && udef.discriminator !== undefined &&
        r !== u
      ? { union: u, discriminator: udef.discriminator, object: r }
      : undefined;
    if (k === path.length) {
      s = r;
      break;
    }
    const step = path[k];
    const rdef = defOf(r);
    if (rdef.type === "object") s = rdef.shape[step as string];
    else if (rdef.type === "array") s = rdef.element;
    else if (rdef.type === "record") s = rdef.valueType;
    else s = undefined;
    value = valueAt(value, [step]);
  }
  return { schema: s, variant };
}

function objectKeys(schema: Schema | undefined): string[] {
  if (!schema) return [];
  const def = defOf(schema);
  if (def.type === "object") return Object.keys(def.shape);
  if (def.type === "union") {
    return [
      ...new Set(
        (def.options as Schema[]).flatMap((o) => objectKeys(unwrap(o))),
      ),
    ];
  }
  return [];
}

// The discriminator value a variant stands for (given, or its default).
function variantName(
  variant: NonNullable<Located["variant"]>,
  obj: Record<string, unknown>,
): unknown {
  const given = obj[variant.discriminator];
  if (given !== undefined) return given;
  const key = defOf(variant.object).shape[variant.discriminator];
  return defOf(unwrap(key)).values?.[0];
}

// Keys of a variant other than those every variant of its union has.
function ownKeys(variant: NonNullable<Located["variant"]>): string[] {
  const options = (defOf(variant.union).options as Schema[]).map(unwrap);
  const shared = objectKeys(options[0]).filter((k) =>
    options.every((o) => objectKeys(o).includes(k))
  );
  return objectKeys(variant.object).filter((k) => !shared.includes(k));
}

function isInteger(schema: Schema | undefined): boolean {
  if (!schema) return false;
  const def = defOf(unwrap(schema));
  if (def.format === "safeint" || def.format === "int32") return true;
  return (def.checks ?? []).some((c: Schema) => {
    const f = defOf(c).format;
    return f === "safeint" || f === "int32";
  });
}

function enumValues(schema: Schema): string[] | undefined {
  const def = defOf(unwrap(schema));
  if (def.type === "enum") return Object.values(def.entries) as string[];
  if (def.type === "literal") return def.values as string[];
  if (def.type === "union") {
    for (const o of def.options as Schema[]) {
      const v = enumValues(o);
      if (v) return v;
    }
  }
  return undefined;
}

const TYPE_NAMES: Record<string, string> = {
  number: "a number",
  int: "an integer",
  string: "a text",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
};

function oneOf(values: readonly string[], got: unknown, extra = ""): string {
  const hint = typeof got === "string" ? didYouMean(got, values) : undefined;
  return `must be one of ${values.join(", ")}${extra}, got ${
    describeValue(got)
  }` + (hint ? ` (did you mean "${hint}"?)` : "");
}

// A missing key: which variant of a discriminated union needs it, if one.
function requiredText(
  root: Schema,
  raw: unknown,
  path: (string | number)[],
): string {
  const parent = locate(root, raw, path.slice(0, -1));
  const key = path[path.length - 1] as string;
  if (!parent.variant || !ownKeys(parent.variant).includes(key)) {
    return "is required";
  }
  const obj = valueAt(raw, path.slice(0, -1)) as Record<string, unknown>;
  const d = parent.variant.discriminator;
  return `is required with ${d} ${variantName(parent.variant, obj)}`;
}

function message(
  issue: Issue,
  root: Schema,
  raw: unknown,
  base: Path,
): { text: string; path: Path } {
  const path = issue.path as (string | number)[];
  const value = valueAt(raw, path);
  const at = (p: Path) => ({ path: [...base, ...p] });
  switch (issue.code) {
    case "unrecognized_keys": {
      const here = locate(root, raw, path);
      const [first, ...others] = issue.keys.slice(0, MAX_LISTED);
      const more = issue.keys.length - 1 - others.length;
      if (here.variant) {
        const all = objectKeys(here.variant.union);
        if (all.includes(first)) {
          const obj = valueAt(raw, path) as Record<string, unknown>;
          return {
            text: `is not used with ${here.variant.discriminator} ${
              variantName(here.variant, obj)
            } (it takes ${
              ownKeys(here.variant).join(", ") || "no other keys"
            })`,
            ...at([...path, first]),
          };
        }
      }
      const known = here.variant
        ? objectKeys(here.variant.union)
        : objectKeys(here.schema);
      const hint = didYouMean(first, known);
      const also = others.length === 0
        ? ""
        : `; also unknown: ${others.map((k) => JSON.stringify(k)).join(", ")}${
          more > 0 ? ` and ${more} more` : ""
        }`;
      return {
        text: `unknown key${hint ? ` (did you mean "${hint}"?)` : ""}${also}`,
        ...at([...path, first]),
      };
    }
    case "invalid_type": {
      if (value === undefined) {
        return { text: requiredText(root, raw, path), ...at(path) };
      }
      const here = locate(root, raw, path).schema;
      const expected = issue.expected === "number" && isInteger(here)
        ? "int"
        : issue.expected;
      const what = TYPE_NAMES[expected] ?? `a ${expected}`;
      return {
        text: `must be ${what}, got ${describeValue(value)}`,
        ...at(path),
      };
    }
    case "too_small": {
      if (issue.origin === "array") {
        const n = Array.isArray(value) ? value.length : 0;
        return {
          text: `must have at least ${issue.minimum} item(s), got ${n}`,
          ...at(path),
        };
      }
      if (issue.origin === "string") {
        return {
          text: `must be a text, got ${describeValue(value)}`,
          ...at(path),
        };
      }
      return {
        text: `must be ${issue.inclusive ? ">=" : ">"} ${issue.minimum}, got ${
          describeValue(value)
        }`,
        ...at(path),
      };
    }
    case "too_big": {
      if (issue.origin === "int" && issue.maximum === Number.MAX_SAFE_INTEGER) {
        return {
          text:
            `must be an integer within ±${Number.MAX_SAFE_INTEGER} (larger ones cannot be represented exactly), got ${value}`,
          ...at(path),
        };
      }
      return {
        text: `must be ${issue.inclusive ? "<=" : "<"} ${issue.maximum}, got ${
          describeValue(value)
        }`,
        ...at(path),
      };
    }
    case "invalid_value":
      return {
        text: oneOf(issue.values.map(String), value),
        ...at(path),
      };
    case "invalid_union": {
      if (value === undefined) {
        return { text: requiredText(root, raw, path), ...at(path) };
      }
      // A number or a word for it (a rate of inf): say both.
      const branches = (issue as {
        errors?: {
          code: string;
          expected?: string;
          values?: unknown[];
          path?: unknown[];
        }[][];
      }).errors ?? [];
      // A branch that is a number itself (not a mapping with a number in it).
      const wantsNumber = branches.some((b) =>
        b[0]?.code === "invalid_type" && b[0].expected === "number" &&
        (b[0].path?.length ?? 0) === 0
      );
      const words = branches.flatMap((b) =>
        b[0]?.code === "invalid_value" ? (b[0].values ?? []).map(String) : []
      );
      if (wantsNumber && words.length > 0 && typeof value !== "number") {
        return {
          text: `must be a number or ${words.join(" or ")}, got ${
            describeValue(value)
          }`,
          ...at(path),
        };
      }
      const disc = (issue as { discriminator?: string }).discriminator;
      if (disc !== undefined) {
        const options = ((issue as { options?: unknown[] }).options ?? [])
          .filter((o) => o !== undefined && o !== null);
        const got = valueAt(raw, path);
        return { text: oneOf(options.map(String), got), ...at(path) };
      }
      // A catalog key: a name from a list, or a mapping defining one.
      const here = locate(root, raw, path.slice(0, -1));
      const key = path[path.length - 1];
      const field = here.schema
        ? defOf(unwrap(here.schema)).shape?.[key as string]
        : undefined;
      const union = field ? unwrap(field) : undefined;
      if (union && isMapping(value)) {
        // The mapping form whose keys the value uses most (a catalog
        // model may be defined inline or read from a file).
        const given = Object.keys(value);
        const score = (o: Schema) =>
          given.filter((k) => k in (defOf(o).shape ?? {})).length;
        const objectOption = (defOf(union).options as Schema[]).map(unwrap)
          .filter((o) => defOf(o).type === "object")
          .reduce<Schema | undefined>(
            (best, o) =>
              best === undefined || score(o) > score(best) ? o : best,
            undefined,
          );
        if (objectOption) {
          parseWith(objectOption, value, [...base, ...path]);
        }
      }
      const names = union ? enumValues(union) : undefined;
      if (names) {
        return { text: oneOf(names, value, " or a mapping"), ...at(path) };
      }
      return { text: `is not valid, got ${describeValue(value)}`, ...at(path) };
    }
    default:
      return { text: issue.message, ...at(path) };
  }
}

function startsWith(
  path: readonly PropertyKey[],
  prefix: readonly PropertyKey[],
) {
  return prefix.length <= path.length && prefix.every((p, k) => path[k] === p);
}

// The issue to report: the first in key order, except that an object's
// unknown keys come before anything inside it (a misspelt key explains the
// missing one).
function firstIssue(issues: readonly Issue[]): Issue {
  let best = issues[0];
  for (const issue of issues.slice(1)) {
    if (
      issue.code === "unrecognized_keys" && best.code !== "unrecognized_keys" &&
      startsWith(best.path, issue.path)
    ) best = issue;
  }
  return best;
}

/**
 * Checks input against a schema and returns the parsed value, defaults
 * filled.
 *
 * @param schema The schema.
 * @param raw The input.
 * @param base Where the input sits, prefixed to every error's key path.
 * @returns The parsed value.
 * @throws {InputError} Naming the key, what it must be and what it got.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "./zod.ts";
 * import { parseWith } from "./issues.ts";
 * const s = z.strictObject({ rate_per_s: z.number().positive().default(2) });
 * assert.deepEqual(parseWith(s, {}), { rate_per_s: 2 });
 * assert.throws(() => parseWith(s, { rate_per_s: -1 }, ["arrival"]), {
 *   message: "arrival.rate_per_s: must be > 0, got -1",
 * });
 * assert.throws(() => parseWith(s, { rate_per_sec: 1 }), /did you mean "rate_per_s"/);
 * ```
 */
export function parseWith<S extends Schema>(
  schema: S,
  raw: unknown,
  base: Path = [],
): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data as z.output<S>;
  const issue = firstIssue(result.error.issues);
  const { text, path } = message(issue, schema, raw, base);
  throw new InputError(text, path);
}
