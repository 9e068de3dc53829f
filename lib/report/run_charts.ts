/**
 * The charts of a report page on simulate or compare runs: TTFT and TPOT
 * distributions, the mean TTFT split into its parts, and for batched runs
 * each pool's queue, batch size and KV-cache occupancy over time.
 *
 * @module
 */

import {
  measuredLatencies,
  type SimulationResult,
} from "../analysis/simulate.ts";
import type { ReportChart } from "./html.ts";
import { ttftBreakdownStacks } from "./study_charts.ts";

/** A run to chart, with the label it goes by (its mode, say). */
export interface LabelledRun {
  /** The label in legends and titles. */
  label: string;
  /** The run. */
  result: SimulationResult;
}

/**
 * The charts of some runs, as PNGs with their titles (`llmsim report
 * simulate` and `report compare` put them on the page).
 *
 * @param runs The runs, each with its label.
 * @returns The charts, in page order.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { runCharts } from "./run_charts.ts";
 * import { simulate } from "../analysis/simulate.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const scenario = validateScenario({ sim_seconds: 20, warmup_seconds: 2 });
 * const charts = await runCharts([{ label: "mono", result: simulate(scenario) }]);
 * assert.deepEqual(charts.slice(0, 2).map((c) => c.title), ["TTFT distribution", "TPOT distribution"]);
 * assert.ok(charts[0].png instanceof Uint8Array && charts[0].png.length > 0);
 * ```
 */
export async function runCharts(
  runs: readonly LabelledRun[],
): Promise<ReportChart[]> {
  const more = {
    ...(await import("./cdf_chart.ts")),
    ...(await import("./stacked_bar_chart.ts")),
    ...(await import("./time_series_chart.ts")),
  };
  const lat = runs.map((r) => ({
    label: r.label,
    ...measuredLatencies(r.result),
  }));
  const charts: ReportChart[] = [
    {
      title: "TTFT distribution",
      png: await more.renderCdfChart({
        title: "TTFT (CDF)",
        xLabel: "TTFT (s)",
        series: lat.map((l) => ({ label: l.label, values: l.ttft })),
      }),
    },
    {
      title: "TPOT distribution",
      png: await more.renderCdfChart({
        title: "TPOT (CDF)",
        xLabel: "TPOT (s)",
        series: lat.map((l) => ({ label: l.label, values: l.tpot })),
      }),
    },
  ];
  const summaries = runs.map((r) => r.result.summary);
  // Each bar is its run's mean TTFT, split into parts that add up to it
  // in every mode (see ttftParts).
  const stacks = ttftBreakdownStacks(summaries);
  if (stacks.length > 0) {
    charts.push({
      title: "Mean TTFT breakdown",
      png: await more.renderStackedBarChart({
        title: "Mean TTFT, by part",
        yLabel: "seconds",
        categories: runs.map((r) => r.label),
        stacks,
      }),
    });
  }
  for (const { label, result } of runs) {
    for (const [pool, tl] of Object.entries(result.timelines ?? {})) {
      const name = runs.length > 1 ? `${label} ${pool}` : pool;
      charts.push({
        title: `Over time (${name})`,
        png: await more.renderTimeSeriesChart({
          title: `Queue and batch over time (${name})`,
          xLabel: "time (s)",
          yLabel: "requests per instance",
          series: [
            { label: "waiting", t: tl.t, y: tl.queue },
            { label: "batch size", t: tl.t, y: tl.batch },
          ],
        }),
      });
      charts.push({
        title: `KV occupancy (${name})`,
        png: await more.renderTimeSeriesChart({
          title: `KV-cache occupancy over time (${name})`,
          xLabel: "time (s)",
          yLabel: "share of capacity",
          series: [{ label: "KV in use", t: tl.t, y: tl.kvOccupancy }],
        }),
      });
    }
  }
  return charts;
}
