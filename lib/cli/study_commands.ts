/**
 * The study commands: `sweep` (any keys as a grid, `--rates` and
 * `sweep-prefill` as shorthands), `capacity`, `plan` and `merge`. Each
 * builds a list of tasks in a fixed order, runs them on workers (`--jobs`)
 * or a shard of them (`--shard i/n`), and writes outputs that depend only on
 * the study and the task outcomes, so that a merged set of shards gives the
 * same bytes as one run.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import type { Scenario } from "../scenario/types.ts";
import {
  aggregateReplications,
  type GridAxis,
  gridPoints,
  replicate,
  withParams,
} from "../analysis/study.ts";
import { defaultJobs, runTasks } from "../analysis/pool.ts";
import type { SimulateOutcome, Task, TaskOutcome } from "../analysis/tasks.ts";
import type { CapacityOptions, CapacityResult } from "../analysis/capacity.ts";
import {
  type Placement,
  type PlanRow,
  planRow,
  planTasks,
  rankPlan,
} from "../analysis/plan.ts";
import { checkRateSweep } from "../analysis/sweep.ts";
import { toCsv } from "../report/csv.ts";
import { sweepChartSpec } from "../report/study_charts.ts";
import { writeFilesAtomic } from "../report/files.ts";
import { toJson } from "../report/json.ts";
import { renderTable } from "../report/table.ts";
import type { Summary } from "../metrics/summary.ts";
import {
  format,
  loadScenario,
  numberList,
  scalar,
  SCENARIO_FLAGS,
  type Values,
  warn,
} from "./common.ts";
import { progressCallback } from "./progress.ts";
import { keyEffect } from "../scenario/no_ops.ts";

// ---------------------------------------------------------------- running

/** A study's description: enough to turn task outcomes into outputs. */
export type StudySpec =
  | {
    kind: "sweep";
    name: "sweep" | "sweep_prefill";
    axes: GridAxis[];
    replications: number;
    fingerprint: string;
  }
  | {
    kind: "capacity";
    replications: number;
    fingerprint: string;
  }
  | {
    kind: "plan";
    placements: Placement[];
    skipped: (string | null)[];
    crossover?: GridAxis;
    fingerprint: string;
  };

/** A study's results for a report page, instead of files and stdout. */
export interface StudyArtifacts {
  /** The output rows (as in the CSV). */
  rows: Record<string, unknown>[];
  /** The columns a person reads first. */
  columns: string[];
  /** The chart (PNG). */
  png: Uint8Array;
  /** Sentences worth saying (a crossover, say). */
  notes: string[];
}

/** A shard's file: its part of a study's outcomes. */
interface ShardFile {
  llmsim_shard: 1;
  spec: StudySpec;
  total: number;
  shard: string;
  results: [number, TaskOutcome][];
}

function parseShard(text: string | undefined): { i: number; n: number } {
  if (text === undefined) return { i: 0, n: 1 };
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const i = m ? Number(m[1]) : NaN, n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || i >= n) {
    throw new InputError(
      `--shard: expected i/n with 0 <= i < n (e.g. 0/4), got "${text}"`,
    );
  }
  return { i, n };
}

function jobsOf(values: Values): number {
  const text = values.jobs as string | undefined;
  if (text === undefined) return defaultJobs();
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new InputError(`--jobs: must be a whole number >= 1, got "${text}"`);
  }
  return n;
}

function replicationsOf(values: Values): number {
  const text = values.replications as string | undefined;
  if (text === undefined) return 1;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new InputError(
      `--replications: must be a whole number >= 1, got "${text}"`,
    );
  }
  return n;
}

// FNV-1a over the study's inputs: shards of different studies do not merge.
function fingerprint(...parts: unknown[]): string {
  const text = JSON.stringify(
    parts,
    (_k, v) => v instanceof Float64Array ? Array.from(v) : v,
  );
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

function outDir(values: Values): string {
  return (values["out-dir"] as string | undefined) ?? "out";
}

async function ensureDir(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true }).catch((e) => {
    throw new InputError(`${dir}: cannot create: ${(e as Error).message}`);
  });
}

// Runs the study, or one shard of it; returns the outcomes when complete.
async function execute(
  values: Values,
  spec: StudySpec,
  tasks: (Task | null)[],
  whole = false,
): Promise<(TaskOutcome | null)[] | null> {
  const { i, n } = whole
    ? { i: 0, n: 1 }
    : parseShard(values.shard as string | undefined);
  const mine = tasks.map((t, k) => [k, t] as const).filter(([k, t]) =>
    t !== null && k % n === i
  ) as [number, Task][];
  const outcomes = await runTasks(mine.map(([, t]) => t), {
    jobs: jobsOf(values),
    onProgress: progressCallback(spec.kind),
  });
  if (n === 1) {
    const all: (TaskOutcome | null)[] = tasks.map(() => null);
    mine.forEach(([k], j) => (all[k] = outcomes[j]));
    return all;
  }
  if (values.format !== undefined) {
    warn([
      `--format has no effect with --shard ${i}/${n}: a shard prints nothing (merge prints the study)`,
    ]);
  }
  const dir = outDir(values);
  await ensureDir(dir);
  const file: ShardFile = {
    llmsim_shard: 1,
    spec,
    total: tasks.length,
    shard: `${i}/${n}`,
    results: mine.map(([k], j) => [k, outcomes[j]]),
  };
  const path = `${dir}/${spec.kind}.shard-${i}-of-${n}.json`;
  await writeFilesAtomic(new Map([[path, toJson(file, []) + "\n"]]));
  console.error(
    `llmsim: wrote ${path} (${mine.length} of ${tasks.length} tasks); combine the shards with: llmsim merge --out-dir ${dir} ${dir}/${spec.kind}.shard-*-of-${n}.json`,
  );
  return null;
}

