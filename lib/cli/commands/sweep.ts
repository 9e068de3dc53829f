/**
 * `llmsim sweep` (any keys as a grid; `--rates` a shorthand for the rate
 * and both architectures) and `llmsim sweep-prefill` (TTFT against rate per
 * prefill speed): the grid's tasks, run whole or by shard, then sweep.csv,
 * sweep.json and the TTFT chart.
 *
 * @module
 */

import { InputError } from "../../errors.ts";
import { studyFingerprint } from "../../analysis/fingerprint.ts";
import type { StudySpec } from "../../analysis/shard.ts";
import {
  type GridAxis,
  gridPoints,
  replicate,
  withParams,
} from "../../analysis/study.ts";
import { axisColumn, sweepTable } from "../../analysis/study_results.ts";
import { checkRateSweep } from "../../analysis/sweep.ts";
import type { Task, TaskOutcome } from "../../analysis/tasks.ts";
import { toCsv } from "../../report/csv.ts";
import { writeFilesAtomic } from "../../report/files.ts";
import { toJson } from "../../report/json.ts";
import { sweepChartSpec } from "../../report/study_charts.ts";
import { renderTable } from "../../report/table.ts";
import { type Command, type OptionGroup, stringOption } from "../command.ts";
import { format, loadScenario, type Values, warn } from "../common.ts";
import { scenarioOptions, STUDY_OPTIONS } from "../options.ts";
import {
  checkAxisSources,
  checkEffects,
  ensureDir,
  execute,
  outDir,
  refuseInReport,
  replicationsOf,
  splitSets,
  type StudyArtifacts,
  studyOutputs,
  uniqueNumbers,
} from "../study.ts";

const SWEEP_OPTIONS: OptionGroup = {
  options: [
    stringOption("rates", "LIST", "arrival rates, e.g. 0.5,1,2,3,4,5"),
    stringOption(
      "set",
      "KEY=V1,V2,...",
      "an axis; a single value just overrides the key",
      { multiple: true },
    ),
  ],
};

/** `llmsim sweep`. */
export const SWEEP: Command = {
  name: "sweep",
  doc: "a grid of runs (--rates, --set KEY=V1,V2): CSV, JSON, chart",
  usage: "sweep [--rates LIST] [--set KEY=V1,V2,...]... [options]",
  description:
    `Runs a grid of points: every combination of the list-valued --set keys (and
--rates, which also runs both architectures unless --mode or a mode axis is
given). A key given twice, or given and swept, is an error. Writes
sweep.csv, sweep.json and sweep_ttft.png (TTFT against the rate, or the last
numeric axis) into --out-dir. Results are identical for any --jobs.`,
  options: [SWEEP_OPTIONS, STUDY_OPTIONS, scenarioOptions(["set"])],
  outputs: (values) => studyOutputs("sweep", values),
  run: (values) => runSweep(values, "sweep"),
};

/** `llmsim sweep-prefill`. */
export const SWEEP_PREFILL: Command = {
  name: "sweep-prefill",
  doc: "TTFT against arrival rate, one curve per prefill speed",
  usage: "sweep-prefill --rates LIST --prefill LIST [options]",
  description:
    `Runs the scenario's mode at each prefill speed and arrival rate; writes
sweep_prefill.csv, sweep_prefill.json and sweep_prefill_ttft.png (TTFT P50
against rate, one line per prefill speed) into --out-dir.`,
  options: [
    {
      options: [
        stringOption("rates", "LIST", "arrival rates, e.g. 1,2,3,4", {
          required: true,
        }),
        stringOption(
          "prefill",
          "LIST",
          "prefill tokens/s per GPU, e.g. 4000,8000",
          { required: true },
        ),
      ],
    },
    STUDY_OPTIONS,
    scenarioOptions(),
  ],
  outputs: (values) => studyOutputs("sweep-prefill", values),
  run: (values) => runSweep(values, "sweep_prefill"),
};

/**
 * Runs `sweep` or `sweep-prefill`: writes its files and prints its rows,
 * or fills `sink` (a report).
 *
 * @param values Parsed values.
 * @param name Which command.
 * @param sink Where a report wants the results, instead of files and stdout.
 */
