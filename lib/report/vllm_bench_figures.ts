/**
 * The figures `vllm bench serve` reports, computed from a simulated run
 * the way vLLM computes them from a measured one (see
 * {@linkcode vllmBenchFigures}); `vllm_bench.ts` prints and saves them.
 *
 * Definitions, as in `calculate_metrics()` and `benchmark()` of
 * vllm/benchmarks/serve.py (vllm-project/vllm at commit 009e6d4a,
 * https://github.com/vllm-project/vllm/blob/009e6d4a1cd6ba3fb2a9fc00f4ec06f5297232a1/vllm/benchmarks/serve.py):
 * the run is the measured requests (those arriving at or after
 * `warmup_seconds`; vLLM's `--num-warmups` requests are likewise left out),
 * and every throughput divides by the benchmark duration. Statistics are
 * numpy's: `np.mean`, `np.median`, population `np.std` and `np.percentile`
 * (linear interpolation), in milliseconds, and 0 for an empty set (vLLM's
 * `values or 0`).
 *
 * @module
 */

import type { SimulationResult } from "../analysis/simulate.ts";
import { InputError } from "../errors.ts";
import type { LogHistogram } from "../metrics/log_histogram.ts";
import { type MetricName, metricValue } from "../metrics/metric_names.ts";
import type { RequestRecords } from "../metrics/records.ts";

/** A metric vLLM reports percentiles of (`--percentile-metrics`). */
export type VllmBenchMetric = "ttft" | "tpot" | "itl" | "e2el";

/** The metrics, in the order vLLM prints them. */
export const VLLM_BENCH_METRICS: readonly VllmBenchMetric[] = [
  "ttft",
  "tpot",
  "itl",
  "e2el",
];

/** One metric's statistics, milliseconds (NaN where unknown). */
export interface VllmBenchStats {
  /** Mean. */
  mean: number;
  /** Median (numpy's 50th percentile). */
  median: number;
  /** Population standard deviation (NaN from a sketch). */
  std: number;
  /** The asked percentiles, as [percentile, value] pairs in the order asked. */
  percentiles: [number, number][];
}

/** Each measured request, in the order the requests arrived (vLLM's order of issue). */
export interface VllmBenchRequests {
  /** Prompt tokens. */
  inputLens: Int32Array;
  /** Output tokens. */
  outputLens: Int32Array;
  /** Time to first token, seconds. */
  ttftS: Float64Array;
  /** End-to-end latency, seconds. */
  latencyS: Float64Array;
  /** Arrival (send) time, seconds of simulated time. */
  startS: Float64Array;
}

/** What `vllm bench serve` reports of a run. */
export interface VllmBenchFigures {
  /** Successful requests: the measured requests (all finish). */
  completed: number;
  /** Failed requests: measured requests refused for `max_model_len`. */
  failed: number;
  /** Benchmark duration: from the measured window's start to the run's last completion, seconds. */
  durationS: number;
  /** Prompt tokens of the measured requests. */
  totalInput: number;
  /** Output tokens of the measured requests. */
  totalOutput: number;
  /** completed / duration. */
  requestThroughput: number;
  /** Measured requests meeting the scenario's SLO per second of the duration (null without an SLO). */
  requestGoodput: number | null;
  /** totalOutput / duration. */
  outputThroughput: number;
  /** (totalInput + totalOutput) / duration. */
  totalTokenThroughput: number;
  /** Most output tokens in one 1-second bucket from the first send (NaN without records). */
  maxOutputTokensPerS: number;
  /** Most measured requests in flight at once (NaN without records). */
  maxConcurrentRequests: number;
  /** Each metric's statistics. */
  metrics: Record<VllmBenchMetric, VllmBenchStats>;
  /** Whether the TTFT, TPOT and E2EL figures come from the summary's sketch (no records). */
  sketched: boolean;
  /** The measured requests (absent without records). */
  requests?: VllmBenchRequests;
}

/** Options of {@linkcode vllmBenchFigures}. */
export interface VllmBenchFiguresOptions {
  /** The percentiles to report (`--metric-percentiles`), in [0, 100]. */
  percentiles: readonly number[];
  /** Batched runs: every token gap of measured requests (the run's `itl`). */
  itl?: LogHistogram;
}

