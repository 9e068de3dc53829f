/**
 * The `dataset` section's schema: a union discriminated on `name`. Only the
 * scenario schema imports this module (it loads zod); running a validated
 * scenario reads `sampler.ts`.
 *
 * @module
 */

import { z } from "../../schema/zod.ts";
import type { Same } from "../../schema/same.ts";
import type { RandomDataset, ShareGptDataset } from "./spec.ts";

const SHAREGPT = z.strictObject({
  name: z.literal("sharegpt"),
  path: z.string().min(1).describe(
    "The ShareGPT-format JSON file (a list of {id, conversations: [{from, " +
      "value}, ...]}), relative to the scenario file.",
  ),
  tokenizer: z.string().min(1).optional().describe(
    "A tokenizer.json (Hugging Face format) to count tokens with, relative " +
      "to the scenario file; read locally, nothing is downloaded. Absent: " +
      "tokens are estimated as ceil(characters / 4), with a warning.",
  ),
  output_len: z.number().int().min(1).optional().describe(
    "Every request's output length, vLLM's --sharegpt-output-len " +
      "(absent: the tokens of the conversation's second turn).",
  ),
}).describe(
  "Conversations of a ShareGPT-format file, as vLLM's benchmark samples " +
    "them: prompt = first turn, output = second turn; too short or too " +
    "long pairs are skipped; shuffled by the run's seed.",
);

const RANDOM = z.strictObject({
  name: z.literal("random"),
  input_len: z.number().int().min(1).describe(
    "Mean sampled input length, tokens (vLLM's --random-input-len).",
  ),
  output_len: z.number().int().min(1).describe(
    "Mean output length, tokens (vLLM's --random-output-len).",
  ),
  range_ratio: z.number().min(0).lt(1).default(0).describe(
    "Lengths are whole numbers uniform in [floor(len (1 - r)), ceil(len " +
      "(1 + r))] (vLLM's --random-range-ratio, in [0, 1)).",
  ),
  prefix_len: z.number().int().min(0).default(0).describe(
    "Tokens of one fixed prefix prepended to every prompt (vLLM's " +
      "--random-prefix-len); a prefix cache can reuse it.",
  ),
}).describe(
  "vLLM's random dataset: uniform input and output lengths around " +
    "input_len and output_len, after a shared prefix of prefix_len tokens.",
);

/**
 * The `dataset` section.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { datasetSchema } from "./schema.ts";
 * const d = datasetSchema.parse({ name: "random", input_len: 100, output_len: 10 });
 * assert.deepEqual(d, { name: "random", input_len: 100, output_len: 10, range_ratio: 0, prefix_len: 0 });
 * assert.equal(datasetSchema.safeParse({ name: "random", input_len: 1, output_len: 1, range_ratio: 1 }).success, false);
 * ```
 */
export const datasetSchema: z.ZodDiscriminatedUnion<
  [typeof SHAREGPT, typeof RANDOM]
> = z.discriminatedUnion("name", [SHAREGPT, RANDOM]).describe(
  "Prompt and output lengths from a benchmark dataset, as `vllm bench " +
    "serve` samples them (`sharegpt` or `random`); arrivals still come " +
    "from `arrival`. Replaces `prompt_tokens` and `output_tokens`.",
);

// The documented types are the schema's output (the loaded lengths aside).
const _sameTypes: [
  Same<z.output<typeof SHAREGPT>, Omit<ShareGptDataset, "lengths">>,
  Same<z.output<typeof RANDOM>, RandomDataset>,
] = [true, true];
void _sameTypes;
