/**
 * `report`: runs a simulate, compare, sweep or plan and writes one
 * self-contained HTML page with its tables and charts (TTFT and TPOT
 * distributions, the TTFT breakdown, queue, batch and KV occupancy over
 * time, the sweep curves or the plan's Pareto front).
 *
 * @module
 */

import { InputError } from "../../errors.ts";
import { simulate } from "../../analysis/simulate.ts";
import type { Summary } from "../../metrics/summary.ts";
import { flattenRow } from "../../report/csv.ts";
import { runCharts } from "../../report/run_charts.ts";
import { writeFilesAtomic } from "../../report/files.ts";
import { renderReport, type ReportSection } from "../../report/html.ts";
import { type Command, parseCommand, stringOption } from "../command.ts";
import { fileOutputs, loadScenario, type Values, warn } from "../common.ts";
import { scenarioOptions } from "../options.ts";
import type { StudyArtifacts } from "../study.ts";
import { COMPARE } from "./compare.ts";
import { PLAN, runPlan } from "./plan.ts";
import { SIMULATE } from "./simulate.ts";
import { runSweep, SWEEP } from "./sweep.ts";

const KINDS = ["simulate", "compare", "sweep", "plan"] as const;

// The commands a report runs, whose options it takes.
const INNER = {
  simulate: SIMULATE,
  compare: COMPARE,
  sweep: SWEEP,
  plan: PLAN,
};

const OUT_OPTION = stringOption("out", "FILE", "the page to write", {
  required: true,
});

/** `llmsim report`. */
export const REPORT: Command = {
  name: "report",
  doc: "one HTML page (tables, charts) of a simulate, compare, sweep or plan",
  usage: "report simulate|compare|sweep|plan --out FILE [options]",
  description:
    `Runs the command with the options it takes (see its --help) and writes one
self-contained HTML page: headline and full metric tables, TTFT and TPOT
distributions, the TTFT breakdown, queue, batch and KV occupancy over time
(batched runs), or the sweep curves and the plan's ranking and Pareto front.`,
  options: [{ options: [OUT_OPTION] }, scenarioOptions()],
  // The options of the command reported on (simulate's when none is
  // named), plus --out; its errors name that command.
  parse(args: string[]): Values {
    const [kind, ...rest] = args;
    const named = kind !== undefined && !kind.startsWith("-");
    const inner = kind === "compare" || kind === "sweep" || kind === "plan"
      ? INNER[kind]
      : INNER.simulate;
    const values = parseCommand(inner, named ? rest : args, [OUT_OPTION]);
    return { ...values, _: named ? [kind] : [] };
  },
  outputs: (values) => fileOutputs(values, ["out"]),
  run: runReport,
};

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

// `report KIND [options] --out FILE`.
async function runReport(values: Values): Promise<void> {
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