// The percentiles a summary holds, for runs without records.
const SUMMARY_PERCENTILES = [50, 90, 95, 99] as const;

/**
 * The figures of `vllm bench serve` for a simulated run.
 *
 * With the run's records (exact percentiles), TTFT, TPOT (e2e - TTFT over
 * output - 1, requests with more than one output token) and E2EL are
 * computed from every measured request as numpy would; ITL pools every
 * token gap of measured requests: in batched runs from the run's gap
 * histogram (mean and standard deviation exact, percentiles within 0.5%),
 * under exclusive service from the records (each request's O - 1 gaps are
 * equal there, its TPOT). The peak output-token rate spreads each request's
 * tokens evenly from its first token to its finish (exact under exclusive
 * service). Without records (`metrics.percentiles: sketch`) the figures
 * come from the summary: `sketched` is set, the percentiles must be among
 * 50, 90, 95, 99, standard deviations and peaks are NaN.
 *
 * @param result The run (records kept, or a sketch run).
 * @param options The percentiles, the gap histogram.
 * @returns The figures.
 * @throws {InputError} A percentile a sketch run does not have.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { simulate } from "../analysis/simulate.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * import { vllmBenchFigures } from "./vllm_bench_figures.ts";
 * const r = simulate(validateScenario({ mode: "mono", sim_seconds: 60, warmup_seconds: 6 }));
 * const f = vllmBenchFigures(r, { percentiles: [99] });
 * assert.equal(f.completed, r.summary.num_samples);
 * assert.ok(Math.abs(f.metrics.ttft.mean - r.summary.mean_ttft_s * 1000) < 1e-6);
 * assert.ok(Math.abs(f.totalTokenThroughput - f.outputThroughput - f.totalInput / f.durationS) < 1e-9);
 * ```
 */
export function vllmBenchFigures(
  result: SimulationResult,
  options: VllmBenchFiguresOptions,
): VllmBenchFigures {
  const { summary, scenario, records } = result;
  const start = scenario.warmup_seconds;
  const durationS = summary.elapsed_s - start;
  const failed = summary.rejected_requests ?? 0;
  const completed = summary.num_samples;
  // Every request in its own slot (none recycled): the records are whole.
  const kept = records.count === records.added && records.added > 0;
  const qs = options.percentiles;
  let totalInput: number, totalOutput: number;
  let metrics: Record<VllmBenchMetric, VllmBenchStats>;
  let peaks = { tokens: NaN, concurrent: NaN };
  let requests: VllmBenchRequests | undefined;
  if (kept) {
    requests = measuredRequests(records, start);
    totalInput = sum(requests.inputLens);
    totalOutput = sum(requests.outputLens);
    const { ttftS, latencyS, outputLens } = requests;
    const n = ttftS.length;
    let multi = 0;
    for (let i = 0; i < n; i++) if (outputLens[i] > 1) multi++;
    const tpot = new Float64Array(multi);
    const weights = new Float64Array(multi);
    for (let i = 0, k = 0; i < n; i++) {
      if (outputLens[i] > 1) {
        tpot[k] = (latencyS[i] - ttftS[i]) / (outputLens[i] - 1);
        weights[k++] = outputLens[i] - 1;
      }
    }
    metrics = {
      ttft: exactStats(ttftS, qs),
      tpot: exactStats(tpot, qs),
      itl: options.itl
        ? histogramStats(options.itl, qs)
        : weightedStats(tpot, weights, qs),
      e2el: exactStats(latencyS, qs),
    };
    peaks = peakFigures(requests);
  } else {
    const bad = qs.find((p) =>
      !(SUMMARY_PERCENTILES as readonly number[]).includes(p)
    );
    if (bad !== undefined) {
      throw new InputError(
        `--metric-percentiles ${bad}: metrics.percentiles is ${scenario.metrics.percentiles}, which keeps only the 50th, 90th, 95th and 99th; set it to exact`,
      );
    }
    totalInput = Math.round(
      (summary.prompt_tokens_simulated?.mean ?? 0) * completed,
    );
    totalOutput = Math.round(
      (summary.output_tokens_simulated?.mean ?? 0) * completed,
    );
    const from = (name: "ttft" | "tpot" | "e2e", samples: number) => {
      const key = (p: number) => `p${p}_${name}_s` as MetricName;
      const ms = (v: number | undefined) => samples > 0 ? (v ?? NaN) * 1000 : 0;
      return {
        mean: ms(summary[`mean_${name}_s`]),
        median: ms(metricValue(summary, key(50))),
        std: NaN,
        percentiles: qs.map((p): [number, number] => [
          p,
          ms(metricValue(summary, key(p))),
        ]),
      };
    };
    metrics = {
      ttft: from("ttft", completed),
      tpot: from("tpot", summary.num_tpot_samples),
      itl: options.itl ? histogramStats(options.itl, qs) : {
        mean: NaN,
        median: NaN,
        std: NaN,
        percentiles: qs.map((p) => [p, NaN]),
      },
      e2el: from("e2e", completed),
    };
  }
  const met = typeof summary.slo_attainment === "number" &&
      Number.isFinite(summary.slo_attainment)
    ? Math.round(summary.slo_attainment * (completed + failed))
    : null;
  return {
    completed,
    failed,
    durationS,
    totalInput,
    totalOutput,
    requestThroughput: completed / durationS,
    requestGoodput: met === null ? null : met / durationS,
    outputThroughput: totalOutput / durationS,
    totalTokenThroughput: (totalInput + totalOutput) / durationS,
    maxOutputTokensPerS: peaks.tokens,
    maxConcurrentRequests: peaks.concurrent,
    metrics,
    sketched: !kept,
    ...(requests && { requests }),
  };
}

