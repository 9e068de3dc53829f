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

import { InputError } from "../scenario/errors.ts";
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
  planTasks,
  rankPlan,
} from "../analysis/plan.ts";
import { checkRateSweep } from "../analysis/sweep.ts";
import { toCsv } from "../report/csv.ts";
import { writeFilesAtomic } from "../report/files.ts";
import { toJson } from "../report/json.ts";
import { renderTable } from "../report/table.ts";
import type { Summary } from "../metrics/summary.ts";
import {
  finiteOrNull,
  format,
  loadScenario,
  numberList,
  scalar,
  type Values,
  warn,
} from "./common.ts";

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

// A progress bar on stderr, only when a person is watching it.
function progress(label: string): (done: number, total: number) => void {
  if (!Deno.stderr.isTerminal()) return () => {};
  const enc = new TextEncoder();
  return (done, total) => {
    const width = 30;
    const full = Math.round(width * done / total);
    const bar = "#".repeat(full) + ".".repeat(width - full);
    Deno.stderr.writeSync(
      enc.encode(
        `\r${label} [${bar}] ${done}/${total}${done === total ? "\n" : ""}`,
      ),
    );
  };
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
    onProgress: progress(spec.kind),
  });
  if (n === 1) {
    const all: (TaskOutcome | null)[] = tasks.map(() => null);
    mine.forEach(([k], j) => (all[k] = outcomes[j]));
    return all;
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

// `--set key=v1,v2`: a list makes an axis; a single value stays an override.
function splitSets(values: Values): { rest: Values; axes: GridAxis[] } {
  const sets = (values.set as string[] | undefined) ?? [];
  const keep: string[] = [];
  const axes: GridAxis[] = [];
  for (const item of sets) {
    const eq = item.indexOf("=");
    if (eq > 0 && item.slice(eq + 1).includes(",")) {
      axes.push({
        path: item.slice(0, eq),
        values: item.slice(eq + 1).split(",").map((v) => scalar(v.trim())),
      });
    } else keep.push(item);
  }
  return { rest: { ...values, set: keep }, axes };
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
  const { rest, axes: setAxes } = splitSets(values);
  const replications = replicationsOf(values);
  const base = await loadScenario(rest);
  const axes: GridAxis[] = [];
  if (name === "sweep_prefill") {
    const rates = numberList("rates", values.rates as string | undefined);
    const speeds = numberList("prefill", values.prefill as string | undefined);
    axes.push({
      path: `cluster_${base.mode}.prefill_tokens_per_s`,
      values: speeds,
    });
    axes.push({ path: "arrival.rate_per_s", values: rates });
  } else if (values.rates !== undefined) {
    const rates = numberList("rates", values.rates as string);
    if (!setAxes.some((a) => a.path === "mode")) {
      axes.push({ path: "mode", values: ["mono", "disagg"] });
    }
    axes.push({ path: "arrival.rate_per_s", values: rates });
  } else if (setAxes.length === 0) {
    throw new InputError(
      "--rates is required (or give --set KEY=V1,V2,... axes)",
    );
  }
  axes.push(...setAxes);
  if (axes.some((a) => a.path === "arrival.rate_per_s")) checkRateSweep(base);
  const points = gridPoints(axes);
  const tasks: Task[] = [];
  for (const p of points) {
    const scenario = withParams(base, p.params);
    for (let r = 0; r < replications; r++) {
      tasks.push({ kind: "simulate", scenario: replicate(scenario, r) });
    }
  }
  const spec: StudySpec = {
    kind: "sweep",
    name,
    axes,
    replications,
    fingerprint: baseFingerprint(base, axes, replications),
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
    "stable",
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

// TTFT against the rate axis (or the last numeric one), one group of lines
// per combination of the other axes; 95% bands with replications.
async function sweepChart(
  spec: Extract<StudySpec, { kind: "sweep" }>,
  rows: Record<string, unknown>[],
  cis: Record<string, number>[],
): Promise<Uint8Array> {
  const { renderLineChart } = await import("../report/chart.ts");
  const numeric = spec.axes.filter((a) =>
    a.values.every((v) => typeof v === "number")
  );
  const xAxis = spec.axes.find((a) => a.path === "arrival.rate_per_s") ??
    numeric[numeric.length - 1] ?? spec.axes[spec.axes.length - 1];
  const others = spec.axes.filter((a) => a !== xAxis);
  const quantiles = spec.name === "sweep_prefill"
    ? ["p50"]
    : others.length <= 1
    ? ["p50", "p90", "p99"]
    : ["p90"];
  const groups = new Map<string, number[]>();
  rows.forEach((row, k) => {
    const key = others.map((a) => `${a.path}=${row[axisColumn(a.path)]}`)
      .join(", ");
    groups.set(key, [...(groups.get(key) ?? []), k]);
  });
  const series = [];
  let g = 0;
  for (const [key, idx] of groups) {
    for (const q of quantiles) {
      const metric = `${q}_ttft_s`;
      const y = idx.map((k) => finiteOrNull(rows[k][metric]));
      const half = idx.map((k) => cis[k][metric]);
      const band = spec.replications > 1;
      series.push({
        label: spec.name === "sweep_prefill"
          ? `prefill ${rows[idx[0]].sweep_prefill_tokens_per_s} tok/s`
          : `${key ? key.replace(/^mode=/, "") + " " : ""}${q.toUpperCase()}`,
        x: idx.map((k) => Number(rows[k][axisColumn(xAxis.path)])),
        y,
        yLow: band
          ? y.map((v, j) => v === null ? null : v - (half[j] ?? 0))
          : undefined,
        yHigh: band
          ? y.map((v, j) => v === null ? null : v + (half[j] ?? 0))
          : undefined,
        dashed: g % 2 === 1,
      });
    }
    g++;
  }
  const xLabel = xAxis.path === "arrival.rate_per_s"
    ? "arrival rate (requests/s)"
    : xAxis.path;
  return await renderLineChart({
    title: spec.name === "sweep_prefill"
      ? "P50 TTFT against arrival rate"
      : `TTFT against ${xLabel}${spec.replications > 1 ? " (95% CI)" : ""}`,
    xLabel,
    yLabel: spec.name === "sweep_prefill" ? "P50 TTFT (s)" : "TTFT (s)",
    series,
  });
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
  if ((metric === undefined) !== (max === undefined)) {
    throw new InputError("--metric and --max go together");
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
  const base = await loadScenario(values);
  const options = capacityOptions(values);
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
  const keys = ["rate_per_s", "goodput_rps", "goodput_rps_per_gpu", "value"];
  const summaries = runs.map((r) =>
    Object.fromEntries(keys.map((k) => [k, r[k as keyof CapacityResult]]))
  ) as Summary[];
  const { summary, ci95 } = aggregateReplications(summaries);
  const out: Record<string, unknown> = {
    capacity_rate_per_s: summary.rate_per_s,
    goodput_rps: summary.goodput_rps,
    goodput_rps_per_gpu: summary.goodput_rps_per_gpu,
    gpus: runs[0].gpus,
    criterion_value: summary.value,
    replications: spec.replications,
  };
  if (spec.replications > 1) {
    out.capacity_rate_per_s_ci95 = ci95.rate_per_s;
    out.goodput_rps_per_gpu_ci95 = ci95.goodput_rps_per_gpu;
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
  const gpusText = values.gpus as string | undefined;
  if (gpusText === undefined) throw new InputError("--gpus is required");
  const gpus = Number(gpusText);
  const tps = values.tps === undefined
    ? undefined
    : numberList("tps", values.tps as string);
  const modesText = (values.modes as string | undefined) ?? "mono,disagg";
  const modes = modesText.split(",").map((m) => m.trim());
  for (const m of modes) {
    if (m !== "mono" && m !== "disagg") {
      throw new InputError(`--modes: mono and/or disagg, got "${m}"`);
    }
  }
  const { rest, axes } = splitSets(values);
  if (axes.length > 0) {
    throw new InputError(
      "plan takes one list axis, with --crossover KEY=V1,V2,... (not --set)",
    );
  }
  const base = await loadScenario(rest);
  const options = capacityOptions(values);
  let crossover: GridAxis | undefined;
  const cross = values.crossover as string | undefined;
  if (cross !== undefined) {
    const eq = cross.indexOf("=");
    if (eq <= 0 || !cross.includes(",")) {
      throw new InputError(
        `--crossover: expected KEY=V1,V2,..., got "${cross}"`,
      );
    }
    crossover = {
      path: cross.slice(0, eq),
      values: cross.slice(eq + 1).split(",").map((v) => scalar(v.trim())),
    };
  }
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
  const tasks = perBase.flatMap((list) => list.map((x) => x.task ?? null));
  const skipped = perBase.flatMap((list) => list.map((x) => x.skipped ?? null));
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

function planRowOut(row: PlanRow, rank: number): Record<string, unknown> {
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
    capacity_rate_per_s: c?.rate_per_s,
    goodput_rps_per_gpu: c?.goodput_rps_per_gpu,
    criterion_value: c?.value,
    p90_ttft_s: c?.summary.p90_ttft_s,
    p90_tpot_s: c?.summary.p90_tpot_s,
    skipped: row.skipped,
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
    const planRows: PlanRow[] = spec.placements.map((placement, k) => ({
      placement,
      capacity: (outcomes[g * n + k] ?? undefined) as
        | CapacityResult
        | undefined,
      skipped: spec.skipped[g * n + k] ?? undefined,
    }));
    const order = rankPlan(planRows);
    ranked.push(order);
    const top = (mode: string) =>
      Math.max(
        0,
        ...order.filter((r) => r.placement.mode === mode && r.capacity).map((
          r,
        ) => r.capacity!.goodput_rps_per_gpu),
      );
    best.push({ value, mono: top("mono"), disagg: top("disagg") });
    order.forEach((row, k) =>
      rows.push({
        ...(spec.crossover
          ? { [`crossover_${spec.crossover.path}`]: value }
          : {}),
        ...planRowOut(row, k + 1),
      })
    );
  });
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
      best_goodput_rps_per_gpu: best.map((b) => ({
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
      y: r.capacity!.goodput_rps,
      label: r.placement.name,
    })),
  });
  const png = await renderParetoChart({
    title: "Goodput against GPUs (Pareto front)",
    xLabel: "GPUs",
    yLabel: "goodput (requests/s within the SLO target)",
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
    "capacity_rate_per_s",
    "goodput_rps_per_gpu",
    "p90_ttft_s",
    "p90_tpot_s",
    "skipped",
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
