/**
 * What the simulator reads requests from: generated workloads, trace
 * replays and measured runs all are one.
 *
 * @module
 */

/** Tokens one prefix block id covers (Mooncake's hash blocks). */
export const PREFIX_BLOCK_TOKENS = 512;

/**
 * A source of requests in arrival order.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RequestSource } from "./request_source.ts";
 * let n = 0;
 * const source: RequestSource = {
 *   arrivalS: 0,
 *   promptTokens: 100,
 *   outputTokens: 10,
 *   next() {
 *     this.arrivalS = ++n;
 *     return n <= 2;
 *   },
 * };
 * assert.ok(source.next());
 * assert.equal(source.arrivalS, 1);
 * ```
 */
export interface RequestSource {
  /**
   * Advances to the next request. Returns false once arrivals reach the
   * horizon; otherwise the fields below hold it.
   */
  next(): boolean;
  /** Arrival time of the current request, seconds. */
  arrivalS: number;
  /** Prompt length of the current request. */
  promptTokens: number;
  /** Output length of the current request. */
  outputTokens: number;
  /** Class of the current request (index into the scenario's classes). */
  classIndex?: number;
  /**
   * Prefix block ids of the current prompt (for prefix caching), one per
   * {@linkcode PREFIX_BLOCK_TOKENS} tokens.
   */
  prefixIds?: readonly number[];
}
