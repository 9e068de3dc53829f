/**
 * Calibration: fit a deployment's engine and kernel-efficiency parameters
 * so that llmsim, replaying exactly the requests of measured benchmark runs
 * (their arrival times and lengths, and the client's concurrency limit),
 * reproduces the measured latencies.
 *
 * The objective is the sum, over files and the three metrics mean TTFT, p90
 * TTFT and mean TPOT, of the squared log ratio ln(simulated / measured):
 * symmetric in over- and under-prediction and free of units, plus a weak
 * pull towards the base's values, {@linkcode PRIOR_WEIGHT} x the squared
 * distance in units of each parameter's plausible spread (2 ms for the step
 * and TP terms, 0.1 ms per sequence, 10 ms per request, 0.1 of efficiency):
 * measured latencies rarely tell every parameter apart (a
 * step floor and a lower bandwidth share both lengthen every decode step;
 * light loads barely show the per-sequence cost), and where they do not,
 * the engine preset's measured value is the better guess. It is
 * minimised from the base's own values (the engine preset's) by a bounded
 * Levenberg-Marquardt search on the residuals (forward differences), then
 * polished by Nelder-Mead, which needs no derivatives of a discrete-event
 * simulation. Every evaluation runs the same requests with the same seed,
 * so the objective is a deterministic function of the parameters and the
 * result is the same whatever the number of workers.
 *
 * Fitted parameters: the engine's `iteration_s`, `per_seq_s` and
 * `request_s`, `tp_sync_s` when some pool has tp > 1, and with the roofline
 * the weight type's `compute_efficiency` and `memory_efficiency`.
 *
 * @module
 */

import type { Scenario } from "../scenario/types.ts";
import { poolSettings } from "../scenario/pool_settings.ts";
import { carryStepTables } from "../scenario/step_tables.ts";
import type { SimulateOutcome, Task } from "../analysis/tasks.ts";
import type { Summary } from "../metrics/summary_types.ts";
import { TaskPool } from "../analysis/pool.ts";
import { InputError } from "../errors.ts";
import type { RequestList } from "../workload/request_list.ts";
import { nelderMeadAsync } from "./nelder_mead.ts";
import { levenbergMarquardt } from "./levenberg_marquardt.ts";
import {
  measuredMetrics,
  measuredRequestList,
  type MeasuredRun,
} from "./measured.ts";

/**
 * Weight of the pull towards the base's values: a parameter one `spread`
 * away from its start costs as much as a 3.2% error in one metric
 * (ln 1.032 squared).
 */
export const PRIOR_WEIGHT = 0.001;

/** Candidate parameter sets evaluated at most, by default. */
export const DEFAULT_EVALUATIONS = 400;

/** A metric calibration matches, as the summary names it. */
export type CalibratedMetric =
  | "mean_ttft_s"
  | "p90_ttft_s"
  | "mean_tpot_s"
  | "p90_tpot_s";

/** The metrics calibration matches. */
export const CALIBRATED_METRICS: readonly CalibratedMetric[] = [
  "mean_ttft_s",
  "p90_ttft_s",
  "mean_tpot_s",
  "p90_tpot_s",
];

/** A fitted parameter: where it lives and how the search scales it. */
export interface CalibrationParameter {
  /** Dotted key path in the scenario (`engine.iteration_s`, ...). */
  key: string;
  /** Search units: the value is x times this. */
  scale: number;
  /** Least value. */
  lower: number;
  /** Largest value. */
  upper: number;
  /** How far from the base's value it plausibly lies (the prior's width). */
  spread: number;
}

/** Options of {@linkcode calibrate}. */
export interface CalibrateOptions {
  /** Candidate parameter sets at most (default {@linkcode DEFAULT_EVALUATIONS}). */
  maxEvaluations?: number;
  /** Workers evaluating candidates (default 1: in this thread). */
  jobs?: number;
  /** Called after each evaluation with the count so far. */
  onProgress?: (evaluations: number) => void;
}

/** Measured and simulated values of one metric of one file. */
export interface MetricFit {
  /** The measured value. */
  measured: number;
  /** llmsim with the base's values. */
  before: number;
  /** llmsim with the fitted values. */
  after: number;
  /** (before - measured) / measured. */
  error_before: number;
  /** (after - measured) / measured. */
  error_after: number;
}

/** What calibration found. */
export interface CalibrationResult {
  /** The fitted values by key path. */
  fitted: Record<string, number>;
  /** The values the search started from (the base's). */
  start: Record<string, number>;
  /** Per measured file: its request count and each metric. */
  files: {
    file: string;
    num_requests: number;
    max_concurrency: number | null;
    metrics: Record<CalibratedMetric, MetricFit>;
  }[];
  /** The objective before and after. */
  objective: { before: number; after: number };
  /** Candidate parameter sets evaluated. */
  evaluations: number;
  /** Simulations run (evaluations x files). */
  simulations: number;
  /** Whether the search met its tolerance within the budget. */
  converged: boolean;
}

