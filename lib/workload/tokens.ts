/**
 * Token-length distributions. The prototype's three modes are all lognormal
 * and differ only in how the user states them; `constant` and `exponential`
 * exist for validation against queueing theory (M/D/c and M/M/c). Each mode
 * is one file of `token_modes/`; this module draws and summarises through
 * them.
 *
 * @module
 */

import type { RandomStream } from "../engine/random.ts";
import { capped } from "./empirical.ts";
import type { LognormalParams } from "./lognormal.ts";
import { modeOf } from "./token_modes/registry.ts";
import type { TokenDistribution } from "./token_modes/distribution.ts";

export { type LognormalParams, realMoments, Z90 } from "./lognormal.ts";
export type {
  TokenDistribution,
  TokenMode,
} from "./token_modes/distribution.ts";

/**
 * The lognormal behind a lognormal-mode distribution, or null for the
 * other modes.
 *
 * - `log`: mu = `mean`, sigma = `sigma`.
 * - `real_mean_std`: sigma^2 = ln(1 + std^2 / mean^2), mu = ln(mean) - sigma^2 / 2.
 * - `p50_p90`: mu = ln(p50), sigma = (ln p90 - ln p50) / z0.9.
 *
 * @param dist A validated distribution.
 * @returns mu and sigma, or null.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { lognormalParams } from "./tokens.ts";
 * const p = lognormalParams({ mode: "p50_p90", p50: 100, p90: 400, min_value: 1 })!;
 * assert.ok(Math.abs(Math.exp(p.mu) - 100) < 1e-9);
 * ```
 */
export function lognormalParams(
  dist: TokenDistribution,
): LognormalParams | null {
  return modeOf(dist).lognormal(dist);
}

/**
 * Real-space mean and standard deviation of a distribution (before the
 * floor, the minimum and the cap), or null when unknown before loading.
 *
 * @param dist A validated distribution.
 * @returns The moments, or null.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenMoments } from "./tokens.ts";
 * assert.deepEqual(
 *   tokenMoments({ mode: "uniform", low: 1, high: 3, min_value: 1 }),
 *   { mean: 2, std: Math.sqrt(8 / 12) },
 * );
 * ```
 */
export function tokenMoments(
  dist: TokenDistribution,
): { mean: number; std: number } | null {
  return modeOf(dist).moments(dist);
}

/**
 * The median length of a distribution, tokens (0 for `empirical`, whose
 * values may be loaded later).
 *
 * @param dist A validated distribution.
 * @returns The median.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenMedian } from "./tokens.ts";
 * assert.equal(tokenMedian({ mode: "constant", value: 7, min_value: 1 }), 7);
 * ```
 */
export function tokenMedian(dist: TokenDistribution): number {
  return modeOf(dist).median(dist);
}

/**
 * A sampler for a token-length distribution. A sample is
 * max(floor(x), min_value), then at most `max_tokens`.
 *
 * @param dist A validated distribution.
 * @param stream The random stream to draw from.
 * @returns A function that returns the next length in tokens.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenSampler } from "./tokens.ts";
 * import { RandomStream } from "../engine/random.ts";
 * const draw = tokenSampler({ mode: "constant", value: 7, min_value: 1 }, new RandomStream(1, "t"));
 * assert.equal(draw(), 7);
 * ```
 */
export function tokenSampler(
  dist: TokenDistribution,
  stream: RandomStream,
): () => number {
  const draw = modeOf(dist).sampler(dist, stream);
  return dist.max_tokens !== undefined ? capped(draw, dist.max_tokens) : draw;
}
