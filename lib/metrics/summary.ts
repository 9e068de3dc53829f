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
import { LogHistogram } from "./log_histogram.ts";
import { LengthStats } from "./length_stats.ts";
import {
  BacklogCurve,
  judgeSaturation,
  type ObservedBacklog,
  type Quarters,
} from "./saturation.ts";

/** A summary value: a number (NaN when undefined), a word, a flag or a group. */
export type SummaryValue =
  | number
  | string
  | boolean
  | null
  | { [key: string]: SummaryValue };

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
  if (dist.mode === "uniform") {
    // A whole number uniform on [low, high]: n = high - low + 1 values.
    const n = dist.high! - dist.low! + 1;
    return {
      mean: (dist.low! + dist.high!) / 2,
      std: Math.sqrt((n * n - 1) / 12),
    };
  }
  if (dist.mode === "empirical") {
    const v = dist.values ?? [];
    if (v.length === 0) return null;
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sq = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
    return { mean, std: Math.sqrt(sq) };
  }
  const p = lognormalParams(dist);
  if (!p) return null;
  const m = realMoments(p);
  return { mean: m.mean, std: m.std };
}

/** Samples of one latency: kept whole (exact percentiles) or in a sketch. */
interface Collector {
  add(v: number): void;
  stats(out: Record<string, unknown>, name: string): void;
}