/**
 * The parameters calibration fits for a base scenario (module doc).
 *
 * @param base The deployment as it ran.
 * @returns The parameters, in a fixed order.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { calibrationParameters } from "./calibrate.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const p = calibrationParameters(validateScenario({ batching: "continuous" }));
 * assert.equal(p.map((q) => q.key).join(), "engine.iteration_s,engine.per_seq_s,engine.request_s");
 * ```
 */
export function calibrationParameters(base: Scenario): CalibrationParameter[] {
  const out: CalibrationParameter[] = [
    {
      key: "engine.iteration_s",
      scale: 1e-3,
      lower: 0,
      upper: 1,
      spread: 2e-3,
    },
    {
      key: "engine.per_seq_s",
      scale: 1e-4,
      lower: 0,
      upper: 0.1,
      spread: 1e-4,
    },
    {
      key: "engine.request_s",
      scale: 1e-3,
      lower: 0,
      upper: 10,
      spread: 10e-3,
    },
  ];
  const pools = base.mode === "mono"
    ? [base.cluster_mono.tp]
    : [base.cluster_disagg.prefill_tp, base.cluster_disagg.decode_tp];
  if (pools.some((tp) => tp > 1)) {
    out.push({
      key: "engine.tp_sync_s",
      scale: 1e-3,
      lower: 0,
      upper: 1,
      spread: 2e-3,
    });
  }
  if (base.step_time.kind === "roofline" && base.hardware) {
    const dtype = base.hardware.weight_dtype;
    out.push(
      {
        key: `engine.compute_efficiency.${dtype}`,
        scale: 0.1,
        lower: 0.05,
        upper: 1,
        spread: 0.1,
      },
      {
        key: "engine.memory_efficiency",
        scale: 0.1,
        lower: 0.05,
        upper: 1,
        spread: 0.1,
      },
    );
  }
  return out;
}

// The value a base runs with for a parameter (its resolved engine's).
function startValue(base: Scenario, key: string): number {
  const pool = base.mode === "mono" ? "gpu" : "prefill";
  const engine = poolSettings(base, pool).engine as unknown as Record<
    string,
    unknown
  >;
  const [, name, dtype] = key.split(".");
  const v = dtype === undefined
    ? engine[name]
    : (engine[name] as Record<string, number>)[dtype];
  return v as number;
}

/**
 * The base with parameter values set under `engine` (overriding the
 * preset's; a step_time efficiency the base gave itself is set there).
 *
 * @param base The deployment.
 * @param values Values by key path.
 * @returns A copy of the base with the values.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { withCalibration } from "./calibrate.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const s = withCalibration(validateScenario({}), { "engine.iteration_s": 0.002 });
 * assert.equal(s.engine.iteration_s, 0.002);
 * ```
 */
export function withCalibration(
  base: Scenario,
  values: Readonly<Record<string, number>>,
): Scenario {
  const out = structuredClone(base);
  carryStepTables(base, out);
  for (const [key, value] of Object.entries(values)) {
    for (const path of calibrationTargets(out, key)) {
      let node = out as unknown as Record<string, unknown>;
      for (const part of path.slice(0, -1)) {
        node[part] ??= {};
        node = node[part] as Record<string, unknown>;
      }
      node[path[path.length - 1]] = value;
    }
  }
  return out;
}

/**
 * Where a fitted parameter is written: under `engine`, or at the key the
 * base already uses for it (a scheduler alias, an explicit step_time
 * efficiency), and in each disagg pool's engine section that sets it.
 *
 * @param scenario The base.
 * @param key The parameter's key (`engine.iteration_s`, ...).
 * @returns The key paths to set.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { calibrationTargets } from "./calibrate.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const s = validateScenario({ scheduler: { iteration_overhead_s: 0.001 } });
 * const [path] = calibrationTargets(s, "engine.iteration_s");
 * assert.equal(path.join("."), "scheduler.iteration_overhead_s");
 * ```
 */
