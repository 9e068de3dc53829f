/**
 * A simulated run in `vllm bench serve`'s own output: the result block it
 * prints ({@linkcode renderVllmBench}) and the JSON its `--save-result`
 * writes ({@linkcode vllmBenchResult}), with the same labels, layout and
 * keys, so that a simulated run and a measured one are compared with the
 * tools used for measured ones.
 *
 * Layout and keys as in `benchmark()` and `main_async()` of
 * vllm/benchmarks/serve.py, vllm-project/vllm at commit 009e6d4a
 * (https://github.com/vllm-project/vllm/blob/009e6d4a1cd6ba3fb2a9fc00f4ec06f5297232a1/vllm/benchmarks/serve.py):
 * each line is Python's `"{:<40} {:<10}"` (label padded to 40, a space,
 * the value padded to 10, trailing spaces kept) or `"{:<10.2f}"` for
 * decimals; section titles are centred in 50 columns between `=` or `-`
 * (`str.format`'s `^`: the odd column on the right).
 *
 * @module
 */

import type { Scenario } from "../scenario/types.ts";
import type { Summary } from "../metrics/summary_types.ts";
import {
  VLLM_BENCH_METRICS,
  type VllmBenchFigures,
  type VllmBenchMetric,
} from "./vllm_bench_figures.ts";

/** The run settings vLLM prints and saves beside the figures. */
export interface VllmBenchSettings {
  /** `--num-prompts`: the requests of the run (measured and refused). */
  numPrompts: number;
  /** `--request-rate`, requests per second (Infinity: all at once). */
  requestRate: number;
  /** `--burstiness`: the gamma shape of the gaps (1 Poisson; Infinity evenly spaced; null when the arrivals are not gamma gaps). */
  burstiness: number | null;
  /** `--max-concurrency` (null: no limit). */
  maxConcurrency: number | null;
  /** `--model` (null when the scenario names none). */
  modelId: string | null;
}

/**
 * The settings of a simulated run as vLLM would report them: the measured
 * and refused requests as `num_prompts`, the workload's mean arrival rate
 * (`rate_per_s: inf` as Infinity; a closed loop's, measured), the
 * burstiness of Poisson (1), gamma (1 / cv^2) and deterministic (Infinity)
 * arrivals, the client's concurrency limit (`max_concurrency`, or a closed
 * loop's users), and the catalog model's name; `given` replaces any of them.
 *
 * @param scenario The scenario run.
 * @param summary Its summary.
 * @param given Settings that replace the derived ones.
 * @returns The settings.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { vllmBenchSettings } from "./vllm_bench.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * import { simulate } from "../analysis/simulate.ts";
 * const scenario = validateScenario({ sim_seconds: 30, warmup_seconds: 3, arrival: { process: "gamma", rate_per_s: 2, cv: 0.5 } });
 * const { summary } = simulate(scenario);
 * const s = vllmBenchSettings(scenario, summary, { maxConcurrency: 8 });
 * assert.equal(s.burstiness, 4);
 * assert.equal(s.requestRate, 2);
 * assert.equal(s.maxConcurrency, 8);
 * assert.equal(s.numPrompts, summary.num_samples);
 * // vllm bench serve --request-rate inf --max-concurrency 4 --num-prompts 50:
 * const bench = validateScenario({
 *   batching: "continuous", num_requests: 50, max_concurrency: 4,
 *   arrival: { rate_per_s: "inf" },
 * });
 * const b = vllmBenchSettings(bench, simulate(bench).summary);
 * assert.deepEqual([b.requestRate, b.maxConcurrency, b.numPrompts], [Infinity, 4, 50]);
 * ```
 */
export function vllmBenchSettings(
  scenario: Scenario,
  summary: Summary,
  given: Partial<VllmBenchSettings> = {},
): VllmBenchSettings {
  const arrival = scenario.arrival;
  const burstiness = scenario.trace
    ? null
    : arrival.process === "poisson"
    ? 1
    : arrival.process === "gamma"
    ? 1 / (arrival.cv * arrival.cv)
    : arrival.process === "deterministic"
    ? Infinity
    : null;
  const model = scenario.hardware?.model;
  const users = arrival.process === "closed_loop" ? arrival.concurrency : null;
  return {
    numPrompts: summary.num_samples + (summary.rejected_requests ?? 0),
    requestRate: arrival.rate_per_s === Infinity
      ? Infinity
      : summary.arrival_rate_per_s,
    burstiness,
    maxConcurrency: scenario.max_concurrency ?? users,
    modelId: typeof model === "string" ? model : null,
    ...given,
  };
}

