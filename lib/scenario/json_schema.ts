/**
 * The JSON Schema (draft 2020-12) for scenario files, made from the same
 * definition the validator walks, so editors complete and check exactly the
 * keys llmsim accepts.
 *
 * @module
 */

import {
  ARRIVAL_PROCESS_KEYS,
  type FieldSpec,
  type ObjectField,
  SCENARIO_SCHEMA,
  TOKEN_MODE_KEYS,
} from "./schema.ts";

type Json = Record<string, unknown>;

function fieldSchema(field: FieldSpec): Json {
  switch (field.kind) {
    case "object":
      return objectSchema(field);
    case "array":
      return {
        description: field.description,
        type: "array",
        items: fieldSchema(field.items),
        ...(field.minItems !== undefined ? { minItems: field.minItems } : {}),
      };
    case "string":
      return {
        description: field.description,
        type: "string",
        minLength: 1,
        ...(field.default !== undefined ? { default: field.default } : {}),
      };
    case "boolean":
      return {
        description: field.description,
        type: "boolean",
        ...(field.default !== undefined ? { default: field.default } : {}),
      };
    case "catalog":
      return {
        description: field.description,
        oneOf: [{ enum: [...field.values] }, objectSchema(field.inline)],
      };
    case "enum":
      return {
        description: field.description,
        enum: [...field.values],
        ...(field.default !== undefined ? { default: field.default } : {}),
      };
    case "number": {
      const out: Json = {
        description: field.description,
        type: field.integer ? "integer" : "number",
      };
      if (field.min !== undefined) out.minimum = field.min;
      if (field.exclusiveMin !== undefined) {
        out.exclusiveMinimum = field.exclusiveMin;
      }
      if (field.max !== undefined) out.maximum = field.max;
      if (field.default !== undefined) out.default = field.default;
      return out;
    }
  }
}

function objectSchema(field: ObjectField): Json {
  const properties: Json = {};
  const required: string[] = [];
  for (const [k, f] of Object.entries(field.fields)) {
    properties[k] = fieldSchema(f);
    if (
      (f.kind === "number" || f.kind === "catalog" || f.kind === "string" ||
        f.kind === "array") && f.required
    ) {
      required.push(k);
    }
  }
  const out: Json = {
    type: "object",
    description: field.description,
    properties,
    additionalProperties: false,
    ...(required.length > 0 ? { required } : {}),
  };
  // A token distribution admits only the keys of its mode.
  if ("mode" in field.fields && "min_value" in field.fields) {
    const all = [...new Set(Object.values(TOKEN_MODE_KEYS).flat())];
    out.allOf = Object.entries(TOKEN_MODE_KEYS).map(([mode, keys]) => ({
      if: mode === "log"
        ? {
          anyOf: [{ not: { required: ["mode"] } }, {
            properties: { mode: { const: mode } },
          }],
        }
        : { properties: { mode: { const: mode } }, required: ["mode"] },
      then: {
        ...(mode === "log" ? {} : mode === "empirical"
          ? {
            anyOf: [{ required: ["values"] }, {
              required: ["trace_file", "trace_format"],
            }],
          }
          : { required: [...keys] }),
        not: {
          anyOf: all.filter((k) => !keys.includes(k)).map((k) => ({
            required: [k],
          })),
        },
      },
    }));
  }
  // An arrival section admits only the keys of its process.
  if ("process" in field.fields) {
    const all = [...new Set(Object.values(ARRIVAL_PROCESS_KEYS).flat())];
    const needs: Record<string, string[]> = {
      gamma: ["cv"],
      schedule: ["schedule"],
      diurnal: ["amplitude"],
      on_off: ["mean_on_s", "mean_off_s"],
    };
    out.allOf = Object.entries(ARRIVAL_PROCESS_KEYS).map(([process, keys]) => ({
      if: process === "poisson"
        ? {
          anyOf: [{ not: { required: ["process"] } }, {
            properties: { process: { const: process } },
          }],
        }
        : {
          properties: { process: { const: process } },
          required: ["process"],
        },
      then: {
        ...(needs[process] ? { required: needs[process] } : {}),
        not: {
          anyOf: all.filter((k) => !keys.includes(k)).map((k) => ({
            required: [k],
          })),
        },
      },
    }));
  }
  return out;
}

/**
 * The scenario JSON Schema.
 *
 * @returns A JSON Schema object for scenario files.
 *
 * @example Usage
 * ```ts
 * import { scenarioJsonSchema } from "./json_schema.ts";
 * const s = scenarioJsonSchema() as { properties: Record<string, unknown> };
 * if (!("arrival" in s.properties)) throw new Error();
 * ```
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "llmsim scenario",
    ...objectSchema(SCENARIO_SCHEMA),
  };
}
