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
import type {
  ArrivalConfig,
  RequestClass,
  Scenario,
  Slo,
} from "../scenario/types.ts";
import { arrivalClock, type ArrivalSpec, meanRate } from "./arrivals.ts";
import { tokenSampler } from "./tokens.ts";
import { openTrace, type TraceSource } from "./trace.ts";

/** A source of requests in arrival order. */
export interface RequestSource {
  /**
   * Advances to the next request. Returns false once arrivals reach the
   * horizon; otherwise the fields below hold it.
   */
  next(): boolean;
  /** Arrival time of the current request, seconds. */
  arrivalS: number;
  /** Prompt length of the current request. */
  promptTokens: number;
  /** Output length of the current request. */
  outputTokens: number;
  /** Class of the current request (index into the scenario's classes). */
  classIndex?: number;
  /** Prefix block ids of the current prompt (for prefix caching). */
  prefixIds?: readonly number[];
}

/** Tokens one prefix block id covers (Mooncake's hash blocks). */
export const PREFIX_BLOCK_TOKENS = 512;

/** A scenario's workload: its requests and what reports need to know. */
export interface Workload {
  /** The requests. */
  source: RequestSource;
  /** Long-run arrival rate; for a trace, known once it has been replayed. */
  meanRatePerS(): number;
  /** Class names by class index (one, `default`, without classes). */
  classNames: string[];
  /** Latency targets by class index. */
  classSlos: (Slo | undefined)[];
  /** The trace being replayed, for its row counts. */
  trace?: TraceSource;
}

/**
 * The scenario's requests (see {@linkcode buildWorkload}).
 *
 * @param scenario A validated scenario.
 * @returns The request source.
 *
 * @example Usage
 * ```ts
 * import { scenarioWorkload } from "./workload.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const w = scenarioWorkload(validateScenario({ sim_seconds: 10, warmup_seconds: 0 }));
 * let n = 0;
 * while (w.next()) n++;
 * if (n === 0) throw new Error("no requests");
 * ```
 */
export function scenarioWorkload(scenario: Scenario): RequestSource {
  return buildWorkload(scenario).source;
}

function spec(arrival: ArrivalConfig): ArrivalSpec {
  return arrival as ArrivalSpec;
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
 * @returns The workload.
 *
 * @example Usage
 * ```ts
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
 *   if (w.source.arrivalS < last) throw new Error("not in arrival order");
 *   last = w.source.arrivalS;
 *   if (w.source.classIndex === 1) code++;
 * }
 * if (code === 0 || w.meanRatePerS() !== 3) throw new Error();
 * ```
 */
export function buildWorkload(scenario: Scenario): Workload {
  const horizonS = scenario.sim_seconds;
  if (scenario.trace) {
    const trace = openTrace(scenario.trace);
    let replayed = 0;
    const source: RequestSource = {
      arrivalS: 0,
      promptTokens: 0,
      outputTokens: 0,
      prefixIds: [],
      next(): boolean {
        if (!trace.next() || trace.arrivalS >= horizonS) return false;
        replayed++;
        source.arrivalS = trace.arrivalS;
        source.promptTokens = trace.promptTokens;
        source.outputTokens = trace.outputTokens;
        source.prefixIds = trace.prefixIds;
        return true;
      },
    };
    return {
      source,
      meanRatePerS: () => replayed / horizonS,
      classNames: ["default"],
      classSlos: [scenario.slo],
      trace,
    };
  }
  const seed = scenario.random_seed;
  const classes: RequestClass[] = scenario.classes ?? [{
    name: "default",
    weight: 1,
    shared_prefix_tokens: 0,
  }];
  const single = !scenario.classes;
  const named = (base: string, k: number) =>
    single ? base : `${base}/${classes[k].name}`;
  const lengths = classes.map((c, k) => ({
    prompt: tokenSampler(
      c.prompt_tokens ?? scenario.prompt_tokens,
      new RandomStream(seed, named("prompt_tokens", k)),
    ),
    output: tokenSampler(
      c.output_tokens ?? scenario.output_tokens,
      new RandomStream(seed, named("output_tokens", k)),
    ),
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
  const clocks: Clock[] = [];
  if (weighted.length > 0) {
    const chooser = new RandomStream(seed, "class");
    clocks.push({
      next: arrivalClock(
        spec(scenario.arrival),
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
      next: arrivalClock(
        spec(c.arrival),
        new RandomStream(seed, named("arrivals", k)),
      ),
      pick: () => k,
      at: 0,
    });
  });
  for (const c of clocks) c.at = c.next();

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
  const rate = (weighted.length > 0 ? meanRate(spec(scenario.arrival)) : 0) +
    classes.reduce(
      (a, c) => a + (c.arrival ? meanRate(spec(c.arrival)) : 0),
      0,
    );
  return {
    source,
    meanRatePerS: () => rate,
    classNames: classes.map((c) => c.name),
    classSlos: classes.map((c) => c.slo ?? scenario.slo),
  };
}
