/**
 * What the study commands (`sweep`, `sweep-prefill`, `capacity`, `plan`,
 * `merge`) share on the command line: reading their flags (axes, lists,
 * workers, replications, the capacity criterion), refusing flags that would
 * do nothing, and running the tasks, whole or one shard of them.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import type { Scenario } from "../scenario/types.ts";
import { keyEffect } from "../scenario/no_ops.ts";
import type { GridAxis } from "../analysis/study.ts";
import { defaultJobs, runTasks } from "../analysis/pool.ts";
import type { Task, TaskOutcome } from "../analysis/tasks.ts";
import type { CapacityOptions } from "../analysis/capacity.ts";
import {
  parseShard,
  shardFile,
  shardFileName,
  shardTasks,
  type StudySpec,
} from "../analysis/shard.ts";
import {
  checkOutputDir,
  type OutputPath,
  writeFilesAtomic,
} from "../report/files.ts";
import { toJson } from "../report/json.ts";
import {
  numberList,
  scalar,
  SCENARIO_FLAGS,
  type Values,
  warn,
} from "./common.ts";
import { progressCallback } from "./progress.ts";

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

/**
 * The files a study command will write, checked before it runs so that a
 * bad path fails at once rather than after the run; the folder is checked
 * now. `merge` learns its files from the shards: only its folder is checked.
 *
 * @param name The command.
 * @param values Its parsed values.
 * @returns The paths.
 */
export function studyOutputs(name: string, values: Values): OutputPath[] {
  const dir = outDir(values);
  checkOutputDir(dir, "--out-dir");
  if (name === "merge") return [];
  const kind = name.startsWith("sweep") ? "sweep" : name;
  // Only the shape is read here: a bad shard is reported when the run
  // reaches it, after the errors that come first.
  const shard = /^(\d+)\/(\d+)$/.exec((values.shard as string) ?? "");
  const names = shard && Number(shard[2]) > 1
    ? [
      shardFileName(kind as StudySpec["kind"], {
        i: Number(shard[1]),
        n: Number(shard[2]),
      }),
    ]
    : name === "capacity"
    ? ["capacity.json"]
    : name === "plan"
    ? ["plan.csv", "plan.json", "plan_pareto.png"]
    : ((stem) => [`${stem}.csv`, `${stem}.json`, `${stem}_ttft.png`])(
      name.replace("-", "_"),
    );
  return names.map((n) => ({ path: `${dir}/${n}`, flag: "--out-dir" }));
}

/**
 * `--jobs` (default: the logical cores).
 *
 * @param values Parsed values.
 * @returns The workers.
 */
export function jobsOf(values: Values): number {
  const text = values.jobs as string | undefined;
  if (text === undefined) return defaultJobs();
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new InputError(`--jobs: must be a whole number >= 1, got "${text}"`);
  }
  return n;
}

/**
 * `--replications` (default 1).
 *
 * @param values Parsed values.
 * @returns The replications.
 */
export function replicationsOf(values: Values): number {
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

/**
 * `--out-dir` (default `out`).
 *
 * @param values Parsed values.
 * @returns The folder.
 */
export function outDir(values: Values): string {
  return (values["out-dir"] as string | undefined) ?? "out";
}

/**
 * Creates a folder (and its parents) for the outputs.
 *
 * @param dir The folder.
 */
export async function ensureDir(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true }).catch((e) => {
    throw new InputError(`${dir}: cannot create: ${(e as Error).message}`);
  });
}

/**
 * Runs the study's tasks on `--jobs` workers, or one `--shard` of them,
 * whose outcomes go to a shard file (and null comes back).
 *
 * @param values Parsed values.
 * @param spec The study.
 * @param tasks Its tasks, in order (null: a placement that cannot run).
 * @param whole Run every task whatever `--shard` says (a report).
 * @returns Every task's outcome (null for null tasks), or null for a shard.
 */
