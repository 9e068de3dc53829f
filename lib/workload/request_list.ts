/**
 * A workload given as a list of requests (a measured benchmark's, say),
 * replayed exactly: its arrival times and lengths, in order.
 *
 * @module
 */

import type { RequestSource } from "./request_source.ts";
import type { Slo, Workload } from "./workload.ts";

/** Requests as parallel lists, in arrival order (structured-cloneable). */
export interface RequestList {
  /** Arrival times, seconds, ascending. */
  arrivalS: number[];
  /** Prompt lengths. */
  promptTokens: number[];
  /** Output lengths. */
  outputTokens: number[];
}

/**
 * The workload that replays a request list.
 *
 * @param list The requests.
 * @param slo The latency target every request is judged by, if any.
 * @returns The workload (one class, `default`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { listWorkload } from "./request_list.ts";
 * const w = listWorkload({ arrivalS: [0, 1], promptTokens: [10, 20], outputTokens: [5, 6] });
 * let n = 0;
 * while (w.source.next()) n += w.source.promptTokens;
 * assert.equal(n, 30);
 * assert.equal(w.meanRatePerS(), 2);
 * ```
 */
export function listWorkload(list: RequestList, slo?: Slo): Workload {
  let k = -1;
  const n = list.arrivalS.length;
  const source: RequestSource = {
    arrivalS: 0,
    promptTokens: 0,
    outputTokens: 0,
    classIndex: 0,
    next(): boolean {
      if (++k >= n) return false;
      source.arrivalS = list.arrivalS[k];
      source.promptTokens = list.promptTokens[k];
      source.outputTokens = list.outputTokens[k];
      return true;
    },
  };
  const span = n > 0 ? list.arrivalS[n - 1] - list.arrivalS[0] : 0;
  return {
    source,
    // Requests per second of the replayed span (all of them at once: n / 1 s).
    meanRatePerS: () => span > 0 ? n / span : n,
    classNames: ["default"],
    classSlos: [slo],
  };
}
