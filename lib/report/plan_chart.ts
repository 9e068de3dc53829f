/**
 * The chart of a plan: each feasible placement's capacity against its GPUs,
 * colocated and disaggregated apart, with the Pareto front (more capacity
 * for fewer GPUs) drawn through them.
 *
 * @module
 */

import type { PlanRow } from "../analysis/plan.ts";
import type { ParetoChartSpec, ScatterGroup } from "./pareto_chart.ts";

/**
 * The Pareto chart of ranked plan rows; infeasible ones are left out and
 * unstable ones marked, and a note under the plot counts the placements
 * that were not searched (pruned: their capacity bound could not win), so
 * that a reader does not take the points for every placement.
 *
 * @param rows A plan's rows (one crossover value's).
 * @returns The spec for `renderParetoChart`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { planParetoSpec } from "./plan_chart.ts";
 * const spec = planParetoSpec([
 *   { placement: { name: "m1", mode: "mono", gpus: 1 }, capacity: { rate_per_s: 3, summary: {} } as never },
 *   { placement: { name: "d2", mode: "disagg", gpus: 2 }, skipped: "does not fit" },
 * ]);
 * assert.deepEqual(spec.groups.map((g) => g.points.length), [1, 0]);
 * assert.deepEqual(spec.groups[0].points[0], { x: 1, y: 3, label: "m1", stable: true });
 * assert.equal(spec.note, undefined);
 * // A pruned placement is not a point, and the note says so.
 * const pruned = planParetoSpec([
 *   { placement: { name: "m1", mode: "mono", gpus: 1 }, capacity: { rate_per_s: 3, summary: {} } as never },
 *   { placement: { name: "m2", mode: "mono", gpus: 2 }, skipped: "not searched", bound_rps: 5 },
 * ]);
 * assert.equal(pruned.groups[0].points.length, 1);
 * assert.match(pruned.note!, /^1 of 2 placements not searched/);
 * ```
 */
export function planParetoSpec(rows: readonly PlanRow[]): ParetoChartSpec {
  const group = (mode: string): ScatterGroup => ({
    label: mode === "mono" ? "colocated" : "disaggregated",
    points: rows.filter((r) => r.placement.mode === mode && r.capacity).map((
      r,
    ) => ({
      x: r.placement.gpus,
      y: r.capacity!.rate_per_s,
      label: r.placement.name,
      stable: r.capacity!.summary.stable !== false,
    })),
  });
  const pruned = rows.filter((r) => r.bound_rps !== undefined).length;
  return {
    title: "Capacity against GPUs (Pareto front)",
    xLabel: "GPUs",
    yLabel: "capacity (requests/s within the target)",
    groups: [group("mono"), group("disagg")],
    front: "max",
    note: pruned > 0
      ? `${pruned} of ${rows.length} placements not searched (their ` +
        `capacity bound could not win; --exhaustive searches all)`
      : undefined,
  };
}
