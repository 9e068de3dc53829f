/**
 * The token-length modes, one file each: a new mode is one new file and one
 * line in `registry.ts`. The scenario's `prompt_tokens` and `output_tokens`
 * sections (and each class's) are the discriminated union of their schemas,
 * which this module builds (it loads zod); code that runs validated
 * distributions imports `registry.ts` instead.
 *
 * @module
 */

import { z } from "../../schema/zod.ts";
import { Registry } from "../../registry.ts";
import type { Same } from "../../schema/same.ts";
import type { TokenModeEntry } from "./_mode.ts";
import type { TokenDistribution, TokenMode } from "./distribution.ts";
import { MODE_ENTRIES } from "./registry.ts";

export type { TokenModeEntry } from "./_mode.ts";
export {
  MODE_ENTRIES,
  modeOf,
  TOKEN_MODE_RUNTIME,
  type TokenModeRuntime,
} from "./registry.ts";
export type {
  ConstantTokens,
  EmpiricalTokens,
  ExponentialTokens,
  LogTokens,
  P50P90Tokens,
  RealMeanStdTokens,
  TokenDistribution,
  TokenLimits,
  TokenMode,
  UniformTokens,
} from "./distribution.ts";

const MODES = MODE_ENTRIES;
type Mode = (typeof MODES)[number];
type Built = ReturnType<Mode["schema"]>;

// Each mode's schema, built once.
const SCHEMAS = MODES.map((m) => m.schema(z)) as readonly Built[];

/**
 * Every token-length mode by name, with its schema.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { TOKEN_MODES } from "./mod.ts";
 * assert.equal(TOKEN_MODES.names[0], "log");
 * assert.ok(TOKEN_MODES.has("p50_p90"));
 * ```
 */
export const TOKEN_MODES: Registry<TokenModeEntry> = new Registry<
  TokenModeEntry
>("token mode", MODES.map((m, i) => ({ ...m, schema: SCHEMAS[i] })));

// The documented types and the schemas agree: the names are the
// registry's, and each mode's interface is its schema's output.
type ModesMatch = {
  [N in TokenMode]: Same<
    Extract<TokenDistribution, { mode: N }>,
    z.output<ReturnType<Extract<Mode, { name: N }>["schema"]>>
  >;
};
const _namesMatch: Same<TokenMode, Mode["name"]> = true;
const _modesMatch: Same<ModesMatch[TokenMode], true> = true;

/**
 * The schema of a token-length section: the union of the modes' schemas,
 * chosen by `mode` (absent: `log`).
 *
 * @param description What the section's lengths are.
 * @returns The schema.
 */
export function tokenSchema(description: string) {
  const doc = "How the lengths are given: " +
    MODES.map((m) => `\`${m.name}\` (${m.doc})`).join(", ") +
    ". A sample is max(floor(x), min_value), then at most `max_tokens`.";
  return z.discriminatedUnion(
    "mode",
    SCHEMAS as unknown as [Built, ...Built[]],
  ).describe(`${description} ${doc}`);
}