export function calibrationTargets(
  scenario: Scenario,
  key: string,
): string[][] {
  const path = key.split(".").slice(1);
  const aliases: Record<string, string[]> = {
    iteration_s: ["scheduler", "iteration_overhead_s"],
    request_s: ["scheduler", "request_overhead_s"],
  };
  const alias = aliases[path[0]];
  const out: string[][] = [];
  const sched = scenario.scheduler as unknown as Record<string, unknown>;
  const st = scenario.step_time;
  if (alias && sched[alias[1]] !== undefined) out.push(alias);
  else if (
    path[0] === "compute_efficiency" && st.compute_efficiency !== undefined
  ) {
    out.push(["step_time", "compute_efficiency"]);
  } else if (
    path[0] === "memory_efficiency" && st.memory_efficiency !== undefined
  ) {
    out.push(["step_time", "memory_efficiency"]);
  } else out.push(["engine", ...path]);
  for (const pool of ["prefill", "decode"] as const) {
    const own = scenario.cluster_disagg[pool]?.engine as
      | Record<string, unknown>
      | undefined;
    if (own && own[path[0]] !== undefined) {
      out.push(["cluster_disagg", pool, "engine", ...path]);
    }
  }
  return out;
}

// A measured run as the replayed requests: a closed loop at time 0 when the
// client sent as fast as its concurrency allowed, else the measured (or
// regenerated) arrival times behind the same limit.
function replayOf(run: MeasuredRun): RequestList {
  const list = measuredRequestList(run);
  const closed = run.maxConcurrency !== undefined &&
    run.requestRatePerS === Infinity;
  if (closed) list.arrivalS.fill(0);
  return list;
}

// The base set up to measure every replayed request: no warm-up, a
// horizon past the last arrival, exact percentiles.
function replayScenario(base: Scenario, requests: RequestList): Scenario {
  const last = requests.arrivalS[requests.arrivalS.length - 1] ?? 0;
  const out = structuredClone(base);
  carryStepTables(base, out);
  out.warmup_seconds = 0;
  out.sim_seconds = last + 1;
  out.metrics = { percentiles: "exact" };
  delete out.trace;
  delete out.classes;
  return out;
}

/**
 * Fits the base's engine and efficiency parameters to measured runs.
 *
 * @param base The deployment as it ran (batching: continuous).
 * @param runs The measured runs.
 * @param options Budget, workers, progress.
 * @returns The fitted values and, per file and metric, measured against simulated.
 * @throws {InputError} When the base does not batch or a run has no requests.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { calibrate } from "./calibrate.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const base = validateScenario({ batching: "continuous", engine: { preset: "none" } });
 * const requests = Array.from({ length: 40 }, (_, i) => ({
 *   arrivalS: i, promptTokens: 100, outputTokens: 20, ttftS: 0.05, e2eS: 0.65, tpotS: 0.6 / 19,
 * }));
 * const run = { source: "m.csv", format: "csv" as const, requests, arrivalsKnown: true, failedRequests: 0 };
 * const r = await calibrate(base, [run], { maxEvaluations: 40 });
 * assert.ok(r.objective.after <= r.objective.before);
 * ```
 */
export async function calibrate(
  base: Scenario,
  runs: readonly MeasuredRun[],
  options: CalibrateOptions = {},
): Promise<CalibrationResult> {
  if (base.batching !== "continuous") {
    throw new InputError(
      "calibrate needs batched instances (set batching: continuous)",
      ["batching"],
    );
  }
  const pool = new TaskPool(options.jobs ?? 1);
  try {
    return await fit(pool, base, runs, options);
  } finally {
    pool.close();
  }
}