// ---------------------------------------------------------------- flags

/** The `--set` items and scenario flags of a study, checked. */
interface Sets {
  /** The values with only the single-valued `--set` items (for loading). */
  rest: Values;
  /** The list-valued `--set` items, as axes. */
  axes: GridAxis[];
  /** Each key given one value (by a scenario flag or `--set`): its source. */
  overrides: Map<string, string>;
}

// `--set key=v1,v2`: a list makes an axis; a single value stays an override.
// A key given twice (two --set, or a flag and a --set) is an error, not a
// silent last-one-wins.
function splitSets(values: Values): Sets {
  const overrides = new Map<string, string>();
  for (const [flag, spec] of Object.entries(SCENARIO_FLAGS)) {
    if (typeof values[flag] === "string") overrides.set(spec.path, `--${flag}`);
  }
  const seen = new Set<string>();
  const keep: string[] = [];
  const axes: GridAxis[] = [];
  for (const item of (values.set as string[] | undefined) ?? []) {
    const eq = item.indexOf("=");
    if (eq <= 0) {
      throw new InputError(`--set: expected KEY=VALUE, got "${item}"`);
    }
    const path = item.slice(0, eq);
    if (seen.has(path)) {
      throw new InputError(
        `--set ${path} given twice (give one value, or one list V1,V2,...)`,
      );
    }
    seen.add(path);
    const flag = overrides.get(path);
    if (flag !== undefined) {
      throw new InputError(
        `${flag} and --set ${path} both set ${path}: give one`,
      );
    }
    const text = item.slice(eq + 1);
    if (text.includes(",")) {
      axes.push({ path, values: listValues(`--set ${path}`, text) });
    } else {
      keep.push(item);
      overrides.set(path, `--set ${path}`);
    }
  }
  return { rest: { ...values, set: keep }, axes, overrides };
}

// A list of values, none empty and none twice (a repeated value would only
// repeat rows).
function listValues(flag: string, text: string): unknown[] {
  const out: unknown[] = [];
  const seen = new Set<string>();
  for (const item of text.split(",").map((v) => v.trim())) {
    if (item === "") {
      throw new InputError(`${flag}: an empty value in "${text}"`);
    }
    const value = scalar(item, flag);
    const key = JSON.stringify(value);
    if (seen.has(key)) {
      throw new InputError(`${flag}: ${item} is given twice in "${text}"`);
    }
    seen.add(key);
    out.push(value);
  }
  return out;
}

// `numberList`, with no number twice.
function uniqueNumbers(flag: string, text: string | undefined): number[] {
  const list = numberList(flag, text);
  const twice = list.find((x, k) => list.indexOf(x) !== k);
  if (twice !== undefined) {
    throw new InputError(`--${flag}: ${twice} is given twice in "${text}"`);
  }
  return list;
}

// An axis whose key a flag or a single --set also gives, or that two flags
// sweep, would silently lose one of them.
function checkAxisSources(
  axes: readonly { path: string; source: string }[],
  overrides: ReadonlyMap<string, string>,
): void {
  axes.forEach((a, k) => {
    const single = overrides.get(a.path);
    if (single !== undefined) {
      throw new InputError(
        `${single} has no effect: ${a.source} sweeps ${a.path}; give one of them`,
      );
    }
    const other = axes.slice(0, k).find((b) => b.path === a.path);
    if (other) {
      throw new InputError(
        `${other.source} and ${a.source} both sweep ${a.path}; give one of them`,
      );
    }
  });
}

// The effect of every axis and single value on the study's scenarios: an
// axis that changes nothing anywhere would repeat every row (an error); one
// that changes nothing at some points repeats those rows (a warning); a
// single value that changes nothing is a warning. Those the scenario's load
// already gives (lib/scenario/no_ops.ts: batched sections under batching:
// none) or the runs give (the engine) are left to them.
function checkEffects(
  scenarios: readonly Scenario[],
  axes: readonly { path: string; source: string }[],
  overrides: ReadonlyMap<string, string>,
): string[] {
  const warnings: string[] = [];
  if (scenarios.length === 0) return warnings;
  for (const a of axes) {
    const reasons = scenarios.map((s) => keyEffect(s, a.path)?.reason);
    const idle = reasons.filter((r) => r !== undefined);
    if (idle.length === reasons.length) {
      throw new InputError(
        `${a.source}: ${a.path} has no effect ${
          idle[0]
        }; every row would repeat`,
      );
    }
    if (idle.length > 0) {
      warnings.push(
        `${a.path} has no effect at ${idle.length} of ${reasons.length} points, ${
          idle[0]
        }: their rows repeat`,
      );
    }
  }
  for (const [path, source] of overrides) {
    if (path.startsWith("engine") || path === "scheduler.max_model_len") {
      continue;
    }
    const reasons = scenarios.map((s) => keyEffect(s, path)?.reason);
    if (reasons[0]?.startsWith("under batching=none")) continue;
    if (reasons.every((r) => r !== undefined)) {
      warnings.push(`${source}: ${path} has no effect ${reasons[0]}`);
    }
  }
  return warnings;
}

