/**
 * The interface between a batch scheduler and a step-time model: the shape
 * of one iteration in, its duration out. Models (rate, roofline, measured
 * table) live behind it, so a scheduler never knows which one it runs on.
 *
 * @module
 */

/** What one iteration of a batched instance processes. */
export interface IterationShape {
  /** New prompt tokens in the batch (whole prompts or chunks). */
  prefillTokens: number;
  /** Prompts or prompt chunks in the batch (each yields logits when it ends its prompt). */
  prefillSequences: number;
  /**
   * Sum over the prefill tokens of the context each one attends to
   * (causal: a chunk of n tokens after s cached ones adds n s + n (n + 1) / 2).
   */
  prefillAttendedTokens: number;
  /** Sum over prefill chunks of the tokens already in their KV cache (read by attention). */
  prefillPastTokens: number;
  /** Decoding sequences, one token each. */
  decodeTokens: number;
  /** Sum of the context lengths the decoding sequences read. */
  decodeContextTokens: number;
}

/**
 * A decode-only iteration: `batch` sequences, each reading `context` tokens.
 *
 * @param batch Decoding sequences.
 * @param context Context tokens each reads.
 * @returns The shape.
 *
 * @example Usage
 * ```ts
 * import { decodeShape } from "./step_time.ts";
 * import assert from "node:assert/strict";
 * assert.equal(decodeShape(4, 100).decodeContextTokens, 400);
 * ```
 */
export function decodeShape(batch: number, context: number): IterationShape {
  return {
    prefillTokens: 0,
    prefillSequences: 0,
    prefillAttendedTokens: 0,
    prefillPastTokens: 0,
    decodeTokens: batch,
    decodeContextTokens: batch * context,
  };
}

/** A step-time model: the duration of one iteration. */
export interface StepTimeModel {
  /** Seconds that an iteration of this shape takes. */
  iterationTimeS(shape: IterationShape): number;
}

/** Options for {@linkcode rateStepTime}. */
export interface RateStepTimeOptions {
  /** Prompt tokens one instance processes per second. */
  prefill_tokens_per_s: number;
  /** Decode steps per second of one sequence (a step yields one token for every sequence in the batch). */
  decode_tokens_per_s: number;
  /** Fixed cost of every iteration, seconds (default 0). */
  iteration_overhead_s?: number;
}

/**
 * The prototype's rates read as a batched instance would run them: prefill
 * costs prompt tokens / prefill rate, and a decode step costs 1 / decode
 * rate whatever the batch size (decode is memory-bound, so a step's time
 * barely depends on the batch at small batches). Good for what-ifs; use a
 * roofline or a measured table for hardware answers.
 *
 * @param options The two rates and an optional per-iteration overhead.
 * @returns The model.
 *
 * @example Usage
 * ```ts
 * import { rateStepTime } from "./step_time.ts";
 * const m = rateStepTime({ prefill_tokens_per_s: 8000, decode_tokens_per_s: 50 });
 * const t = m.iterationTimeS({ prefillTokens: 800, prefillSequences: 1, prefillAttendedTokens: 320400, prefillPastTokens: 0, decodeTokens: 4, decodeContextTokens: 4000 });
 * if (Math.abs(t - 0.12) > 1e-12) throw new Error(String(t));
 * ```
 */
export function rateStepTime(options: RateStepTimeOptions): StepTimeModel {
  const secPerPrompt = 1 / options.prefill_tokens_per_s;
  const decodeStepS = 1 / options.decode_tokens_per_s;
  const overheadS = options.iteration_overhead_s ?? 0;
  return {
    iterationTimeS(shape: IterationShape): number {
      return overheadS + shape.prefillTokens * secPerPrompt +
        (shape.decodeTokens > 0 ? decodeStepS : 0);
    },
  };
}
