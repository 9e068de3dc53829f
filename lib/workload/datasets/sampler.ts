/**
 * How a benchmark dataset gives request lengths, as `vllm bench serve`
 * samples them. Runs read this module (no schema library); the file and
 * tokenizer reading is the scenario loader's (lib/scenario/dataset_file.ts).
 *
 * - `sharegpt` (vLLM's ShareGPTDataset,
 *   https://github.com/vllm-project/vllm/blob/main/vllm/benchmarks/datasets/sharegpt.py):
 *   conversations with fewer than two turns are skipped; prompt = the first
 *   turn's tokens, output = the second turn's (or `output_len`); a pair is
 *   kept when {@linkcode isValidSequence} says so. The kept pairs are taken
 *   in an order shuffled by the run's seed; once all are used, further
 *   requests draw pairs uniformly with replacement, as vLLM's oversampling
 *   does (`maybe_oversample_requests`, random.choice per extra request,
 *   https://github.com/vllm-project/vllm/blob/main/vllm/benchmarks/datasets/abstractions.py).
 *   So the first N requests are N distinct conversations when the file has
 *   N valid ones.
 * - `random` (vLLM's RandomDataset,
 *   https://github.com/vllm-project/vllm/blob/main/vllm/benchmarks/datasets/random.py):
 *   see {@linkcode randomBounds}; the prompt is `prefix_len` shared tokens
 *   followed by the sampled input length.
 *
 * Every sampler draws from a stream of its own (`dataset/...`), so a
 * dataset leaves the arrival streams untouched, and the prompt and output
 * samplers are independent functions (a length memo may replay either).
 *
 * @module
 */

import { RandomStream } from "../../engine/random.ts";
import { InputError } from "../../errors.ts";
import { uniformSampler } from "../empirical.ts";
import type { LengthSamplers } from "../length_memo.ts";
import type { DatasetSpec, RandomDataset, ShareGptDataset } from "./spec.ts";

/**
 * vLLM's length filter for ShareGPT pairs (`is_valid_sequence`'s defaults,
 * https://github.com/vllm-project/vllm/blob/main/vllm/benchmarks/datasets/utils.py).
 */
export const SHAREGPT_LIMITS = {
  /** A prompt (or, without output_len, an output) shorter than this is skipped. */
  minLen: 4,
  /** A prompt longer than this is skipped. */
  maxPromptLen: 1024,
  /** A pair whose prompt plus output is longer than this is skipped. */
  maxTotalLen: 2048,
} as const;

/**
 * Whether vLLM's benchmark keeps a ShareGPT pair: prompt >= 4 tokens,
 * output >= 4 (not checked when the output length is fixed by
 * `output_len`), prompt <= 1024 and prompt + output <= 2048.
 *
 * @param promptLen The prompt's tokens.
 * @param outputLen The output's tokens.
 * @param fixedOutput Whether `output_len` set the output (skips its minimum).
 * @returns Whether the pair is kept.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isValidSequence } from "./sampler.ts";
 * assert.equal(isValidSequence(4, 4), true);
 * assert.equal(isValidSequence(3, 100), false);
 * assert.equal(isValidSequence(100, 3), false);
 * assert.equal(isValidSequence(100, 3, true), true);
 * assert.equal(isValidSequence(1025, 10), false);
 * assert.equal(isValidSequence(1024, 1024), true);
 * assert.equal(isValidSequence(1024, 1025), false);
 * ```
 */
export function isValidSequence(
  promptLen: number,
  outputLen: number,
  fixedOutput = false,
): boolean {
  const { minLen, maxPromptLen, maxTotalLen } = SHAREGPT_LIMITS;
  return !(promptLen < minLen || (!fixedOutput && outputLen < minLen) ||
    promptLen > maxPromptLen || promptLen + outputLen > maxTotalLen);
}

/**
 * The ShareGPT pairs a run samples from: the loaded conversations that
 * pass {@linkcode isValidSequence}, in file order, with `output_len`
 * applied.
 *
 * @param spec A loaded ShareGPT dataset.
 * @returns The kept prompt and output lengths.
 * @throws {InputError} When the dataset was not loaded or no pair is kept.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { shareGptPairs } from "./sampler.ts";
 * const p = shareGptPairs({
 *   name: "sharegpt", path: "s.json",
 *   lengths: { prompt: [10, 2, 10], completion: [20, 20, 3000], counted_by: "estimate" },
 * });
 * assert.deepEqual([...p.prompt], [10]);
 * assert.deepEqual([...p.output], [20]);
 * ```
 */
