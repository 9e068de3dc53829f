/**
 * Turns per-request records into the summary that `simulate` prints. Only
 * requests that arrive in [warmup_seconds, sim_seconds) are measured; the
 * run drains after the horizon, so every measured request has finished and
 * none is silently dropped.
 *
 * @module
 */

import type { RequestRecords } from "./records.ts";
import { mean, quantilesInPlace } from "./percentile.ts";
import { ExactStore, type Figures, type StoreLatency } from "./exact_store.ts";
import { LogHistogram } from "./log_histogram.ts";
import { LengthStats } from "./length_stats.ts";
import {
  BacklogCurve,
  judgeSaturation,
  type ObservedBacklog,
  type OfferedLoad,
  type Quarters,
} from "./saturation.ts";
import type {
  ClassSummary,
  CoreSummary,
  DisaggSummary,
  MonoSummary,
  RefusalSummary,
  SloSummary,
  Summary,
  TokenLogParams,
  TokenMoments,
  TtftPartsSummary,
} from "./summary_types.ts";

export type { Summary, SummaryValue } from "./summary_types.ts";

/** The statistics reported for each latency. */
export const STAT_PREFIXES = ["mean", "p50", "p90", "p95", "p99"] as const;

/** The statistics of one latency `N`, keyed as the summary writes them. */
export type LatencyStats<N extends string> = {
  [S in typeof STAT_PREFIXES[number] as `${S}_${N}_s`]: number;
};

// The keys of one latency's statistics, from its five figures.
function statsOf<N extends string>(
  name: N,
  figures: readonly [number, number, number, number, number],
): LatencyStats<N> {
  const out: Record<string, number> = {};
  STAT_PREFIXES.forEach((s, k) => out[`${s}_${name}_s`] = figures[k]);
  // The keys are built from the name: the compiler cannot follow that.
  return out as LatencyStats<N>;
}

/**
 * `mean_NAME_s`, `p50_NAME_s`, ... `p99_NAME_s` of the values.
 *
 * @param name The metric's name, e.g. `ttft`.
 * @param values The samples; they are reordered in place.
 * @returns The five statistics, keyed as the summary writes them.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { latencyStats } from "./summary.ts";
 * const s = latencyStats("ttft", Float64Array.of(3, 1, 2));
 * assert.equal(s.p50_ttft_s, 2);
 * assert.equal(s.mean_ttft_s, 2);
 * ```
 */
export function latencyStats<N extends string>(
  name: N,
  values: Float64Array,
): LatencyStats<N> {
  // The mean before the quantiles reorder the values (the same sum, bit
  // for bit, as always).
  const m = mean(values);
  const [p50, p90, p95, p99] = quantilesInPlace(values, [0.5, 0.9, 0.95, 0.99]);
  return statsOf(name, [m, p50, p90, p95, p99]);
}

