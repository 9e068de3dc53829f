/**
 * Placement planning: every way to lay a model out on a GPU budget,
 * colocated (TP degree x instances) or disaggregated (x prefill instances of
 * one TP degree, y decode instances of another), each run through
 * {@linkcode capacity} and ranked by capacity per GPU (DistServe's goodput
 * per GPU).
 *
 * @module
 */

import type { Scenario } from "../scenario/types.ts";
import { InputError } from "../errors.ts";
import {
  layoutFields,
  layoutGpus,
  layoutName,
  type Placement,
  placementLayout,
  type PoolLayout,
} from "./placement.ts";
import { withParams } from "./study.ts";
import type { CapacityOptions, CapacityResult } from "./capacity.ts";
import type { Task, TaskOutcome } from "./tasks.ts";
import { defaultJobs, TaskPool } from "./pool.ts";
import { searchPlan } from "./plan_search.ts";

export type { Placement, PoolLayout } from "./placement.ts";

/** Options of {@linkcode placements}. */
export interface PlanOptions {
  /** The GPU budget. */
  gpus: number;
  /** TP degrees to try (default 1, 2, 4, 8 up to the budget). */
  tps?: readonly number[];
  /**
   * Layouts to try per pool (tensor, pipeline, expert and data-parallel
   * attention degrees), instead of `tps`.
   */
  layouts?: readonly PoolLayout[];
  /** Only placements that use the whole budget (default false: any up to it). */
  exactBudget?: boolean;
  /** Architectures to try (default both). */
  modes?: readonly ("mono" | "disagg")[];
  /**
   * {@linkcode plan}: search every placement (default false: prune those
   * whose capacity bound cannot win; see plan_search.ts).
   */
  exhaustive?: boolean;
}

/**
 * Enumerates placements within a GPU budget, colocated first, each group in
 * increasing GPU count.
 *
 * @param options Budget, TP degrees, and whether to use it all.
 * @returns The placements.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { placements } from "./plan.ts";
 * const p = placements({ gpus: 2, tps: [1] });
 * // mono 1x, mono 2x, disagg 1P1D
 * assert.equal(p.length, 3, p.map((x) => x.name).join());
 * assert.equal(p[2].name, "disagg 1P(TP1) 1D(TP1)", p.map((x) => x.name).join());
 * ```
 */
export function placements(options: PlanOptions): Placement[] {
  const budget = options.gpus;
  if (!Number.isInteger(budget) || budget < 1) {
    throw new InputError(`--gpus: must be a whole number >= 1, got ${budget}`);
  }
  const layouts = (options.layouts ??
    (options.tps ?? [1, 2, 4, 8]).map((tp) => ({
      tp,
      pp: 1,
      ep: 1,
      dp_attention: 1,
    }))).filter((l) => layoutGpus(l) <= budget);
  const modes = options.modes ?? ["mono", "disagg"];
  const fits = (g: number) => options.exactBudget ? g === budget : g <= budget;
  const out: Placement[] = [];
  if (modes.includes("mono")) {
    for (const layout of layouts) {
      const size = layoutGpus(layout);
      for (let n = 1; n * size <= budget; n++) {
        if (!fits(n * size)) continue;
        out.push({
          mode: "mono",
          ...layoutFields(layout, ""),
          instances: n,
          gpus: n * size,
          name: `mono ${n}x ${layoutName(layout)}`,
        });
      }
    }
  }
  if (modes.includes("disagg")) {
    for (const pl of layouts) {
      const ps = layoutGpus(pl);
      for (const dl of layouts) {
        const ds = layoutGpus(dl);
        for (let x = 1; x * ps + ds <= budget; x++) {
          for (let y = 1; x * ps + y * ds <= budget; y++) {
            const g = x * ps + y * ds;
            if (!fits(g)) continue;
            out.push({
              mode: "disagg",
              ...layoutFields(pl, "prefill_"),
              prefill_instances: x,
              ...layoutFields(dl, "decode_"),
              decode_instances: y,
              gpus: g,
              name: `disagg ${x}P(${layoutName(pl)}) ${y}D(${layoutName(dl)})`,
            });
          }
        }
      }
    }
  }
  out.sort((a, b) =>
    (a.mode === b.mode ? 0 : a.mode === "mono" ? -1 : 1) || a.gpus - b.gpus
  );
  return out;
}

