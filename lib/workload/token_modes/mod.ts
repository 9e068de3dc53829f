/**
 * The token-length modes, one file each: a new mode is one new file and one
 * line here. The scenario's `prompt_tokens` and `output_tokens` sections
 * (and each class's) are the discriminated union of their schemas.
 *
 * @module
 */

import { z } from "../../schema/zod.ts";
import { Registry } from "../../registry.ts";
import type { Same } from "../../schema/same.ts";
import { CONSTANT } from "./constant.ts";
import { EMPIRICAL } from "./empirical.ts";
import { EXPONENTIAL } from "./exponential.ts";
import { LOG } from "./log.ts";
import { P50_P90 } from "./p50_p90.ts";
import { REAL_MEAN_STD } from "./real_mean_std.ts";
import { UNIFORM } from "./uniform.ts";
import type { TokenModeEntry } from "./_mode.ts";
import type { TokenDistribution, TokenMode } from "./distribution.ts";

export type { TokenModeEntry } from "./_mode.ts";
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

const MODES = [
  LOG,
  REAL_MEAN_STD,
  P50_P90,
  CONSTANT,
  EXPONENTIAL,
  UNIFORM,
  EMPIRICAL,
] as const;

/**
 * Every token-length mode by name.
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
>("token mode", MODES);

// The documented types and the schemas agree: the names are the
// registry's, and each mode's interface is its schema's output.
type Mode = (typeof MODES)[number];
type ModesMatch = {
  [N in TokenMode]: Same<
    Extract<TokenDistribution, { mode: N }>,
    z.output<Extract<Mode, { name: N }>["schema"]>
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
    MODES.map((m) => m.schema) as unknown as [
      (typeof MODES)[number]["schema"],
      ...(typeof MODES)[number]["schema"][],
    ],
  ).describe(`${description} ${doc}`);
}

/**
 * The entry of a distribution's mode, typed for it.
 *
 * @param dist A validated distribution.
 * @returns Its mode's entry.
 */
export function modeOf(dist: TokenDistribution): TokenModeEntry {
  return TOKEN_MODES.get(dist.mode);
}
