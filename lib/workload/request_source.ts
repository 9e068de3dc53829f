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
  /**
   * The session (conversation) the current request is a turn of, in a
   * trace with a `session_id` column; absent: it stands alone.
   */
  sessionKey?: string;
}

/**
 * Copies a source's current request into another's fields: what a source
 * that wraps another (a filter, a count limit) does for each request it
 * passes on.
 *
 * @param to The wrapping source.
 * @param from The wrapped source, at its current request.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { copyRequest, type RequestSource } from "./request_source.ts";
 * const from = { arrivalS: 2, promptTokens: 7, outputTokens: 3, classIndex: 1, next: () => true };
 * const to: RequestSource = { arrivalS: 0, promptTokens: 0, outputTokens: 0, next: () => false };
 * copyRequest(to, from);
 * assert.deepEqual([to.arrivalS, to.promptTokens, to.outputTokens, to.classIndex], [2, 7, 3, 1]);
 * ```
 */
export function copyRequest(to: RequestSource, from: RequestSource): void {
  to.arrivalS = from.arrivalS;
  to.promptTokens = from.promptTokens;
  to.outputTokens = from.outputTokens;
  to.classIndex = from.classIndex;
  to.prefixIds = from.prefixIds;
  to.sessionKey = from.sessionKey;
}