const TITLES: Record<VllmBenchMetric, [string, string]> = {
  ttft: ["TTFT", "Time to First Token"],
  tpot: ["TPOT", "Time per Output Token (excl. 1st token)"],
  itl: ["ITL", "Inter-token Latency"],
  e2el: ["E2EL", "End-to-end Latency"],
};

/**
 * The result block `vllm bench serve` prints, for a simulated run.
 *
 * @param f The run's figures.
 * @param settings The run's settings.
 * @param metrics The metrics whose sections are printed (`--percentile-metrics`); printed in vLLM's order.
 * @returns The block, lines ending in newlines.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderVllmBench } from "./vllm_bench.ts";
 * const stats = { mean: 12.5, median: 12, std: 1, percentiles: [[99, 20]] as [number, number][] };
 * const text = renderVllmBench({
 *   completed: 10, failed: 0, durationS: 5, totalInput: 1000, totalOutput: 500,
 *   requestThroughput: 2, requestGoodput: null, outputThroughput: 100, totalTokenThroughput: 300,
 *   maxOutputTokensPerS: 150, maxConcurrentRequests: 4,
 *   metrics: { ttft: stats, tpot: stats, itl: stats, e2el: stats }, sketched: false,
 * }, { numPrompts: 10, requestRate: Infinity, burstiness: 1, maxConcurrency: null, modelId: null }, ["ttft"]);
 * const lines = text.split("\n");
 * assert.equal(lines[0], "============ Serving Benchmark Result ============");
 * assert.equal(lines[1], "Successful requests:                     10        ");
 * assert.ok(lines.includes("P99 TTFT (ms):                           20.00     "));
 * ```
 */
export function renderVllmBench(
  f: VllmBenchFigures,
  settings: VllmBenchSettings,
  metrics: readonly VllmBenchMetric[],
): string {
  const lines: string[] = [];
  const int = (label: string, v: number) =>
    lines.push(`${label.padEnd(40)} ${String(v).padEnd(10)}`);
  const dec = (label: string, v: number) =>
    lines.push(`${label.padEnd(40)} ${fixed2(v).padEnd(10)}`);
  lines.push(centred(" Serving Benchmark Result ", "="));
  int("Successful requests:", f.completed);
  int("Failed requests:", f.failed);
  if (settings.maxConcurrency !== null) {
    int("Maximum request concurrency:", settings.maxConcurrency);
  }
  if (settings.requestRate !== Infinity) {
    dec("Request rate configured (RPS):", settings.requestRate);
  }
  dec("Benchmark duration (s):", f.durationS);
  int("Total input tokens:", f.totalInput);
  int("Total generated tokens:", f.totalOutput);
  dec("Request throughput (req/s):", f.requestThroughput);
  if (f.requestGoodput !== null) {
    dec("Request goodput (req/s):", f.requestGoodput);
  }
  dec("Output token throughput (tok/s):", f.outputThroughput);
  dec("Peak output token throughput (tok/s):", f.maxOutputTokensPerS);
  dec("Peak concurrent requests:", f.maxConcurrentRequests);
  dec("Total token throughput (tok/s):", f.totalTokenThroughput);
  for (const m of VLLM_BENCH_METRICS) {
    if (!metrics.includes(m)) continue;
    const [name, title] = TITLES[m];
    const s = f.metrics[m];
    lines.push(centred(title, "-"));
    dec(`Mean ${name} (ms):`, s.mean);
    dec(`Median ${name} (ms):`, s.median);
    for (const [p, v] of s.percentiles) dec(`P${pWord(p)} ${name} (ms):`, v);
  }
  lines.push("=".repeat(50));
  return lines.join("\n") + "\n";
}

/** Options of {@linkcode vllmBenchResult}. */
export interface VllmBenchResultOptions {
  /** The metrics whose statistics are saved (`--percentile-metrics`). */
  metrics: readonly VllmBenchMetric[];
  /** Whether the per-request arrays vLLM saves only with `--save-detailed` are written. */
  detailed: boolean;
  /**
   * Most token gaps written in `itls` (default {@linkcode MAX_ITL_GAPS});
   * with more, `itls` is null.
   */
  maxItlGaps?: number;
}