// Percentiles within 0.5% (relative) of the exact ones (same definition),
// in constant memory.
class SketchCollector {
  #h = new LogHistogram();
  add(v: number): void {
    this.#h.add(v);
  }
  figures(): Figures {
    const h = this.#h;
    return [
      h.count > 0 ? h.sum / h.count : NaN,
      h.quantile(0.5),
      h.quantile(0.9),
      h.quantile(0.95),
      h.quantile(0.99),
    ];
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

type Sketches = Record<Latency, SketchCollector>;

function sketches(): Sketches {
  return {
    ttft: new SketchCollector(),
    tpot: new SketchCollector(),
    e2e: new SketchCollector(),
    queue_wait: new SketchCollector(),
    prefill_wait: new SketchCollector(),
    decode_wait: new SketchCollector(),
    prefill_compute: new SketchCollector(),
    kv_transfer: new SketchCollector(),
    first_decode: new SketchCollector(),
  };
}

// The measured requests of a group (all of them, or one class): counts, and
// with sketch percentiles the sketches (exact ones are in the store).
class GroupStats {
  measured = 0;
  multiToken = 0;
  sloMet = 0;
  finishedInWindow = 0;
  tokensInWindow = 0;
  promptTokensInWindow = 0;
  // Measured requests refused or abandoned, by reason: SLO failures.
  refused: Record<RefusalReason, number> = {
    overlong: 0,
    queue_full: 0,
    rate_limited: 0,
    abandoned: 0,
  };
  refusedTotal = 0;
  sketches: Sketches | null = null;
  // With exact percentiles, once the summary is asked for.
  figures: Map<string, Figures> | null = null;
  stats<N extends Latency>(name: N): LatencyStats<N> {
    const f = this.figures?.get(name) ??
      this.sketches?.[name].figures() ??
      [NaN, NaN, NaN, NaN, NaN];
    return statsOf(name, f);
  }
}

// Adds one measured request's latencies to a group's sketches.
function sketchAdd(
  c: Sketches,
  v: readonly number[],
  output: number,
  tpot: number,
): void {
  c.ttft.add(v[0]);
  c.e2e.add(v[1]);
  c.prefill_wait.add(v[4]);
  c.prefill_compute.add(v[3]);
  c.decode_wait.add(v[5]);
  c.kv_transfer.add(v[6]);
  c.first_decode.add(v[7]);
  c.queue_wait.add(v[2]);
  if (output > 1) c.tpot.add(tpot);
}

// Tokens of the requests finished in the window per second of it (per GPU
// when `gpus` > 1): output, prompt, and their sum (so the three conserve
// exactly, total = input + output).
function tokenRates(
  g: GroupStats,
  windowS: number,
  gpus: number,
): Pick<
  CoreSummary,
  "output_tokens_per_s" | "input_tokens_per_s" | "total_tokens_per_s"
> {
  const output = g.tokensInWindow / windowS / gpus;
  const input = g.promptTokensInWindow / windowS / gpus;
  return {
    output_tokens_per_s: output,
    input_tokens_per_s: input,
    total_tokens_per_s: input + output,
  };
}

function perGpu(
  r: ReturnType<typeof tokenRates>,
): Pick<
  CoreSummary,
  | "output_tokens_per_s_per_gpu"
  | "input_tokens_per_s_per_gpu"
  | "total_tokens_per_s_per_gpu"
> {
  return {
    output_tokens_per_s_per_gpu: r.output_tokens_per_s,
    input_tokens_per_s_per_gpu: r.input_tokens_per_s,
    total_tokens_per_s_per_gpu: r.total_tokens_per_s,
  };
}

/**
 * Most bytes the exact percentiles' samples take under the default
 * (`metrics.percentiles: auto`) before the run goes on with a sketch: 424
 * MiB, so that with the runtime's own 70-80 MiB a run stays under 512 MiB.
 * At 34-66 bytes per measured request (see {@linkcode ExactStore}) that is
 * 13 million measured requests of a colocated batched run, 10.6-12.7 million
 * of the exclusive model's (so 10 million stay exact), 6.7-7.7 million in
 * disagg.
 */
export const EXACT_LIMIT_BYTES: number = 424 * 2 ** 20;

// Length of [s, e) inside the window [lo, hi).
function clipped(s: number, e: number, lo: number, hi: number): number {
  return Math.max(0, Math.min(e, hi) - Math.max(s, lo));
}

/**
 * Why a request was not served: refused at the door for its length
 * (`overlong`), a full waiting room (`queue_full`, HTTP 503) or its class's
 * rate limit (`rate_limited`, HTTP 429), or it waited past its timeout
 * (`abandoned`).
 */
export type RefusalReason =
  | "overlong"
  | "queue_full"
  | "rate_limited"
  | "abandoned";

// The records' outcomes as refusal reasons (0, served, has none).
const OUTCOME_REASON: readonly (RefusalReason | undefined)[] = [
  undefined,
  "queue_full",
  "abandoned",
];

/** Latency targets, seconds (the scenario's `slo`). */
export interface LatencyTargets {
  /** Most TTFT that meets the target, seconds. */
  ttft_s: number;
  /** Most TPOT that meets the target, seconds. */
  tpot_s: number;
}

/** A pool's exclusive-service rates: the offered load under `batching: none`. */
export interface PoolRates {
  /** GPUs in the pool. */
  gpus: number;
  /** Prompt tokens one GPU prefills per second. */
  prefillTokensPerS: number;
  /** Output tokens per second of one GPU serving one request. */
  decodeTokensPerS: number;
}

/** A configured length distribution as the summary describes it. */
export interface LengthDescription {
  /** Its log-normal parameters (null when it is not log-normal). */
  log: TokenLogParams | null;
  /** Its mean and standard deviation (null when unknown). */
  real: TokenMoments | null;
}

/** What the summary needs to know of the run, as plain values. */
export interface SummaryRun {
  /** `mono` or `disagg`. */
  mode: "mono" | "disagg";
  /** `none` (exclusive service) or `continuous`. */
  batching: "none" | "continuous";
  /** The run's random seed (reported as `random_seed`). */
  randomSeed: number;
  /**
   * The measured window [start, end), seconds, read live (a trace replay
   * ends it at its last arrival).
   */
  window: readonly [number, number];
  /** Mean arrival rate of the workload, or a function giving it once the run is over (a trace's). */
  arrivalRatePerS: number | (() => number);
  /** Latency targets of requests without a class target. */
  slo?: LatencyTargets;
  /** The pools' exclusive-service rates: `gpu` in mono, `prefill` and `decode` in disagg. */
  pools:
    | { gpu: PoolRates }
    | { prefill: PoolRates; decode: PoolRates };
  /** Disagg: the first token counts at the decode side (not with the prefill's last chunk). */
  firstTokenAtDecode: boolean;
  /** The configured prompt lengths, when they gave any request its length. */
  promptTokens?: LengthDescription;
  /** The configured output lengths, when they gave any request its length. */
  outputTokens?: LengthDescription;
}

/** Options of {@linkcode SummaryAccumulator}. */
export interface SummaryOptions {
  /**
   * Requests numbered below this are warm-up, whatever their arrival (a
   * count run's `warmup_requests`; default 0).
   */
  firstMeasured?: number;
  /** Percentiles from a sketch (0.5% relative error, constant memory) instead of exact. */
  sketch?: boolean;
  /**
   * Exact percentiles: most bytes their samples may take before the
   * accumulator goes on with a sketch (and says so in
   * {@linkcode SummaryAccumulator.notices}); default no limit. simulate
   * passes {@linkcode EXACT_LIMIT_BYTES} under `metrics.percentiles: auto`.
   */
  exactLimitBytes?: number;
  /** Measured requests expected (sizes the exact samples' first chunk). */
  capacity?: number;
  /** Names of the request classes, by class index; two or more add `per_class`. */
  classNames?: readonly string[];
  /** Latency targets per class, by class index (default: the run's `slo`). */
  classSlos?: readonly (LatencyTargets | undefined)[];
  /**
   * Report refused and abandoned requests by reason (`rejected_*`,
   * `abandoned_requests`, overall and per class): the run has admission
   * control. They count as SLO failures either way.
   */
  admission?: boolean;
}

/**
 * Gathers the summary request by request: either over finished records at
 * the end of a run ({@linkcode summarize}) or as each request retires. With
 * `sketch`, memory does not grow with the number of requests; with exact
 * percentiles, each measured request keeps 34-66 bytes in an
 * {@linkcode ExactStore} (the latencies the summary reports, nothing else),
 * so its record can be recycled. The sums (means, busy time) depend on the
 * order requests are observed in: observe them in the order they were added
 * for the figures of {@linkcode summarize}.
 */
export class SummaryAccumulator {
  #run: SummaryRun;
  #options: SummaryOptions;
  readonly #firstMeasured: number;
  #all: GroupStats;
  #classes: GroupStats[];
  #store: ExactStore | null;
  #limitBytes: number;
  #done = false;
  /** Things the user should know (exact percentiles that went on with a sketch). */
  readonly notices: string[] = [];
  /**
   * Measured requests observed so far that missed their SLO (or had none,
   * or were refused or abandoned after they were recorded): the attainment
   * can be no more than (measured - this) / measured.
   */
  sloMissed = 0;
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
   * @param run What the summary needs to know of the run.
   * @param options Sketch or exact percentiles, classes.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { SummaryAccumulator } from "./summary.ts";
   * import { RequestRecords } from "./records.ts";
   * const r = new RequestRecords();
   * const i = r.add(1, 100, 11);
   * r.prefillStartS[i] = 1; r.prefillEndS[i] = 1.5; r.decodeStartS[i] = 1.5;
   * r.firstTokenS[i] = 1.5; r.finishS[i] = 2.5;
   * const acc = new SummaryAccumulator({
   *   mode: "mono", batching: "none", randomSeed: 42, window: [0, 10],
   *   arrivalRatePerS: 1, firstTokenAtDecode: false,
   *   pools: { gpu: { gpus: 1, prefillTokensPerS: 200, decodeTokensPerS: 10 } },
   * });
   * acc.observe(r, i);
   * const out = acc.summary(2.5);
   * assert.equal(out.mean_tpot_s, 0.1);
   * assert.equal(out.mean_ttft_s, 0.5);
   * ```
   */
  constructor(run: SummaryRun, options: SummaryOptions = {}) {
    this.#run = run;
    this.#options = options;
    this.#firstMeasured = options.firstMeasured ?? 0;
    this.#window = run.window;
    const sketch = options.sketch ?? false;
    this.#all = new GroupStats();
    const classes = options.classNames?.length ?? 0;
    this.#classes = classes > 1
      ? Array.from({ length: classes }, () => new GroupStats())
      : [];
    const disagg = run.mode === "disagg";
    const batched = run.batching === "continuous";
    const extra: StoreLatency[] = [];
    if (disagg) extra.push("prefill_wait", "decode_wait");
    if (batched && disagg) extra.push("kv_transfer");
    if (batched ? disagg && run.firstTokenAtDecode : true) {
      extra.push("first_decode");
    }
    this.#store = sketch ? null : new ExactStore({
      extra,
      classes: this.#classes.length > 0,
      capacity: options.capacity,
    });
    this.#limitBytes = options.exactLimitBytes ?? Infinity;
    if (sketch) {
      for (const g of [this.#all, ...this.#classes]) g.sketches = sketches();
    }
  }

  // Exact percentiles past their limit: the samples so far go to sketches,
  // in the order they came, and later ones follow them there.
  #toSketch(): void {
    const store = this.#store!;
    this.#store = null;
    const all = sketches();
    this.#all.sketches = all;
    for (const g of this.#classes) g.sketches = sketches();
    const classes = this.#classes;
    store.forEach((v, output, cls) => {
      const tpot = (v[1] - v[0]) / (output - 1);
      sketchAdd(all, v, output, tpot);
      const g = classes[cls];
      if (g) sketchAdd(g.sketches!, v, output, tpot);
    });
    const mib = (store.rows * store.bytesPerRow / 2 ** 20).toFixed(0);
    this.notices.push(
      `metrics.percentiles: exact percentiles past ${store.rows} measured requests would keep more than ${mib} MiB; the percentiles come from a sketch (within 0.5%) instead; set metrics.percentiles: exact to keep them exact, or sketch to say so`,
    );
  }

  /**
   * Takes one finished request into the summary.
   *
   * @param records The run's records.
   * @param i The request's index.
   */
  observe(records: RequestRecords, i: number): void {
    if (this.#done) {
      throw new Error("SummaryAccumulator: observe() after summary()");
    }
    const outcome = records.outcome[i];
    if (outcome !== 0) {
      // Offered, so in the mean lengths (the offered load's); not served.
      this.#requests++;
      this.#promptSum += records.promptTokens[i];
      this.#outputSum += records.outputTokens[i];
      const a = records.arrivalS[i];
      this.refused(records.classIndex[i], OUTCOME_REASON[outcome]!, a);
      if (a >= this.#window[0]) this.sloMissed++;
      return;
    }
    const run = this.#run;
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
    if (run.mode === "disagg") {
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
    const measured = a >= lo &&
      (this.#firstMeasured === 0 || records.number(i) >= this.#firstMeasured);
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
    const tpot = (e2e - ttft) / (output - 1);
    const slo = this.#options.classSlos?.[cls] ?? run.slo;
    // DistServe's attainment: both limits met (a one-token reply has no TPOT).
    const met = slo !== undefined && ttft <= slo.ttft_s &&
      (output <= 1 || tpot <= slo.tpot_s);
    const all = this.#all;
    if (inWindow) {
      all.finishedInWindow++;
      all.tokensInWindow += output;
      all.promptTokensInWindow += prompt;
      if (group) {
        group.finishedInWindow++;
        group.tokensInWindow += output;
        group.promptTokensInWindow += prompt;
      }
    }
    if (!measured) return;
    all.measured++;
    if (output > 1) all.multiToken++;
    if (met) all.sloMet++;
    else this.sloMissed++;
    if (group) {
      group.measured++;
      if (output > 1) group.multiToken++;
      if (met) group.sloMet++;
    }
    const prefillCompute = prefillEnd - prefillStart;
    const kvTransfer = decodeAt - handoff;
    const firstDecode = firstToken - decodeAt;
    const queueWait = prefillWait + decodeWait;
    const store = this.#store;
    if (store) {
      store.add(
        ttft,
        e2e,
        queueWait,
        prefillCompute,
        prefillWait,
        decodeWait,
        kvTransfer,
        firstDecode,
        output,
        cls,
      );
      // A row's bytes can grow (a dictionary column that fills up), so the
      // limit is checked in bytes, as each row comes.
      if ((store.rows + 1) * store.bytesPerRow > this.#limitBytes) {
        this.#toSketch();
      }
      return;
    }
    const v = [
      ttft,
      e2e,
      queueWait,
      prefillCompute,
      prefillWait,
      decodeWait,
      kvTransfer,
      firstDecode,
    ];
    sketchAdd(all.sketches!, v, output, tpot);
    if (group) sketchAdd(group.sketches!, v, output, tpot);
  }

  /**
   * Counts a request that was not served (refused at the door, or
   * abandoned): measured when it arrived in the window, and then an SLO
   * failure. Its latencies are not taken. Records refused or abandoned in
   * the run are counted by {@linkcode SummaryAccumulator.observe}, which
   * calls this; call it for requests refused before they were recorded (a
   * rate limit, the context limit). Only observed records add to
   * {@linkcode SummaryAccumulator.sloMissed}, whose bound is over the
   * requests that reach the records.
   *
   * @param classIndex Its class.
   * @param reason Why it was not served.
   * @param arrivalS When it arrived.
   */
  refused(classIndex: number, reason: RefusalReason, arrivalS: number): void {
    if (!(arrivalS >= this.#window[0])) return;
    const all = this.#all;
    all.refused[reason]++;
    all.refusedTotal++;
    const group = this.#classes[classIndex];
    if (group) {
      group.refused[reason]++;
      group.refusedTotal++;
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
    const quarterly = (f: (fromS: number, toS: number) => number): Quarters => [
      f(at(0), at(1)),
      f(at(1), at(2)),
      f(at(2), at(3)),
      f(at(3), at(4)),
    ];
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
    if (!this.#done) {
      this.#done = true;
      // Exact percentiles are selected in the store, in place: once.
      const store = this.#store;
      if (store) {
        const f = store.figures(this.#classes.length);
        this.#all.figures = f;
        this.#classes.forEach((g, k) => g.figures = f.perClass[k]);
        this.#store = null;
      }
    }
    const run = this.#run;
    const [lo, hi] = this.#window;
    const windowS = hi - lo;
    const all = this.#all;
    const n = this.#requests;
    const given = run.arrivalRatePerS;
    const rate = typeof given === "function" ? given() : given;
    const meanPrompt = n > 0 ? this.#promptSum / n : NaN;
    const meanOutput = n > 0 ? this.#outputSum / n : NaN;
    let cluster: MonoSummary & DisaggSummary;
    let gpus: number;
    if ("prefill" in run.pools) {
      const { prefill, decode } = run.pools;
      cluster = {
        utilization_prefill: this.#busy.prefill / (prefill.gpus * windowS),
        utilization_decode: this.#busy.decode / (decode.gpus * windowS),
        prefill_gpus: prefill.gpus,
        decode_gpus: decode.gpus,
      };
      gpus = prefill.gpus + decode.gpus;
    } else {
      const c = run.pools.gpu;
      cluster = {
        utilization_gpu: this.#busy.gpu / (c.gpus * windowS),
        num_gpus: c.gpus,
      };
      gpus = c.gpus;
    }
    const offered = exclusiveOfferedLoad(run.pools, rate, {
      prompt: meanPrompt,
      output: meanOutput,
    });
    const sat = judgeSaturation(offered, this.observedBacklog());
    // The keys in output order.
    const out: Summary = {
      mode: run.mode,
      num_samples: all.measured,
      ...all.stats("ttft"),
      elapsed_s: endS,
      throughput_rps: all.finishedInWindow / windowS,
      arrival_rate_per_s: rate,
      // The configured distributions where they were used, and always the
      // lengths the measured requests had.
      ...(run.promptTokens && {
        prompt_tokens_log: run.promptTokens.log,
        prompt_tokens_real: run.promptTokens.real,
      }),
      ...(run.outputTokens && {
        output_tokens_log: run.outputTokens.log,
        output_tokens_real: run.outputTokens.real,
      }),
      prompt_tokens_simulated: this.#promptLengths.summary(),
      output_tokens_simulated: this.#outputLengths.summary(),
      ...cluster,
      ...this.#groupStats(all, windowS, gpus),
      offered_load: offered,
      stable: sat.verdict === "stable",
      saturation: sat.verdict,
      saturation_evidence: sat.evidence,
      num_requests: n,
      num_tpot_samples: all.multiToken,
      measured_window_s: windowS,
      random_seed: run.randomSeed,
      batching: run.batching,
    };
    if (this.#options.admission) Object.assign(out, refusals(all));
    if (this.#classes.length > 0) {
      const perClass: Record<string, ClassSummary> = {};
      this.#classes.forEach((g, k) => {
        const slo = this.#options.classSlos?.[k] ?? run.slo;
        perClass[this.#options.classNames![k]] = {
          num_samples: g.measured,
          throughput_rps: g.finishedInWindow / windowS,
          ...g.stats("ttft"),
          ...g.stats("tpot"),
          ...g.stats("e2e"),
          ...g.stats("queue_wait"),
          ...tokenRates(g, windowS, 1),
          ...(slo && {
            slo_ttft_s: slo.ttft_s,
            slo_tpot_s: slo.tpot_s,
            slo_attainment: attainment(g),
            goodput_rps: g.sloMet / windowS,
          }),
          num_tpot_samples: g.multiToken,
          ...(this.#options.admission && refusals(g)),
        };
      });
      out.per_class = perClass;
    }
    return out;
  }

  // The latencies, rates and SLO keys of the whole run, in output order.
  #groupStats(
    g: GroupStats,
    windowS: number,
    gpus: number,
  ):
    & Pick<
      CoreSummary,
      | keyof LatencyStats<"tpot" | "e2e" | "queue_wait" | "prefill_compute">
      | "output_tokens_per_s"
      | "input_tokens_per_s"
      | "total_tokens_per_s"
      | "throughput_rps_per_gpu"
      | "output_tokens_per_s_per_gpu"
      | "input_tokens_per_s_per_gpu"
      | "total_tokens_per_s_per_gpu"
    >
    & TtftPartsSummary
    & SloSummary {
    const run = this.#run;
    const disagg = run.mode === "disagg";
    const slo = run.slo;
    const classSlos = this.#options.classSlos?.some((x) => x !== undefined);
    // The parts of TTFT add up to it in every mode: mono queue wait +
    // prefill compute (+ first decode, exclusive); disagg prefill wait +
    // prefill compute (+ decode wait + KV transfer + first decode when the
    // first token comes from the decode side).
    const batched = run.batching === "continuous";
    return {
      ...g.stats("tpot"),
      ...g.stats("e2e"),
      ...g.stats("queue_wait"),
      ...(disagg && {
        ...g.stats("prefill_wait"),
        ...g.stats("decode_wait"),
      }),
      ...g.stats("prefill_compute"),
      ...(batched && disagg && g.stats("kv_transfer")),
      ...((batched ? disagg && run.firstTokenAtDecode : true) &&
        g.stats("first_decode")),
      ...tokenRates(g, windowS, 1),
      throughput_rps_per_gpu: g.finishedInWindow / windowS / gpus,
      ...perGpu(tokenRates(g, windowS, gpus)),
      ...(slo && { slo_ttft_s: slo.ttft_s, slo_tpot_s: slo.tpot_s }),
      ...((slo || classSlos) && {
        slo_attainment: attainment(g),
        goodput_rps: g.sloMet / windowS,
        goodput_rps_per_gpu: g.sloMet / windowS / gpus,
      }),
    };
  }
}

// Met over measured, the refused and abandoned counted as misses.
function attainment(g: GroupStats): number {
  const n = g.measured + g.refusedTotal;
  return n > 0 ? g.sloMet / n : NaN;
}

// A group's refusals as summary keys.
function refusals(g: GroupStats): RefusalSummary {
  const r = g.refused;
  return {
    rejected_requests: r.overlong + r.queue_full + r.rate_limited,
    rejected_overlong: r.overlong,
    rejected_queue_full: r.queue_full,
    rejected_rate_limited: r.rate_limited,
    abandoned_requests: r.abandoned,
  };
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
 * @param run What the summary needs to know of the run.
 * @param records The run's records.
 * @param endS When the last request finished.
 * @param options Classes (exact percentiles).
 * @returns The summary, with NaN where a value is undefined.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { summarize } from "./summary.ts";
 * import { RequestRecords } from "./records.ts";
 * const r = new RequestRecords();
 * for (const [arrival, finish] of [[1, 3], [2, 5]]) {
 *   const i = r.add(arrival, 100, 2);
 *   r.prefillStartS[i] = arrival; r.prefillEndS[i] = arrival + 1;
 *   r.decodeStartS[i] = arrival + 1; r.firstTokenS[i] = arrival + 1;
 *   r.finishS[i] = finish;
 * }
 * const s = summarize({
 *   mode: "mono", batching: "none", randomSeed: 1, window: [0, 10],
 *   arrivalRatePerS: 0.2, firstTokenAtDecode: false,
 *   pools: { gpu: { gpus: 1, prefillTokensPerS: 100, decodeTokensPerS: 1 } },
 * }, r, 5);
 * assert.equal(s.num_samples, 2);
 * assert.equal(s.mean_e2e_s, 2.5);
 * assert.equal(s.mean_tpot_s, 1.5);
 * ```
 */
export function summarize(
  run: SummaryRun,
  records: RequestRecords,
  endS: number,
  options: Omit<SummaryOptions, "sketch"> = {},
): Summary {
  const acc = new SummaryAccumulator(run, options);
  for (let i = 0; i < records.count; i++) acc.observe(records, i);
  return acc.summary(endS);
}

/**
 * The exclusive model's offered load: lambda E[P] / (prefill rate x GPUs)
 * and lambda E[O] / (decode rate x GPUs) per disaggregated pool, or
 * lambda (E[P] / prefill rate + E[O] / decode rate) / GPUs colocated.
 *
 * @param pools The run's pools (GPUs and token rates).
 * @param rate Mean arrival rate, requests per second.
 * @param meanTokens Mean prompt and output lengths.
 * @returns Each pool's share.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { exclusiveOfferedLoad } from "./summary.ts";
 * const pools = { gpu: { gpus: 2, prefillTokensPerS: 1000, decodeTokensPerS: 10 } };
 * // 1 request/s x (100 / 1000 + 10 / 10) s over 2 GPUs.
 * assert.deepEqual(exclusiveOfferedLoad(pools, 1, { prompt: 100, output: 10 }), { gpu: 0.55 });
 * ```
 */
export function exclusiveOfferedLoad(
  pools: SummaryRun["pools"],
  rate: number,
  meanTokens: { prompt: number; output: number },
): OfferedLoad {
  if ("prefill" in pools) {
    const { prefill, decode } = pools;
    return {
      prefill: rate * meanTokens.prompt / prefill.prefillTokensPerS /
        prefill.gpus,
      decode: rate * meanTokens.output / decode.decodeTokensPerS /
        decode.gpus,
    };
  }
  const c = pools.gpu;
  const serviceS = meanTokens.prompt / c.prefillTokensPerS +
    meanTokens.output / c.decodeTokensPerS;
  return { gpu: rate * serviceS / c.gpus };
}
