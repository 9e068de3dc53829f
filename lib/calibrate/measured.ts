/**
 * Measured benchmark runs: the requests a real server was sent and the
 * latencies it gave them, read from a CSV or from the JSON that
 * `vllm bench serve --save-result --save-detailed` writes, so that
 * `llmsim calibrate` can replay the same requests through the simulator and
 * compare.
 *
 * Formats:
 *
 * - `csv`: a header naming at least `arrival_s`, `prompt_tokens`,
 *   `output_tokens`, `ttft_s` and `e2e_s`, in any order; other columns are
 *   ignored, and blank lines and lines starting with `#` are skipped.
 *   `arrival_s` may have any origin (epoch seconds, say, or negative
 *   offsets): the earliest arrival becomes 0. `ttft_s` and `e2e_s` are
 *   measured from the arrival.
 * - `vllm-bench`: vLLM's benchmark result JSON (see `_vllm_bench.ts` for the
 *   keys and the vLLM source they were read from). Failed requests are
 *   skipped and counted in `failedRequests`. When the file has no
 *   per-request start times (vLLM versions before `start_times` was saved),
 *   arrival times are generated as vLLM's benchmark client generates them,
 *   from the file's `request_rate` and `burstiness`, with a seeded stream.
 *
 * Errors are `InputError`s on one line that start with `FILE:LINE: ` for a
 * problem in one line and `FILE: ` for the file as a whole.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { mean, quantileSorted } from "../metrics/percentile.ts";
import { InputError } from "../errors.ts";
import type { RequestSource } from "../workload/request_source.ts";
import type { RequestRecords } from "../metrics/records.ts";
import { listWorkload, type RequestList } from "../workload/request_list.ts";
import { parseMeasuredCsv } from "./_measured_csv.ts";
import { parseVllmBench } from "./_vllm_bench.ts";
import { measuredRequest } from "./_measured_common.ts";
import type {
  MeasuredFormat,
  MeasuredRequest,
  MeasuredRun,
} from "./measured_run.ts";

export type {
  MeasuredFormat,
  MeasuredRequest,
  MeasuredRun,
} from "./measured_run.ts";

/**
 * Options for reading a measured run.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ReadMeasuredOptions, readMeasuredRun } from "./measured.ts";
 * const options: ReadMeasuredOptions = { seed: 7 };
 * const run = readMeasuredRun(
 *   "run.csv",
 *   "arrival_s,prompt_tokens,output_tokens,ttft_s,e2e_s\n0,10,3,0.1,0.5\n",
 *   "csv",
 *   options,
 * );
 * // The file gives arrivals: the seed is not needed.
 * assert.ok(run.arrivalsKnown);
 * ```
 */
export interface ReadMeasuredOptions {
  /**
   * Seed of the stream that generates arrival times when a `vllm-bench`
   * file has none (default 0). The stream is named
   * `calibrate/arrivals/<file basename>`.
   */
  seed?: number;
  /**
   * Generated arrivals: rescale the cumulative delays so that the last one
   * is `num_requests / request_rate`, as `vllm bench serve`
   * (vllm/benchmarks/serve.py) does without a ramp-up (default true);
   * false draws plain gamma gaps as the older
   * benchmarks/benchmark_serving.py did.
   */
  rescaleArrivals?: boolean;
}

/**
 * Reads a measured run from a file's text.
 *
 * @param path The file's path, for messages and the arrival stream's name.
 * @param text The file's contents.
 * @param format The file's format.
 * @param options The seed for generated arrivals, and how to generate them.
 * @returns The run, its requests sorted by arrival from 0.
 * @throws {InputError} If the file is malformed; the message starts with
 *   `FILE:LINE: ` or `FILE: `.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readMeasuredRun } from "./measured.ts";
 * const run = readMeasuredRun(
 *   "run.csv",
 *   "# measured on 1xH100\n" +
 *     "e2e_s,ttft_s,arrival_s,output_tokens,prompt_tokens,model\n" +
 *     "0.9,0.1,100.5,5,300,llama\n" +
 *     "0.5,0.2,100.0,1,200,llama\n",
 *   "csv",
 * );
 * const [a, b] = run.requests;
 * // Sorted by arrival, times from the first; a one-token reply has no TPOT.
 * assert.equal(a.arrivalS, 0);
 * assert.equal(a.promptTokens, 200);
 * assert.equal(a.tpotS, undefined);
 * assert.equal(b.arrivalS, 0.5);
 * assert.ok(Math.abs(b.tpotS! - 0.2) <= 1e-12);
 * ```
 */