/**
 * Most token gaps `--save-detailed` writes in `itls`, all requests together:
 * 5 million, about 100 MB of JSON. A longer run's `itls` is null (the
 * calibration reader needs only `latencies`): vLLM's own files hold as many
 * gaps as its requests' output tokens, some thousands of requests' worth.
 */
export const MAX_ITL_GAPS = 5_000_000;

/**
 * The object `vllm bench serve --save-result` writes, for a simulated run,
 * with vLLM's keys in vLLM's order. What a simulation has no value for:
 * `date` null (so that a run's file is the same every time), `backend`
 * and `endpoint_type` `"llmsim"`, `label` and `tokenizer_id` null,
 * `rtfx` 0, every `generated_texts` and `errors` entry `""`, every
 * `queue_times` entry 0 (no client-side queue). Infinite rates and
 * burstiness are the string `"inf"` (vLLM writes `"inf"` for the rate; it
 * would write a bare `Infinity` for the burstiness, which is not JSON), an
 * unknown figure null. Each `itls` entry is the request's O - 1 token gaps
 * taken as equal (llmsim keeps a request's first-token and finish times,
 * not each token's): they add up to its latency less its TTFT. Refused
 * requests count in `failed` but have no entry in the per-request arrays.
 * `itls` is null past `maxItlGaps` gaps in all.
 *
 * @param f The run's figures (with `requests` when `detailed`, and for
 *   `latencies`).
 * @param settings The run's settings.
 * @param options The metrics saved, whether detailed.
 * @returns The object, ready for {@linkcode vllmBenchJson} (per-request
 *   numbers as typed arrays).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { vllmBenchResult } from "./vllm_bench.ts";
 * const stats = { mean: 12.5, median: 12, std: 1, percentiles: [[99, 20]] as [number, number][] };
 * const out = vllmBenchResult({
 *   completed: 10, failed: 0, durationS: 5, totalInput: 1000, totalOutput: 500,
 *   requestThroughput: 2, requestGoodput: null, outputThroughput: 100, totalTokenThroughput: 300,
 *   maxOutputTokensPerS: 150, maxConcurrentRequests: 4,
 *   metrics: { ttft: stats, tpot: stats, itl: stats, e2el: stats }, sketched: false,
 * }, { numPrompts: 10, requestRate: Infinity, burstiness: 1, maxConcurrency: null, modelId: null }, { metrics: ["ttft"], detailed: false });
 * assert.equal(out.request_rate, "inf");
 * assert.equal(out.p99_ttft_ms, 20);
 * assert.equal("p99_tpot_ms" in out, false);
 * ```
 */
export function vllmBenchResult(
  f: VllmBenchFigures,
  settings: VllmBenchSettings,
  options: VllmBenchResultOptions,
): Record<string, unknown> {
  const r = f.requests;
  const n = r?.startS.length ?? 0;
  // Numbers stay in their typed arrays (vllmBenchJson writes them as lists).
  const each = <T>(g: (i: number) => T): T[] | null =>
    r ? Array.from({ length: n }, (_, i) => g(i)) : null;
  let gaps = 0;
  for (let i = 0; i < n; i++) gaps += Math.max(0, r!.outputLens[i] - 1);
  const itls = gaps <= (options.maxItlGaps ?? MAX_ITL_GAPS);
  const detailed = options.detailed
    ? {
      input_lens: r?.inputLens ?? null,
      output_lens: r?.outputLens ?? null,
      ttfts: r?.ttftS ?? null,
      itls: itls
        ? each((i) => {
          const o = r!.outputLens[i];
          const gap = (r!.latencyS[i] - r!.ttftS[i]) / (o - 1);
          return new Float64Array(Math.max(0, o - 1)).fill(gap);
        })
        : null,
    }
    : {};
  const out: Record<string, unknown> = {
    date: null,
    endpoint_type: "llmsim",
    backend: "llmsim",
    label: null,
    model_id: settings.modelId,
    tokenizer_id: null,
    num_prompts: settings.numPrompts,
    request_rate: settings.requestRate,
    burstiness: settings.burstiness,
    max_concurrency: settings.maxConcurrency,
    duration: f.durationS,
    completed: f.completed,
    failed: f.failed,
    total_input_tokens: f.totalInput,
    total_output_tokens: f.totalOutput,
    request_throughput: f.requestThroughput,
    request_goodput: f.requestGoodput,
    output_throughput: f.outputThroughput,
    total_token_throughput: f.totalTokenThroughput,
    ...detailed,
    latencies: r?.latencyS ?? null,
    ...(options.detailed && { start_times: r?.startS ?? null }),
    queue_times: r ? new Float64Array(n) : null,
    ...(options.detailed && {
      generated_texts: r ? new Array<string>(n).fill("") : null,
      errors: r ? new Array<string>(n).fill("") : null,
    }),
    max_output_tokens_per_s: f.maxOutputTokensPerS,
    max_concurrent_requests: f.maxConcurrentRequests,
    rtfx: 0,
  };
  for (const m of VLLM_BENCH_METRICS) {
    if (!options.metrics.includes(m)) continue;
    const s = f.metrics[m];
    out[`mean_${m}_ms`] = s.mean;
    out[`median_${m}_ms`] = s.median;
    out[`std_${m}_ms`] = s.std;
    for (const [p, v] of s.percentiles) out[`p${pWord(p)}_${m}_ms`] = v;
  }
  // The per-request arrays hold finite numbers and strings already.
  for (const [k, v] of Object.entries(out)) {
    if (!Array.isArray(v) && !ArrayBuffer.isView(v)) out[k] = jsonSafe(v);
  }
  return out;
}