export async function runSweep(
  values: Values,
  name: "sweep" | "sweep_prefill",
  sink?: StudyArtifacts,
): Promise<void> {
  format(values);
  refuseInReport(values, sink);
  const { rest, axes: setAxes, overrides } = splitSets(values);
  const replications = replicationsOf(values);
  const base = await loadScenario(rest);
  const axes: { path: string; values: unknown[]; source: string }[] = [];
  if (name === "sweep_prefill") {
    const rates = uniqueNumbers("rates", values.rates as string | undefined);
    const speeds = uniqueNumbers(
      "prefill",
      values.prefill as string | undefined,
    );
    if (setAxes.some((a) => a.path === "mode")) {
      throw new InputError(
        "sweep-prefill runs the scenario's own mode; mode cannot be an axis (use --mode, or sweep --set cluster_mono.prefill_tokens_per_s=... with --set mode=...)",
      );
    }
    axes.push({
      path: `cluster_${base.mode}.prefill_tokens_per_s`,
      values: speeds,
      source: "--prefill",
    });
    axes.push({ path: "arrival.rate_per_s", values: rates, source: "--rates" });
  } else if (values.rates !== undefined) {
    const rates = uniqueNumbers("rates", values.rates as string);
    // Both architectures, unless the mode is an axis or given one value.
    if (!setAxes.some((a) => a.path === "mode") && !overrides.has("mode")) {
      axes.push({
        path: "mode",
        values: ["mono", "disagg"],
        source: "--rates",
      });
    }
    axes.push({ path: "arrival.rate_per_s", values: rates, source: "--rates" });
  } else if (setAxes.length === 0) {
    throw new InputError(
      "--rates is required (or give --set KEY=V1,V2,... axes)",
    );
  }
  axes.push(
    ...setAxes.map((a) => ({
      path: a.path,
      values: [...a.values],
      source: `--set ${a.path}=${a.values.join(",")}`,
    })),
  );
  checkAxisSources(axes, overrides);
  if (axes.some((a) => a.path === "arrival.rate_per_s")) checkRateSweep(base);
  const gridAxes: GridAxis[] = axes.map((a) => ({
    path: a.path,
    values: a.values,
  }));
  // A key that does not exist is named with the flag that gave it.
  for (const a of axes) {
    try {
      withParams(base, { [a.path]: a.values[0] });
    } catch (e) {
      if (e instanceof InputError && e.message.includes("unknown key")) {
        throw new InputError(
          `${a.source}: ${e.message.replace(/^at [^:]*: /, "")}`,
        );
      }
    }
  }
  const points = gridPoints(gridAxes);
  const scenarios = points.map((p) => withParams(base, p.params));
  warn(checkEffects(scenarios, axes, overrides));
  const tasks: Task[] = [];
  for (const scenario of scenarios) {
    for (let r = 0; r < replications; r++) {
      tasks.push({ kind: "simulate", scenario: replicate(scenario, r) });
    }
  }
  const spec: StudySpec = {
    kind: "sweep",
    name,
    axes: gridAxes,
    replications,
    fingerprint: studyFingerprint(base, gridAxes, replications),
  };
  const outcomes = await execute(values, spec, tasks, sink !== undefined);
  if (outcomes) {
    await finishSweep(values, spec, outcomes as TaskOutcome[], sink);
  }
}

/**
 * Writes and prints a sweep's results (or fills `sink`).
 *
 * @param values Parsed values.
 * @param spec The sweep.
 * @param outcomes Its tasks' outcomes, in order.
 * @param sink Where a report wants the results.
 */
export async function finishSweep(
  values: Values,
  spec: Extract<StudySpec, { kind: "sweep" }>,
  outcomes: TaskOutcome[],
  sink?: StudyArtifacts,
): Promise<void> {
  const fmt = format(values);
  const { rows, cis, warnings, columns } = sweepTable(spec, outcomes);
  // TTFT against the rate axis (or the last numeric one, or a categorical
  // one), one group of lines per combination of the other axes; 95% bands
  // with replications; unstable points marked (see sweepChartSpec).
  const { renderLineChart } = await import("../../report/line_chart.ts");
  const png = await renderLineChart(sweepChartSpec({
    name: spec.name,
    axes: spec.axes,
    replications: spec.replications,
    rows,
    cis,
    column: axisColumn,
  }));
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
