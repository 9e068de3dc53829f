/**
 * The stream of requests a scenario offers, in arrival order: generated
 * (an arrival process, one class or a mix of classes, each with its length
 * distributions) or replayed from a trace. Every source of randomness has
 * its own stream, so every serving mode sees exactly the same requests at
 * the same times (common random numbers), and adding a class leaves the
 * others' draws unchanged.
 *
 * @module
 */

import { RandomStream } from "../engine/random.ts";
// The scenario is validated: its specs go to the registries' clocks and
// replay without a second check, so running one loads no schema (zod).
import { validArrivalClock, validMeanRate } from "./arrivals/registry.ts";
import type { ArrivalSpec } from "./arrivals/spec.ts";
import { type TokenDistribution, tokenSampler } from "./tokens.ts";
import { openValidTrace, type TraceSource } from "./trace_replay.ts";
import type { TraceOptions } from "./trace_formats/mod.ts";
import {
  copyRequest,
  PREFIX_BLOCK_TOKENS,
  type RequestSource,
} from "./request_source.ts";
import { InputError } from "../errors.ts";
import { LengthMemo, type LengthSamplers } from "./length_memo.ts";
import { datasetPrefixTokens, datasetSamplers } from "./datasets/sampler.ts";
import type { DatasetSpec } from "./datasets/spec.ts";

/** Latency targets of a request class. */
export interface Slo {
  /** TTFT limit, seconds. */
  ttft_s: number;
  /** TPOT limit, seconds. */
  tpot_s: number;
}

/** One request class, as the workload reads it from a scenario. */
export interface WorkloadClass {
  /** Name in reports. */
  name: string;
  /** Share of the top-level arrival process. */
  weight?: number;
  /** Its own arrival process. */
  arrival?: ArrivalSpec;
  /** Its prompt lengths (default: the top level's). */
  prompt_tokens?: TokenDistribution;
  /** Its output lengths (default: the top level's). */
  output_tokens?: TokenDistribution;
  /** Its latency targets (default: the top level's). */
  slo?: Slo;
  /** Leading prompt tokens every request of the class shares. */
  shared_prefix_tokens: number;
  /** Its priority under `priority` scheduling (lower first; absent: 0). */
  priority?: number;
  /** Seconds a request may wait before its prefill starts (absent: the default). */
  timeout_s?: number;
  /** Its token-bucket rate limit at the gateway. */
  rate_limit?: { rate_per_s: number; burst: number };
}

/**
 * The scenario keys a workload is built from; a validated scenario is one
 * (the workload layer sits below the scenario and does not import it).
 */
export interface WorkloadSpec {
  /** Arrival horizon, seconds. */
  sim_seconds: number;
  /** Start of the measured window, seconds. */
  warmup_seconds: number;
  /** Seed of every random stream. */
  random_seed: number;
  /** Stop after this many requests (absent: at sim_seconds). */
  num_requests?: number;
  /** With num_requests: the warm-up requests before the measured ones. */
  warmup_requests?: number;
  /** Latency targets. */
  slo?: Slo;
  /** Request classes. */
  classes?: WorkloadClass[];
  /** A trace to replay instead. */
  trace?: TraceOptions;
  /** Arrival process. */
  arrival: ArrivalSpec;
  /** Prompt lengths. */
  prompt_tokens: TokenDistribution;
  /** Output lengths. */
  output_tokens: TokenDistribution;
  /** Lengths from a benchmark dataset instead (no classes, no trace). */
  dataset?: DatasetSpec;
}

/**
 * The measured window [start, end) of a run, in seconds: `warmup_seconds` to
 * `sim_seconds`, except that a trace replay which ends before the horizon
 * ends its window at its last replayed arrival. The end is set while the run
 * goes on (the moment the trace runs out, before any later event), so it is
 * read live; everything clipped to the window before then ends earlier.
 */
export type MeasuredWindow = [startS: number, endS: number];

/** How a trace replay ended, for the summary. */
export interface ReplayEnd {
  /** Rows replayed (arrivals before the horizon). */
  replayed: number;
  /** Replayed rows that arrive inside the measured window. */
  inWindow: number;
  /** Arrival of the first replayed row, seconds. */
  firstArrivalS: number;
  /** Arrival of the last replayed row, seconds. */
  lastArrivalS: number;
  /** Arrival of the first row the horizon cut off (NaN: the trace ran out first). */
  cutAtS: number;
}

