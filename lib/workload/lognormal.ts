/**
 * The lognormal that the prototype's three length modes all describe, and
 * its real-space moments.
 *
 * @module
 */

import type { RandomStream } from "../engine/random.ts";

/** z-score of the 90th percentile of the standard normal. */
export const Z90 = 1.2815515655446004;

/** Parameters of a lognormal in log space. */
export interface LognormalParams {
  /** Mean of ln X. */
  mu: number;
  /** Standard deviation of ln X. */
  sigma: number;
}

/**
 * Mean and standard deviation of a lognormal in real space (before the
 * floor and the minimum are applied).
 *
 * @param params mu and sigma in log space.
 * @returns The real-space mean and standard deviation.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { realMoments } from "./lognormal.ts";
 * const m = realMoments({ mu: 0, sigma: 1 });
 * assert.ok(Math.abs(m.mean - Math.exp(0.5)) < 1e-12);
 * ```
 */
export function realMoments(
  params: LognormalParams,
): { mean: number; std: number } {
  const mean = Math.exp(params.mu + (params.sigma * params.sigma) / 2);
  return {
    mean,
    std: mean * Math.sqrt(Math.expm1(params.sigma * params.sigma)),
  };
}

/**
 * Draws max(floor(e^(mu + sigma z)), min) for standard normal z.
 *
 * @param params mu and sigma.
 * @param min The smallest length.
 * @param stream The random stream.
 * @returns The sampler.
 */
export function lognormalSampler(
  { mu, sigma }: LognormalParams,
  min: number,
  stream: RandomStream,
): () => number {
  return () => {
    const v = Math.max(Math.floor(Math.exp(mu + sigma * stream.normal())), min);
    // Validation bounds mu and sigma; a length that is not a finite
    // whole number would be simulated as nothing.
    // v is a whole number, NaN or Infinity: one comparison rejects both
    // (cheaper than Number.isSafeInteger per draw).
    if (!(v <= Number.MAX_SAFE_INTEGER)) {
      throw new RangeError(
        `a lognormal length (mu ${mu}, sigma ${sigma}) drew ${v}: not a finite whole number`,
      );
    }
    return v;
  };
}
