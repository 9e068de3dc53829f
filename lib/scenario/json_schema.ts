/**
 * The JSON Schema of scenario files, generated from the zod definition in
 * {@linkcode ./schema.ts} (so editors, the validator and the types agree).
 * It describes what a user writes: the input side, where keys with
 * defaults may be left out.
 *
 * @module
 */

import { z } from "../schema/zod.ts";
import { SCENARIO_SCHEMA } from "./schema.ts";

/**
 * The scenario JSON Schema.
 *
 * @returns A JSON Schema object for scenario files.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { scenarioJsonSchema } from "./json_schema.ts";
 * const s = scenarioJsonSchema() as { properties: Record<string, unknown> };
 * assert.ok("arrival" in s.properties);
 * ```
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(SCENARIO_SCHEMA, {
    io: "input",
    target: "draft-2020-12",
  }) as Record<string, unknown>;
  return { ...schema, title: "llmsim scenario" };
}
