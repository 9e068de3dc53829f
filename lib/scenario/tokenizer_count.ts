/**
 * Counts tokens with a Hugging Face tokenizer.json read from disk. Only
 * `dataset_file.ts` imports this module, dynamically, when a scenario names
 * a tokenizer.
 *
 * The library is `@huggingface/tokenizers` (tokenizers.js, Apache-2.0,
 * https://github.com/huggingface/tokenizers.js): Hugging Face's own pure
 * JavaScript implementation of the tokenizer.json format (BPE, WordPiece,
 * Unigram; the normalizers, pre-tokenizers and post-processors), with no
 * dependencies and about 650 kB unpacked. It needs no permission beyond
 * reading the file we hand it and downloads nothing. `@huggingface/transformers`
 * brings the same tokenizers inside a model runtime (ONNX, tens of MB);
 * `@lenml/tokenizers` is a community fork of the same code.
 *
 * @module
 */

import { Tokenizer } from "npm:@huggingface/tokenizers@^0.2.0";
import { dirname, join } from "node:path";
import { InputError } from "../errors.ts";
import { readTextFor } from "./read_text.ts";

function readJson(path: string, key: string): unknown {
  const text = readTextFor(path, key);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(
      `${path}: bad JSON (${key}): ${(e as Error).message}`,
    );
  }
}

/**
 * A token counter for a tokenizer.json; a `tokenizer_config.json` beside
 * it, if there is one, is read too (the library takes both, as a model
 * repository ships them).
 *
 * @param path The tokenizer.json.
 * @param key The scenario key that names it, for messages.
 * @returns The number of token ids a text encodes to, special tokens
 * included (Hugging Face's `add_special_tokens=True` default, which vLLM's
 * benchmark counts with).
 * @throws {InputError} When the file is missing, not JSON, or not a
 * tokenizer the library reads.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenCounter } from "./tokenizer_count.ts";
 * const count = tokenCounter("examples/datasets/tiny_tokenizer.json", "dataset.tokenizer");
 * assert.ok(count("the cat") >= 2);
 * ```
 */
export function tokenCounter(
  path: string,
  key: string,
): (text: string) => number {
  const json = readJson(path, key);
  const configPath = join(dirname(path), "tokenizer_config.json");
  let config: unknown = {};
  try {
    Deno.statSync(configPath);
    config = readJson(configPath, key);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(json as object, config as object);
    tokenizer.encode("a");
  } catch (e) {
    throw new InputError(
      `${path}: not a tokenizer.json that can be read (${key}): ${
        (e as Error).message
      }`,
    );
  }
  return (text) => tokenizer.encode(text).ids.length;
}