// A report runs the whole study and writes one page: the flags that shard
// it or choose its files and format would do nothing.
function refuseInReport(values: Values, sink?: StudyArtifacts): void {
  if (!sink) return;
  for (const flag of ["shard", "out-dir", "format"]) {
    if (values[flag] !== undefined) {
      throw new InputError(
        `report: --${flag} has no effect (a report runs the whole study and writes one page to --out)`,
      );
    }
  }
}

function baseFingerprint(scenario: Scenario, ...more: unknown[]): string {
  return fingerprint(scenario, ...more);
}

// ---------------------------------------------------------------- sweep

const AXIS_COLUMNS: Record<string, string> = {
  mode: "sweep_mode",
  "arrival.rate_per_s": "sweep_rate_per_s",
  "cluster_mono.prefill_tokens_per_s": "sweep_prefill_tokens_per_s",
  "cluster_disagg.prefill_tokens_per_s": "sweep_prefill_tokens_per_s",
};

function axisColumn(path: string): string {
  return AXIS_COLUMNS[path] ?? `sweep_${path}`;
}

/**
 * `sweep` and `sweep-prefill`.
 *
 * @param values Parsed values.
 * @param name Which command.
 */
export async function runSweep(
  values: Values,
  name: "sweep" | "sweep_prefill",
  sink?: StudyArtifacts,
): Promise<void> {
  format(values);
  refuseInReport(values, sink);
  const { rest, axes: setAxes, overrides } = splitSets(values);
  const replications = replicationsOf(values);
  const base = await loadScenario(rest);
  const axes: { path: string; values: unknown[]; source: string }[] = [];
  if (name === "sweep_prefill") {
    const rates = uniqueNumbers("rates", values.rates as string | undefined);
    const speeds = uniqueNumbers(
      "prefill",
      values.prefill as string | undefined,
    );
    if (setAxes.some((a) => a.path === "mode")) {
      throw new InputError(
        "sweep-prefill runs the scenario's own mode; mode cannot be an axis (use --mode, or sweep --set cluster_mono.prefill_tokens_per_s=... with --set mode=...)",
      );
    }
    axes.push({
      path: `cluster_${base.mode}.prefill_tokens_per_s`,
      values: speeds,
      source: "--prefill",
    });
    axes.push({ path: "arrival.rate_per_s", values: rates, source: "--rates" });
  } else if (values.rates !== undefined) {
    const rates = uniqueNumbers("rates", values.rates as string);
    // Both architectures, unless the mode is an axis or given one value.
    if (!setAxes.some((a) => a.path === "mode") && !overrides.has("mode")) {
      axes.push({
        path: "mode",
        values: ["mono", "disagg"],
        source: "--rates",
      });
    }
    axes.push({ path: "arrival.rate_per_s", values: rates, source: "--rates" });
  } else if (setAxes.length === 0) {
    throw new InputError(
      "--rates is required (or give --set KEY=V1,V2,... axes)",
    );
  }
  axes.push(
    ...setAxes.map((a) => ({
      path: a.path,
      values: [...a.values],
      source: `--set ${a.path}=${a.values.join(",")}`,
    })),
  );
  checkAxisSources(axes, overrides);
  if (axes.some((a) => a.path === "arrival.rate_per_s")) checkRateSweep(base);
  const gridAxes: GridAxis[] = axes.map((a) => ({
    path: a.path,
    values: a.values,
  }));
  // A key that does not exist is named with the flag that gave it.
  for (const a of axes) {
    try {
      withParams(base, { [a.path]: a.values[0] });
    } catch (e) {
      if (e instanceof InputError && e.message.includes("unknown key")) {
        throw new InputError(
          `${a.source}: ${e.message.replace(/^at [^:]*: /, "")}`,
        );
      }
    }
  }
  const points = gridPoints(gridAxes);
  const scenarios = points.map((p) => withParams(base, p.params));
  warn(checkEffects(scenarios, axes, overrides));
  const tasks: Task[] = [];
  for (const scenario of scenarios) {
    for (let r = 0; r < replications; r++) {
      tasks.push({ kind: "simulate", scenario: replicate(scenario, r) });
    }
  }
  const spec: StudySpec = {
    kind: "sweep",
    name,
    axes: gridAxes,
    replications,
    fingerprint: baseFingerprint(base, gridAxes, replications),
  };
  const outcomes = await execute(values, spec, tasks, sink !== undefined);
  if (outcomes) {
    await finishSweep(values, spec, outcomes as TaskOutcome[], sink);
  }
}

