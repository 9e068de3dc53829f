/**
 * Studies: many runs of one scenario with some keys changed (a grid of
 * points), each replicated over independent seeds, summarised as means with
 * 95% confidence intervals. Points are numbered in grid order; that order,
 * not the order in which workers finish, fixes every output, so results are
 * the same byte for byte whatever runs them.
 *
 * @module
 */

import { carryStepTables, withoutStepTables } from "../scenario/step_tables.ts";
import type { Scenario } from "../scenario/types.ts";
import { validateScenario } from "../scenario/validate.ts";
import { InputError } from "../errors.ts";
import type {
  ReplicationSummary,
  Summary,
  SummaryValue,
} from "../metrics/summary_types.ts";
import { summaryRecord } from "../metrics/metric_names.ts";
import { runTasks } from "./pool.ts";

/** One key of a grid and the values it takes. */
export interface GridAxis {
  /** Dotted key path, e.g. `arrival.rate_per_s`. */
  path: string;
  /** Its values, in order. */
  values: readonly unknown[];
}

/** One point of a study: the values of every axis. */
export interface StudyPoint {
  /** Position in grid order (the first axis varies slowest). */
  index: number;
  /** The axes' values at this point, by path. */
  params: Record<string, unknown>;
}

/**
 * The points of a grid, the first axis varying slowest.
 *
 * @param axes The axes.
 * @returns Every combination, in order.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { gridPoints } from "./study.ts";
 * const p = gridPoints([{ path: "a", values: [1, 2] }, { path: "b", values: ["x", "y", "z"] }]);
 * assert.equal(p.length, 6);
 * assert.equal(p[1].params.b, "y");
 * assert.equal(p[3].params.a, 2);
 * ```
 */
export function gridPoints(axes: readonly GridAxis[]): StudyPoint[] {
  let combos: Record<string, unknown>[] = [{}];
  for (const axis of axes) {
    if (axis.values.length === 0) {
      throw new InputError(`--set ${axis.path}: needs at least one value`);
    }
    combos = combos.flatMap((c) =>
      axis.values.map((v) => ({ ...c, [axis.path]: v }))
    );
  }
  return combos.map((params, index) => ({ index, params }));
}

/**
 * A validated scenario with some keys changed. The result is validated
 * again, so a change that breaks a rule (a TP degree that does not divide
 * its pool) is an error naming the key.
 *
 * @param scenario A validated scenario.
 * @param params New values by dotted key path.
 * @returns The changed scenario.
 * @throws {InputError} When a changed scenario is invalid.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { withParams } from "./study.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const s = withParams(validateScenario({}), { "arrival.rate_per_s": 5, mode: "mono" });
 * assert.deepEqual(s.arrival, { process: "poisson", rate_per_s: 5 });
 * assert.equal(s.mode, "mono");
 * ```
 */
export function withParams(
  scenario: Scenario,
  params: Readonly<Record<string, unknown>>,
): Scenario {
  // Loaded step tables are not YAML keys: set them aside for validation.
  const tree = withoutStepTables(scenario);
  // Empirical lengths were read from their trace at load: keep the values.
  const classes = (tree.classes ?? []) as Record<string, unknown>[];
  for (
    const dist of [
      tree.prompt_tokens,
      tree.output_tokens,
      ...classes.flatMap((c) => [c.prompt_tokens, c.output_tokens]),
    ] as (Record<string, unknown> | undefined)[]
  ) {
    if (dist?.values !== undefined) {
      delete dist.trace_file;
      delete dist.trace_format;
    }
  }
  for (const [path, value] of Object.entries(params)) {
    if (path.endsWith("step_time.table_file")) {
      throw new InputError(
        `${path}: a study cannot change the step table (load each in its own scenario)`,
      );
    }
    setPath(tree, path, value);
  }
  let out: Scenario;
  try {
    out = validateScenario(tree);
  } catch (e) {
    if (e instanceof InputError) {
      const at = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(
        ", ",
      );
      throw new InputError(`at ${at}: ${e.message}`);
    }
    throw e;
  }
  carryStepTables(scenario, out);
  return out;
}

