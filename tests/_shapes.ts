/**
 * Iteration shapes the step-time tests ask about.
 *
 * @module
 */

import { decodeShape, type IterationShape } from "../lib/perf/step_time.ts";

/** A decode-only iteration of `batch` sequences, each at `context` tokens. */
export function decode(batch: number, context = 1000): IterationShape {
  return decodeShape(batch, context);
}

/** A prefill-only iteration of `sequences` whole prompts of `tokens` each. */
export function prefill(sequences: number, tokens: number): IterationShape {
  return {
    prefillTokens: sequences * tokens,
    prefillSequences: sequences,
    prefillAttendedTokens: sequences * tokens * (tokens + 1) / 2,
    prefillPastTokens: 0,
    decodeTokens: 0,
    decodeContextTokens: 0,
  };
}