async function finishSweep(
  values: Values,
  spec: Extract<StudySpec, { kind: "sweep" }>,
  outcomes: TaskOutcome[],
  sink?: StudyArtifacts,
): Promise<void> {
  const fmt = format(values);
  const points = gridPoints(spec.axes);
  const R = spec.replications;
  const warnings: string[] = [];
  const rows: Record<string, unknown>[] = [];
  const cis: Record<string, number>[] = [];
  for (const p of points) {
    const runs = outcomes.slice(
      p.index * R,
      p.index * R + R,
    ) as SimulateOutcome[];
    const at = Object.entries(p.params).map(([k, v]) => `${k}=${v}`).join(
      ", ",
    );
    runs.forEach((run, r) =>
      warnings.push(
        ...run.warnings.map((w) =>
          `${at}${R > 1 ? ` (replication ${r})` : ""}: ${w}`
        ),
      )
    );
    const { summary, ci95 } = R > 1
      ? aggregateReplications(runs.map((x) => x.summary))
      : { summary: runs[0].summary, ci95: {} };
    const row: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(p.params)) row[axisColumn(k)] = v;
    if (R > 1) row.replications = R;
    Object.assign(row, summary);
    for (const [k, v] of Object.entries(ci95)) row[`${k}_ci95`] = v;
    rows.push(row);
    cis.push(ci95);
  }
  const png = await sweepChart(spec, rows, cis);
  const columns = [
    ...spec.axes.map((a) => axisColumn(a.path)),
    "p50_ttft_s",
    "p90_ttft_s",
    "p99_ttft_s",
    ...(R > 1 ? ["p90_ttft_s_ci95"] : []),
    "saturation",
  ];
  if (sink) {
    Object.assign(sink, { rows, columns, png, notes: warnings });
    return;
  }
  const json = toJson(rows, warnings);
  const dir = outDir(values);
  await ensureDir(dir);
  const files = new Map<string, string | Uint8Array>([
    [`${dir}/${spec.name}.csv`, toCsv(rows)],
    [`${dir}/${spec.name}.json`, json + "\n"],
    [`${dir}/${spec.name}_ttft.png`, png],
  ]);
  await writeFilesAtomic(files);
  warn(warnings);
  console.error(`llmsim: wrote ${[...files.keys()].join(", ")}`);
  if (fmt === "json") console.log(json);
  else {
    console.log(
      renderTable(columns, rows.map((r) => columns.map((c) => r[c]))),
    );
  }
}

// TTFT against the rate axis (or the last numeric one, or a categorical
// one), one group of lines per combination of the other axes; 95% bands
// with replications; unstable points marked (see sweepChartSpec).
async function sweepChart(
  spec: Extract<StudySpec, { kind: "sweep" }>,
  rows: Record<string, unknown>[],
  cis: Record<string, number>[],
): Promise<Uint8Array> {
  const { renderLineChart } = await import("../report/chart.ts");
  return await renderLineChart(sweepChartSpec({
    name: spec.name,
    axes: spec.axes,
    replications: spec.replications,
    rows,
    cis,
    column: axisColumn,
  }));
}

// ---------------------------------------------------------------- capacity

function capacityOptions(values: Values): CapacityOptions {
  const num = (flag: string): number | undefined => {
    const text = values[flag] as string | undefined;
    if (text === undefined) return undefined;
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n)) {
      throw new InputError(`--${flag}: expected a number, got "${text}"`);
    }
    return n;
  };
  const target = num("target");
  if (target !== undefined && !(target > 0 && target <= 1)) {
    throw new InputError(`--target: must be in (0, 1], got ${target}`);
  }
  const tolerance = num("tolerance");
  if (tolerance !== undefined && !(tolerance > 0 && tolerance < 1)) {
    throw new InputError(`--tolerance: must be in (0, 1), got ${tolerance}`);
  }
  const metric = values.metric as string | undefined;
  const max = num("max");
  if (target !== undefined && (metric !== undefined || max !== undefined)) {
    throw new InputError(
      `--target and --${
        metric !== undefined ? "metric" : "max"
      } are two criteria (SLO attainment at least T, or a metric at most V): give one`,
    );
  }
  if ((metric === undefined) !== (max === undefined)) {
    throw new InputError("--metric and --max go together");
  }
  if (metric === "slo_attainment") {
    throw new InputError(
      "--metric slo_attainment: attainment must stay at or above a share, not below a maximum; use --target",
    );
  }
  return { target, metric, max, tolerance };
}

/**
 * `capacity`.
 *
 * @param values Parsed values.
 */
export async function runCapacity(values: Values): Promise<void> {
  format(values);
  const replications = replicationsOf(values);
  const options = capacityOptions(values);
  const { rest, axes, overrides } = splitSets(values);
  if (axes.length > 0) {
    throw new InputError(
      `capacity takes no axes: --set ${
        axes[0].path
      } is a list (run sweep for a grid, or plan --crossover)`,
    );
  }
  const base = await loadScenario(rest);
  warn(checkEffects([base], [], overrides));
  const tasks: Task[] = Array.from({ length: replications }, (_, r) => ({
    kind: "capacity",
    scenario: replicate(base, r),
    options,
  }));
  const spec: StudySpec = {
    kind: "capacity",
    replications,
    fingerprint: baseFingerprint(base, options, replications),
  };
  const outcomes = await execute(values, spec, tasks);
  if (outcomes) {
    await finishCapacity(values, spec, outcomes as CapacityResult[]);
  }
}

