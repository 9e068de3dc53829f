/**
 * `llmsim plan`: every placement of a GPU budget (colocated and
 * disaggregated), a capacity search each, ranked by capacity per GPU; then
 * plan.csv, plan.json and the Pareto chart.
 *
 * @module
 */

import { InputError } from "../../errors.ts";
import type { Scenario } from "../../scenario/types.ts";
import { studyFingerprint } from "../../analysis/fingerprint.ts";
import { PLAN_KEYS, planTasks } from "../../analysis/plan.ts";
import type { Placement, PoolLayout } from "../../analysis/placement.ts";
import {
  parsePrices,
  type PoolPrices,
  poolPrices,
  usdPerHour,
} from "../../analysis/prices.ts";
import { poolSettings } from "../../scenario/pool_settings.ts";
import {
  type PlannedPlacement,
  searchPlan,
} from "../../analysis/plan_search.ts";
import { TaskPool } from "../../analysis/pool.ts";
import { createProgress } from "../progress.ts";
import { planResults } from "../../analysis/plan_results.ts";
import type { StudySpec } from "../../analysis/shard.ts";
import { type GridAxis, withParams } from "../../analysis/study.ts";
import type { TaskOutcome } from "../../analysis/tasks.ts";
import { toCsv } from "../../report/csv.ts";
import { writeFilesAtomic } from "../../report/files.ts";
import { toJson } from "../../report/json.ts";
import { planParetoSpec } from "../../report/plan_chart.ts";
import { renderTable } from "../../report/table.ts";
import { booleanOption, type Command, stringOption } from "../command.ts";
import { format, loadScenario, type Values, warn } from "../common.ts";
import {
  CRITERION_OPTIONS,
  scenarioOptions,
  STUDY_OPTIONS,
} from "../options.ts";
import {
  capacityOptions,
  checkAxisSources,
  checkEffects,
  ensureDir,
  execute,
  jobsOf,
  listValues,
  outDir,
  refuseInReport,
  splitSets,
  type StudyArtifacts,
  studyOutputs,
  uniqueNumbers,
} from "../study.ts";

/** `llmsim plan`. */
export const PLAN: Command = {
  name: "plan",
  doc: "rank GPU placements (colocated, xPyD) by goodput per GPU",
  usage: "plan --gpus N [options]",
  description:
    `Enumerates placements on a GPU budget: colocated (a layout x instances) and
disaggregated (x prefill instances of one layout, y decode instances of
another), a layout being a TP degree (--tps), and with --pps, --dp-attention
and --eps pipeline stages, data-parallel attention ranks and expert
parallelism;
runs capacity on each in parallel, ranks the feasible ones by capacity per
GPU (infeasible ones follow, unranked, with their reason), and writes
plan.csv, plan.json and plan_pareto.png (capacity against GPUs).`,
  options: [
    {
      options: [
        stringOption("gpus", "N", "the budget", { required: true }),
        stringOption("tps", "LIST", "TP degrees to try", {
          default: "1,2,4,8 up to --gpus; 1 with batching: none",
        }),
        stringOption("pps", "LIST", "pipeline depths to try", {
          default: "1",
        }),
        stringOption(
          "dp-attention",
          "LIST",
          "data-parallel attention ranks to try (MoE models)",
          { default: "1" },
        ),
        stringOption(
          "eps",
          "LIST",
          "expert-parallel degrees to try; `full` is tp x dp-attention (MoE models)",
          { default: "1" },
        ),
        stringOption(
          "price",
          "GPU=USD,...",
          "dollars per GPU-hour by GPU type, e.g. H100-SXM=2.5,A100-80G=1.6: adds the cost per hour and per million output tokens",
        ),
        stringOption("modes", "LIST", "mono,disagg", { default: "both" }),
        booleanOption("exact-budget", "only placements that use all N GPUs"),
        booleanOption(
          "exhaustive",
          "search every placement (default: prune those whose capacity bound cannot win)",
        ),
        stringOption(
          "crossover",
          "KEY=V1,...",
          "plan at each value and name where disagg starts (or stops) winning, e.g. slo.tpot_s=0.01,0.02,0.05",
        ),
        ...CRITERION_OPTIONS,
      ],
    },
    STUDY_OPTIONS,
    scenarioOptions(),
  ],
  outputs: (values) => studyOutputs("plan", values),
  run: (values) => runPlan(values),
};