function measuredRequests(
  records: RequestRecords,
  start: number,
): VllmBenchRequests {
  let n = 0;
  for (let i = 0; i < records.count; i++) if (records.arrivalS[i] >= start) n++;
  const out: VllmBenchRequests = {
    inputLens: new Int32Array(n),
    outputLens: new Int32Array(n),
    ttftS: new Float64Array(n),
    latencyS: new Float64Array(n),
    startS: new Float64Array(n),
  };
  for (let i = 0, k = 0; i < records.count; i++) {
    const a = records.arrivalS[i];
    if (!(a >= start)) continue;
    out.inputLens[k] = records.promptTokens[i];
    out.outputLens[k] = records.outputTokens[i];
    out.ttftS[k] = records.firstTokenS[i] - a;
    out.latencyS[k] = records.finishS[i] - a;
    out.startS[k++] = a;
  }
  return out;
}

function sum(values: Int32Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}

/**
 * numpy's `percentile` (method "linear") of sorted values: rank (n - 1) q
 * with q = p / 100, and numpy's `_lerp`, which interpolates from the upper
 * neighbour when the fraction is at least 0.5.
 *
 * @param sorted Values sorted ascending (not empty).
 * @param p The percentile, in [0, 100].
 * @returns The percentile.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { numpyPercentile } from "./vllm_bench_figures.ts";
 * assert.equal(numpyPercentile(Float64Array.of(1, 2, 3, 4), 50), 2.5);
 * assert.equal(numpyPercentile(Float64Array.of(10, 20), 25), 12.5);
 * ```
 */
export function numpyPercentile(sorted: ArrayLike<number>, p: number): number {
  return lerpAt(sorted.length, p, (k) => sorted[k]);
}

// The interpolated value at numpy's rank for p among n ordered values,
// value(k) giving the k-th (0-based).
function lerpAt(n: number, p: number, value: (k: number) => number): number {
  const rank = (n - 1) * (p / 100);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, n - 1);
  const t = rank - lo;
  const a = value(lo), b = value(hi);
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

function exactStats(
  values: Float64Array,
  qs: readonly number[],
): VllmBenchStats {
  const n = values.length;
  if (n === 0) return zeroStats(qs);
  const sorted = Float64Array.from(values).sort();
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i];
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  return {
    mean: mean * 1000,
    median: numpyPercentile(sorted, 50) * 1000,
    std: Math.sqrt(ss / n) * 1000,
    percentiles: qs.map((p) => [p, numpyPercentile(sorted, p) * 1000]),
  };
}

