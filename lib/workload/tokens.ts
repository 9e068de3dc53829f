/**
 * Token-length distributions. The prototype's three modes are all lognormal
 * and differ only in how the user states them; `constant` and `exponential`
 * exist for validation against queueing theory (M/D/c and M/M/c).
 *
 * @module
 */

import type { RandomStream } from "../engine/random.ts";
import type { TokenDistribution } from "../scenario/types.ts";
import { capped, empiricalSampler, uniformSampler } from "./empirical.ts";

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
 * The lognormal behind a lognormal-mode distribution, or null for the
 * `constant` and `exponential` modes.
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
 * import { lognormalParams } from "./tokens.ts";
 * const p = lognormalParams({ mode: "p50_p90", p50: 100, p90: 400, min_value: 1 })!;
 * if (Math.abs(Math.exp(p.mu) - 100) > 1e-9) throw new Error();
 * ```
 */
export function lognormalParams(
  dist: TokenDistribution,
): LognormalParams | null {
  switch (dist.mode) {
    case "log":
      return { mu: dist.mean!, sigma: dist.sigma! };
    case "real_mean_std": {
      const s2 = Math.log(
        1 + (dist.std! * dist.std!) / (dist.mean! * dist.mean!),
      );
      return { mu: Math.log(dist.mean!) - s2 / 2, sigma: Math.sqrt(s2) };
    }
    case "p50_p90":
      return {
        mu: Math.log(dist.p50!),
        sigma: (Math.log(dist.p90!) - Math.log(dist.p50!)) / Z90,
      };
    default:
      return null;
  }
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
 * import { realMoments } from "./tokens.ts";
 * const m = realMoments({ mu: 0, sigma: 1 });
 * if (Math.abs(m.mean - Math.exp(0.5)) > 1e-12) throw new Error();
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
 * A sampler for a token-length distribution. A sample is
 * max(floor(x), min_value), then at most `max_tokens`.
 *
 * @param dist A validated distribution.
 * @param stream The random stream to draw from.
 * @returns A function that returns the next length in tokens.
 *
 * @example Usage
 * ```ts
 * import { tokenSampler } from "./tokens.ts";
 * import { RandomStream } from "../engine/random.ts";
 * const draw = tokenSampler({ mode: "constant", value: 7, min_value: 1 }, new RandomStream(1, "t"));
 * if (draw() !== 7) throw new Error();
 * ```
 */
export function tokenSampler(
  dist: TokenDistribution,
  stream: RandomStream,
): () => number {
  const draw = baseSampler(dist, stream);
  return dist.max_tokens !== undefined ? capped(draw, dist.max_tokens) : draw;
}

function baseSampler(
  dist: TokenDistribution,
  stream: RandomStream,
): () => number {
  const min = dist.min_value;
  switch (dist.mode) {
    case "constant": {
      const v = Math.max(dist.value!, min);
      return () => v;
    }
    case "exponential": {
      const mean = dist.mean!;
      return () => Math.max(Math.floor(stream.exponential(mean)), min);
    }
    case "uniform": {
      const draw = uniformSampler(dist.low!, dist.high!, stream);
      return () => Math.max(draw(), min);
    }
    case "empirical":
      if (!dist.values) {
        throw new RangeError(
          "empirical lengths were not loaded (load the scenario from its file, or set values)",
        );
      }
      return empiricalSampler(dist.values, stream, { min_value: min });
    default: {
      const { mu, sigma } = lognormalParams(dist)!;
      return () => {
        const v = Math.max(
          Math.floor(Math.exp(mu + sigma * stream.normal())),
          min,
        );
        // Validation bounds mu and sigma; a length that is not a finite
        // whole number would be simulated as nothing.
        if (!Number.isSafeInteger(v)) {
          throw new RangeError(
            `a lognormal length (mu ${mu}, sigma ${sigma}) drew ${v}: not a finite whole number`,
          );
        }
        return v;
      };
    }
  }
}