/**
 * JSON text as Python's `json.dump` lays it out (one line, `", "` and
 * `": "` between items), as vLLM's result files are.
 *
 * @param value A JSON-safe value (see {@linkcode vllmBenchResult}).
 * @returns The text, without a final newline (as json.dump writes it).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { vllmBenchJson } from "./vllm_bench.ts";
 * assert.equal(vllmBenchJson({ a: 1, b: [1, "x"], c: null }), '{"a": 1, "b": [1, "x"], "c": null}');
 * assert.equal(vllmBenchJson(Float64Array.of(0.5, 2)), "[0.5, 2]");
 * ```
 */
export function vllmBenchJson(value: unknown): string {
  // A typed array's join writes each number as JSON does (all finite here).
  if (value instanceof Float64Array || value instanceof Int32Array) {
    return `[${value.join(", ")}]`;
  }
  if (Array.isArray(value)) {
    return `[${value.map(vllmBenchJson).join(", ")}]`;
  }
  if (value !== null && typeof value === "object") {
    return `{${
      Object.entries(value).map(([k, v]) =>
        `${JSON.stringify(k)}: ${vllmBenchJson(v)}`
      ).join(", ")
    }}`;
  }
  return JSON.stringify(value);
}

// NaN to null, Infinity to "inf", recursively.
function jsonSafe(value: unknown): unknown {
  if (typeof value === "number") {
    if (Number.isNaN(value)) return null;
    if (value === Infinity) return "inf";
    return value;
  }
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]),
    );
  }
  return value;
}

// Python's str(p) for the percentile word: "99", "99.9".
function pWord(p: number): string {
  return String(p);
}

// Python's "{s:{c}^{n}}" with n = 50.
function centred(text: string, fill: string): string {
  const pad = Math.max(0, 50 - text.length);
  const left = Math.floor(pad / 2);
  return fill.repeat(left) + text + fill.repeat(pad - left);
}

/**
 * A number as Python's `"{:.2f}"` prints it: `nan` and `inf` by name, and
 * a value exactly halfway between two hundredths rounded to the even one
 * (JavaScript's toFixed rounds those up).
 *
 * @param v The number.
 * @returns Two decimals.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { fixed2 } from "./vllm_bench.ts";
 * assert.equal(fixed2(0.125), "0.12");
 * assert.equal(fixed2(0.375), "0.38");
 * assert.equal(fixed2(2.004), "2.00");
 * assert.equal(fixed2(NaN), "nan");
 * ```
 */
export function fixed2(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  const abs = Math.abs(v);
  // Exactly halfway between hundredths: a double k/8 with k odd.
  if (Number.isInteger(abs * 8) && !Number.isInteger(abs * 4)) {
    const floor = Math.floor(abs * 100);
    const even = floor % 2 === 0 ? floor : floor + 1;
    return (v < 0 ? "-" : "") + (even / 100).toFixed(2);
  }
  return v.toFixed(2);
}
