/**
 * A plan's search with pruning: capacity searches only for the placements
 * that can still matter, in rounds of a fixed size (so the answer does not
 * depend on the number of workers).
 *
 * A placement matters if it could be the best of its architecture per GPU
 * (what the ranking and the crossover read) or the cheapest placement for
 * some rate (the rate bands). Its capacity is bounded above before it is
 * searched, by
 *
 * - its **offered-load ceiling**: a rate whose offered load reaches 1 is
 *   `overloaded`, never `stable` (see offered_load.ts), so the capacity is
 *   below `rate / maxLoad`; the bound takes five standard errors of the
 *   mean lengths more, for the lengths sampled at another load;
 * - a **dominating placement**: one of the same mode and layouts with at
 *   least as many instances in every pool has at least the capacity (more
 *   instances never lower it), so its capacity, or its own bound, caps this
 *   one's, with the search tolerance added.
 *
 * A placement is pruned when its bound per GPU is below the best per GPU
 * found in its architecture, and its bound is below the best capacity
 * found on as many GPUs or fewer. Every placement that exhaustive search
 * would rank first in its architecture, or name in a rate band, is
 * therefore searched, with the same capacity search, so its figures are
 * byte-identical to exhaustive search; the pruned ones are listed with
 * their bound.
 *
 * @module
 */

import type { CapacityResult } from "./capacity.ts";
import { type Placement, placementLayout, sameLayout } from "./placement.ts";
import type { CapacityPruned, Task, TaskOutcome } from "./tasks.ts";
import { loadOf, requestLengths } from "./offered_load.ts";

/** Placements searched per round: fixed, so that workers change nothing. */
export const PLAN_ROUND = 8;

/** Standard errors of the mean lengths the ceiling allows for. */
const CEILING_SE = 5;

/** One planned placement, as the search sees it. */
export interface PlannedPlacement {
  /** The placement. */
  placement: Placement;
  /** Its capacity task, unless it cannot run. */
  task?: Task;
}

