/**
 * `report`: runs a simulate, compare, sweep or plan and writes one
 * self-contained HTML page with its tables and charts (TTFT and TPOT
 * distributions, the TTFT breakdown, queue, batch and KV occupancy over
 * time, the sweep curves or the plan's Pareto front).
 *
 * @module
 */

import { InputError } from "../errors.ts";
import {
  measuredLatencies,
  simulate,
  type SimulationResult,
} from "../analysis/simulate.ts";
import type { Summary } from "../metrics/summary.ts";
import { flattenRow } from "../report/csv.ts";
import { ttftBreakdownStacks } from "../report/study_charts.ts";
import { writeFilesAtomic } from "../report/files.ts";
import {
  renderReport,
  type ReportChart,
  type ReportSection,
} from "../report/html.ts";
import { loadScenario, type Values, warn } from "./common.ts";
import { runPlan, runSweep, type StudyArtifacts } from "./study_commands.ts";

const KINDS = ["simulate", "compare", "sweep", "plan"] as const;

const HEADLINE = [
  "num_samples",
  "throughput_rps",
  "mean_ttft_s",
  "p50_ttft_s",
  "p90_ttft_s",
  "p99_ttft_s",
  "mean_tpot_s",
  "p90_tpot_s",
  "p99_tpot_s",
  "p90_itl_s",
  "p90_e2e_s",
  "slo_attainment",
  "goodput_rps",
  "goodput_rps_per_gpu",
  "mean_batch_size",
  "mean_kv_occupancy",
  "preemptions",
  "saturation",
];

async function runCharts(
  runs: { label: string; result: SimulationResult }[],
): Promise<ReportChart[]> {
  const more = await import("../report/charts_more.ts");
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

function metricTable(
  labels: string[],
  summaries: Summary[],
  keys?: readonly string[],
): ReportSection["table"] {
  const flat = summaries.map((s) => flattenRow(s));
  const all = keys ?? [...new Set(flat.flatMap((f) => Object.keys(f)))];
  return {
    columns: ["metric", ...labels],
    rows: all.filter((k) => flat.some((f) => f[k] !== undefined)).map((k) => [
      k,
      ...flat.map((f) => (f[k] ?? null) as string | number | boolean | null),
    ]),
  };
}

function studyTable(a: StudyArtifacts): ReportSection["table"] {
  return {
    columns: a.columns,
    rows: a.rows.map((r) =>
      a.columns.map((c) => (r[c] ?? null) as string | number | boolean | null)
    ),
  };
}

/**
 * `report KIND [options] --out FILE`.
 *
 * @param values Parsed values (positionals: the kind).
 */
export async function runReport(values: Values): Promise<void> {
  const kind = ((values._ as string[] | undefined) ?? [])[0];
  if (!KINDS.includes(kind as typeof KINDS[number])) {
    throw new InputError(
      `report: say what to report on: ${
        KINDS.join(", ")
      } (e.g. llmsim report compare --config FILE --out report.html)`,
    );
  }
  const out = values.out as string | undefined;
  if (!out) throw new InputError("report: --out FILE is required");
  const config = (values.config as string | undefined) ?? "defaults";
  const sections: ReportSection[] = [];
  const warnings: string[] = [];
  const notes: string[] = [];
  let title: string;
  if (kind === "simulate" || kind === "compare") {
    // compare runs both architectures: a mode given would do nothing.
    const setMode = ((values.set as string[] | undefined) ?? []).some((x) =>
      x.startsWith("mode=")
    );
    if (kind === "compare" && (values.mode !== undefined || setMode)) {
      throw new InputError(
        `report compare: ${
          values.mode !== undefined ? "--mode" : "--set mode"
        } has no effect (compare runs both mono and disagg)`,
      );
    }
    const scenario = await loadScenario(values);
    const runs = kind === "simulate"
      ? [{ label: scenario.mode, result: simulate(scenario) }]
      : (["mono", "disagg"] as const).map((mode) => ({
        label: mode,
        result: simulate({ ...scenario, mode }),
      }));
    title = kind === "simulate"
      ? `llmsim: ${scenario.mode} run of ${config}`
      : `llmsim: colocated against disaggregated, ${config}`;
    const labels = runs.map((r) => r.label);
    const summaries = runs.map((r) => r.result.summary);
    // The same warnings `simulate` and `compare` print, on stderr too.
    warnings.push(...runs.flatMap((r) => r.result.warnings));
    sections.push({
      heading: "Headline",
      text: warnings.join("\n\n") || undefined,
      table: metricTable(labels, summaries, HEADLINE),
    });
    sections.push({ heading: "Charts", charts: await runCharts(runs) });
    sections.push({
      heading: "All metrics",
      table: metricTable(labels, summaries),
    });
  } else {
    const sink = {} as StudyArtifacts;
    if (kind === "sweep") await runSweep(values, "sweep", sink);
    else await runPlan(values, sink);
    title = kind === "sweep"
      ? `llmsim: sweep of ${config}`
      : `llmsim: placement plan for ${values.gpus} GPUs, ${config}`;
    // A sweep's notes are its runs' warnings; a plan's, what it found.
    if (kind === "sweep") warnings.push(...sink.notes);
    else notes.push(...sink.notes);
    sections.push({
      heading: kind === "sweep" ? "Results" : "Placements, best first",
      text: sink.notes.join("\n\n") || undefined,
      table: studyTable(sink),
      charts: [{
        title: kind === "sweep" ? "TTFT" : "Pareto front",
        png: sink.png,
      }],
    });
  }
  const html = renderReport({
    title,
    subtitle: `llmsim ${kind}`,
    generatedBy: "llmsim",
    sections,
  });
  await writeFilesAtomic(new Map([[out, html]]));
  warn(warnings);
  for (const note of notes) console.error(`llmsim: ${note}`);
  console.error(`llmsim: wrote ${out}`);
}