/**
 * The scenario laid out as a placement.
 *
 * @param scenario The base scenario.
 * @param placement The placement.
 * @returns The scenario in that mode on those GPUs.
 * @throws {InputError} When the placement is invalid for the scenario (the
 * model does not fit at that TP degree, say).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { placedScenario, placements } from "./plan.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const [p] = placements({ gpus: 2, tps: [2], modes: ["mono"] });
 * const s = placedScenario(validateScenario({ batching: "continuous" }), p);
 * assert.equal(s.cluster_mono.tp, 2);
 * assert.equal(s.cluster_mono.num_gpus, 2);
 * ```
 */
export function placedScenario(
  scenario: Scenario,
  placement: Placement,
): Scenario {
  return withParams(scenario, placementParams(placement));
}

/**
 * The scenario keys a placement sets (every key of `PLAN_KEYS`): its mode,
 * and each pool's GPUs and layout.
 *
 * @param placement The placement.
 * @returns Key path to value.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { placementParams, placements } from "./plan.ts";
 * const [p] = placements({ gpus: 4, tps: [4], modes: ["mono"] });
 * assert.equal(placementParams(p)["cluster_mono.num_gpus"], 4);
 * assert.equal(placementParams(p)["cluster_mono.pp"], 1);
 * ```
 */
export function placementParams(
  placement: Placement,
): Record<string, unknown> {
  const pool = (prefix: string, layout: PoolLayout) => ({
    [`${prefix}tp`]: layout.tp,
    [`${prefix}pp`]: layout.pp,
    [`${prefix}ep`]: layout.ep,
    [`${prefix}dp_attention`]: layout.dp_attention,
  });
  if (placement.mode === "mono") {
    const l = placementLayout(placement, "gpu");
    return {
      mode: "mono",
      "cluster_mono.num_gpus": placement.gpus,
      ...pool("cluster_mono.", l),
    };
  }
  const pl = placementLayout(placement, "prefill");
  const dl = placementLayout(placement, "decode");
  return {
    mode: "disagg",
    "cluster_disagg.prefill_gpus": placement.prefill_instances! *
      layoutGpus(pl),
    ...pool("cluster_disagg.prefill_", pl),
    "cluster_disagg.decode_gpus": placement.decode_instances! *
      layoutGpus(dl),
    ...pool("cluster_disagg.decode_", dl),
  };
}

/** The scenario keys plan sets for each placement. */
export const PLAN_KEYS: readonly string[] = Object.keys({
  ...placementParams({
    mode: "mono",
    tp: 1,
    instances: 1,
    gpus: 1,
    name: "",
  }),
  ...placementParams({
    mode: "disagg",
    prefill_tp: 1,
    prefill_instances: 1,
    decode_tp: 1,
    decode_instances: 1,
    gpus: 2,
    name: "",
  }),
});

/** A planned placement: its capacity, or why it cannot run. */
export interface PlanRow {
  /** The placement. */
  placement: Placement;
  /** Its capacity search, when it can run. */
  capacity?: CapacityResult;
  /**
   * Why it is infeasible: it cannot run (the model does not fit), or its
   * capacity search failed (the target is missed even at a vanishing load);
   * or why it was not searched (pruned: its capacity cannot matter).
   */
  skipped?: string;
  /** Pruned: the upper bound on its capacity, requests per second. */
  bound_rps?: number;
}

/**
 * The capacity tasks of a plan, and the placements that cannot run at all.
 *
 * @param scenario The base scenario (workload, hardware, SLO).
 * @param options Budget and TP degrees.
 * @param capacityOptions The capacity criterion.
 * @returns For each placement, its task or the reason it is skipped.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { planTasks } from "./plan.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const s = validateScenario({ batching: "continuous", slo: { ttft_s: 1, tpot_s: 0.1 } });
 * const t = planTasks(s, { gpus: 2, tps: [1] }, { target: 0.9 });
 * // mono 1x, mono 2x, disagg 1P1D: all can run.
 * assert.equal(t.length, 3);
 * assert.ok(t.every((x) => x.task !== undefined));
 * ```
 */