// Values each repeated weight times (a request's equal token gaps).
function weightedStats(
  values: Float64Array,
  weights: Float64Array,
  qs: readonly number[],
): VllmBenchStats {
  let n = 0, s = 0;
  for (let i = 0; i < values.length; i++) {
    n += weights[i];
    s += values[i] * weights[i];
  }
  if (n === 0) return zeroStats(qs);
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    ss += weights[i] * (values[i] - mean) ** 2;
  }
  const order = Uint32Array.from(values.keys()).sort((a, b) =>
    values[a] - values[b]
  );
  const ends = new Float64Array(order.length);
  let c = 0;
  for (let k = 0; k < order.length; k++) ends[k] = c += weights[order[k]];
  // The k-th of the expanded values: the first group whose end passes k.
  const at = (k: number) => {
    let lo = 0, hi = ends.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid] > k) hi = mid;
      else lo = mid + 1;
    }
    return values[order[lo]];
  };
  return {
    mean: mean * 1000,
    median: lerpAt(n, 50, at) * 1000,
    std: Math.sqrt(ss / n) * 1000,
    percentiles: qs.map((p) => [p, lerpAt(n, p, at) * 1000]),
  };
}

function histogramStats(
  h: LogHistogram,
  qs: readonly number[],
): VllmBenchStats {
  if (h.count === 0) return zeroStats(qs);
  const mean = h.sum / h.count;
  return {
    mean: mean * 1000,
    median: h.quantile(0.5) * 1000,
    std: Math.sqrt(Math.max(0, h.sumSq / h.count - mean * mean)) * 1000,
    percentiles: qs.map((p) => [p, h.quantile(p / 100) * 1000]),
  };
}

function zeroStats(qs: readonly number[]): VllmBenchStats {
  return { mean: 0, median: 0, std: 0, percentiles: qs.map((p) => [p, 0]) };
}

// vLLM's peaks: output tokens per 1-second bucket from the earliest send,
// and the most requests in flight ([send, finish), a finish before a send
// at the same instant). Requests come in arrival order.
function peakFigures(r: VllmBenchRequests): {
  tokens: number;
  concurrent: number;
} {
  const n = r.startS.length;
  if (n === 0) return { tokens: 0, concurrent: 0 };
  const first = r.startS[0];
  const ends = new Float64Array(n);
  for (let i = 0; i < n; i++) ends[i] = r.startS[i] + r.latencyS[i];
  ends.sort();
  const buckets = new Float64Array(Math.ceil(ends[n - 1] - first) + 1);
  for (let i = 0; i < n; i++) {
    const t0 = r.startS[i] + r.ttftS[i];
    const o = r.outputLens[i];
    const gap = o > 1 ? (r.latencyS[i] - r.ttftS[i]) / (o - 1) : 0;
    // Token j is at t0 + j gap, in bucket floor(t0 + j gap - first), which
    // never decreases with j: count a bucket's tokens at once, from an
    // estimate of its last one corrected against that same expression.
    const bucketOf = (j: number) => Math.floor(t0 + j * gap - first);
    let j = 0;
    while (j < o) {
      const b = bucketOf(j);
      let k = gap > 0
        ? Math.max(j, Math.min(o - 1, Math.floor((b + 1 + first - t0) / gap)))
        : o - 1;
      while (k > j && bucketOf(k) > b) k--;
      while (k + 1 < o && bucketOf(k + 1) === b) k++;
      if (b >= 0 && b < buckets.length) buckets[b] += k - j + 1;
      j = k + 1;
    }
  }
  let tokens = 0;
  for (const c of buckets) tokens = Math.max(tokens, c);
  // Sends in order, finishes sorted: a finish at or before a send leaves first.
  let concurrent = 0, now = 0, e = 0;
  for (let i = 0; i < n; i++) {
    while (ends[e] <= r.startS[i]) {
      e++;
      now--;
    }
    now++;
    concurrent = Math.max(concurrent, now);
  }
  return { tokens, concurrent };
}
