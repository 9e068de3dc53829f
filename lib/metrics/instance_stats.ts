/**
 * The running totals a batched instance keeps, as plain data: metrics read
 * them without knowing the instance that wrote them.
 *
 * @module
 */

/**
 * Running totals an instance keeps for metrics.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyInstanceStats } from "./instance_stats.ts";
 * const st = emptyInstanceStats();
 * st.iterations++;
 * assert.equal(st.iterations, 1);
 * assert.equal(st.busyS, 0);
 * ```
 */
export interface InstanceStats {
  /** Iterations run. */
  iterations: number;
  /** Busy time, seconds. */
  busyS: number;
  /** Busy time inside the measured window, seconds. */
  busyInWindowS: number;
  /** Sum over iterations of the batch size (requests). */
  batchSizeSum: number;
  /** Largest batch. */
  peakBatchSize: number;
  /** Largest number of KV blocks in use. */
  peakKvBlocks: number;
  /** Sum over iterations of KV blocks in use (for the mean occupancy). */
  kvBlocksSum: number;
  /** Requests preempted (their KV freed, to be recomputed). */
  preemptions: number;
  /** Output tokens produced. */
  outputTokens: number;
  /** Prompt tokens of requests on their first admission here. */
  prefixPromptTokens: number;
  /** Of those, tokens found in the prefix cache. */
  prefixHitTokens: number;
  /** Prefix-cache entries evicted to make room. */
  prefixEvictions: number;
  /** Speculative decoding: sequence-steps (one per decoding sequence per decode iteration). */
  speculativeSteps: number;
  /** Speculative decoding: tokens those steps yielded. */
  speculativeTokens: number;
}

/**
 * Fresh totals, all zero.
 *
 * @returns New stats.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyInstanceStats } from "./instance_stats.ts";
 * assert.equal(emptyInstanceStats().preemptions, 0);
 * ```
 */
export function emptyInstanceStats(): InstanceStats {
  return {
    iterations: 0,
    busyS: 0,
    busyInWindowS: 0,
    batchSizeSum: 0,
    peakBatchSize: 0,
    peakKvBlocks: 0,
    kvBlocksSum: 0,
    preemptions: 0,
    outputTokens: 0,
    prefixPromptTokens: 0,
    prefixHitTokens: 0,
    prefixEvictions: 0,
    speculativeSteps: 0,
    speculativeTokens: 0,
  };
}
