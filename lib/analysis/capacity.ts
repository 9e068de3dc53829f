/**
 * Capacity: the highest load at which a scenario still meets its target,
 * found by bisection on a load factor with common random numbers (every
 * evaluation uses the same seed, so the requests only move closer together
 * as the load rises).
 *
 * @module
 */

import { carryStepTables } from "../scenario/step_tables.ts";
import type { Scenario } from "../scenario/types.ts";
import { InputError } from "../errors.ts";
import type { Summary } from "../metrics/summary_types.ts";
import type { SaturationVerdict } from "../metrics/saturation.ts";
import { isMetricName, metricValue } from "../metrics/metric_names.ts";
import { AttainmentMissed, simulate } from "./simulate.ts";
import { loadOf, predictedLoad, requestLengths } from "./offered_load.ts";
import { buildWorkload, lengthMemo } from "../workload/workload.ts";
import type { LengthMemo } from "../workload/length_memo.ts";
import { scaleArrival } from "../workload/arrivals/registry.ts";

/** What "meeting the target" means. */
export interface CapacityOptions {
  /**
   * Least SLO attainment (default 0.9; needs an `slo`), unless `metric` is
   * given.
   */
  target?: number;
  /**
   * Instead: a numeric summary key (a `MetricName`) that must stay at or
   * below `max` (e.g. `mean_queue_wait_s`). A string, as a command line
   * gives it: a name that is not a number in the summary is an input error.
   */
  metric?: string;
  /** The limit for `metric`. */
  max?: number;
  /**
   * Stop when the bracket is this narrow relative to its top. Default: 0.01,
   * or wider where the run's own noise cannot tell the ends apart (see
   * {@linkcode noiseTolerance}).
   */
  tolerance?: number;
}

/** One evaluation of the search. */
export interface CapacityEvaluation {
  /** Load factor (1: the scenario as given). */
  factor: number;
  /** Mean arrival rate at that factor, requests per second. */
  rate_per_s: number;
  /** The criterion's value (attainment, or the metric). */
  value: number;
  /** Whether the target was met (and the run was stable). */
  ok: boolean;
  /**
   * The run's saturation verdict (`stable`, `backlogged`, `overloaded`);
   * absent when the run stopped early.
   */
  saturation?: SaturationVerdict;
  /**
   * False when the load was not simulated because its verdict was certain
   * from the requests alone: an offered load of 1 or more is `overloaded`
   * (see offered_load.ts), so `value` is NaN and `ok` false.
   */
  simulated: boolean;
  /**
   * When the run stopped early, its simulated time then: more of the
   * requests it measures had missed their SLO than the target allows, so
   * the attainment could no longer reach it (`value` NaN, `ok` false).
   */
  stopped_at_s?: number;
}

/** The outcome of {@linkcode capacity}. */
export interface CapacityResult {
  /**
   * The capacity: the highest mean arrival rate found to meet the target
   * (what DistServe calls a placement's goodput; not the summary's
   * `goodput_rps`, which counts the requests meeting their SLO at one rate).
   */
  rate_per_s: number;
  /** Load factor of that rate relative to the scenario's. */
  factor: number;
  /** The capacity per GPU, DistServe's measure of a placement. */
  rate_per_s_per_gpu: number;
  /** GPUs of the scenario's architecture. */
  gpus: number;
  /** The criterion's value at that rate. */
  value: number;
  /** The summary at that rate. */
  summary: Summary;
  /** Every evaluation, in the order run. */
  evaluations: CapacityEvaluation[];
}

/**
 * The scenario with its load multiplied by `factor`: every arrival rate
 * (top level, classes, schedule steps), or a trace replayed faster.
 *
 * @param scenario A validated scenario.
 * @param factor The multiplier (> 0).
 * @returns The scaled scenario.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { scaleLoad } from "./capacity.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const s = scaleLoad(validateScenario({ arrival: { rate_per_s: 2 } }), 1.5);
 * assert.deepEqual(s.arrival, { process: "poisson", rate_per_s: 3 });
 * ```
 */
export function scaleLoad(scenario: Scenario, factor: number): Scenario {
  const out = structuredClone(scenario);
  carryStepTables(scenario, out);
  out.arrival = scaleArrival(out.arrival, factor);
  for (const c of out.classes ?? []) {
    if (c.arrival) c.arrival = scaleArrival(c.arrival, factor);
  }
  if (out.trace) {
    if (out.trace.target_rate_per_s !== undefined) {
      out.trace.target_rate_per_s *= factor;
    } else out.trace.time_scale = (out.trace.time_scale ?? 1) * factor;
  }
  return out;
}

