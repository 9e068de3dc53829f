/**
 * Helpers shared by the measured-run readers.
 *
 * @module
 */

import type { MeasuredRequest } from "./measured_run.ts";

/**
 * A measured request with its TPOT as vLLM's benchmark computes it
 * (calculate_metrics in vllm/benchmarks/serve.py): (latency - ttft) /
 * (output_len - 1), only for more than one output token.
 */
export function measuredRequest(
  r: Omit<MeasuredRequest, "tpotS">,
): MeasuredRequest {
  return {
    arrivalS: r.arrivalS,
    promptTokens: r.promptTokens,
    outputTokens: r.outputTokens,
    ttftS: r.ttftS,
    e2eS: r.e2eS,
    tpotS: r.outputTokens > 1
      ? (r.e2eS - r.ttftS) / (r.outputTokens - 1)
      : undefined,
  };
}

/**
 * Sorts requests by arrival in place (stable: ties keep their order) and
 * moves the origin to the first arrival.
 */
export function sortByArrival(requests: MeasuredRequest[]): MeasuredRequest[] {
  requests.sort((a, b) => a.arrivalS - b.arrivalS);
  const originS = requests.length > 0 ? requests[0].arrivalS : 0;
  for (const r of requests) r.arrivalS -= originS;
  return requests;
}

/** A value for an error message: JSON-quoted, on one line, not too long. */
export function show(v: unknown): string {
  let s: string;
  if (typeof v === "number") {
    s = String(v);
  } else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
