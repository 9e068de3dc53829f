/**
 * Workload helpers shared by the engine tests.
 *
 * @module
 */

import type { RequestSource } from "../lib/workload/request_source.ts";

/**
 * A source whose lengths are capped, so that every request fits a small KV
 * cache alone.
 *
 * @param src The requests.
 * @param maxPrompt Largest prompt.
 * @param maxOutput Largest output.
 * @returns The capped requests, at the same times.
 */
export function cappedSource(
  src: RequestSource,
  maxPrompt: number,
  maxOutput: number,
): RequestSource {
  const out: RequestSource = {
    arrivalS: 0,
    promptTokens: 0,
    outputTokens: 0,
    next() {
      if (!src.next()) return false;
      out.arrivalS = src.arrivalS;
      out.promptTokens = Math.min(src.promptTokens, maxPrompt);
      out.outputTokens = Math.min(src.outputTokens, maxOutput);
      return true;
    },
  };
  return out;
}