function gpusOf(scenario: Scenario): number {
  return scenario.mode === "mono"
    ? scenario.cluster_mono.num_gpus
    : scenario.cluster_disagg.prefill_gpus +
      scenario.cluster_disagg.decode_gpus;
}

/**
 * Finds the highest load meeting the target: from the scenario's own load,
 * doubling (or halving) until the target flips, then bisecting. A run that
 * is not `stable` (overloaded, or its backlog kept growing) counts as
 * missing the target. A load whose offered load is 1 or more is not
 * simulated: its verdict (`overloaded`, so missed) is certain from the
 * requests alone, so the search visits the same loads and finds the same
 * capacity as if it had simulated it.
 *
 * @param scenario A validated scenario (its load is the starting point).
 * @param options The criterion and tolerance.
 * @returns The capacity, per GPU, and every evaluation.
 * @throws {InputError} Without an SLO (for attainment), or when even a
 * tiny load misses the target.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { capacity } from "./capacity.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const s = validateScenario({
 *   mode: "mono", sim_seconds: 200, warmup_seconds: 20,
 *   cluster_mono: { num_gpus: 1 }, slo: { ttft_s: 1, tpot_s: 0.01 },
 * });
 * const c = capacity(s, { target: 0.9, tolerance: 0.05 });
 * assert.ok(c.rate_per_s > 0);
 * ```
 */
export function capacity(
  scenario: Scenario,
  options: CapacityOptions = {},
): CapacityResult {
  const metric = options.metric;
  if (
    metric === undefined && !scenario.slo &&
    !scenario.classes?.some((c) => c.slo)
  ) {
    throw new InputError(
      "capacity needs an slo (ttft_s, tpot_s) or a --metric with --max",
      ["slo"],
    );
  }
  if (metric !== undefined && options.max === undefined) {
    throw new InputError(`capacity: --metric ${metric} needs --max`);
  }
  const target = options.target ?? 0.9;
  const tolerance = options.tolerance ?? 0.01;
  const baseRate = buildWorkload(scenario).meanRatePerS();
  const evaluations: CapacityEvaluation[] = [];
  const summaries = new Map<number, Summary>();
  // Every evaluation runs the same workload at another load: its length
  // draws are drawn once and read back (the same requests).
  const memo = scenario.trace ? undefined : sharedLengthMemo(scenario);
  // The offered load is linear in the factor but for the sampled lengths:
  // within 10% of 1, or above, the exact prediction decides.
  const loadAtOne = predictedLoad(scenario, memo).maxLoad;
  const evaluate = (factor: number): boolean => {
    const scaled = scaleLoad(scenario, factor);
    const near = loadAtOne * factor >= 0.9;
    // Near a load of 1, the requests alone give that load.
    const lengths = near ? requestLengths(scaled, memo) : undefined;
    const load = near
      ? loadOf(scaled, lengths!.meanTokens, lengths!.ratePerS)
      : undefined;
    if (load && load.maxLoad >= 1) {
      evaluations.push({
        factor,
        rate_per_s: load.ratePerS,
        value: NaN,
        ok: false,
        saturation: "overloaded",
        simulated: false,
      });
      return false;
    }
    // The early stop needs the requests the run will measure, or more
    // (more only stops it later): the arrivals after the warm-up, counted
    // from the arrival clocks alone where the workload can.
    const measured = metric !== undefined ? undefined : lengths?.measured ??
      buildWorkload(scaled).countArrivals?.(scaled.warmup_seconds) ??
      requestLengths(scaled, memo).measured;
    let summary: Summary;
    try {
      summary = simulate(scaled, {
        keepRecords: false,
        lengths: memo,
        stopBelowAttainment: measured === undefined ? undefined : {
          target,
          measured,
        },
      }).summary;
    } catch (e) {
      if (!(e instanceof AttainmentMissed)) throw e;
      evaluations.push({
        factor,
        rate_per_s: baseRate * factor,
        value: NaN,
        ok: false,
        simulated: true,
        stopped_at_s: e.atS,
      });
      return false;
    }
    const raw = metric === undefined
      ? summary.slo_attainment
      : isMetricName(metric)
      ? metricValue(summary, metric)
      : undefined;
    if (typeof raw !== "number" && raw !== null) {
      throw new InputError(
        `capacity: --metric ${metric} is not a number in the summary`,
      );
    }
    const value = typeof raw === "number" ? raw : NaN;
    const met = metric === undefined ? value >= target : value <= options.max!;
    const ok = met && summary.stable !== false;
    summaries.set(factor, summary);
    evaluations.push({
      factor,
      rate_per_s: summary.arrival_rate_per_s ?? baseRate * factor,
      value,
      ok,
      saturation: summary.saturation,
      simulated: true,
    });
    return ok;
  };
  let lo: number, hi: number;
  if (evaluate(1)) {
    lo = 1;
    hi = 2;
    while (evaluate(hi)) {
      lo = hi;
      hi *= 2;
      if (hi > 2 ** 30) {
        throw new InputError("capacity: the target holds at any load");
      }
    }
  } else {
    hi = 1;
    lo = 0.5;
    while (!evaluate(lo)) {
      hi = lo;
      lo /= 2;
      if (lo < 2 ** -30) {
        throw new InputError(
          "capacity: the target is missed even at a vanishing load",
        );
      }
    }
  }
  // Without a given tolerance, bisecting below what the attainment's
  // sampling noise resolves only moves the answer by noise.
  const noise = () => {
    if (options.tolerance !== undefined || metric !== undefined) return 0;
    const a = evaluations.findLast((e) => e.factor === lo);
    const b = evaluations.findLast((e) => e.factor === hi);
    if (!a?.simulated || !b?.simulated) return 0;
    return noiseTolerance(
      { factor: lo, value: a.value },
      { factor: hi, value: b.value },
      target,
      summaries.get(lo)!.num_samples,
    );
  };
  while ((hi - lo) / hi > Math.max(tolerance, noise())) {
    const mid = (lo + hi) / 2;
    if (evaluate(mid)) lo = mid;
    else hi = mid;
  }
  const summary = summaries.get(lo)!;
  const gpus = gpusOf(scenario);
  const rate = summary.arrival_rate_per_s;
  return {
    rate_per_s: rate,
    factor: lo,
    rate_per_s_per_gpu: rate / gpus,
    gpus,
    value: evaluations.find((e) => e.factor === lo)!.value,
    summary,
    evaluations,
  };
}