/** A scenario's workload: its requests and what reports need to know. */
export interface Workload {
  /** The requests. */
  source: RequestSource;
  /**
   * Arrival rate over the measured window; for a trace, the replayed
   * arrivals in the window over its length, known once it has been replayed.
   */
  meanRatePerS(): number;
  /**
   * The measured window (see {@linkcode MeasuredWindow}); default
   * [warmup_seconds, sim_seconds).
   */
  window?: MeasuredWindow;
  /** Class names by class index (one, `default`, without classes). */
  classNames: string[];
  /** Latency targets by class index. */
  classSlos: (Slo | undefined)[];
  /** The trace being replayed, for its row counts. */
  trace?: TraceSource;
  /** A trace replay: how far it got (complete once the run is over). */
  replay?: ReplayEnd;
  /**
   * Synthetic workloads: the number of requests arriving at or after
   * `fromS`, from fresh copies of the arrival clocks alone (their random
   * streams are their own, so the times are the source's, without drawing
   * a length). Requests refused at the door are counted too.
   */
  countArrivals?: (fromS: number) => number;
}

// The scenario's classes (one, `default`, without classes).
function workloadClasses(scenario: WorkloadSpec): WorkloadClass[] {
  return scenario.classes ?? [{
    name: "default",
    weight: 1,
    // A dataset's shared prefix is a class's: the same prefix block ids.
    shared_prefix_tokens: scenario.dataset
      ? datasetPrefixTokens(scenario.dataset)
      : 0,
  }];
}

// Each class's fresh length samplers, on streams of their own.
function lengthSamplers(
  scenario: WorkloadSpec,
  classes: readonly WorkloadClass[],
): (k: number) => LengthSamplers {
  const seed = scenario.random_seed;
  const named = (base: string, k: number) =>
    scenario.classes ? `${base}/${classes[k].name}` : base;
  const dataset = scenario.dataset;
  if (dataset) return () => datasetSamplers(dataset, seed);
  return (k) => ({
    prompt: tokenSampler(
      classes[k].prompt_tokens ?? scenario.prompt_tokens,
      new RandomStream(seed, named("prompt_tokens", k)),
    ),
    output: tokenSampler(
      classes[k].output_tokens ?? scenario.output_tokens,
      new RandomStream(seed, named("output_tokens", k)),
    ),
  });
}

// What a workload's lengths depend on: its seed and distributions.
function lengthKey(scenario: WorkloadSpec): string {
  return JSON.stringify([
    scenario.random_seed,
    scenario.prompt_tokens,
    scenario.output_tokens,
    scenario.classes?.map((c) => [c.name, c.prompt_tokens, c.output_tokens]),
    datasetKey(scenario.dataset),
  ]);
}

// A dataset as a memo key: its keys, and its loaded lengths by a digest
// (FNV-1a over them) rather than in full.
function datasetKey(dataset: DatasetSpec | undefined): unknown {
  if (!dataset || dataset.name !== "sharegpt" || !dataset.lengths) {
    return dataset;
  }
  const { lengths, ...keys } = dataset;
  let h = 0x811c9dc5;
  for (const list of [lengths.prompt, lengths.completion]) {
    for (const v of list) h = Math.imul(h ^ v, 0x01000193);
  }
  return [keys, lengths.prompt.length, h >>> 0];
}

/**
 * A memo of the scenario's length draws, for {@linkcode buildWorkload} to
 * replay in runs of the same workload at other loads: the same requests,
 * without drawing them again (see length_memo.ts).
 *
 * @param scenario A validated scenario (not a trace replay).
 * @returns An empty memo for its workload.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildWorkload, lengthMemo } from "./workload.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const s = validateScenario({ sim_seconds: 20, warmup_seconds: 0 });
 * const memo = lengthMemo(s);
 * const lengths = (w: ReturnType<typeof buildWorkload>) => {
 *   const out: number[] = [];
 *   while (w.source.next()) out.push(w.source.promptTokens, w.source.outputTokens);
 *   return out;
 * };
 * const plain = lengths(buildWorkload(s));
 * assert.deepEqual(lengths(buildWorkload(s, { lengths: memo })), plain);
 * assert.deepEqual(lengths(buildWorkload(s, { lengths: memo })), plain);
 * ```
 */
