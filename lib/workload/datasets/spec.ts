/**
 * The documented types of the `dataset` section: which benchmark dataset
 * gives the requests' prompt and output lengths (arrivals still come from
 * `arrival`). The zod schema in `schema.ts` is the one definition; it checks
 * at compile time that these are its output.
 *
 * @module
 */

/** A dataset's name (the `name` key). */
export type DatasetName = "sharegpt" | "random";

/**
 * What the loader read from a ShareGPT file: for every conversation with
 * at least two turns, in file order, the token counts of its first turn
 * (the prompt) and second turn (the completion). Not a YAML key: the
 * scenario loader fills it (see lib/scenario/dataset_file.ts).
 */
export interface DatasetLengths {
  /** Prompt (first turn) tokens, one per conversation. */
  prompt: number[];
  /** Completion (second turn) tokens, one per conversation. */
  completion: number[];
  /** How the tokens were counted: a tokenizer, or the characters / 4 estimate. */
  counted_by: "tokenizer" | "estimate";
}

/** `dataset: {name: sharegpt}`: conversations from a ShareGPT-format JSON file. */
export interface ShareGptDataset {
  /** The dataset. */
  name: "sharegpt";
  /** The JSON file, relative to the scenario file. */
  path: string;
  /** A tokenizer.json to count tokens with (absent: characters / 4). */
  tokenizer?: string;
  /** Every request's output length (absent: the completion's tokens). */
  output_len?: number;
  /** The loader's token counts (not a YAML key). */
  lengths?: DatasetLengths;
}

/** `dataset: {name: random}`: vLLM's random dataset lengths. */
export interface RandomDataset {
  /** The dataset. */
  name: "random";
  /** Mean sampled input length, tokens (before the shared prefix). */
  input_len: number;
  /** Mean output length, tokens. */
  output_len: number;
  /** Lengths are uniform in [len (1 - r), len (1 + r)]; r in [0, 1). */
  range_ratio: number;
  /** Tokens of a fixed prefix every prompt starts with. */
  prefix_len: number;
}

/** The `dataset` section. */
export type DatasetSpec = ShareGptDataset | RandomDataset;