export function shareGptPairs(
  spec: ShareGptDataset,
): { prompt: Int32Array; output: Int32Array } {
  const lengths = spec.lengths;
  if (!lengths) {
    throw new InputError(
      `${spec.path}: the dataset was not loaded (load the scenario with loadScenarioFile or loadScenarioText)`,
      ["dataset", "path"],
    );
  }
  const fixed = spec.output_len !== undefined;
  const prompt: number[] = [];
  const output: number[] = [];
  for (let i = 0; i < lengths.prompt.length; i++) {
    const p = lengths.prompt[i];
    const o = spec.output_len ?? lengths.completion[i];
    if (!isValidSequence(p, o, fixed)) continue;
    prompt.push(p);
    output.push(o);
  }
  if (prompt.length === 0) {
    const { minLen, maxPromptLen, maxTotalLen } = SHAREGPT_LIMITS;
    throw new InputError(
      `${spec.path}: no conversation is usable: ${lengths.prompt.length} have two or more turns, and none has a prompt of ${minLen}-${maxPromptLen} tokens${
        fixed ? "" : ` and an output of at least ${minLen}`
      } with at most ${maxTotalLen} in all (vLLM's filter)`,
      ["dataset", "path"],
    );
  }
  return { prompt: Int32Array.from(prompt), output: Int32Array.from(output) };
}

// Indices into n pairs: a permutation first, then uniform draws.
function shuffledIndices(n: number, stream: RandomStream): () => number {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(stream.next() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  let k = 0;
  return () => k < n ? order[k++] : Math.floor(stream.next() * n);
}

/**
 * vLLM's random dataset bounds: with r = `range_ratio`, input lengths are
 * whole numbers uniform in [floor(input_len (1 - r)), ceil(input_len
 * (1 + r))] and output lengths in [max(1, floor(output_len (1 - r))),
 * max(1, ceil(output_len (1 + r)))], both ends included (numpy's
 * `integers(low, high + 1)`). vLLM first subtracts the tokenizer's special
 * tokens from input_len (its server adds them back); llmsim counts none.
 *
 * @param spec The random dataset.
 * @returns The inclusive input and output bounds.
 * @throws {InputError} When prefix_len + the least input is under 1 token.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { randomBounds } from "./sampler.ts";
 * const b = randomBounds({ name: "random", input_len: 1000, output_len: 3, range_ratio: 0.5, prefix_len: 0 });
 * assert.deepEqual(b, { input: [500, 1500], output: [1, 5] });
 * ```
 */
export function randomBounds(
  spec: RandomDataset,
): { input: [number, number]; output: [number, number] } {
  const r = spec.range_ratio;
  const input: [number, number] = [
    Math.floor(spec.input_len * (1 - r)),
    Math.ceil(spec.input_len * (1 + r)),
  ];
  const output: [number, number] = [
    Math.max(1, Math.floor(spec.output_len * (1 - r))),
    Math.max(1, Math.ceil(spec.output_len * (1 + r))),
  ];
  if (spec.prefix_len + input[0] < 1) {
    throw new InputError(
      `the shortest prompt would have ${
        spec.prefix_len + input[0]
      } tokens (prefix_len + floor(input_len x (1 - range_ratio))): raise input_len or prefix_len, or lower range_ratio`,
      ["dataset", "input_len"],
    );
  }
  return { input, output };
}

/**
 * The prompt tokens every request of the dataset shares (`random`'s
 * `prefix_len`; 0 for `sharegpt`).
 *
 * @param spec The dataset.
 * @returns The shared prefix, tokens.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { datasetPrefixTokens } from "./sampler.ts";
 * assert.equal(datasetPrefixTokens({ name: "random", input_len: 9, output_len: 9, range_ratio: 0, prefix_len: 512 }), 512);
 * ```
 */
export function datasetPrefixTokens(spec: DatasetSpec): number {
  return spec.name === "random" ? spec.prefix_len : 0;
}

/**
 * The dataset's length samplers for a run's seed. A `random` prompt
 * sampler gives the sampled part only: the workload prepends the shared
 * prefix ({@linkcode datasetPrefixTokens}), as it does a class's.
 *
 * @param spec A loaded dataset.
 * @param seed The run's seed.
 * @returns The prompt and output samplers.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { datasetSamplers } from "./sampler.ts";
 * const s = datasetSamplers({
 *   name: "sharegpt", path: "s.json",
 *   lengths: { prompt: [10, 20, 30], completion: [11, 21, 31], counted_by: "estimate" },
 * }, 7);
 * const first = [0, 1, 2].map(() => [s.prompt(), s.output()]);
 * // A shuffle: each conversation once, its prompt with its own output.
 * assert.deepEqual(first.map(([p]) => p).sort(), [10, 20, 30]);
 * for (const [p, o] of first) assert.equal(o, p + 1);
 * ```
 */
export function datasetSamplers(
  spec: DatasetSpec,
  seed: number,
): LengthSamplers {
  if (spec.name === "random") {
    const { input, output } = randomBounds(spec);
    return {
      prompt: uniformSampler(
        input[0],
        input[1],
        new RandomStream(seed, "dataset/input_len"),
      ),
      output: uniformSampler(
        output[0],
        output[1],
        new RandomStream(seed, "dataset/output_len"),
      ),
    };
  }
  const pairs = shareGptPairs(spec);
  const n = pairs.prompt.length;
  // Two samplers on identical streams walk the same order, so the k-th
  // prompt and the k-th output are one conversation's.
  const promptAt = shuffledIndices(n, new RandomStream(seed, "dataset/order"));
  const outputAt = shuffledIndices(n, new RandomStream(seed, "dataset/order"));
  return {
    prompt: () => pairs.prompt[promptAt()],
    output: () => pairs.output[outputAt()],
  };
}