export function lengthMemo(scenario: WorkloadSpec): LengthMemo {
  return new LengthMemo(
    lengthKey(scenario),
    lengthSamplers(scenario, workloadClasses(scenario)),
  );
}

/**
 * The scenario's requests (see {@linkcode buildWorkload}).
 *
 * @param scenario A validated scenario.
 * @returns The request source.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { scenarioWorkload } from "./workload.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const w = scenarioWorkload(validateScenario({ sim_seconds: 10, warmup_seconds: 0 }));
 * let n = 0;
 * while (w.next()) n++;
 * assert.notEqual(n, 0);
 * ```
 */
export function scenarioWorkload(scenario: WorkloadSpec): RequestSource {
  return buildWorkload(scenario).source;
}

/**
 * Builds the workload: a trace replay (`trace`), or generated requests over
 * [0, sim_seconds). Without classes, arrivals come from `arrival` and
 * lengths from `prompt_tokens` and `output_tokens`. With classes, weighted
 * classes share the top-level arrival process (each arrival picks a class by
 * weight) and the others run their own; the streams are merged by time. A
 * class's prompt is its `shared_prefix_tokens` followed by a draw from its
 * prompt lengths, and its shared prefix gets class-wide prefix block ids
 * (one per whole 512-token block), so a prefix cache can reuse it.
 *
 * @param scenario A validated scenario.
 * @param options `lengths`: a memo of this workload's length draws to read
 * back instead of drawing ({@linkcode lengthMemo}; the same requests).
 * @returns The workload.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildWorkload } from "./workload.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const w = buildWorkload(validateScenario({
 *   sim_seconds: 100, warmup_seconds: 0,
 *   classes: [
 *     { name: "chat", weight: 3 },
 *     { name: "code", arrival: { process: "gamma", rate_per_s: 1, cv: 3 } },
 *   ],
 * }));
 * let last = 0, code = 0;
 * while (w.source.next()) {
 *   assert.ok(w.source.arrivalS >= last);
 *   last = w.source.arrivalS;
 *   if (w.source.classIndex === 1) code++;
 * }
 * assert.notEqual(code, 0);
 * assert.equal(w.meanRatePerS(), 3);
 * ```
 */
export function buildWorkload(
  scenario: WorkloadSpec,
  options: { lengths?: LengthMemo } = {},
): Workload {
  const n = scenario.num_requests;
  if (n === undefined) return generated(scenario, options);
  const workload = generated(scenario, options);
  // A count run: its window opens at the first measured request's sending
  // (set by the serving loop) and closes at the last response's end.
  const window = workload.window!;
  window[1] = Infinity;
  if (scenario.warmup_requests) window[0] = Infinity;
  const count = workload.countArrivals;
  return {
    ...workload,
    source: firstRequests(workload.source, n),
    countArrivals: count &&
      ((fromS) => fromS <= 0 ? n : Math.min(n, count(fromS))),
  };
}

// The first `n` requests of a source.
function firstRequests(source: RequestSource, n: number): RequestSource {
  let left = n;
  const out: RequestSource = {
    arrivalS: 0,
    promptTokens: 0,
    outputTokens: 0,
    next(): boolean {
      if (left <= 0 || !source.next()) return false;
      left--;
      copyRequest(out, source);
      return true;
    },
  };
  return out;
}