export function readMeasuredRun(
  path: string,
  text: string,
  format: MeasuredFormat,
  options: ReadMeasuredOptions = {},
): MeasuredRun {
  if (format === "csv") {
    return {
      source: path,
      format,
      requests: parseMeasuredCsv(path, text),
      arrivalsKnown: true,
      failedRequests: 0,
    };
  }
  if (format === "vllm-bench") {
    const seed = options.seed ?? 0;
    if (!Number.isFinite(seed)) {
      throw new InputError(`seed: must be a finite number, got ${seed}`);
    }
    return {
      source: path,
      format,
      ...parseVllmBench(path, text, seed, options.rescaleArrivals ?? true),
    };
  }
  throw new InputError(
    `${path}: unknown measured format ${
      JSON.stringify(format)
    }, expected "csv" or "vllm-bench"`,
  );
}

/**
 * Reads a measured run from a file (see {@linkcode readMeasuredRun}).
 *
 * @param path The file's path.
 * @param format The file's format.
 * @param options The seed for generated arrivals, and how to generate them.
 * @returns The run.
 * @throws {InputError} If the file is missing (`FILE: file not found`),
 *   cannot be read (`FILE: cannot read: ...`) or is malformed.
 *
 * @example Usage
 * ```ts
 * import { readMeasuredFile } from "./measured.ts";
 * import { InputError } from "../errors.ts";
 * import assert from "node:assert/strict";
 * assert.throws(
 *   () => readMeasuredFile("no/such/run.csv", "csv"),
 *   (e) => e instanceof InputError && e.message === "no/such/run.csv: file not found",
 * );
 * ```
 */
export function readMeasuredFile(
  path: string,
  format: MeasuredFormat,
  options: ReadMeasuredOptions = {},
): MeasuredRun {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOENT") throw new InputError(`${path}: file not found`);
    if (code === "EISDIR") {
      throw new InputError(`${path}: is a directory, not a measured run`);
    }
    const message = e instanceof Error ? e.message : String(e);
    throw new InputError(
      `${path}: cannot read: ${message.replace(/\s+/g, " ").trim()}`,
    );
  }
  return readMeasuredRun(path, text, format, options);
}

/**
 * Summary metrics of a measured run, seconds; NaN where there are no values
 * (TPOT of a run whose requests all have one output token).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   type MeasuredMetrics,
 *   measuredMetrics,
 *   readMeasuredRun,
 * } from "./measured.ts";
 * const m: MeasuredMetrics = measuredMetrics(readMeasuredRun(
 *   "run.csv",
 *   "arrival_s,prompt_tokens,output_tokens,ttft_s,e2e_s\n0,10,1,0.1,0.1\n",
 *   "csv",
 * ));
 * assert.equal(m.num_requests, 1);
 * // Only one-token replies: no TPOT.
 * assert.equal(m.mean_tpot_s, NaN);
 * ```
 */
export interface MeasuredMetrics {
  /** Successful requests. */
  num_requests: number;
  /** Mean time to first token. */
  mean_ttft_s: number;
  /** Median time to first token. */
  p50_ttft_s: number;
  /** 90th percentile time to first token. */
  p90_ttft_s: number;
  /** Mean per-request TPOT, over requests with more than one output token. */
  mean_tpot_s: number;
  /** 90th percentile per-request TPOT, over the same requests. */
  p90_tpot_s: number;
  /** Mean end-to-end latency. */
  mean_e2e_s: number;
  /** First arrival to last completion (max of arrival + e2e). */
  duration_s: number;
  /**
   * Requests per second over `duration_s` (vLLM's `request_throughput`,
   * with the duration taken from the requests).
   */
  request_rate_per_s: number;
}

/**
 * The run's summary metrics. Percentiles interpolate linearly between order
 * statistics (numpy's default), as vLLM's benchmark reports them.
 *
 * @param run A measured run.
 * @returns Its metrics.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { measuredMetrics, readMeasuredRun } from "./measured.ts";
 * const m = measuredMetrics(readMeasuredRun(
 *   "run.csv",
 *   "arrival_s,prompt_tokens,output_tokens,ttft_s,e2e_s\n" +
 *     "0,10,3,0.1,0.5\n" +
 *     "1,10,1,0.3,0.3\n",
 *   "csv",
 * ));
 * // TPOT only from the first request: (0.5 - 0.1) / 2.
 * assert.ok(Math.abs(m.mean_tpot_s - 0.2) <= 1e-12);
 * assert.ok(Math.abs(m.p50_ttft_s - 0.2) <= 1e-12);
 * assert.equal(m.duration_s, 1.3);
 * ```
 */
