/**
 * Token-length samplers beyond the lognormal family: resampling a trace's
 * observed lengths, uniform lengths, and a cap that reproduces the pile-up
 * at a max-tokens limit that real traces show.
 *
 * @module
 */

import type { RandomStream } from "../engine/random.ts";

/**
 * A sampler that draws uniformly from observed values (e.g. a trace's prompt
 * lengths): the empirical distribution, with each sample max(value, min).
 * The values are copied, so later changes to `values` do not leak in.
 *
 * @param values The observed values (at least one).
 * @param stream The random stream to draw from.
 * @param options `minValue`: the smallest length a sample takes (default 1,
 *   as for the scenario's distributions).
 * @returns A function that returns the next length.
 * @throws {RangeError} If `values` is empty.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { empiricalSampler } from "./empirical.ts";
 * import { RandomStream } from "../engine/random.ts";
 * const draw = empiricalSampler([0, 40, 200], new RandomStream(1, "prompt"), {
 *   minValue: 10,
 * });
 * for (let i = 0; i < 100; i++) {
 *   const x = draw();
 *   assert.ok([10, 40, 200].includes(x), `unexpected ${x}`);
 * }
 * ```
 */
export function empiricalSampler(
  values: ArrayLike<number>,
  stream: RandomStream,
  options: { minValue?: number } = {},
): () => number {
  const n = values.length;
  if (n === 0) {
    throw new RangeError("empiricalSampler needs at least one value");
  }
  const min = options.minValue ?? 1;
  const pool = Float64Array.from(values, (v) => Math.max(v, min));
  return () => pool[Math.floor(stream.next() * n)];
}

/**
 * A sampler of uniform integer lengths in [low, high], both included.
 *
 * @param low The smallest length (an integer).
 * @param high The largest length (an integer >= low).
 * @param stream The random stream to draw from.
 * @returns A function that returns the next length.
 * @throws {RangeError} If the bounds are not integers with low <= high.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { uniformSampler } from "./empirical.ts";
 * import { RandomStream } from "../engine/random.ts";
 * const draw = uniformSampler(3, 5, new RandomStream(1, "output"));
 * for (let i = 0; i < 100; i++) {
 *   const x = draw();
 *   assert.ok(Number.isInteger(x) && x >= 3 && x <= 5, `${x}`);
 * }
 * ```
 */
export function uniformSampler(
  low: number,
  high: number,
  stream: RandomStream,
): () => number {
  if (!(Number.isSafeInteger(low) && Number.isSafeInteger(high))) {
    throw new RangeError(`bounds must be integers, got ${low}, ${high}`);
  }
  if (low > high) throw new RangeError(`low ${low} > high ${high}`);
  const width = high - low + 1;
  return () => low + Math.floor(stream.next() * width);
}

/**
 * Caps a sampler at `maxTokens`: every draw above the cap becomes the cap,
 * which is the pile-up at exactly the max-tokens limit that real output
 * traces show.
 *
 * @param sample The sampler to cap.
 * @param maxTokens The cap.
 * @returns A function that returns min(sample(), maxTokens).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { capped, uniformSampler } from "./empirical.ts";
 * import { RandomStream } from "../engine/random.ts";
 * const draw = capped(uniformSampler(1, 100, new RandomStream(1, "output")), 10);
 * for (let i = 0; i < 100; i++) {
 *   assert.ok(draw() <= 10, "cap exceeded");
 * }
 * ```
 */
export function capped(sample: () => number, maxTokens: number): () => number {
  return () => Math.min(sample(), maxTokens);
}
