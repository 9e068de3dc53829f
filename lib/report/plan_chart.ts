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
 * unstable ones marked.
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
  return {
    title: "Capacity against GPUs (Pareto front)",
    xLabel: "GPUs",
    yLabel: "capacity (requests/s within the target)",
    groups: [group("mono"), group("disagg")],
    front: "max",
  };
}