/** Options of {@linkcode searchPlan}. */
export interface PlanSearchOptions {
  /** The capacity search's relative tolerance (default 0.01). */
  tolerance?: number;
  /**
   * Runs one round of capacity tasks (on workers), outcomes in order.
   * `ahead` lists the placements still pending after the round, likeliest
   * to be searched next first: a runner may start them on workers the
   * round leaves idle (its last tasks), and reuse what they found if a
   * later round asks for them. Which placements are searched is decided
   * by the rounds alone, so this changes no answer.
   */
  run: (tasks: Task[], ahead: Task[]) => Promise<TaskOutcome[]>;
  /**
   * What a placement costs, for the rate bands (default: its GPUs; with
   * prices, dollars per hour). A placement is kept when it could be the
   * cheapest for some rate by this measure.
   */
  cost?: (placement: Placement) => number;
  /** After each round: placements searched, and searched + still to search. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Searches the placements that can matter, round by round, and prunes the
 * rest.
 *
 * @param planned The placements of one base scenario, in plan order.
 * @param options The round runner, tolerance and progress.
 * @returns Per placement, its capacity outcome, why it was pruned, or null
 * when it cannot run.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { searchPlan } from "./plan_search.ts";
 * import { planTasks } from "./plan.ts";
 * import { runTask } from "./tasks.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const s = validateScenario({
 *   batching: "continuous", sim_seconds: 30, warmup_seconds: 3,
 *   slo: { ttft_s: 1, tpot_s: 0.1 },
 * });
 * const planned = planTasks(s, { gpus: 3, tps: [1] }, { tolerance: 0.1 });
 * const out = await searchPlan(planned, {
 *   tolerance: 0.1,
 *   run: (tasks) => Promise.resolve(tasks.map(runTask)),
 * });
 * assert.equal(out.length, planned.length);
 * assert.ok(out.some((o) => o !== null && "rate_per_s" in o));
 * ```
 */
export async function searchPlan(
  planned: readonly PlannedPlacement[],
  options: PlanSearchOptions,
): Promise<(TaskOutcome | null)[]> {
  const tolerance = options.tolerance ?? 0.01;
  const cost = options.cost ?? ((p: Placement) => p.gpus);
  const out: (TaskOutcome | null)[] = planned.map(() => null);
  const first = planned.find((p) => p.task)?.task;
  if (!first) return out;
  // The placements share the workload: its lengths are measured once.
  const lengths = requestLengths(first.scenario);
  const margin = 1 +
    CEILING_SE * Math.max(lengths.cv.prompt, lengths.cv.output) /
      Math.sqrt(Math.max(1, lengths.requests));
  const ceiling = planned.map((p) => {
    if (!p.task) return NaN;
    const load = loadOf(p.task.scenario, lengths.meanTokens, lengths.ratePerS);
    return load.maxLoad > 0 ? margin * load.ratePerS / load.maxLoad : Infinity;
  });
  const capacity: (number | undefined)[] = planned.map(() => undefined);
  const pending = new Set(
    planned.flatMap((p, k) => p.task ? [k] : []),
  );
  let done = 0;
  // A pending placement's bound: its ceiling, or a dominating one's.
  const bound = (k: number): number => {
    let b = ceiling[k];
    const p = planned[k].placement;
    planned.forEach((q, j) => {
      if (j === k || !dominates(q.placement, p)) return;
      const c = capacity[j];
      const o = out[j];
      if (c !== undefined) b = Math.min(b, c * (1 + tolerance));
      else if (o && "pruned" in o) b = Math.min(b, o.bound_rps);
      else if (pending.has(j)) b = Math.min(b, ceiling[j]);
    });
    return b;
  };
  for (;;) {
    // What the searched placements already show.
    const bestPerGpu = new Map<string, number>();
    const searched: { cost: number; rate: number }[] = [];
    planned.forEach((p, k) => {
      const c = capacity[k];
      if (c === undefined) return;
      const m = p.placement.mode;
      const g = p.placement.gpus;
      bestPerGpu.set(m, Math.max(bestPerGpu.get(m) ?? -Infinity, c / g));
      searched.push({ cost: cost(p.placement), rate: c });
    });
    const bandBest = (x: number) =>
      Math.max(
        -Infinity,
        ...searched.filter((s) => s.cost <= x).map((s) => s.rate),
      );
    const candidates = [...pending].map((k) => ({ k, b: bound(k) }));
    for (const { k, b } of candidates) {
      const p = planned[k].placement;
      const best = bestPerGpu.get(p.mode) ?? -Infinity;
      const band = bandBest(cost(p));
      if (b / p.gpus < best && b < band) {
        pending.delete(k);
        const pruned: CapacityPruned = {
          pruned: `not searched: its capacity is at most ${
            b.toPrecision(4)
          } req/s (${
            (b / p.gpus).toPrecision(4)
          } per GPU), below the best ${p.mode} per GPU (${
            best.toPrecision(4)
          }) and the best capacity ${
            options.cost
              ? `at $${cost(p).toFixed(2)}/h or less`
              : `on ${p.gpus} GPUs or fewer`
          } (${band.toPrecision(4)})`,
          bound_rps: b,
        };
        out[k] = pruned;
      }
    }
    const order = candidates.filter(({ k }) => pending.has(k))
      .sort((a, b) =>
        b.b / planned[b.k].placement.gpus - a.b / planned[a.k].placement.gpus ||
        a.k - b.k
      )
      .map(({ k }) => k);
    const next = order.slice(0, PLAN_ROUND);
    if (next.length === 0) break;
    options.onProgress?.(done, done + pending.size);
    const outcomes = await options.run(
      next.map((k) => planned[k].task!),
      order.slice(PLAN_ROUND).map((k) => planned[k].task!),
    );
    next.forEach((k, j) => {
      const o = outcomes[j];
      out[k] = o;
      pending.delete(k);
      capacity[k] = "rate_per_s" in o ? (o as CapacityResult).rate_per_s : 0;
    });
    done += next.length;
  }
  options.onProgress?.(done, done);
  return out;
}

// Whether placement a has at least b's instances in every pool, at the same
// mode and layouts.
function dominates(a: Placement, b: Placement): boolean {
  if (a.mode !== b.mode) return false;
  if (a.mode === "mono") {
    return sameLayout(placementLayout(a, "gpu"), placementLayout(b, "gpu")) &&
      a.instances! >= b.instances!;
  }
  return sameLayout(
    placementLayout(a, "prefill"),
    placementLayout(b, "prefill"),
  ) &&
    sameLayout(placementLayout(a, "decode"), placementLayout(b, "decode")) &&
    a.prefill_instances! >= b.prefill_instances! &&
    a.decode_instances! >= b.decode_instances!;
}