function setPath(tree: Record<string, unknown>, path: string, value: unknown) {
  const keys = path.split(".");
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) {
      node[key] = {};
    }
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

/**
 * The seed of replication r: the scenario's seed plus r, so replication 0 is
 * the plain run and every point shares its replications' seeds (common
 * random numbers across points).
 *
 * @param scenario The scenario.
 * @param replication 0-based replication number.
 * @returns The scenario with that seed.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { replicate } from "./study.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * assert.equal(replicate(validateScenario({ random_seed: 7 }), 2).random_seed, 9);
 * ```
 */
export function replicate(scenario: Scenario, replication: number): Scenario {
  return { ...scenario, random_seed: scenario.random_seed + replication };
}

/**
 * The 0.975 quantile of Student's t with `df` degrees of freedom (the factor
 * of a two-sided 95% interval), by bisection on its distribution function.
 *
 * @param df Degrees of freedom (>= 1).
 * @returns t such that P(T <= t) = 0.975.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { t975 } from "./study.ts";
 * assert.ok(Math.abs(t975(1) - 12.7062) <= 1e-3);
 * assert.ok(Math.abs(t975(30) - 2.0423) <= 1e-3);
 * ```
 */
export function t975(df: number): number {
  let lo = 0, hi = 1000;
  for (let k = 0; k < 200; k++) {
    const mid = (lo + hi) / 2;
    if (studentCdf(mid, df) < 0.975) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

// P(T <= t) for t >= 0: 1 - I_x(df/2, 1/2) / 2 with x = df / (df + t^2).
function studentCdf(t: number, df: number): number {
  return 1 - 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

// The regularised incomplete beta function by its continued fraction
// (Lentz's method), using the symmetry for fast convergence.
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) +
    b * Math.log(1 - x);
  if (x > (a + 1) / (a + b + 2)) {
    return 1 - incompleteBeta(1 - x, b, a);
  }
  const tiny = 1e-300;
  let c = 1, d = 1 - (a + b) * x / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    f *= d * c;
    num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.exp(lnFront) * f / a;
}

/**
 * The natural logarithm of the gamma function (Lanczos, g = 7, 9 terms;
 * relative error about 1e-15).
 *
 * @param z The argument (> 0; reflection handles z < 0.5).
 * @returns ln Gamma(z).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { lnGamma } from "./study.ts";
 * assert.ok(Math.abs(lnGamma(5) - Math.log(24)) <= 1e-12);
 * ```
 */
export function lnGamma(z: number): number {
  const g = [
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (z < 0.5) {
    return Math.log(Math.PI / Math.sin(Math.PI * z)) - lnGamma(1 - z);
  }
  z -= 1;
  let x = g[0];
  for (let i = 1; i < 9; i++) x += g[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t +
    Math.log(x);
}

/** A replicated point's summary: means, and 95% half-widths by key. */
export interface ReplicatedSummary {
  /**
   * Each measured key's mean over the replications; configuration keys as
   * the scenario fixes them; `random_seed` the base seed, with
   * `random_seeds` (e.g. `"42..46"`) and `replications` after it.
   */
  summary: Summary;
  /** Half-width of the 95% t-interval of each measured key's mean (0 with one replication). */
  ci95: Record<string, number>;
}

/**
 * Summary keys that a run's configuration fixes rather than measures: the
 * same in every replication of a point (they do not depend on the seed), so
 * they are reported as they are, never averaged and without an interval.
 * A key is matched by its own name at any depth (`per_class.chat.slo_ttft_s`);
 * a group listed here (`prompt_tokens_log`) is configuration as a whole.
 */
const CONFIGURATION_KEYS: readonly RegExp[] = [
  /^(random_seed|mode|batching|step_time|engine|arrival_rate_per_s|measured_window_s)$/,
  /^(num_gpus|prefill_gpus|decode_gpus|max_model_len|kv_transfer_bytes_per_token)$/,
  /^slo_(ttft|tpot)_s$/,
  /^(prompt|output)_tokens_(log|real)$/,
  /^((prefill|decode)_)?(tp|pp|ep|dp_attention|instances|step_time|engine|scheduler_policy|max_num_seqs|max_num_batched_tokens)$/,
  /^num_instances$/,
  /^kv_capacity_tokens(_prefill|_decode)?$/,
  // A KV tier's size (kv_offload.tiers.*), and speculation's expectation.
  /^capacity_bytes$/,
  /^speculative_expected_tokens_per_step$/,
];

function isConfiguration(key: string): boolean {
  return CONFIGURATION_KEYS.some((re) => re.test(key));
}

// Seeds as a range when consecutive (42..46), else listed.
function seedList(seeds: readonly SummaryValue[]): string {
  const xs = seeds.map(Number);
  const consecutive = xs.every((x, k) => x === xs[0] + k);
  return consecutive && xs.length > 1
    ? `${xs[0]}..${xs[xs.length - 1]}`
    : xs.join(",");
}

/**
 * Averages replications of one point. The rule: a key that the scenario
 * fixes (configuration: the GPUs, mode, batching, step-time model, engine,
 * scheduler limits, SLO targets, the configured arrival rate and lengths;
 * see `CONFIGURATION_KEYS`) is reported as it is, without an interval; the
 * seed is configuration too, though it differs by design: `random_seed` is
 * the base seed, followed by `random_seeds` (`"42..46"`) and `replications`.
 * Every other number is measured by a run: its mean, and the half-width of
 * its 95% confidence interval, t(0.975, R - 1) s / sqrt(R). A measured flag
 * (`stable`) holds only if it holds in every replication, and `saturation`
 * is the worst verdict of any (overloaded, then backlogged); other measured
 * text that differs lists the distinct values. Nested groups (offered load,
 * per class) are treated key by key.
 *
 * @param runs The replications' summaries, in replication order.
 * @returns Means and half-widths.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { aggregateReplications } from "./study.ts";
 * const r = aggregateReplications([
 *   { mean_ttft_s: 1, num_gpus: 4, random_seed: 42 },
 *   { mean_ttft_s: 3, num_gpus: 4, random_seed: 43 },
 * ]);
 * assert.equal(r.summary.mean_ttft_s, 2);
 * // t(0.975, 1) x s / sqrt(2), s = sqrt(2).
 * assert.ok(Math.abs(r.ci95.mean_ttft_s - 12.7062) < 1e-3);
 * assert.equal(r.summary.random_seed, 42);
 * assert.equal(r.summary.random_seeds, "42..43");
 * assert.deepEqual(Object.keys(r.ci95), ["mean_ttft_s"]);
 * // A pool's layout is configuration too: no interval.
 * const d = aggregateReplications([
 *   { decode_ep: 32, decode_dp_attention: 32, random_seed: 1 },
 *   { decode_ep: 32, decode_dp_attention: 32, random_seed: 2 },
 * ]);
 * assert.deepEqual(Object.keys(d.ci95), []);
 * ```
 */
export function aggregateReplications<S extends Partial<Summary> = Summary>(
  runs: readonly S[],
): { summary: S & ReplicationSummary; ci95: Record<string, number> } {
  const ci95: Record<string, number> = {};
  const factor = runs.length > 1 ? t975(runs.length - 1) : 0;
  const merge = (
    values: readonly SummaryValue[],
    prefix: string,
    key: string,
  ): SummaryValue => {
    const first = values[0];
    if (isConfiguration(key)) return first;
    if (typeof first === "number") {
      const xs = values.map((v) => typeof v === "number" ? v : NaN);
      const n = xs.length;
      const mean = xs.reduce((a, b) => a + b, 0) / n;
      const variance = n > 1
        ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)
        : 0;
      ci95[prefix] = factor * Math.sqrt(variance / n);
      return mean;
    }
    if (typeof first === "boolean") return values.every((v) => v === true);
    // The worst verdict of any replication (one unstable run is enough).
    if (key === "saturation") {
      const order = ["stable", "backlogged", "overloaded"];
      return values.reduce((a, b) =>
        order.indexOf(String(b)) > order.indexOf(String(a)) ? b : a
      );
    }
    if (typeof first === "string") {
      const distinct = [...new Set(values.map(String))];
      return distinct.length === 1 ? first : distinct.join(",");
    }
    if (first !== null && typeof first === "object") {
      const out: Record<string, SummaryValue> = {};
      for (const k of Object.keys(first)) {
        out[k] = merge(
          values.map((v) =>
            (v as Record<string, SummaryValue> | null)?.[k] ?? null
          ),
          `${prefix}.${k}`,
          k,
        );
      }
      return out;
    }
    return first;
  };
  const records = runs.map(summaryRecord);
  const summary: Record<string, SummaryValue> = {};
  for (const key of Object.keys(records[0])) {
    summary[key] = merge(records.map((r) => r[key]), key, key);
    if (key === "random_seed") {
      summary.random_seeds = seedList(records.map((r) => r[key]));
      summary.replications = runs.length;
    }
  }
  // Each key keeps its kind (a mean of numbers is a number, a verdict
  // stays a verdict), so the average has the runs' shape.
  return { summary: summary as unknown as S & ReplicationSummary, ci95 };
}

/** One point of {@linkcode sweep}: its keys, mean summary and intervals. */
export interface SweepGridPoint {
  /** The axes' values. */
  params: Record<string, unknown>;
  /** Mean summary over the replications. */
  summary: Summary;
  /** 95% half-widths by key (empty with one replication). */
  ci95: Record<string, number>;
  /** Every replication's warnings. */
  warnings: string[];
}

/** Options of {@linkcode sweep}. */
export interface SweepOptions {
  /** Seeds per point (default 1). */
  replications?: number;
  /** Workers (default: the logical cores). */
  jobs?: number;
}

/**
 * Runs a grid of points, each replicated, on workers: the library form of
 * `llmsim sweep --set KEY=V1,V2 --replications R`.
 *
 * @param scenario The base scenario.
 * @param axes The keys to vary and their values.
 * @param options Replications and workers.
 * @returns The points in grid order.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sweep } from "./study.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const base = validateScenario({ mode: "mono", sim_seconds: 30, warmup_seconds: 3 });
 * const points = await sweep(base, [{ path: "arrival.rate_per_s", values: [1, 2] }], { replications: 2, jobs: 1 });
 * assert.equal(points.length, 2);
 * assert.ok(points[1].ci95.p90_ttft_s >= 0);
 * ```
 */
export async function sweep(
  scenario: Scenario,
  axes: readonly GridAxis[],
  options: SweepOptions = {},
): Promise<SweepGridPoint[]> {
  const R = options.replications ?? 1;
  const points = gridPoints(axes);
  const tasks = points.flatMap((p) => {
    const s = withParams(scenario, p.params);
    return Array.from({ length: R }, (_, r) => ({
      kind: "simulate" as const,
      scenario: replicate(s, r),
    }));
  });
  const outcomes = await runTasks(tasks, { jobs: options.jobs });
  return points.map((p) => {
    const runs = outcomes.slice(p.index * R, (p.index + 1) * R) as {
      summary: Summary;
      warnings: string[];
    }[];
    const { summary, ci95 } = R > 1
      ? aggregateReplications(runs.map((r) => r.summary))
      : { summary: runs[0].summary, ci95: {} };
    return {
      params: p.params,
      summary,
      ci95,
      warnings: runs.flatMap((r) => r.warnings),
    };
  });
}