// The workload without a count limit.
function generated(
  scenario: WorkloadSpec,
  options: { lengths?: LengthMemo },
): Workload {
  const horizonS = scenario.sim_seconds;
  const window: MeasuredWindow = [scenario.warmup_seconds, horizonS];
  if (scenario.trace) return replayWorkload(scenario, window);
  const classes = workloadClasses(scenario);
  const memo = options.lengths;
  if (memo && memo.key !== lengthKey(scenario)) {
    throw new Error("buildWorkload: a LengthMemo of another workload");
  }
  const samplers = memo
    ? (k: number) => memo.readers(k)
    : lengthSamplers(scenario, classes);
  const seed = scenario.random_seed;
  const single = !scenario.classes;
  const named = (base: string, k: number) =>
    single ? base : `${base}/${classes[k].name}`;
  const lengths = classes.map((c, k) => ({
    ...samplers(k),
    prefix: Array.from(
      { length: Math.floor(c.shared_prefix_tokens / PREFIX_BLOCK_TOKENS) },
      // Negative ids never collide with a trace's hash ids.
      (_, j) => -(k * 1_000_000 + j + 1),
    ),
  }));

  // Generators of (time, class): the weighted classes share one clock.
  const weighted = classes.map((c, k) => [c, k] as const).filter(([c]) =>
    c.weight !== undefined
  );
  const totalWeight = weighted.reduce((a, [c]) => a + c.weight!, 0);
  type Clock = { next: () => number; pick: () => number; at: number };
  const makeClocks = (): Clock[] => {
    const clocks: Clock[] = [];
    if (weighted.length > 0) {
      const chooser = new RandomStream(seed, "class");
      clocks.push({
        next: validArrivalClock(
          scenario.arrival,
          new RandomStream(seed, "arrivals"),
        ),
        pick: weighted.length === 1 ? () => weighted[0][1] : () => {
          let u = chooser.next() * totalWeight;
          for (const [c, k] of weighted) {
            u -= c.weight!;
            if (u < 0) return k;
          }
          return weighted[weighted.length - 1][1];
        },
        at: 0,
      });
    }
    classes.forEach((c, k) => {
      if (!c.arrival) return;
      clocks.push({
        next: validArrivalClock(
          c.arrival,
          new RandomStream(seed, named("arrivals", k)),
        ),
        pick: () => k,
        at: 0,
      });
    });
    for (const c of clocks) c.at = c.next();
    return clocks;
  };
  const clocks = makeClocks();
  const countArrivals = (fromS: number): number => {
    const fresh = makeClocks();
    let n = 0;
    for (;;) {
      let best = 0;
      for (let j = 1; j < fresh.length; j++) {
        if (fresh[j].at < fresh[best].at) best = j;
      }
      const clock = fresh[best];
      if (clock === undefined || clock.at >= horizonS) return n;
      if (clock.at >= fromS) n++;
      clock.at = clock.next();
    }
  };
  const rate = (weighted.length > 0 ? validMeanRate(scenario.arrival) : 0) +
    classes.reduce(
      (a, c) => a + (c.arrival ? validMeanRate(c.arrival) : 0),
      0,
    );
  const workload = {
    meanRatePerS: () => rate,
    countArrivals,
    window,
    classNames: classes.map((c) => c.name),
    classSlos: classes.map((c) => c.slo ?? scenario.slo),
  };
  if (clocks.length === 1 && classes.length === 1) {
    return {
      source: oneClassSource(clocks[0], lengths[0], classes[0], horizonS),
      ...workload,
    };
  }

  const source: RequestSource = {
    arrivalS: 0,
    promptTokens: 0,
    outputTokens: 0,
    classIndex: 0,
    prefixIds: [],
    next(): boolean {
      // The earliest clock (ties: the first) gives the next request.
      let best = 0;
      for (let j = 1; j < clocks.length; j++) {
        if (clocks[j].at < clocks[best].at) best = j;
      }
      const clock = clocks[best];
      const t = clock.at;
      if (t >= horizonS) return false;
      clock.at = clock.next();
      const k = clock.pick();
      const l = lengths[k];
      const shared = classes[k].shared_prefix_tokens;
      source.arrivalS = t;
      source.promptTokens = shared + l.prompt();
      source.outputTokens = l.output();
      source.classIndex = k;
      source.prefixIds = l.prefix;
      return true;
    },
  };
  return { source, ...workload };
}

// The usual workload, one class on one clock, without the search for the
// earliest clock and the class lookups per request (the same draws in the
// same order: the clock, then the prompt, then the output length).
function oneClassSource(
  clock: { next: () => number; at: number },
  lengths: { prompt: () => number; output: () => number; prefix: number[] },
  cls: WorkloadClass,
  horizonS: number,
): RequestSource {
  const nextAt = clock.next;
  const { prompt, output, prefix } = lengths;
  const shared = cls.shared_prefix_tokens;
  let at = clock.at;
  const source: RequestSource = {
    arrivalS: 0,
    promptTokens: 0,
    outputTokens: 0,
    classIndex: 0,
    prefixIds: [],
    next(): boolean {
      const t = at;
      if (t >= horizonS) return false;
      at = nextAt();
      source.arrivalS = t;
      source.promptTokens = shared + prompt();
      source.outputTokens = output();
      source.prefixIds = prefix;
      return true;
    },
  };
  return source;
}

