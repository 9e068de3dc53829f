/**
 * Reads a ShareGPT-format dataset file for the scenario loader and counts
 * its turns' tokens once, at load time, into arrays of lengths that runs
 * sample (lib/workload/datasets/sampler.ts). The tokenizer library is
 * imported only when a scenario names a tokenizer (`tokenizer_count.ts`),
 * so other runs never load it.
 *
 * The format is the JSON list `vllm bench serve --dataset-name sharegpt`
 * reads: `[{id?, conversations: [{from: "human" | "gpt", value}, ...]}]`.
 * As vLLM does, an entry without two or more turns is skipped, the first
 * turn is the prompt and the second the completion, whoever wrote them.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import { readTextFor } from "./read_text.ts";
import { jsonErrorPlace } from "./_json_error.ts";
import type { DatasetLengths } from "../workload/datasets/spec.ts";

/** The first two turns of each conversation with two or more, in file order. */
export interface ConversationTexts {
  /** First turns (the prompts). */
  prompt: string[];
  /** Second turns (the completions). */
  completion: string[];
}

/**
 * Characters per token of the estimate used without a tokenizer: OpenAI's
 * rule of thumb, "one token generally corresponds to ~4 characters of text
 * for common English text"
 * (https://help.openai.com/en/articles/4936856-what-are-tokens-and-how-to-count-them).
 * Code, other languages and emoji take more tokens per character.
 */
export const CHARS_PER_TOKEN = 4;

/**
 * The estimated tokens of a text without a tokenizer: ceil(characters /
 * {@linkcode CHARS_PER_TOKEN}), characters being Unicode code points.
 *
 * @param text The text.
 * @returns The estimate.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { estimateTokens } from "./dataset_file.ts";
 * assert.equal(estimateTokens("Hello, world!"), 4);
 * assert.equal(estimateTokens(""), 0);
 * assert.equal(estimateTokens("✓✓✓✓✓"), 2);
 * ```
 */
export function estimateTokens(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return Math.ceil(n / CHARS_PER_TOKEN);
}

/**
 * Reads a ShareGPT-format file's conversations.
 *
 * @param path The file (already resolved).
 * @param key The scenario key that names it, for messages (`dataset.path`).
 * @returns The first two turns of each conversation with two or more.
 * @throws {InputError} A missing file, bad JSON (with line and column), a
 * list that is not of conversations, or none with two turns.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readShareGpt } from "./dataset_file.ts";
 * const file = Deno.makeTempFileSync({ suffix: ".json" });
 * Deno.writeTextFileSync(file, JSON.stringify([
 *   { id: "a", conversations: [{ from: "human", value: "Hi" }, { from: "gpt", value: "Hello" }] },
 *   { id: "b", conversations: [{ from: "human", value: "alone" }] },
 * ]));
 * assert.deepEqual(readShareGpt(file, "dataset.path"), { prompt: ["Hi"], completion: ["Hello"] });
 * Deno.removeSync(file);
 * ```
 */
export function readShareGpt(path: string, key: string): ConversationTexts {
  const text = readTextFor(path, key);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new InputError(`${path}:${jsonErrorAt(text)} (${key})`);
  }
  if (!Array.isArray(data)) {
    throw new InputError(
      `${path}: expected a JSON list of conversations ({id, conversations: [{from, value}, ...]}), got ${
        data === null ? "null" : typeof data
      } (${key})`,
    );
  }
  const out: ConversationTexts = { prompt: [], completion: [] };
  data.forEach((entry, i) => {
    const turns = (entry as { conversations?: unknown } | null)?.conversations;
    // vLLM keeps entries with a `conversations` of two or more turns.
    if (!Array.isArray(turns) || turns.length < 2) return;
    const value = (t: number): string => {
      const v = (turns[t] as { value?: unknown } | null)?.value;
      if (typeof v !== "string") {
        throw new InputError(
          `${path}: entry ${i}: conversations[${t}].value must be a string, got ${
            v === undefined ? "none" : JSON.stringify(v)?.slice(0, 40)
          } (${key})`,
        );
      }
      return v;
    };
    out.prompt.push(value(0));
    out.completion.push(value(1));
  });
  if (out.prompt.length === 0) {
    throw new InputError(
      `${path}: no conversation has two or more turns (of ${data.length} entries) (${key})`,
    );
  }
  return out;
}

// Where the text breaks JSON's grammar, as line and column.
function jsonErrorAt(text: string): string {
  const at = jsonErrorPlace(text);
  return `${at.line}:${at.column}: bad JSON: expected ${at.expected}`;
}

/**
 * Token counts by the estimate ({@linkcode estimateTokens}).
 *
 * @param texts The conversations.
 * @returns Their lengths.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { estimatedLengths } from "./dataset_file.ts";
 * const l = estimatedLengths({ prompt: ["12345678"], completion: ["1"] });
 * assert.deepEqual(l, { prompt: [2], completion: [1], counted_by: "estimate" });
 * ```
 */
export function estimatedLengths(texts: ConversationTexts): DatasetLengths {
  return {
    prompt: texts.prompt.map(estimateTokens),
    completion: texts.completion.map(estimateTokens),
    counted_by: "estimate",
  };
}

/**
 * Token counts by a tokenizer.json (the library is imported now, on
 * first use).
 *
 * @param texts The conversations.
 * @param tokenizerPath The tokenizer.json (already resolved).
 * @param key The scenario key that names it, for messages.
 * @returns Their lengths, special tokens included (as vLLM counts them).
 * @throws {InputError} When the tokenizer cannot be read.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenizedLengths } from "./dataset_file.ts";
 * const l = await tokenizedLengths(
 *   { prompt: ["the cat sat"], completion: ["on the mat"] },
 *   "examples/datasets/tiny_tokenizer.json",
 *   "dataset.tokenizer",
 * );
 * assert.equal(l.counted_by, "tokenizer");
 * assert.equal(l.prompt.length, 1);
 * ```
 */
export async function tokenizedLengths(
  texts: ConversationTexts,
  tokenizerPath: string,
  key: string,
): Promise<DatasetLengths> {
  const { tokenCounter } = await import("./tokenizer_count.ts");
  const count = tokenCounter(tokenizerPath, key);
  return {
    prompt: texts.prompt.map(count),
    completion: texts.completion.map(count),
    counted_by: "tokenizer",
  };
}