/**
 * The narrowest bracket, relative to its top, that the attainment's sampling
 * noise lets a bisection resolve: two binomial standard errors of the
 * attainment at the target, sqrt(t (1 - t) / n) over n measured requests,
 * turned into a load difference through the bracket's slope (the drop in
 * attainment from its bottom to its top over its width). Requests in a
 * queue are correlated, so the true noise is larger: this errs towards
 * bisecting further, never towards stopping early.
 *
 * @param lo The bracket's bottom: factor and attainment.
 * @param hi The bracket's top: factor and attainment.
 * @param target The attainment target.
 * @param measured Requests measured at the bottom.
 * @returns The relative width below which bisection is noise (0: no slope).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { noiseTolerance } from "./capacity.ts";
 * // 400 requests, attainment falling 0.2 over a 10% bracket: 2 x 0.015 / 2.
 * const t = noiseTolerance({ factor: 0.9, value: 0.95 }, { factor: 1, value: 0.75 }, 0.9, 400);
 * assert.ok(Math.abs(t - 0.015) < 1e-12);
 * ```
 */
export function noiseTolerance(
  lo: { factor: number; value: number },
  hi: { factor: number; value: number },
  target: number,
  measured: number,
): number {
  const slope = (lo.value - hi.value) / (hi.factor - lo.factor);
  if (!(slope > 0) || !(measured > 0)) return 0;
  const se = Math.sqrt(target * (1 - target) / measured);
  return 2 * se / slope / hi.factor;
}

// The memo of the last workload searched, kept for the next search of the
// same workload (a plan's placements share theirs, task after task in a
// worker); one at a time bounds what it holds.
let lastMemo: LengthMemo | undefined;

function sharedLengthMemo(scenario: Scenario): LengthMemo {
  const memo = lengthMemo(scenario);
  if (lastMemo?.key !== memo.key) lastMemo = memo;
  return lastMemo;
}