// A trace replay ends its window at its last arrival when it runs out before
// the horizon: the measured rates are then those of the replayed span, not of
// the empty time after it. A replay with nothing to measure is an input error.
function replayWorkload(
  scenario: WorkloadSpec,
  window: MeasuredWindow,
): Workload {
  const horizonS = scenario.sim_seconds;
  const warmupS = scenario.warmup_seconds;
  const trace = openValidTrace(scenario.trace!);
  // Sessions' turns may be held past their rows' times: the window then
  // closes at the last response's end (the serving run sets it), not at
  // the last row's time.
  const sessions = traceHasSessions(scenario.trace!);
  if (sessions) window[1] = Infinity;
  const replay: ReplayEnd = {
    replayed: 0,
    inWindow: 0,
    firstArrivalS: NaN,
    lastArrivalS: NaN,
    cutAtS: NaN,
  };
  let ended = false;
  const end = (): false => {
    if (ended) return false;
    ended = true;
    const file = scenario.trace!.file;
    if (replay.replayed === 0) {
      const st = trace.stats;
      throw new InputError(
        `${file}: no request to replay before sim_seconds (${horizonS} s): ${
          st.rows + st.skipped + st.failed + st.outside_window === 0
            ? "the file has no data rows"
            : `${st.skipped} bad row(s) skipped, ${st.failed} failed, ${st.outside_window} outside [start_s, end_s)` +
              (Number.isNaN(replay.cutAtS)
                ? ""
                : `, the first arrives at ${replay.cutAtS} s`)
        }`,
        ["trace", "file"],
      );
    }
    if (replay.inWindow === 0) {
      throw new InputError(
        `${file}: every replayed request arrives before warmup_seconds (${warmupS} s; the last at ${replay.lastArrivalS} s): nothing is measured`,
        ["trace", "file"],
      );
    }
    if (Number.isNaN(replay.cutAtS)) {
      if (!(replay.lastArrivalS > warmupS)) {
        throw new InputError(
          `${file}: the replayed requests in the window all arrive at ${replay.lastArrivalS} s: a window of no length has no rates (replay rows that span some time, or lower warmup_seconds)`,
          ["trace", "file"],
        );
      }
      if (!sessions) window[1] = replay.lastArrivalS;
    }
    return false;
  };
  // One row is read ahead, so the replay's end is known when its last row is
  // handed out (at or before that row's arrival), before any later event.
  const ahead = {
    arrivalS: 0,
    promptTokens: 0,
    outputTokens: 0,
    ids: [] as readonly number[],
    session: undefined as string | undefined,
  };
  const pull = (): boolean => {
    if (!trace.next()) return end();
    if (trace.arrivalS >= horizonS) {
      replay.cutAtS = trace.arrivalS;
      return end();
    }
    if (replay.replayed++ === 0) replay.firstArrivalS = trace.arrivalS;
    replay.lastArrivalS = trace.arrivalS;
    if (trace.arrivalS >= warmupS) replay.inWindow++;
    ahead.arrivalS = trace.arrivalS;
    ahead.promptTokens = trace.promptTokens;
    ahead.outputTokens = trace.outputTokens;
    ahead.ids = trace.prefixIds;
    ahead.session = trace.sessionKey;
    return true;
  };
  let have: boolean | undefined;
  const source: RequestSource = {
    arrivalS: 0,
    promptTokens: 0,
    outputTokens: 0,
    prefixIds: [],
    next(): boolean {
      have ??= pull();
      if (!have) return false;
      source.arrivalS = ahead.arrivalS;
      source.promptTokens = ahead.promptTokens;
      source.outputTokens = ahead.outputTokens;
      source.prefixIds = ahead.ids;
      source.sessionKey = ahead.session;
      have = pull();
      return true;
    },
  };
  return {
    source,
    meanRatePerS: () => replay.inWindow / (window[1] - window[0]),
    window,
    classNames: ["default"],
    classSlos: [scenario.slo],
    trace,
    replay,
  };
}

/**
 * Whether a trace's rows are turns of sessions (it maps a `session_id`
 * column), which the serving loop replays as sessions.
 *
 * @param trace The scenario's trace options.
 * @returns Whether the rows carry session ids.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { traceHasSessions } from "./workload.ts";
 * assert.equal(traceHasSessions({ file: "t.csv", format: "azure", on_bad_row: "error" }), false);
 * ```
 */
export function traceHasSessions(trace: TraceOptions): boolean {
  return "columns" in trace && trace.columns?.session_id !== undefined;
}