class ExactCollector implements Collector {
  #values = new Float64Array(1024);
  #n = 0;
  add(v: number): void {
    if (this.#n === this.#values.length) {
      const grown = new Float64Array(this.#n * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#n++] = v;
  }
  stats(out: Record<string, unknown>, name: string): void {
    addStats(out, name, this.#values.subarray(0, this.#n));
  }
}

// Percentiles within 0.5% (relative) of the exact ones (same definition),
// in constant memory.
class SketchCollector implements Collector {
  #h = new LogHistogram();
  add(v: number): void {
    this.#h.add(v);
  }
  stats(out: Record<string, unknown>, name: string): void {
    const h = this.#h;
    out[`mean_${name}_s`] = h.count > 0 ? h.sum / h.count : NaN;
    for (const q of [50, 90, 95, 99]) {
      out[`p${q}_${name}_s`] = h.quantile(q / 100);
    }
  }
}

type Latency =
  | "ttft"
  | "tpot"
  | "e2e"
  | "queue_wait"
  | "prefill_wait"
  | "decode_wait"
  | "prefill_compute"
  | "kv_transfer"
  | "first_decode";

// The measured requests of a group (all of them, or one class).
class GroupStats {
  measured = 0;
  multiToken = 0;
  sloMet = 0;
  finishedInWindow = 0;
  tokensInWindow = 0;
  collectors: Record<Latency, Collector>;
  constructor(sketch: boolean) {
    const make = (): Collector =>
      sketch ? new SketchCollector() : new ExactCollector();
    this.collectors = {
      ttft: make(),
      tpot: make(),
      e2e: make(),
      queue_wait: make(),
      prefill_wait: make(),
      decode_wait: make(),
      prefill_compute: make(),
      kv_transfer: make(),
      first_decode: make(),
    };
  }
}

// Length of [s, e) inside the window [lo, hi).
function clipped(s: number, e: number, lo: number, hi: number): number {
  return Math.max(0, Math.min(e, hi) - Math.max(s, lo));
}

/** Options of {@linkcode SummaryAccumulator}. */
export interface SummaryOptions {
  /** Percentiles from a sketch (0.5% relative error, constant memory) instead of exact. */
  sketch?: boolean;
  /** Mean arrival rate of the workload (default `arrival.rate_per_s`), or a function giving it once the run is over (a trace's). */
  arrivalRatePerS?: number | (() => number);
  /** Names of the request classes, by class index; two or more add `per_class`. */
  classNames?: readonly string[];
  /** Latency targets per class, by class index (default: the scenario's). */
  classSlos?: readonly ({ ttft_s: number; tpot_s: number } | undefined)[];
  /**
   * The measured window [start, end), read live (a trace replay ends it at
   * its last arrival); default [warmup_seconds, sim_seconds).
   */
  window?: readonly [number, number];
  /**
   * Whether the scenario's top-level `prompt_tokens` and `output_tokens`
   * gave any request its length (not in a trace replay, a measured request
   * list, or classes that all give their own); default both. Only a used
   * distribution is described in the summary.
   */
  configuredLengths?: { prompt: boolean; output: boolean };
}

/**
 * Gathers the summary request by request: either over finished records at
 * the end of a run ({@linkcode summarize}) or as each request retires, so
 * that memory does not grow with the number of requests (with `sketch`).
 */
export class SummaryAccumulator {
  #scenario: Scenario;
  #options: SummaryOptions;
  #all: GroupStats;
  #classes: GroupStats[];
  #requests = 0;
  #promptSum = 0;
  #outputSum = 0;
  #busy = { gpu: 0, prefill: 0, decode: 0 };
  #window: readonly [number, number];
  // Every request, warm-up included: the backlog over time.
  #backlog = new BacklogCurve(1e-3);
  #inSystemAtEnd = 0;
  #waitingAtEnd = 0;
  #arrivalsInWindow = 0;
  #promptLengths = new LengthStats();
  #outputLengths = new LengthStats();

  /**
   * Creates an empty accumulator.
   *
   * @param scenario The scenario being run.
   * @param options Sketch or exact percentiles, rate, classes.
   *
   * @example Usage
   * ```ts
   * import { SummaryAccumulator } from "./summary.ts";
   * import { RequestRecords } from "./records.ts";
   * import { validateScenario } from "../scenario/validate.ts";
   * const s = validateScenario({ mode: "mono", sim_seconds: 10, warmup_seconds: 0 });
   * const r = new RequestRecords();
   * const i = r.add(1, 100, 11);
   * r.prefillStartS[i] = 1; r.prefillEndS[i] = 1.5; r.decodeStartS[i] = 1.5;
   * r.firstTokenS[i] = 1.5; r.finishS[i] = 2.5;
   * const acc = new SummaryAccumulator(s);
   * acc.observe(r, i);
   * const out = acc.summary(2.5);
   * if (out.mean_tpot_s !== 0.1) throw new Error(String(out.mean_tpot_s));
   * ```
   */
  constructor(scenario: Scenario, options: SummaryOptions = {}) {
    this.#scenario = scenario;
    this.#options = options;
    this.#window = options.window ??
      [scenario.warmup_seconds, scenario.sim_seconds];
    const sketch = options.sketch ?? false;
    this.#all = new GroupStats(sketch);
    const classes = options.classNames?.length ?? 0;
    this.#classes = classes > 1
      ? Array.from({ length: classes }, () => new GroupStats(sketch))
      : [];
  }

  /**
   * Takes one finished request into the summary.
   *
   * @param records The run's records.
   * @param i The request's index.
   */
  observe(records: RequestRecords, i: number): void {
    const sc = this.#scenario;
    const lo = this.#window[0];
    const hi = this.#window[1];
    const prompt = records.promptTokens[i];
    const output = records.outputTokens[i];
    this.#requests++;
    this.#promptSum += prompt;
    this.#outputSum += output;
    const a = records.arrivalS[i];
    const prefillStart = records.prefillStartS[i];
    const prefillEnd = records.prefillEndS[i];
    const decodeStart = records.decodeStartS[i];
    const firstToken = records.firstTokenS[i];
    const finish = records.finishS[i];
    if (sc.mode === "disagg") {
      this.#busy.prefill += clipped(prefillStart, prefillEnd, lo, hi);
      this.#busy.decode += clipped(decodeStart, finish, lo, hi);
    } else this.#busy.gpu += clipped(prefillStart, finish, lo, hi);

    this.#backlog.add(a, finish);
    if (a < hi && a >= lo) this.#arrivalsInWindow++;
    if (a < hi && finish >= hi) {
      this.#inSystemAtEnd++;
      if (prefillStart >= hi) this.#waitingAtEnd++;
    }

    const cls = records.classIndex[i];
    const group = this.#classes[cls];
    const inWindow = finish >= lo && finish < hi;
    const measured = a >= lo;
    if (!measured && !inWindow) return;
    if (measured) {
      this.#promptLengths.add(prompt);
      this.#outputLengths.add(output);
    }
    const ttft = firstToken - a;
    const e2e = finish - a;
    const prefillWait = prefillStart - a;
    // Batched disagg: the wait for decode room ends when the KV transfer
    // starts; the transfer (link queue included) ends at decode admission.
    const kvStart = records.kvTransferStartS[i];
    // A one-token reply can finish at the prefill instance, never reaching
    // decode: its decode-side parts of TTFT are then 0, not NaN.
    const decodeAt = Number.isNaN(decodeStart) ? firstToken : decodeStart;
    const handoff = Number.isNaN(kvStart) ? decodeAt : kvStart;
    const decodeWait = handoff - prefillEnd;
    const tpot = output > 1 ? (e2e - ttft) / (output - 1) : NaN;
    const slo = this.#options.classSlos?.[cls] ?? sc.slo;
    // DistServe's attainment: both limits met (a one-token reply has no TPOT).
    const met = slo !== undefined && ttft <= slo.ttft_s &&
      (output <= 1 || tpot <= slo.tpot_s);
    for (let pass = 0; pass < (group ? 2 : 1); pass++) {
      const g = pass === 0 ? this.#all : group!;
      if (inWindow) {
        g.finishedInWindow++;
        g.tokensInWindow += output;
      }
      if (!measured) continue;
      g.measured++;
      const c = g.collectors;
      c.ttft.add(ttft);
      c.e2e.add(e2e);
      c.prefill_wait.add(prefillWait);
      c.prefill_compute.add(prefillEnd - prefillStart);
      c.decode_wait.add(decodeWait);
      c.kv_transfer.add(decodeAt - handoff);
      c.first_decode.add(firstToken - decodeAt);
      c.queue_wait.add(prefillWait + decodeWait);
      if (output > 1) {
        g.multiToken++;
        c.tpot.add(tpot);
      }
      if (met) g.sloMet++;
    }
  }

  /**
   * Mean prompt and output lengths of the requests observed so far.
   *
   * @returns The means (NaN before any request).
   */
  meanTokens(): { prompt: number; output: number } {
    const n = this.#requests;
    return { prompt: this.#promptSum / n, output: this.#outputSum / n };
  }

  /**
   * What the requests observed so far show of the backlog, for
   * {@linkcode judgeSaturation}.
   *
   * @returns Arrivals, finishes and requests in the system over the window.
   */
  observedBacklog(): ObservedBacklog {
    const [lo, hi] = this.#window;
    const curve = this.#backlog;
    const at = (k: number) => lo + (hi - lo) * k / 4;
    const quarterly = (f: (fromS: number, toS: number) => number) =>
      [0, 1, 2, 3].map((k) => f(at(k), at(k + 1))) as unknown as Quarters;
    let quarters = quarterly((a, b) => curve.meanInSystem(a, b));
    // A window narrower than a few bins (a drain far longer than it): the
    // counts at the quarters' ends.
    if (quarters.some(Number.isNaN)) {
      quarters = quarterly((_, b) => curve.inSystemAt(b));
    }
    const quarterRates = quarterly((a, b) => curve.arrivalRate(a, b));
    return {
      window: [lo, hi],
      quarterRates,
      arrivals: this.#arrivalsInWindow,
      finishes: this.#all.finishedInWindow,
      quarters,
      inSystemAtEnd: this.#inSystemAtEnd,
      waitingAtEnd: this.#waitingAtEnd,
    };
  }

  /**
   * The summary of the requests observed so far.
   *
   * @param endS When the last request finished.
   * @returns The summary, with NaN where a value is undefined.
   */
  summary(endS: number): Summary {
    const scenario = this.#scenario;
    const [lo, hi] = this.#window;
    const windowS = hi - lo;
    const disagg = scenario.mode === "disagg";
    const all = this.#all;
    const n = this.#requests;
    const given = this.#options.arrivalRatePerS;
    const rate = typeof given === "function"
      ? given()
      : given ?? scenario.arrival.rate_per_s ?? NaN;
    const out: Summary = { mode: scenario.mode, num_samples: all.measured };
    all.collectors.ttft.stats(out, "ttft");
    out.elapsed_s = endS;
    out.throughput_rps = all.finishedInWindow / windowS;
    out.arrival_rate_per_s = rate;
    // The configured distributions where they were used, and always the
    // lengths the measured requests had.
    const used = this.#options.configuredLengths ??
      { prompt: true, output: true };
    if (used.prompt) {
      out.prompt_tokens_log = tokenLog(scenario.prompt_tokens);
      out.prompt_tokens_real = tokenReal(scenario.prompt_tokens);
    }
    if (used.output) {
      out.output_tokens_log = tokenLog(scenario.output_tokens);
      out.output_tokens_real = tokenReal(scenario.output_tokens);
    }
    out.prompt_tokens_simulated = this.#promptLengths.summary();
    out.output_tokens_simulated = this.#outputLengths.summary();

    const meanPrompt = n > 0 ? this.#promptSum / n : NaN;
    const meanOutput = n > 0 ? this.#outputSum / n : NaN;
    let offered: Record<string, number>;
    if (disagg) {
      const c = scenario.cluster_disagg;
      out.utilization_prefill = this.#busy.prefill / (c.prefill_gpus * windowS);
      out.utilization_decode = this.#busy.decode / (c.decode_gpus * windowS);
      out.prefill_gpus = c.prefill_gpus;
      out.decode_gpus = c.decode_gpus;
      offered = {
        prefill: rate * meanPrompt / c.prefill_tokens_per_s / c.prefill_gpus,
        decode: rate * meanOutput / c.decode_tokens_per_s / c.decode_gpus,
      };
    } else {
      const c = scenario.cluster_mono;
      out.utilization_gpu = this.#busy.gpu / (c.num_gpus * windowS);
      out.num_gpus = c.num_gpus;
      const serviceS = meanPrompt / c.prefill_tokens_per_s +
        meanOutput / c.decode_tokens_per_s;
      offered = { gpu: rate * serviceS / c.num_gpus };
    }
    const gpus = disagg
      ? scenario.cluster_disagg.prefill_gpus +
        scenario.cluster_disagg.decode_gpus
      : scenario.cluster_mono.num_gpus;
    this.#groupStats(out, all, windowS, gpus, scenario.slo);
    out.offered_load = offered;
    const sat = judgeSaturation(offered, this.observedBacklog());
    out.stable = sat.verdict === "stable";
    out.saturation = sat.verdict;
    out.saturation_evidence = sat.evidence;
    out.num_requests = n;
    out.num_tpot_samples = all.multiToken;
    out.measured_window_s = windowS;
    out.random_seed = scenario.random_seed;
    out.batching = scenario.batching;
    if (this.#classes.length > 0) {
      const perClass: Record<string, SummaryValue> = {};
      this.#classes.forEach((g, k) => {
        const c: Summary = { num_samples: g.measured };
        c.throughput_rps = g.finishedInWindow / windowS;
        for (const name of ["ttft", "tpot", "e2e", "queue_wait"] as const) {
          g.collectors[name].stats(c, name);
        }
        c.output_tokens_per_s = g.tokensInWindow / windowS;
        const slo = this.#options.classSlos?.[k] ?? scenario.slo;
        if (slo) {
          c.slo_ttft_s = slo.ttft_s;
          c.slo_tpot_s = slo.tpot_s;
          c.slo_attainment = g.measured > 0 ? g.sloMet / g.measured : NaN;
          c.goodput_rps = g.sloMet / windowS;
        }
        c.num_tpot_samples = g.multiToken;
        perClass[this.#options.classNames![k]] = c;
      });
      out.per_class = perClass;
    }
    return out;
  }

  #groupStats(
    out: Summary,
    g: GroupStats,
    windowS: number,
    gpus: number,
    slo: Scenario["slo"],
  ): void {
    const scenario = this.#scenario;
    const disagg = scenario.mode === "disagg";
    const c = g.collectors;
    c.tpot.stats(out, "tpot");
    c.e2e.stats(out, "e2e");
    c.queue_wait.stats(out, "queue_wait");
    if (disagg) {
      c.prefill_wait.stats(out, "prefill_wait");
      c.decode_wait.stats(out, "decode_wait");
    }
    // The parts of TTFT add up to it in every mode: mono queue wait +
    // prefill compute (+ first decode, exclusive); disagg prefill wait +
    // prefill compute (+ decode wait + KV transfer + first decode when the
    // first token comes from the decode side).
    c.prefill_compute.stats(out, "prefill_compute");
    if (scenario.batching === "continuous") {
      if (disagg) {
        c.kv_transfer.stats(out, "kv_transfer");
        if (scenario.cluster_disagg.ttft_at === "decode") {
          c.first_decode.stats(out, "first_decode");
        }
      }
    } else c.first_decode.stats(out, "first_decode");
    out.output_tokens_per_s = g.tokensInWindow / windowS;
    out.throughput_rps_per_gpu = g.finishedInWindow / windowS / gpus;
    out.output_tokens_per_s_per_gpu = g.tokensInWindow / windowS / gpus;
    const classSlos = this.#options.classSlos?.some((x) => x !== undefined);
    if (slo || classSlos) {
      if (slo) {
        out.slo_ttft_s = slo.ttft_s;
        out.slo_tpot_s = slo.tpot_s;
      }
      out.slo_attainment = g.measured > 0 ? g.sloMet / g.measured : NaN;
      out.goodput_rps = g.sloMet / windowS;
      out.goodput_rps_per_gpu = g.sloMet / windowS / gpus;
    }
  }
}

/**
 * Summarises a run from its records (every request in them).
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
 * @param options Rate and classes (exact percentiles).
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
  options: Omit<SummaryOptions, "sketch"> = {},
): Summary {
  const acc = new SummaryAccumulator(scenario, options);
  for (let i = 0; i < records.count; i++) acc.observe(records, i);
  return acc.summary(endS);
}
