/**
 * The token-length modes, one file each, as drawing lengths for a
 * validated scenario needs them: names, docs, samplers and summaries,
 * without their schemas, so that a sweep worker does not load zod. A new
 * mode is one new file and one line in the list below; `mod.ts` builds the
 * schemas from the same list.
 *
 * @module
 */

import { Registry } from "../../registry.ts";
import { CONSTANT } from "./constant.ts";
import { EMPIRICAL } from "./empirical.ts";
import { EXPONENTIAL } from "./exponential.ts";
import { LOG } from "./log.ts";
import { P50_P90 } from "./p50_p90.ts";
import { REAL_MEAN_STD } from "./real_mean_std.ts";
import { UNIFORM } from "./uniform.ts";
import type { TokenModeEntry } from "./_mode.ts";
import type { TokenDistribution } from "./distribution.ts";

/**
 * Every token-length mode as its file defines it, in the order help and
 * docs list them.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { MODE_ENTRIES } from "./registry.ts";
 * assert.equal(MODE_ENTRIES[0].name, "log");
 * ```
 */
export const MODE_ENTRIES = [
  LOG,
  REAL_MEAN_STD,
  P50_P90,
  CONSTANT,
  EXPONENTIAL,
  UNIFORM,
  EMPIRICAL,
] as const;

/** One token-length mode without its schema (see {@linkcode TokenModeEntry}). */
export type TokenModeRuntime = Omit<TokenModeEntry, "schema">;

/**
 * Every token-length mode by name, without the schemas: for validated
 * distributions.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { TOKEN_MODE_RUNTIME } from "./registry.ts";
 * assert.equal(TOKEN_MODE_RUNTIME.names[0], "log");
 * assert.throws(() => TOKEN_MODE_RUNTIME.get("lgo"), /did you mean "log"/);
 * ```
 */
export const TOKEN_MODE_RUNTIME: Registry<TokenModeRuntime> = new Registry<
  TokenModeRuntime
>("token mode", MODE_ENTRIES);

/**
 * The entry of a distribution's mode.
 *
 * @param dist A validated distribution.
 * @returns Its mode's entry.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { modeOf } from "./registry.ts";
 * assert.equal(modeOf({ mode: "constant", value: 7, min_value: 1 }).median({
 *   mode: "constant",
 *   value: 7,
 *   min_value: 1,
 * }), 7);
 * ```
 */
export function modeOf(dist: TokenDistribution): TokenModeRuntime {
  return TOKEN_MODE_RUNTIME.get(dist.mode);
}