export async function execute(
  values: Values,
  spec: StudySpec,
  tasks: (Task | null)[],
  whole = false,
): Promise<(TaskOutcome | null)[] | null> {
  const shard = whole
    ? { i: 0, n: 1 }
    : parseShard(values.shard as string | undefined);
  const { i, n } = shard;
  const mine = shardTasks(tasks, shard);
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
  const file = shardFile(
    spec,
    tasks.length,
    shard,
    mine.map(([k], j) => [k, outcomes[j]]),
  );
  const path = `${dir}/${shardFileName(spec.kind, shard)}`;
  await writeFilesAtomic(new Map([[path, toJson(file, []) + "\n"]]));
  console.error(
    `llmsim: wrote ${path} (${mine.length} of ${tasks.length} tasks); combine the shards with: llmsim merge --out-dir ${dir} ${dir}/${spec.kind}.shard-*-of-${n}.json`,
  );
  return null;
}

/** The `--set` items and scenario flags of a study, checked. */
export interface Sets {
  /** The values with only the single-valued `--set` items (for loading). */
  rest: Values;
  /** The list-valued `--set` items, as axes. */
  axes: GridAxis[];
  /** Each key given one value (by a scenario flag or `--set`): its source. */
  overrides: Map<string, string>;
}

/**
 * `--set key=v1,v2`: a list makes an axis; a single value stays an
 * override. A key given twice (two --set, or a flag and a --set) is an
 * error, not a silent last-one-wins.
 *
 * @param values Parsed values.
 * @returns The split.
 */
export function splitSets(values: Values): Sets {
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

/**
 * A list of values, none empty and none twice (a repeated value would only
 * repeat rows).
 *
 * @param flag The flag, for messages.
 * @param text The list.
 * @returns The values, as YAML would read them.
 */
export function listValues(flag: string, text: string): unknown[] {
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

/**
 * `numberList`, with no number twice.
 *
 * @param flag The flag, for messages.
 * @param text The list.
 * @returns The numbers.
 */
export function uniqueNumbers(
  flag: string,
  text: string | undefined,
): number[] {
  const list = numberList(flag, text);
  const twice = list.find((x, k) => list.indexOf(x) !== k);
  if (twice !== undefined) {
    throw new InputError(`--${flag}: ${twice} is given twice in "${text}"`);
  }
  return list;
}

/**
 * An axis whose key a flag or a single --set also gives, or that two flags
 * sweep, would silently lose one of them: an error.
 *
 * @param axes The axes, with the flags that gave them.
 * @param overrides The single values, by key, with their flags.
 */
export function checkAxisSources(
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

/**
 * The effect of every axis and single value on the study's scenarios: an
 * axis that changes nothing anywhere would repeat every row (an error); one
 * that changes nothing at some points repeats those rows (a warning); a
 * single value that changes nothing is a warning. Those the scenario's load
 * already gives (lib/scenario/no_ops.ts: batched sections under batching:
 * none) or the runs give (the engine) are left to them.
 *
 * @param scenarios The study's scenarios.
 * @param axes The axes, with the flags that gave them.
 * @param overrides The single values, by key, with their flags.
 * @returns The warnings.
 */
export function checkEffects(
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

/**
 * A report runs the whole study and writes one page: the flags that shard
 * it or choose its files and format would do nothing, so they are refused.
 *
 * @param values Parsed values.
 * @param sink The report's sink (none: not a report, nothing refused).
 */
export function refuseInReport(values: Values, sink?: StudyArtifacts): void {
  if (!sink) return;
  for (const flag of ["shard", "out-dir", "format"]) {
    if (values[flag] !== undefined) {
      throw new InputError(
        `report: --${flag} has no effect (a report runs the whole study and writes one page to --out)`,
      );
    }
  }
}

/**
 * The capacity criterion from `--target`, `--metric`/`--max` and
 * `--tolerance`, checked.
 *
 * @param values Parsed values.
 * @returns The capacity options.
 */
export function capacityOptions(values: Values): CapacityOptions {
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
