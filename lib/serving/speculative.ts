/**
 * Draws how many tokens a sequence gets from one speculative decoding step
 * (formulas in ../perf/speculative.ts): each of the k proposals is accepted
 * with its position's conditional rate while all before it were, and the
 * target's own token follows the last accepted one.
 *
 * @module
 */

import type { RandomStream } from "../engine/random.ts";

/** Speculative decoding as an instance runs it. */
export interface SpeculativeConfig {
  /** Proposed tokens per step, k. */
  numTokens: number;
  /** Per-position conditional acceptance rates a_1..a_k. */
  acceptance: readonly number[];
  /** The scenario's seed: each instance draws from its own named stream. */
  seed: number;
}

/**
 * Seeded draws of tokens per sequence per step, from a stream of its own
 * (so that turning speculation on changes no other stream's draws).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { AcceptanceSampler } from "./speculative.ts";
 * import { RandomStream } from "../engine/random.ts";
 * const all = new AcceptanceSampler([1, 1, 1], new RandomStream(1, "s"));
 * assert.equal(all.draw(), 4);
 * const none = new AcceptanceSampler([0, 0], new RandomStream(1, "s"));
 * assert.equal(none.draw(), 1);
 * ```
 */
export class AcceptanceSampler {
  readonly #rates: Float64Array;
  readonly #rng: RandomStream;

  /**
   * Creates a sampler.
   *
   * @param rates The per-position conditional acceptance rates.
   * @param rng Its random stream.
   */
  constructor(rates: readonly number[], rng: RandomStream) {
    this.#rates = Float64Array.from(rates);
    this.#rng = rng;
  }

  /**
   * One sequence's tokens from one step.
   *
   * @returns 1 + accepted proposals, between 1 and k + 1.
   */
  draw(): number {
    const rates = this.#rates;
    let n = 1;
    for (let i = 0; i < rates.length; i++) {
      if (!(this.#rng.next() < rates[i])) break;
      n++;
    }
    return n;
  }
}
