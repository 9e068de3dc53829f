/**
 * Turns per-request records into the summary that `simulate` prints. Only
 * requests that arrive in [warmup_seconds, sim_seconds) are measured; the
 * run drains after the horizon, so every measured request has finished and
 * none is silently dropped.
 *
 * @module
 */

import type { Scenario, TokenDistribution } from "../scenario/types.ts";
import { lognormalParams, realMoments } from "../workload/tokens.ts";
import type { RequestRecords } from "./records.ts";
import { mean, quantilesInPlace } from "./percentile.ts";

/** A summary value: a number (NaN when undefined), a word, a flag or a group. */
export type SummaryValue =
  | number
  | string
  | boolean
  | null
  | { [key: string]: number | null };

/** The flat summary of one run, keyed as the JSON output. */
export type Summary = Record<string, SummaryValue>;

/** The statistics reported for each latency. */
export const STAT_PREFIXES = ["mean", "p50", "p90", "p95", "p99"] as const;

/**
 * Adds `mean_NAME_s`, `p50_NAME_s`, ... `p99_NAME_s` for the values.
 *
 * @param out The summary to extend.
 * @param name The metric's name, e.g. `ttft`.
 * @param values The samples; they are reordered in place.
 *
 * @example Usage
 * ```ts
 * import { addStats } from "./summary.ts";
 * const s: Record<string, unknown> = {};
 * addStats(s, "ttft", Float64Array.of(3, 1, 2));
 * if (s.p50_ttft_s !== 2 || s.mean_ttft_s !== 2) throw new Error();
 * ```
 */
export function addStats(
  out: Record<string, unknown>,
  name: string,
  values: Float64Array,
): void {
  out[`mean_${name}_s`] = mean(values);
  const [p50, p90, p95, p99] = quantilesInPlace(values, [0.5, 0.9, 0.95, 0.99]);
  out[`p50_${name}_s`] = p50;
  out[`p90_${name}_s`] = p90;
  out[`p95_${name}_s`] = p95;
  out[`p99_${name}_s`] = p99;
}

function tokenLog(dist: TokenDistribution): SummaryValue {
  const p = lognormalParams(dist);
  return p ? { mu: p.mu, sigma: p.sigma, min_value: dist.min_value } : null;
}

function tokenReal(dist: TokenDistribution): SummaryValue {
  if (dist.mode === "constant") return { mean: dist.value!, std: 0 };
  if (dist.mode === "exponential") return { mean: dist.mean!, std: dist.mean! };
  const m = realMoments(lognormalParams(dist)!);
  return { mean: m.mean, std: m.std };
}

// Busy time of [start, end) intervals clipped to the window [lo, hi).
function busyInWindow(
  starts: Float64Array,
  ends: Float64Array,
  n: number,
  lo: number,
  hi: number,
): number {
  let busy = 0;
  for (let i = 0; i < n; i++) {
    const s = Math.max(starts[i], lo);
    const e = Math.min(ends[i], hi);
    if (e > s) busy += e - s;
  }
  return busy;
}

/**
 * Summarises a run.
 *
 * Definitions (seconds): TTFT = first token - arrival; TPOT = (e2e - TTFT) /
 * (output - 1) over requests with more than one output token; e2e = finish -
 * arrival; queue wait = time spent waiting for a GPU (in disagg, prefill wait
 * + decode wait). Throughput counts requests that finish inside the measured
 * window, divided by its length. Utilisation is busy GPU-time inside the
 * window over GPUs x window. Offered load rho is the arrival rate times the
 * mean service time of the generated requests over the pool's GPU count.
 * With an `slo`, `slo_attainment` is the share of measured requests whose
 * TTFT and TPOT both meet it, and `goodput_rps` those requests per second
 * of the window.
 *
 * @param scenario The scenario that was run.
 * @param records The run's records.
 * @param endS When the last request finished.
 * @returns The summary, with NaN where a value is undefined.
 *
 * @example Usage
 * ```ts
 * import { summarize } from "./summary.ts";
 * import { runExclusive } from "../serving/exclusive.ts";
 * import { scenarioWorkload } from "../workload/workload.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const s = validateScenario({ mode: "mono", sim_seconds: 100, warmup_seconds: 10 });
 * const run = runExclusive(s, scenarioWorkload(s));
 * const summary = summarize(s, run.records, run.endS);
 * if (!((summary.num_samples as number) > 0)) throw new Error();
 * ```
 */