async function finishCapacity(
  values: Values,
  spec: Extract<StudySpec, { kind: "capacity" }>,
  runs: CapacityResult[],
): Promise<void> {
  const fmt = format(values);
  // `capacity_rps` is the capacity (the highest rate meeting the target);
  // the summary's `goodput_rps` counts the requests meeting their SLO.
  const keys = ["rate_per_s", "rate_per_s_per_gpu", "value"];
  const summaries = runs.map((r) =>
    Object.fromEntries(keys.map((k) => [k, r[k as keyof CapacityResult]]))
  ) as Summary[];
  const { summary, ci95 } = aggregateReplications(summaries);
  const seeds = runs.map((r) => r.summary.random_seed as number);
  const out: Record<string, unknown> = {
    capacity_rps: summary.rate_per_s,
    capacity_rps_per_gpu: summary.rate_per_s_per_gpu,
    gpus: runs[0].gpus,
    criterion_value: summary.value,
    random_seed: seeds[0],
    replications: spec.replications,
  };
  if (spec.replications > 1) {
    out.random_seeds = seeds.every((x, k) => x === seeds[0] + k)
      ? `${seeds[0]}..${seeds[seeds.length - 1]}`
      : seeds.join(",");
    out.capacity_rps_ci95 = ci95.rate_per_s;
    out.capacity_rps_per_gpu_ci95 = ci95.rate_per_s_per_gpu;
    out.criterion_value_ci95 = ci95.value;
    out.per_replication = runs.map((r) => r.rate_per_s);
  }
  out.evaluations = runs[0].evaluations;
  out.summary_at_capacity = runs[0].summary;
  const json = toJson(out, []);
  const dir = outDir(values);
  await ensureDir(dir);
  await writeFilesAtomic(new Map([[`${dir}/capacity.json`, json + "\n"]]));
  console.error(`llmsim: wrote ${dir}/capacity.json`);
  if (fmt === "json") console.log(json);
  else {
    const flat = Object.entries(out).filter(([, v]) =>
      typeof v !== "object" || v === null
    );
    console.log(renderTable(["metric", "value"], flat));
  }
}

// ---------------------------------------------------------------- plan

/**
 * `plan`.
 *
 * @param values Parsed values.
 */
export async function runPlan(
  values: Values,
  sink?: StudyArtifacts,
): Promise<void> {
  format(values);
  refuseInReport(values, sink);
  if (values.replications !== undefined) {
    throw new InputError(
      "plan: --replications has no effect (each placement gets one capacity search); run capacity --replications R on a placement",
    );
  }
  const gpusText = values.gpus as string | undefined;
  if (gpusText === undefined) throw new InputError("--gpus is required");
  const gpus = Number(gpusText);
  if (gpusText.trim() === "" || !Number.isInteger(gpus) || gpus < 1) {
    throw new InputError(
      `--gpus: must be a whole number >= 1, got "${gpusText}"`,
    );
  }
  const tpsGiven = values.tps === undefined
    ? undefined
    : uniqueNumbers("tps", values.tps as string);
  for (const t of tpsGiven ?? []) {
    if (!Number.isInteger(t)) {
      throw new InputError(`--tps: TP degrees are whole numbers, got ${t}`);
    }
  }
  const modes = listValues(
    "--modes",
    (values.modes as string | undefined) ?? "mono,disagg",
  ) as string[];
  for (const m of modes) {
    if (m !== "mono" && m !== "disagg") {
      throw new InputError(`--modes: mono and/or disagg, got "${m}"`);
    }
  }
  const { rest, axes, overrides } = splitSets(values);
  if (axes.length > 0) {
    throw new InputError(
      "plan takes one list axis, with --crossover KEY=V1,V2,... (not --set)",
    );
  }
  for (const [path, source] of overrides) {
    if (PLAN_KEYS.includes(path)) {
      throw new InputError(
        `plan: ${source} has no effect: plan lays out each placement's mode and GPUs (use --modes, --gpus and --tps)`,
      );
    }
  }
  const options = capacityOptions(values);
  const warnings: string[] = [];
  // TP degrees within the budget; given ones that are not are said so.
  const fitting = (tpsGiven ?? [1, 2, 4, 8]).filter((t) => t <= gpus);
  if (tpsGiven) {
    const over = tpsGiven.filter((t) => t > gpus);
    if (fitting.length === 0) {
      throw new InputError(
        `no placement of ${gpus} GPU${gpus > 1 ? "s" : ""} fits: TP ${
          over[0]
        } needs ${over[0]} GPUs per instance (--tps ${values.tps})`,
      );
    }
    if (over.length > 0) {
      warnings.push(
        `--tps ${over.join(",")}: ${
          over.length > 1 ? "each needs" : "needs"
        } more GPUs per instance than the ${gpus} of --gpus; not tried`,
      );
    }
  }
  let crossover: GridAxis | undefined;
  const cross = values.crossover as string | undefined;
  if (cross !== undefined) {
    const eq = cross.indexOf("=");
    if (eq <= 0 || !cross.includes(",")) {
      throw new InputError(
        `--crossover: expected KEY=V1,V2,..., got "${cross}"`,
      );
    }
    const path = cross.slice(0, eq);
    if (PLAN_KEYS.includes(path)) {
      throw new InputError(
        `--crossover ${path}: has no effect: plan lays out each placement's mode and GPUs`,
      );
    }
    crossover = {
      path,
      values: listValues(`--crossover ${path}`, cross.slice(eq + 1)),
    };
    checkAxisSources([{ path, source: "--crossover" }], overrides);
  }
  const base = await loadPlanBase(rest, fitting, gpus);
  // Without batching a GPU serves one request: TP 1 only, unless asked.
  const tps = tpsGiven || base.batching === "continuous" ? fitting : [1];
  const bases = crossover
    ? crossover.values.map((v) => withParams(base, { [crossover!.path]: v }))
    : [base];
  const planOptions = {
    gpus,
    tps,
    exactBudget: values["exact-budget"] === true,
    modes: modes as ("mono" | "disagg")[],
  };
  const perBase = bases.map((s) => planTasks(s, planOptions, options));
  const placements = perBase[0].map((x) => x.placement);
  const least = Math.min(...tps);
  const budget = `${gpus} GPU${gpus > 1 ? "s" : ""}`;
  if (placements.length === 0) {
    throw new InputError(
      planOptions.exactBudget
        ? `no placement uses exactly ${budget} with --tps ${
          tps.join(",")
        } and --modes ${
          modes.join(",")
        } (drop --exact-budget, or change --gpus)`
        : `no placement of ${budget} fits: disagg needs at least ${
          2 * least
        } (a prefill and a decode instance of TP ${least})`,
    );
  }
  for (const m of modes) {
    if (!placements.some((p) => p.mode === m)) {
      warnings.push(
        `--modes ${m}: no ${
          m === "mono" ? "colocated" : "disaggregated"
        } placement fits ${budget}${
          m === "disagg" && !planOptions.exactBudget
            ? ` (a prefill and a decode instance of TP ${least} need ${
              2 * least
            })`
            : ""
        }`,
      );
    }
  }
  const tasks = perBase.flatMap((list) => list.map((x) => x.task ?? null));
  const skipped = perBase.flatMap((list) => list.map((x) => x.skipped ?? null));
  if (tasks.every((t) => t === null)) {
    throw new InputError(
      `no placement of ${budget} fits: ${
        [...new Set(skipped)].slice(0, 2).join("; ")
      }`,
    );
  }
  const scenarios = tasks.filter((t) => t !== null).map((t) => t!.scenario);
  warnings.push(
    ...checkEffects(
      scenarios,
      crossover ? [{ path: crossover.path, source: "--crossover" }] : [],
      overrides,
    ),
  );
  warn(warnings);
  const spec: StudySpec = {
    kind: "plan",
    placements,
    skipped,
    crossover,
    fingerprint: baseFingerprint(base, planOptions, options, crossover ?? null),
  };
  const outcomes = await execute(values, spec, tasks, sink !== undefined);
  if (outcomes) await finishPlan(values, spec, outcomes, sink);
}