/**
 * Runs `plan`: writes its files and prints its ranking, or fills `sink`
 * (a report).
 *
 * @param values Parsed values.
 * @param sink Where a report wants the results, instead of files and stdout.
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
  const layouts = planLayouts(values, tps);
  const planOptions = {
    gpus,
    tps,
    ...(layouts ? { layouts } : {}),
    exactBudget: values["exact-budget"] === true,
    modes: modes as ("mono" | "disagg")[],
  };
  const prices = values.price === undefined ? undefined : planPrices(
    bases,
    parsePrices(values.price as string),
    modes,
    warnings,
  );
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
    ...(prices ? { prices } : {}),
    fingerprint: studyFingerprint(
      base,
      planOptions,
      options,
      crossover ?? null,
    ),
  };
  // A shard runs a fixed share of the task list, so it cannot prune.
  const exhaustive = values.exhaustive === true ||
    (values.shard !== undefined && sink === undefined);
  const outcomes = exhaustive
    ? await execute(values, spec, tasks, sink !== undefined)
    : await searchPlans(values, perBase, options.tolerance, prices);
  if (outcomes) await finishPlan(values, spec, outcomes, sink);
}

// Each base's placements searched with pruning, on one pool of workers,
// with one progress report over them all.
async function searchPlans(
  values: Values,
  perBase: PlannedPlacement[][],
  tolerance: number | undefined,
  prices: readonly PoolPrices[] | undefined,
): Promise<(TaskOutcome | null)[]> {
  const pool = new TaskPool(jobsOf(values));
  const progress = createProgress("plan");
  const counts = perBase.map((list) => ({
    done: 0,
    total: list.filter((p) => p.task).length,
  }));
  const report = () =>
    progress.update(
      counts.reduce((n, c) => n + c.done, 0),
      counts.reduce((n, c) => n + c.total, 0),
    );
  try {
    const out: (TaskOutcome | null)[] = [];
    for (const [g, planned] of perBase.entries()) {
      out.push(
        ...await searchPlan(planned, {
          tolerance,
          // With prices the rate bands are in dollars: so is what can win.
          ...(prices && { cost: (p: Placement) => usdPerHour(p, prices[g]) }),
          run: (tasks, ahead) => pool.run(tasks, undefined, ahead),
          onProgress: (done, total) => {
            counts[g] = { done, total };
            report();
          },
        }),
      );
    }
    progress.done();
    return out;
  } catch (e) {
    progress.done(false);
    throw e;
  } finally {
    pool.close();
  }
}

// The layouts of --tps x --pps x --dp-attention x --eps, or undefined when
// only --tps is given (the plan of TP degrees alone).
function planLayouts(
  values: Values,
  tps: readonly number[],
): PoolLayout[] | undefined {
  if (
    values.pps === undefined && values["dp-attention"] === undefined &&
    values.eps === undefined
  ) return undefined;
  const whole = (flag: string) => {
    const list = uniqueNumbers(flag, (values[flag] as string) ?? "1");
    for (const x of list) {
      if (!Number.isInteger(x) || x < 1) {
        throw new InputError(
          `--${flag}: degrees are whole numbers >= 1, got ${x}`,
        );
      }
    }
    return list;
  };
  const pps = whole("pps");
  const dps = whole("dp-attention");
  const eps = listValues("--eps", (values.eps as string) ?? "1").map((e) => {
    if (e === "full") return e;
    if (typeof e !== "number" || !Number.isInteger(e) || e < 1) {
      throw new InputError(
        `--eps: whole numbers >= 1 or \`full\`, got ${JSON.stringify(e)}`,
      );
    }
    return e;
  });
  const out: PoolLayout[] = [];
  const seen = new Set<string>();
  for (const tp of tps) {
    for (const pp of pps) {
      for (const dp_attention of dps) {
        for (const e of eps) {
          const ep = e === "full" ? tp * dp_attention : e;
          const key = `${tp},${pp},${ep},${dp_attention}`;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push({ tp, pp, ep, dp_attention });
        }
      }
    }
  }
  return out;
}

// The price per GPU-hour of each pool's GPU, per base scenario (a
// crossover may change the GPU); a price no pool reads is said so (a typo
// in a GPU name would otherwise go unseen).
function planPrices(
  bases: readonly Scenario[],
  prices: Record<string, number>,
  modes: readonly string[],
  warnings: string[],
): PoolPrices[] {
  const used = new Set<string>();
  const pools: ("gpu" | "prefill" | "decode")[] = [
    ...(modes.includes("mono") ? ["gpu" as const] : []),
    ...(modes.includes("disagg")
      ? ["prefill" as const, "decode" as const]
      : []),
  ];
  const out = bases.map((base) => {
    const names: Partial<Record<"gpu" | "prefill" | "decode", string>> = {};
    for (const pool of pools) {
      const gpu = poolSettings(base, pool).hardware?.gpu;
      names[pool] = typeof gpu === "string" ? gpu : gpu?.name;
      if (names[pool] !== undefined) used.add(names[pool]!);
    }
    return poolPrices(prices, names, pools);
  });
  for (const name of Object.keys(prices)) {
    if (!used.has(name)) {
      warnings.push(
        `--price ${name}: no pool of this plan runs on ${name}; its price has no effect (the plan's GPUs: ${
          [...used].join(", ")
        })`,
      );
    }
  }
  return out;
}

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
    // GPU counts and TP degrees at tp; the other degrees at 1.
    const extra = PLAN_KEYS.filter((path) => path !== "mode").map((path) => ({
      path,
      value: /(tp|gpus)$/.test(path) ? tp : 1,
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

/**
 * Writes and prints a plan's results (or fills `sink`).
 *
 * @param values Parsed values.
 * @param spec The plan.
 * @param outcomes Its tasks' outcomes, in order (null: cannot run).
 * @param sink Where a report wants the results.
 */
export async function finishPlan(
  values: Values,
  spec: Extract<StudySpec, { kind: "plan" }>,
  outcomes: (TaskOutcome | null)[],
  sink?: StudyArtifacts,
): Promise<void> {
  const fmt = format(values);
  const { report, ranked, notes, columns } = planResults(spec, outcomes);
  const rows = report.placements;
  const json = toJson(report, []);
  const { renderParetoChart } = await import("../../report/pareto_chart.ts");
  const png = await renderParetoChart(planParetoSpec(ranked));
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