async function fit(
  pool: TaskPool,
  base: Scenario,
  runs: readonly MeasuredRun[],
  options: CalibrateOptions,
): Promise<CalibrationResult> {
  const params = calibrationParameters(base);
  const x0 = params.map((p) => startValue(base, p.key) / p.scale);
  const replays = runs.map(replayOf);
  const measured = runs.map(measuredMetrics);
  let evaluations = 0;

  const valuesOf = (x: readonly number[]) =>
    Object.fromEntries(params.map((p, i) => [p.key, x[i] * p.scale]));
  const tasksOf = (x: readonly number[]): Task[] => {
    const scenario = withCalibration(base, valuesOf(x));
    return runs.map((run, k) => ({
      kind: "simulate",
      scenario: replayScenario(scenario, replays[k]),
      requests: replays[k],
      maxConcurrency: run.maxConcurrency,
    }));
  };
  const summariesOf = async (points: number[][]) => {
    const tasks = points.flatMap(tasksOf);
    const outcomes = await pool.run(tasks) as SimulateOutcome[];
    return points.map((_, p) =>
      outcomes.slice(p * runs.length, (p + 1) * runs.length).map((o) =>
        o.summary
      )
    );
  };
  // The residuals: each file's log ratios, then the pull towards the start.
  const residualsOf = (
    summaries: readonly Summary[],
    x: readonly number[],
  ): number[] => {
    const out: number[] = [];
    summaries.forEach((s, k) => {
      for (const m of CALIBRATED_METRICS) {
        const sim = s[m];
        const meas = measured[k][m];
        if (!(meas > 0)) continue;
        // A candidate that yields no value is as bad as can be.
        out.push(sim > 0 ? Math.log(sim / meas) : 1e3);
      }
    });
    for (let i = 0; i < x.length; i++) {
      const d = (x[i] - x0[i]) * params[i].scale / params[i].spread;
      out.push(Math.sqrt(PRIOR_WEIGHT) * d);
    }
    return out;
  };
  const objective = (
    summaries: readonly Summary[],
    x: readonly number[],
  ): number => residualsOf(summaries, x).reduce((a, v) => a + v * v, 0);
  const residualBatch = async (points: number[][]) => {
    const all = await summariesOf(points);
    evaluations += points.length;
    options.onProgress?.(evaluations);
    return all.map((summaries, p) => residualsOf(summaries, points[p]));
  };
  const evaluateBatch = async (points: number[][]) =>
    (await residualBatch(points)).map((r) => r.reduce((a, v) => a + v * v, 0));
  const [startSummaries] = await summariesOf([x0]);
  const before = objective(startSummaries, x0);
  // Levenberg-Marquardt follows the valleys where two parameters trade
  // against each other. A simulation's objective has small jumps and can
  // hold local minima, so it starts from the base's values and from the
  // best of a few points a spread and a half away along each axis (one
  // batch), keeps the best end, and Nelder-Mead polishes that with what is
  // left of the budget, without trusting differences across the jumps.
  const budget = options.maxEvaluations ?? DEFAULT_EVALUATIONS;
  const lower = params.map((p) => p.lower / p.scale);
  const upper = params.map((p) => p.upper / p.scale);
  const clamp = (x: number[]) =>
    x.map((v, i) => Math.min(upper[i], Math.max(lower[i], v)));
  const probes: number[][] = [];
  params.forEach((p, i) => {
    for (const sign of [-1, 1]) {
      const x = x0.slice();
      x[i] += sign * 1.5 * p.spread / p.scale;
      probes.push(clamp(x));
    }
  });
  const starts = [x0];
  if (budget >= 4 * probes.length) {
    const values = await evaluateBatch(probes);
    const order = values.map((v, k) => [v, k]).sort((a, b) =>
      a[0] - b[0] || a[1] - b[1]
    );
    for (const [v, k] of order.slice(0, 2)) {
      if (v < before) starts.push(probes[k]);
    }
  }
  let best = { x: x0.slice(), fx: before };
  let converged = false;
  const share = Math.floor(
    (budget - evaluations) * 0.7 / starts.length,
  );
  for (const start of starts) {
    if (share <= params.length + 2) break;
    const lm = await levenbergMarquardt(residualBatch, start, {
      step: params.map((p) => 0.1 * p.spread / p.scale),
      lower,
      upper,
      maxEvaluations: share,
    });
    if (lm.fx < best.fx) best = { x: lm.x, fx: lm.fx };
    converged = converged || lm.converged;
  }
  if (budget - evaluations > params.length + 1) {
    const nm = await nelderMeadAsync(() => NaN, best.x, {
      step: params.map((p) => 0.1 * p.spread / p.scale),
      lower,
      upper,
      maxEvaluations: budget - evaluations,
      xTolerance: 1e-4,
      fTolerance: 1e-7,
      speculative: false, // the same path whatever the workers
      evaluateBatch,
    });
    if (nm.fx < best.fx) best = { x: nm.x, fx: nm.fx };
    converged = converged || nm.converged;
  }
  const result = best;
  const [endSummaries] = await summariesOf([result.x]);
  const after = objective(endSummaries, result.x);
  const fitFor = (k: number, m: CalibratedMetric): MetricFit => {
    const meas = measured[k][m];
    const b = startSummaries[k][m];
    const a = endSummaries[k][m];
    return {
      measured: meas,
      before: b,
      after: a,
      error_before: (b - meas) / meas,
      error_after: (a - meas) / meas,
    };
  };
  return {
    fitted: valuesOf(result.x),
    start: valuesOf(x0),
    files: runs.map((run, k) => ({
      file: run.source,
      num_requests: run.requests.length,
      max_concurrency: run.maxConcurrency ?? null,
      metrics: Object.fromEntries(
        CALIBRATED_METRICS.map((m) => [m, fitFor(k, m)]),
      ) as Record<CalibratedMetric, MetricFit>,
    })),
    objective: { before, after },
    evaluations: evaluations + 2,
    simulations: (evaluations + 2) * runs.length,
    converged,
  };
}
