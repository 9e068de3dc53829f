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
  /**
   * Query tokens of the decoding sequences, when a sequence verifies more
   * than one token in the step (speculative decoding: k + 1 each). Absent:
   * one per sequence, `decodeTokens`. Each query token costs FLOPs,
   * activations and a logit as a token does and attends to its sequence's
   * context, which is read once per sequence whatever the query count.
   */
  decodeQueryTokens?: number;
}

/**
 * The (query, key) pairs an iteration's attention computes: the prefill
 * tokens' causal contexts, and each decode query token over its sequence's
 * context (q query tokens of the decodes attend q / decodes times the
 * contexts).
 *
 * @param shape The iteration.
 * @param q Its decode query tokens (`decodeQueryTokens ?? decodeTokens`).
 * @returns The pairs.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { attendedPairs, decodeShape } from "./step_time.ts";
 * const shape = decodeShape(4, 100);
 * assert.equal(attendedPairs(shape, 4), 400);
 * // Verifying 3 tokens per sequence: each reads the same context.
 * assert.equal(attendedPairs({ ...shape, decodeQueryTokens: 12 }, 12), 1200);
 * ```
 */
export function attendedPairs(shape: IterationShape, q: number): number {
  return shape.prefillAttendedTokens +
    (q === shape.decodeTokens
      ? shape.decodeContextTokens
      : shape.decodeContextTokens * q / shape.decodeTokens);
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
 * import assert from "node:assert/strict";
 * import { decodeShape } from "./step_time.ts";
 * const shape = decodeShape(4, 100);
 * assert.equal(shape.decodeTokens, 4);
 * assert.equal(shape.decodeContextTokens, 400);
 * assert.equal(shape.prefillTokens, 0);
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
  prefillTokensPerS: number;
  /** Decode steps per second of one sequence (a step yields one token for every sequence in the batch). */
  decodeTokensPerS: number;
  /** Fixed cost of every iteration, seconds (default 0). */
  iterationOverheadS?: number;
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
 * import assert from "node:assert/strict";
 * import { rateStepTime } from "./step_time.ts";
 * const m = rateStepTime({ prefillTokensPerS: 8000, decodeTokensPerS: 50 });
 * const t = m.iterationTimeS({ prefillTokens: 800, prefillSequences: 1, prefillAttendedTokens: 320400, prefillPastTokens: 0, decodeTokens: 4, decodeContextTokens: 4000 });
 * // 800 prompt tokens at 8000/s plus one decode step at 50/s.
 * assert.ok(Math.abs(t - (0.1 + 0.02)) < 1e-12);
 * ```
 */
export function rateStepTime(options: RateStepTimeOptions): StepTimeModel {
  const secPerPrompt = 1 / options.prefillTokensPerS;
  const decodeStepS = 1 / options.decodeTokensPerS;
  const overheadS = options.iterationOverheadS ?? 0;
  return {
    iterationTimeS(shape: IterationShape): number {
      return overheadS + shape.prefillTokens * secPerPrompt +
        (shape.decodeTokens > 0 ? decodeStepS : 0);
    },
  };
}