/** The keys plan sets for each placement. */
const PLAN_KEYS = [
  "mode",
  "cluster_mono.num_gpus",
  "cluster_mono.tp",
  "cluster_disagg.prefill_gpus",
  "cluster_disagg.prefill_tp",
  "cluster_disagg.decode_gpus",
  "cluster_disagg.decode_tp",
];

// The base scenario, checked only for what plan keeps fixed: each
// placement replaces its GPUs and TP degrees, so they are set to one TP
// degree of the plan after another (smallest first) until the scenario is
// valid. A model too large for the base's own TP does not stop the plan.
async function loadPlanBase(
  values: Values,
  tps: readonly number[],
  gpus: number,
): Promise<Scenario> {
  const errors: string[] = [];
  for (const tp of tps) {
    const source = `plan, laid out at TP ${tp}`;
    const extra = PLAN_KEYS.slice(1).map((path) => ({
      path,
      value: tp,
      source,
    }));
    try {
      return await loadScenario(values, extra);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      errors.push(e.message);
    }
  }
  // The same error at every TP is the base's own; else no TP fits.
  if (new Set(errors).size === 1) throw new InputError(errors[0]);
  throw new InputError(
    `no placement of ${gpus} GPU${gpus > 1 ? "s" : ""} fits at TP ${
      tps.join(", ")
    }: ${errors[errors.length - 1]}`,
  );
}

function planRowOut(
  row: PlanRow,
  rank: number | null,
): Record<string, unknown> {
  const p = row.placement;
  const c = row.capacity;
  return {
    rank,
    placement: p.name,
    mode: p.mode,
    gpus: p.gpus,
    tp: p.tp,
    instances: p.instances,
    prefill_tp: p.prefill_tp,
    prefill_instances: p.prefill_instances,
    decode_tp: p.decode_tp,
    decode_instances: p.decode_instances,
    capacity_rps: c?.rate_per_s,
    capacity_rps_per_gpu: c?.rate_per_s_per_gpu,
    criterion_value: c?.value,
    p90_ttft_s: c?.summary.p90_ttft_s,
    p90_tpot_s: c?.summary.p90_tpot_s,
    reason: row.skipped,
  };
}

