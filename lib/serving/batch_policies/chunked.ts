/**
 * `chunked`: every running request decodes; the remaining budget goes to
 * prompt chunks, running partial prefills first, then new requests, oldest
 * first (Sarathi-Serve, vLLM's chunked prefill).
 *
 * @module
 */

import type { BatchBuilder, BatchPolicy } from "./policy.ts";

/** The `chunked` batch policy. */
export const chunked = {
  name: "chunked",
  doc: "every running request decodes; the remaining budget goes to prompt " +
    "chunks, oldest first (Sarathi-Serve, vLLM's chunked prefill)",
  plan(batch: BatchBuilder, now: number, budget: number): void {
    const left = batch.continueChunks(budget - batch.scheduleDecodes());
    batch.admitChunks(now, left);
  },
} as const satisfies BatchPolicy;