export function measuredMetrics(run: MeasuredRun): MeasuredMetrics {
  const requests = run.requests;
  const n = requests.length;
  const ttfts = new Float64Array(n);
  const e2es = new Float64Array(n);
  const tpots: number[] = [];
  let firstS = Infinity;
  let lastS = -Infinity;
  for (let i = 0; i < n; i++) {
    const r = requests[i];
    ttfts[i] = r.ttftS;
    e2es[i] = r.e2eS;
    if (r.tpotS !== undefined) tpots.push(r.tpotS);
    firstS = Math.min(firstS, r.arrivalS);
    lastS = Math.max(lastS, r.arrivalS + r.e2eS);
  }
  const sortedTtfts = ttfts.slice().sort();
  const sortedTpots = Float64Array.from(tpots).sort();
  const durationS = n > 0 ? lastS - firstS : NaN;
  return {
    num_requests: n,
    mean_ttft_s: mean(ttfts),
    p50_ttft_s: quantileSorted(sortedTtfts, 0.5),
    p90_ttft_s: quantileSorted(sortedTtfts, 0.9),
    mean_tpot_s: mean(sortedTpots),
    p90_tpot_s: quantileSorted(sortedTpots, 0.9),
    mean_e2e_s: mean(e2es),
    duration_s: durationS,
    request_rate_per_s: n / durationS,
  };
}

/**
 * The run's requests as a request source, in arrival order, for replay
 * through the simulator. Each call gives a fresh source from the start.
 *
 * @param run A measured run.
 * @returns A source yielding each request's arrival and token counts.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { measuredSource, readMeasuredRun } from "./measured.ts";
 * const source = measuredSource(readMeasuredRun(
 *   "run.csv",
 *   "arrival_s,prompt_tokens,output_tokens,ttft_s,e2e_s\n" +
 *     "5,20,2,0.1,0.2\n" +
 *     "3,10,1,0.1,0.1\n",
 *   "csv",
 * ));
 * const seen: string[] = [];
 * while (source.next()) {
 *   seen.push(`${source.arrivalS}:${source.promptTokens}:${source.outputTokens}`);
 * }
 * assert.equal(seen.join(" "), "0:10:1 2:20:2", seen.join(" "));
 * ```
 */
export function measuredSource(run: MeasuredRun): RequestSource {
  return listWorkload(measuredRequestList(run)).source;
}

/**
 * A measured run's requests as the list a replay runs (arrival times and
 * lengths, in order).
 *
 * @param run A measured run.
 * @returns The request list.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { measuredRequestList, readMeasuredRun } from "./measured.ts";
 * const list = measuredRequestList(readMeasuredRun("m.csv",
 *   "arrival_s,prompt_tokens,output_tokens,ttft_s,e2e_s\n3,10,2,0.1,0.2\n", "csv"));
 * assert.equal(list.promptTokens[0], 10);
 * assert.equal(list.arrivalS[0], 0);
 * ```
 */
export function measuredRequestList(run: MeasuredRun): RequestList {
  return {
    arrivalS: run.requests.map((r) => r.arrivalS),
    promptTokens: run.requests.map((r) => r.promptTokens),
    outputTokens: run.requests.map((r) => r.outputTokens),
  };
}

/**
 * A simulated run's requests as a measured run: what a benchmark of the
 * simulated deployment would have recorded (to test a calibration against a
 * known answer, or to compare two deployments request by request).
 *
 * @param records A finished run's records (exact percentiles: every slot whole).
 * @param source A name for the run.
 * @returns The run, arrivals relative to the first.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { measuredFromRecords } from "./measured.ts";
 * import { simulate } from "../analysis/simulate.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const r = simulate(validateScenario({ batching: "continuous", sim_seconds: 20, warmup_seconds: 0 }));
 * const run = measuredFromRecords(r.records, "sim");
 * assert.equal(run.requests.length, r.records.count);
 * assert.equal(run.requests[0].arrivalS, 0);
 * ```
 */
export function measuredFromRecords(
  records: RequestRecords,
  source: string,
): MeasuredRun {
  const requests: MeasuredRequest[] = [];
  const t0 = records.count > 0 ? records.arrivalS[0] : 0;
  for (let i = 0; i < records.count; i++) {
    requests.push(measuredRequest({
      arrivalS: records.arrivalS[i] - t0,
      promptTokens: records.promptTokens[i],
      outputTokens: records.outputTokens[i],
      ttftS: records.firstTokenS[i] - records.arrivalS[i],
      e2eS: records.finishS[i] - records.arrivalS[i],
    }));
  }
  return {
    source,
    format: "csv",
    requests,
    arrivalsKnown: true,
    failedRequests: 0,
  };
}