async function finishPlan(
  values: Values,
  spec: Extract<StudySpec, { kind: "plan" }>,
  outcomes: (TaskOutcome | null)[],
  sink?: StudyArtifacts,
): Promise<void> {
  const fmt = format(values);
  const n = spec.placements.length;
  const groups = spec.crossover ? spec.crossover.values : [undefined];
  const rows: Record<string, unknown>[] = [];
  const best: { value: unknown; mono: number; disagg: number }[] = [];
  const ranked: PlanRow[][] = [];
  groups.forEach((value, g) => {
    const planRows: PlanRow[] = spec.placements.map((placement, k) => {
      const outcome = outcomes[g * n + k];
      return outcome
        ? planRow(placement, outcome)
        : { placement, skipped: spec.skipped[g * n + k] ?? undefined };
    });
    const order = rankPlan(planRows);
    ranked.push(order);
    const top = (mode: string) =>
      Math.max(
        0,
        ...order.filter((r) => r.placement.mode === mode && r.capacity).map((
          r,
        ) => r.capacity!.rate_per_s_per_gpu),
      );
    best.push({ value, mono: top("mono"), disagg: top("disagg") });
    order.forEach((row, k) =>
      rows.push({
        ...(spec.crossover
          ? { [`crossover_${spec.crossover.path}`]: value }
          : {}),
        // Only feasible placements are ranked; rankPlan puts them first.
        ...planRowOut(row, row.capacity ? k + 1 : null),
      })
    );
  });
  if (!ranked.some((order) => order.some((r) => r.capacity))) {
    const reasons = [
      ...new Set(ranked.flat().map((r) => r.skipped).filter((r) => r)),
    ];
    const g = spec.placements.reduce((m, p) => Math.max(m, p.gpus), 0);
    throw new InputError(
      `no placement of ${g} GPU${g > 1 ? "s" : ""} fits: ${
        reasons.slice(0, 2).join("; ")
      }`,
    );
  }
  const out: Record<string, unknown> = { placements: rows };
  // The cheapest placement for each required rate, from the capacities
  // already found: where it changes architecture is the rate crossover.
  const cheapest = cheapestByRate(ranked[ranked.length - 1]);
  out.cheapest_by_rate = cheapest;
  if (spec.crossover) {
    const flips: unknown[] = [];
    for (let k = 1; k < best.length; k++) {
      const before = best[k - 1].disagg > best[k - 1].mono;
      const after = best[k].disagg > best[k].mono;
      if (before !== after) {
        flips.push({
          between: [best[k - 1].value, best[k].value],
          winner: after ? "disagg" : "mono",
        });
      }
    }
    out.crossover = {
      key: spec.crossover.path,
      best_capacity_rps_per_gpu: best.map((b) => ({
        value: b.value,
        mono: b.mono,
        disagg: b.disagg,
        winner: b.disagg > b.mono ? "disagg" : "mono",
      })),
      flips,
    };
  }
  const json = toJson(out, []);
  const { renderParetoChart } = await import("../report/charts_more.ts");
  const last = ranked[ranked.length - 1];
  const group = (mode: string) => ({
    label: mode === "mono" ? "colocated" : "disaggregated",
    points: last.filter((r) => r.placement.mode === mode && r.capacity).map((
      r,
    ) => ({
      x: r.placement.gpus,
      y: r.capacity!.rate_per_s,
      label: r.placement.name,
      stable: r.capacity!.summary.stable !== false,
    })),
  });
  const png = await renderParetoChart({
    title: "Capacity against GPUs (Pareto front)",
    xLabel: "GPUs",
    yLabel: "capacity (requests/s within the target)",
    groups: [group("mono"), group("disagg")],
    front: "max",
  });
  const notes: string[] = [];
  for (let k = 1; k < cheapest.length; k++) {
    if (cheapest[k].mode !== cheapest[k - 1].mode) {
      notes.push(
        `rate crossover: above ${
          cheapest[k - 1].up_to_rate_per_s.toPrecision(4)
        } req/s the cheapest placement is ${cheapest[k].mode} (${
          cheapest[k].placement
        }, ${cheapest[k].gpus} GPUs)`,
      );
    }
  }
  if (out.crossover) {
    const c = out.crossover as {
      flips: { between: unknown[]; winner: string }[];
    };
    const key = spec.crossover!.path;
    if (c.flips.length === 0) {
      notes.push(`no crossover: the same architecture wins at every ${key}`);
    }
    for (const f of c.flips) {
      notes.push(
        `crossover: ${f.winner} starts to win between ${key}=${
          f.between[0]
        } and ${f.between[1]}`,
      );
    }
  }
  const columns = [
    ...(spec.crossover ? [`crossover_${spec.crossover.path}`] : []),
    "rank",
    "placement",
    "gpus",
    "capacity_rps",
    "capacity_rps_per_gpu",
    "p90_ttft_s",
    "p90_tpot_s",
    "reason",
  ];
  if (sink) {
    Object.assign(sink, { rows, columns, png, notes });
    return;
  }
  const dir = outDir(values);
  await ensureDir(dir);
  const files = new Map<string, string | Uint8Array>([
    [`${dir}/plan.csv`, toCsv(rows)],
    [`${dir}/plan.json`, json + "\n"],
    [`${dir}/plan_pareto.png`, png],
  ]);
  await writeFilesAtomic(files);
  console.error(`llmsim: wrote ${[...files.keys()].join(", ")}`);
  for (const note of notes) console.error(`llmsim: ${note}`);
  if (fmt === "json") console.log(json);
  else {
    console.log(
      renderTable(columns, rows.map((r) => columns.map((c) => r[c]))),
    );
  }
}