export function summarize(
  scenario: Scenario,
  records: RequestRecords,
  endS: number,
): Summary {
  const lo = scenario.warmup_seconds;
  const hi = scenario.sim_seconds;
  const windowS = hi - lo;
  const n = records.count;
  const disagg = scenario.mode === "disagg";
  const {
    arrivalS,
    prefillStartS,
    prefillEndS,
    decodeStartS,
    firstTokenS,
    finishS,
  } = records;

  let measured = 0;
  let multiToken = 0;
  for (let i = 0; i < n; i++) {
    if (arrivalS[i] >= lo) {
      measured++;
      if (records.outputTokens[i] > 1) multiToken++;
    }
  }
  const ttft = new Float64Array(measured);
  const e2e = new Float64Array(measured);
  const queueWait = new Float64Array(measured);
  const prefillWait = new Float64Array(measured);
  const decodeWait = new Float64Array(measured);
  const prefillCompute = new Float64Array(measured);
  const kvTransfer = new Float64Array(measured);
  const firstDecode = new Float64Array(measured);
  const { kvTransferStartS } = records;
  const tpot = new Float64Array(multiToken);
  const slo = scenario.slo;
  let sloMet = 0;
  let finishedInWindow = 0;
  let tokensInWindow = 0;
  let serviceSumS = 0;
  let promptSum = 0;
  let outputSum = 0;
  for (let i = 0, m = 0, k = 0; i < n; i++) {
    promptSum += records.promptTokens[i];
    outputSum += records.outputTokens[i];
    if (finishS[i] >= lo && finishS[i] < hi) {
      finishedInWindow++;
      tokensInWindow += records.outputTokens[i];
    }
    if (arrivalS[i] < lo) continue;
    const a = arrivalS[i];
    ttft[m] = firstTokenS[i] - a;
    e2e[m] = finishS[i] - a;
    prefillWait[m] = prefillStartS[i] - a;
    prefillCompute[m] = prefillEndS[i] - prefillStartS[i];
    // Batched disagg: the wait for decode room ends when the KV transfer
    // starts; the transfer (link queue included) ends at decode admission.
    const handoffS = Number.isNaN(kvTransferStartS[i])
      ? decodeStartS[i]
      : kvTransferStartS[i];
    decodeWait[m] = handoffS - prefillEndS[i];
    kvTransfer[m] = decodeStartS[i] - handoffS;
    firstDecode[m] = firstTokenS[i] - decodeStartS[i];
    queueWait[m] = prefillWait[m] + decodeWait[m];
    let tpotS = 0;
    if (records.outputTokens[i] > 1) {
      tpotS = (e2e[m] - ttft[m]) / (records.outputTokens[i] - 1);
      tpot[k++] = tpotS;
    }
    // DistServe's attainment: both limits met (a one-token reply has no TPOT).
    if (slo && ttft[m] <= slo.ttft_s && tpotS <= slo.tpot_s) sloMet++;
    m++;
  }

  const out: Summary = { mode: scenario.mode, num_samples: measured };
  addStats(out, "ttft", ttft);
  out.elapsed_s = endS;
  out.throughput_rps = finishedInWindow / windowS;
  out.arrival_rate_per_s = scenario.arrival.rate_per_s;
  out.prompt_tokens_log = tokenLog(scenario.prompt_tokens);
  out.prompt_tokens_real = tokenReal(scenario.prompt_tokens);
  out.output_tokens_log = tokenLog(scenario.output_tokens);
  out.output_tokens_real = tokenReal(scenario.output_tokens);

  const rate = scenario.arrival.rate_per_s;
  const meanPrompt = n > 0 ? promptSum / n : NaN;
  const meanOutput = n > 0 ? outputSum / n : NaN;
  let offered: Record<string, number>;
  if (disagg) {
    const c = scenario.cluster_disagg;
    out.utilization_prefill =
      busyInWindow(prefillStartS, prefillEndS, n, lo, hi) /
      (c.prefill_gpus * windowS);
    out.utilization_decode = busyInWindow(decodeStartS, finishS, n, lo, hi) /
      (c.decode_gpus * windowS);
    out.prefill_gpus = c.prefill_gpus;
    out.decode_gpus = c.decode_gpus;
    offered = {
      prefill: rate * meanPrompt / c.prefill_tokens_per_s / c.prefill_gpus,
      decode: rate * meanOutput / c.decode_tokens_per_s / c.decode_gpus,
    };
  } else {
    const c = scenario.cluster_mono;
    out.utilization_gpu = busyInWindow(prefillStartS, finishS, n, lo, hi) /
      (c.num_gpus * windowS);
    out.num_gpus = c.num_gpus;
    serviceSumS = promptSum / c.prefill_tokens_per_s +
      outputSum / c.decode_tokens_per_s;
    offered = { gpu: rate * (serviceSumS / n) / c.num_gpus };
  }
  addStats(out, "tpot", tpot);
  addStats(out, "e2e", e2e);
  addStats(out, "queue_wait", queueWait);
  if (disagg) {
    addStats(out, "prefill_wait", prefillWait);
    addStats(out, "decode_wait", decodeWait);
  }
  if (scenario.batching === "continuous") {
    addStats(out, "prefill_compute", prefillCompute);
    if (disagg) {
      addStats(out, "kv_transfer", kvTransfer);
      if (scenario.cluster_disagg.ttft_at === "decode") {
        addStats(out, "first_decode", firstDecode);
      }
    }
  }
  out.output_tokens_per_s = tokensInWindow / windowS;
  const gpus = disagg
    ? scenario.cluster_disagg.prefill_gpus + scenario.cluster_disagg.decode_gpus
    : scenario.cluster_mono.num_gpus;
  out.throughput_rps_per_gpu = finishedInWindow / windowS / gpus;
  out.output_tokens_per_s_per_gpu = tokensInWindow / windowS / gpus;
  if (slo) {
    out.slo_ttft_s = slo.ttft_s;
    out.slo_tpot_s = slo.tpot_s;
    out.slo_attainment = measured > 0 ? sloMet / measured : NaN;
    out.goodput_rps = sloMet / windowS;
    out.goodput_rps_per_gpu = sloMet / windowS / gpus;
  }
  out.offered_load = offered;
  out.stable = Object.values(offered).every((rho) => rho < 1);
  out.num_requests = n;
  out.num_tpot_samples = multiToken;
  out.measured_window_s = windowS;
  out.random_seed = scenario.random_seed;
  out.batching = scenario.batching;
  return out;
}