export function planTasks(
  scenario: Scenario,
  options: PlanOptions,
  capacityOptions: CapacityOptions,
): { placement: Placement; task?: Task; skipped?: string }[] {
  return placements(options).map((placement) => {
    try {
      return {
        placement,
        task: {
          kind: "capacity",
          scenario: placedScenario(scenario, placement),
          options: capacityOptions,
          infeasibleAsReason: true,
        },
      };
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return { placement, skipped: e.message.replace(/^at [^:]*: /, "") };
    }
  });
}

/**
 * Ranks planned placements: highest capacity per GPU first (ties: fewer
 * GPUs, then enumeration order); infeasible ones (skipped, or without a
 * capacity) last, in enumeration order.
 *
 * @param rows Placements with their capacities.
 * @returns A new array, ranked.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { rankPlan } from "./plan.ts";
 * const row = (name: string, g: number, v?: number) => ({
 *   placement: { mode: "mono" as const, gpus: g, name },
 *   capacity: v === undefined ? undefined : { rate_per_s_per_gpu: v } as never,
 * });
 * const r = rankPlan([row("a", 2, 1), row("b", 1, 3), row("c", 1)]);
 * assert.equal(r.map((x) => x.placement.name).join(), "b,a,c");
 * ```
 */
export function rankPlan(rows: readonly PlanRow[]): PlanRow[] {
  return rows.map((row, order) => ({ row, order })).sort((a, b) => {
    const ga = a.row.capacity?.rate_per_s_per_gpu ?? -Infinity;
    const gb = b.row.capacity?.rate_per_s_per_gpu ?? -Infinity;
    return gb - ga || a.row.placement.gpus - b.row.placement.gpus ||
      a.order - b.order;
  }).map((x) => x.row);
}

/**
 * Plans placements on workers and ranks them: the library form of `llmsim
 * plan`. Placements whose capacity cannot matter are pruned (their row
 * says so, with the bound) unless `options.exhaustive`.
 *
 * @param scenario The base scenario (workload, hardware, SLO).
 * @param options Budget, TP degrees, modes.
 * @param capacityOptions The capacity criterion.
 * @param jobs Workers (default: the logical cores).
 * @returns The placements, best capacity per GPU first.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { plan } from "./plan.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const s = validateScenario({ batching: "continuous", sim_seconds: 30, warmup_seconds: 3, slo: { ttft_s: 1, tpot_s: 0.1 } });
 * const rows = await plan(s, { gpus: 2, tps: [1] }, { tolerance: 0.1 }, 1);
 * assert.equal(rows.length, 3);
 * assert.ok(rows[0].capacity!.rate_per_s_per_gpu >= rows[2].capacity!.rate_per_s_per_gpu);
 * ```
 */
export async function plan(
  scenario: Scenario,
  options: PlanOptions,
  capacityOptions: CapacityOptions = {},
  jobs?: number,
): Promise<PlanRow[]> {
  const planned = planTasks(scenario, options, capacityOptions);
  const pool = new TaskPool(jobs ?? defaultJobs());
  try {
    const outcomes = options.exhaustive
      ? await pool.run(planned.flatMap((p) => p.task ? [p.task] : []))
      : (await searchPlan(planned, {
        tolerance: capacityOptions.tolerance,
        run: (tasks, ahead) => pool.run(tasks, undefined, ahead),
      })).filter((_, k) => planned[k].task);
    let k = 0;
    return rankPlan(
      planned.map((p) => {
        if (!p.task) return { placement: p.placement, skipped: p.skipped };
        return planRow(p.placement, outcomes[k++]!);
      }),
    );
  } finally {
    pool.close();
  }
}

/**
 * A placement's row from its task's outcome: its capacity, or why its
 * search failed.
 *
 * @param placement The placement.
 * @param outcome Its capacity task's outcome.
 * @returns The row.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { planRow } from "./plan.ts";
 * const row = planRow({ mode: "mono", gpus: 1, name: "m" }, { infeasible: "no" });
 * assert.equal(row.skipped, "no");
 * assert.equal(row.capacity, undefined);
 * ```
 */
export function planRow(placement: Placement, outcome: TaskOutcome): PlanRow {
  if ("infeasible" in outcome) {
    return { placement, skipped: outcome.infeasible };
  }
  if ("pruned" in outcome) {
    return { placement, skipped: outcome.pruned, bound_rps: outcome.bound_rps };
  }
  return { placement, capacity: outcome as CapacityResult };
}