/** The cheapest placement able to serve rates up to a bound. */
export interface RateBand {
  /** Rates up to this (from the previous band's bound) are served by it. */
  up_to_rate_per_s: number;
  /** The placement's name. */
  placement: string;
  /** Its architecture. */
  mode: string;
  /** Its GPUs. */
  gpus: number;
}

/**
 * For each capacity level, the placement with the fewest GPUs whose
 * capacity reaches it (ties: the higher capacity); consecutive levels with
 * the same placement merge into one band. Where the bands change
 * architecture is the plan's rate crossover.
 *
 * @param rows Planned placements with their capacities.
 * @returns The bands, by increasing rate.
 *
 * @example Usage
 * ```ts
 * import { cheapestByRate } from "./study_commands.ts";
 * const row = (name: string, mode: "mono" | "disagg", gpus: number, rate: number) => ({
 *   placement: { name, mode, gpus },
 *   capacity: { rate_per_s: rate } as never,
 * });
 * const bands = cheapestByRate([row("m1", "mono", 1, 10), row("m2", "mono", 2, 18), row("d2", "disagg", 2, 25)]);
 * if (bands.map((b) => b.placement).join() !== "m1,d2") throw new Error(JSON.stringify(bands));
 * ```
 */
export function cheapestByRate(rows: readonly PlanRow[]): RateBand[] {
  const able = rows.filter((r) => r.capacity);
  const levels = [...new Set(able.map((r) => r.capacity!.rate_per_s))]
    .sort((a, b) => a - b);
  const bands: RateBand[] = [];
  for (const rate of levels) {
    let best: PlanRow | undefined;
    for (const r of able) {
      if (r.capacity!.rate_per_s < rate) continue;
      if (
        !best || r.placement.gpus < best.placement.gpus ||
        (r.placement.gpus === best.placement.gpus &&
          r.capacity!.rate_per_s > best.capacity!.rate_per_s)
      ) best = r;
    }
    const last = bands[bands.length - 1];
    if (last && last.placement === best!.placement.name) {
      last.up_to_rate_per_s = rate;
    } else {
      bands.push({
        up_to_rate_per_s: rate,
        placement: best!.placement.name,
        mode: best!.placement.mode,
        gpus: best!.placement.gpus,
      });
    }
  }
  return bands;
}

// ---------------------------------------------------------------- merge

/**
 * `merge`: combines shard files into the study's outputs.
 *
 * @param values Parsed values (positionals: the shard files).
 * @param files The shard files.
 */
export async function runMerge(values: Values, files: string[]): Promise<void> {
  format(values);
  if (files.length === 0) throw new InputError("merge: give the shard files");
  const shards: ShardFile[] = [];
  for (const f of files) {
    let data: ShardFile;
    try {
      data = JSON.parse(await Deno.readTextFile(f));
    } catch (e) {
      throw new InputError(
        e instanceof Deno.errors.NotFound
          ? `${f}: file not found`
          : `${f}: not a shard file (${(e as Error).message})`,
      );
    }
    if (data?.llmsim_shard !== 1) {
      throw new InputError(`${f}: not a shard file`);
    }
    shards.push(data);
  }
  const first = shards[0];
  for (const [k, s] of shards.entries()) {
    if (
      s.spec.kind !== first.spec.kind ||
      s.spec.fingerprint !== first.spec.fingerprint || s.total !== first.total
    ) {
      throw new InputError(`${files[k]}: from another study than ${files[0]}`);
    }
  }
  const outcomes: (TaskOutcome | null | undefined)[] = new Array(first.total)
    .fill(undefined);
  for (const [k, s] of shards.entries()) {
    for (const [index, outcome] of s.results) {
      if (outcomes[index] !== undefined) {
        throw new InputError(`${files[k]}: task ${index} is in two shards`);
      }
      outcomes[index] = reviveNaN(outcome);
    }
  }
  const spec = first.spec;
  // Plans carry skipped placements as null tasks, which no shard runs.
  if (spec.kind === "plan") {
    spec.skipped.forEach((s, k) => {
      if (s !== null && outcomes[k] === undefined) outcomes[k] = null;
    });
  }
  const missing = outcomes.findIndex((o) => o === undefined);
  if (missing >= 0) {
    throw new InputError(
      `merge: task ${missing} of ${first.total} is in no shard (a shard is missing)`,
    );
  }
  if (spec.kind === "sweep") {
    await finishSweep(values, spec, outcomes as TaskOutcome[]);
  } else if (spec.kind === "capacity") {
    await finishCapacity(values, spec, outcomes as CapacityResult[]);
  } else await finishPlan(values, spec, outcomes as (TaskOutcome | null)[]);
}

// Shard files store NaN as null (JSON); summaries use NaN for "undefined".
function reviveNaN<T>(value: T): T {
  if (value === null) return NaN as unknown as T;
  if (Array.isArray(value)) return value.map(reviveNaN) as unknown as T;
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = reviveNaN(v);
    }
    return out as T;
  }
  return value;
}
