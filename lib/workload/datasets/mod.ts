/**
 * Benchmark datasets (`dataset:`): ShareGPT-format files and vLLM's random
 * dataset, as `vllm bench serve` samples them. The schema (`schema.ts`,
 * zod) is the scenario schema's; runs read `sampler.ts`.
 *
 * @module
 */

export type {
  DatasetLengths,
  DatasetName,
  DatasetSpec,
  RandomDataset,
  ShareGptDataset,
} from "./spec.ts";
export {
  datasetPrefixTokens,
  datasetSamplers,
  isValidSequence,
  randomBounds,
  SHAREGPT_LIMITS,
  shareGptPairs,
} from "./sampler.ts";
