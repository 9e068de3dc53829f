/**
 * A measured run of a real deployment, as llmsim reads it: its requests
 * (arrival, lengths, measured latencies) and where they came from.
 *
 * @module
 */

/**
 * The formats a measured run can be read from.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { type MeasuredFormat, readMeasuredRun } from "./measured.ts";
 * const format: MeasuredFormat = "csv";
 * const run = readMeasuredRun(
 *   "run.csv",
 *   "arrival_s,prompt_tokens,output_tokens,ttft_s,e2e_s\n0,10,3,0.1,0.5\n",
 *   format,
 * );
 * assert.equal(run.requests.length, 1);
 * ```
 */
export type MeasuredFormat = "csv" | "vllm-bench";

/**
 * One measured request. Times are seconds; `ttftS` and `e2eS` are measured
 * from `arrivalS`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import type { MeasuredRequest } from "./measured.ts";
 * const r: MeasuredRequest = {
 *   arrivalS: 0, promptTokens: 100, outputTokens: 11,
 *   ttftS: 0.05, e2eS: 0.25, tpotS: 0.02,
 * };
 * assert.ok(Math.abs((r.e2eS - r.ttftS) / (r.outputTokens - 1) - r.tpotS!) <= 1e-12);
 * ```
 */
export interface MeasuredRequest {
  /** Arrival time, seconds after the run's first arrival. */
  arrivalS: number;
  /** Prompt length, tokens (>= 1). */
  promptTokens: number;
  /** Output length, tokens (>= 1). */
  outputTokens: number;
  /** Time to first token, seconds. */
  ttftS: number;
  /** End-to-end latency (arrival to last token), seconds; >= `ttftS`. */
  e2eS: number;
  /**
   * Time per output token after the first, as vLLM's benchmark computes it
   * per request: (e2e - ttft) / (output - 1); undefined for one output
   * token.
   */
  tpotS: number | undefined;
}

/**
 * A measured run: its successful requests in arrival order, and the traffic
 * settings the file records.
 *
 * When `arrivalsKnown` is true, `arrivalS` is when the request reached the
 * server, the origin of its `ttftS` and `e2eS`; a client concurrency limit
 * (`maxConcurrency`) is already reflected in those times. When it is false,
 * the arrivals were generated from `requestRatePerS` and `burstiness`: they
 * are the client's offered times, before its concurrency limit, so a replay
 * should apply `maxConcurrency` itself.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readMeasuredRun } from "./measured.ts";
 * const run = readMeasuredRun(
 *   "run.csv",
 *   "arrival_s,prompt_tokens,output_tokens,ttft_s,e2e_s\n10,100,5,0.1,0.5\n",
 *   "csv",
 * );
 * assert.ok(run.arrivalsKnown);
 * assert.equal(run.failedRequests, 0);
 * ```
 */
export interface MeasuredRun {
  /** The file it was read from. */
  source: string;
  /** The file's format. */
  format: MeasuredFormat;
  /**
   * The successful requests, sorted by arrival (ties keep file order); the
   * first arrives at 0.
   */
  requests: MeasuredRequest[];
  /** Whether arrival times come from the file (true) or were generated. */
  arrivalsKnown: boolean;
  /**
   * Requests the file records as failed (a non-empty error, or no output
   * tokens), skipped; always 0 for CSV.
   */
  failedRequests: number;
  /** The client's concurrency limit (vLLM's `--max-concurrency`), if any. */
  maxConcurrency?: number;
  /**
   * The offered request rate (vLLM's `--request-rate`); Infinity means all
   * requests were sent at once.
   */
  requestRatePerS?: number;
  /** vLLM's `--burstiness`: the gamma shape of inter-arrival gaps. */
  burstiness?: number;
  /** The benchmark's wall-clock duration as the file records it, seconds. */
  durationS?: number;
}
