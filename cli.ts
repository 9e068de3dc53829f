#!/usr/bin/env -S deno run --allow-read --allow-write --allow-env=LOG_TOKENS,LOG_STREAM,NAPI_RS_NATIVE_LIBRARY_PATH,NAPI_RS_FORCE_WASI,DISABLE_SYSTEM_FONTS_LOAD --allow-ffi --allow-sys=homedir
/**
 * llmsim's command line: `simulate`, `compare`, studies, `fit`, `calibrate`.
 * It parses arguments, calls `lib/`, and prints: JSON on stdout for machines,
 * tables with `--format table`, warnings on stderr. A mistake in the input is
 * one line on stderr and exit code 2.
 *
 * @module
 */

import type { ParseArgsOptionsConfig } from "node:util";
import denoJson from "./deno.json" with { type: "json" };
import {
  COMMON_HELP,
  format,
  loadScenario,
  parseArgsStrict,
  SCENARIO_FLAGS,
  type Values,
  warn,
} from "./lib/cli/common.ts";
import { compare } from "./lib/analysis/compare.ts";
import { simulate } from "./lib/analysis/simulate.ts";
import { runReport } from "./lib/cli/report_command.ts";
import { endOpenProgress } from "./lib/cli/progress.ts";
import { CALIBRATE_HELP, runCalibrate } from "./lib/cli/calibrate_command.ts";
import {
  runCapacity,
  runMerge,
  runPlan,
  runSweep,
} from "./lib/cli/study_commands.ts";
import { InputError } from "./lib/errors.ts";
import { scenarioJsonSchema } from "./lib/scenario/json_schema.ts";
import type { Scenario } from "./lib/scenario/types.ts";
import type { RequestRecords } from "./lib/metrics/records.ts";
import { flattenRow, toCsv } from "./lib/report/csv.ts";
import {
  checkOutputDir,
  checkOutputs,
  type OutputPath,
  writeFilesAtomic,
} from "./lib/report/files.ts";
import { toJson } from "./lib/report/json.ts";
import { renderTable } from "./lib/report/table.ts";
import { fitToYaml, fitTrace } from "./lib/workload/fit.ts";
import {
  openTrace,
  type TraceColumns,
  type TraceFormat,
  type TraceOptions,
} from "./lib/workload/trace.ts";

const STUDY_HELP =
  `  --replications R        R seeds per point: means and 95% intervals
  --jobs N                parallel workers (default: all cores)
  --shard i/n             run only tasks i, i+n, ... (0 <= i < n) and write a
                          shard file for 'llmsim merge' (Slurm array, k8s
                          Indexed Job)
  --out-dir DIR           where to write the files (default: out)`;

const HELP: Record<string, string> = {
  main: `llmsim: simulate LLM inference serving (colocated vs disaggregated)

Usage: llmsim <command> [options]

Commands:
  simulate        run one scenario and print its metrics
  compare         run mono and disagg on the same requests, with deltas
  sweep           a grid of runs (--rates, --set KEY=V1,V2): CSV, JSON, chart
  sweep-prefill   TTFT against arrival rate, one curve per prefill speed
  capacity        the highest load that meets the SLO attainment target
  plan            rank GPU placements (colocated, xPyD) by goodput per GPU
  merge           combine the shard files of a sweep, capacity or plan
  report          one HTML page (tables, charts) of a simulate, compare,
                  sweep or plan
  fit             fit a scenario (rate, burstiness, lengths) to a trace
  calibrate       fit the engine to measured benchmark runs of a deployment
  schema          print the JSON Schema of scenario files (for editors)
  version         print llmsim's version (also --version)
  help COMMAND    a command's options (also COMMAND --help)

Run 'llmsim <command> --help' for a command's options.`,
  simulate: `Usage: llmsim simulate [options]

Runs one scenario and prints its metrics as one JSON object.

  --dump-ttft FILE        also write the measured TTFTs (s) as a JSON array
  --dump-requests FILE    also write every request's timeline as CSV
${COMMON_HELP}`,
  compare: `Usage: llmsim compare [options]

Runs the same requests (common random numbers) through mono and disagg and
prints both with their differences (disagg - mono).

${COMMON_HELP}`,
  sweep: `Usage: llmsim sweep [--rates LIST] [--set KEY=V1,V2,...]... [options]

Runs a grid of points: every combination of the list-valued --set keys (and
--rates, which also runs both architectures unless --mode or a mode axis is
given). A key given twice, or given and swept, is an error. Writes
sweep.csv, sweep.json and sweep_ttft.png (TTFT against the rate, or the last
numeric axis) into --out-dir. Results are identical for any --jobs.

  --rates LIST            arrival rates, e.g. 0.5,1,2,3,4,5
  --set KEY=V1,V2,...     an axis (a single value just overrides the key)
${STUDY_HELP}
${COMMON_HELP}`,
  "sweep-prefill":
    `Usage: llmsim sweep-prefill --rates LIST --prefill LIST [options]

Runs the scenario's mode at each prefill speed and arrival rate; writes
sweep_prefill.csv, sweep_prefill.json and sweep_prefill_ttft.png (TTFT P50
against rate, one line per prefill speed) into --out-dir.

  --rates LIST            arrival rates, e.g. 1,2,3,4 (required)
  --prefill LIST          prefill tokens/s per GPU, e.g. 4000,8000 (required)
${STUDY_HELP}
${COMMON_HELP}`,
  capacity: `Usage: llmsim capacity [options]

Finds the highest load (all arrival rates scaled together) at which SLO
attainment stays at or above --target, by doubling then bisection with common
random numbers; prints it (capacity_rps, capacity_rps_per_gpu) and writes
capacity.json.

  --target T              least SLO attainment (default 0.9; needs slo keys)
  --metric KEY --max V    instead of --target: keep a summary key at or below V
                          (e.g. --metric p90_ttft_s --max 1)
  --tolerance F           stop when the bracket is within F (default 0.01)
${STUDY_HELP}
${COMMON_HELP}`,
  plan: `Usage: llmsim plan --gpus N [options]

Enumerates placements on a GPU budget: colocated (TP degree x instances) and
disaggregated (x prefill instances at one TP, y decode instances at another),
runs capacity on each in parallel, ranks the feasible ones by capacity per
GPU (infeasible ones follow, unranked, with their reason), and writes
plan.csv, plan.json and plan_pareto.png (capacity against GPUs).

  --gpus N                the budget (required)
  --tps LIST              TP degrees to try (default 1,2,4,8 up to --gpus;
                          1 with batching: none)
  --modes LIST            mono,disagg (default both)
  --exact-budget          only placements that use all N GPUs
  --crossover KEY=V1,...  plan at each value and name where disagg starts
                          (or stops) winning, e.g. slo.tpot_s=0.01,0.02,0.05
  --target T / --metric KEY --max V / --tolerance F   as for capacity
${STUDY_HELP}
${COMMON_HELP}`,
  report: `Usage: llmsim report simulate|compare|sweep|plan --out FILE [options]

Runs the command with the options it takes (see its --help) and writes one
self-contained HTML page: headline and full metric tables, TTFT and TPOT
distributions, the TTFT breakdown, queue, batch and KV occupancy over time
(batched runs), or the sweep curves and the plan's ranking and Pareto front.

  --out FILE              the page to write (required)
${COMMON_HELP}`,
  merge: `Usage: llmsim merge [--out-dir DIR] [--format F] SHARD.json...

Combines the shard files that 'sweep', 'capacity' or 'plan' wrote with
--shard i/n into the outputs one unsharded run writes, byte for byte.`,
  calibrate: CALIBRATE_HELP,
  fit: `Usage: llmsim fit --trace FILE --trace-format FORMAT [options]

Reads a request trace and prints a scenario YAML that reproduces it: the
arrival rate and burstiness (gamma inter-arrival CV), and lognormal prompt and
output lengths, with the trace's statistics and the fit's side by side in
comments. Save it and simulate it, or compare it with a replay of the trace.

  --trace FILE            the trace
  --trace-format FORMAT   azure, mooncake, burstgpt, csv or jsonl
  --columns MAP           csv/jsonl: timestamp=COL,prompt_tokens=COL,output_tokens=COL
  --timestamp-unit UNIT   csv/jsonl: s (default), ms, us or datetime
  --spread-s S            spread timestamps that come in buckets of S seconds
                          (Mooncake's conversation trace: 3)
  --form FORM             p50_p90 (default) or real_mean_std
  -h, --help              this help`,
  schema: `Usage: llmsim schema

Prints the JSON Schema of scenario files. Editors with the YAML language
server use it through a first line such as
  # yaml-language-server: $schema=../docs/scenario.schema.json`,
};

const STUDY = ["sweep", "sweep-prefill", "capacity", "plan"];

/** llmsim's version, from deno.json. */
export const VERSION: string = denoJson.version;

// The files a command will write, checked before it runs so that a bad
// path fails at once rather than after the run. The names must match what
// the commands write (lib/cli/study_commands.ts); `merge` learns its files
// from the shards: its folder is checked now, its files when it writes.
function plannedOutputs(name: string, values: Values): OutputPath[] {
  const file = (flag: string): OutputPath[] => {
    const v = values[flag];
    return typeof v === "string" ? [{ path: v, flag: `--${flag}` }] : [];
  };
  if (name === "simulate") {
    return [...file("dump-ttft"), ...file("dump-requests")];
  }
  if (name === "report" || name === "calibrate") return file("out");
  if (!STUDY.includes(name) && name !== "merge") return [];
  const dir = (values["out-dir"] as string | undefined) ?? "out";
  checkOutputDir(dir, "--out-dir");
  if (name === "merge") return [];
  const kind = name.startsWith("sweep") ? "sweep" : name;
  const shard = /^(\d+)\/(\d+)$/.exec((values.shard as string) ?? "");
  const names = shard && Number(shard[2]) > 1
    ? [`${kind}.shard-${shard[1]}-of-${shard[2]}.json`]
    : name === "capacity"
    ? ["capacity.json"]
    : name === "plan"
    ? ["plan.csv", "plan.json", "plan_pareto.png"]
    : ((stem) => [`${stem}.csv`, `${stem}.json`, `${stem}_ttft.png`])(
      name.replace("-", "_"),
    );
  return names.map((n) => ({ path: `${dir}/${n}`, flag: "--out-dir" }));
}

function parse(
  command: string,
  args: string[],
  extra: ParseArgsOptionsConfig = {},
): Values {
  const str = { type: "string" } as const;
  if (command === "schema") {
    return parseArgsStrict(command, args, {
      help: { type: "boolean", short: "h" },
    });
  }
  if (command === "report") {
    // The options of the command reported on, plus --out.
    const [kind, ...rest] = args;
    const inner = ["compare", "sweep", "plan"].includes(kind)
      ? kind
      : "simulate";
    const values = parse(inner, kind?.startsWith("-") ? args : rest, {
      out: str,
    });
    return { ...values, _: kind && !kind.startsWith("-") ? [kind] : [] };
  }
  if (command === "merge") {
    return parseArgsStrict(command, args, {
      help: { type: "boolean", short: "h" },
      "out-dir": str,
      format: str,
    }, true);
  }
  if (command === "calibrate") {
    return parseArgsStrict(command, args, {
      help: { type: "boolean", short: "h" },
      config: str,
      measured: { type: "string", multiple: true },
      format: str,
      out: str,
      jobs: str,
      "max-evaluations": str,
      set: { type: "string", multiple: true },
    });
  }
  if (command === "fit") {
    return parseArgsStrict(command, args, {
      help: { type: "boolean", short: "h" },
      trace: str,
      "trace-format": str,
      columns: str,
      "timestamp-unit": str,
      "spread-s": str,
      form: str,
    });
  }
  const options: ParseArgsOptionsConfig = {
    help: { type: "boolean", short: "h" },
    config: { type: "string" },
    set: { type: "string", multiple: true },
    format: { type: "string" },
    ...Object.fromEntries(
      Object.keys(SCENARIO_FLAGS).map((k) => [k, str]),
    ),
    ...(command === "simulate"
      ? { "dump-ttft": str, "dump-requests": str }
      : {}),
    ...(STUDY.includes(command)
      ? {
        "out-dir": str,
        jobs: str,
        shard: str,
        replications: str,
      }
      : {}),
    ...(command.startsWith("sweep") ? { rates: str } : {}),
    ...(command === "sweep-prefill" ? { prefill: str } : {}),
    ...(command === "capacity" || command === "plan"
      ? { target: str, metric: str, max: str, tolerance: str }
      : {}),
    ...(command === "plan"
      ? {
        gpus: str,
        tps: str,
        modes: str,
        crossover: str,
        "exact-budget": { type: "boolean" },
      }
      : {}),
    ...extra,
  };
  return parseArgsStrict(command, args, options);
}

function summaryTable(summary: Record<string, unknown>): string {
  return renderTable(
    ["metric", "value"],
    Object.entries(flattenRow(summary)),
  );
}

async function runSimulate(values: Values): Promise<void> {
  const fmt = format(values);
  const scenario = await loadScenario(values);
  // A sketch recycles request slots: there is no per-request record left.
  for (const flag of ["dump-requests", "dump-ttft"]) {
    if (
      values[flag] !== undefined && scenario.metrics.percentiles !== "exact"
    ) {
      throw new InputError(
        `--${flag} needs every request's record: metrics.percentiles is ${scenario.metrics.percentiles}, set it to exact`,
      );
    }
  }
  const result = simulate(scenario);
  const warnings = [...result.warnings];
  const json = toJson(result.summary, warnings);
  const files = new Map<string, string>();
  const dumpRequests = values["dump-requests"] as string | undefined;
  if (dumpRequests) {
    files.set(dumpRequests, requestsCsv(result.records, scenario));
  }
  const dump = values["dump-ttft"] as string | undefined;
  if (dump) {
    const { firstTokenS, arrivalS, count } = result.records;
    const ttfts: number[] = [];
    for (let i = 0; i < count; i++) {
      if (arrivalS[i] >= scenario.warmup_seconds) {
        ttfts.push(firstTokenS[i] - arrivalS[i]);
      }
    }
    files.set(dump, JSON.stringify(ttfts) + "\n");
  }
  await writeFilesAtomic(files);
  warn(warnings);
  console.log(fmt === "json" ? json : summaryTable(result.summary));
}

// The instance numbers of a request: `instance` colocated, `prefill_instance`
// and `decode_instance` disaggregated; empty where none served it (the
// exclusive model does not number its GPUs).
function instanceColumns(
  records: RequestRecords,
  i: number,
  scenario: Scenario,
): Record<string, number | string> {
  const at = (k: number) => (k < 0 ? "" : k);
  return scenario.mode === "mono"
    ? { instance: at(records.prefillInstance[i]) }
    : {
      prefill_instance: at(records.prefillInstance[i]),
      decode_instance: at(records.decodeInstance[i]),
    };
}

function requestsCsv(records: RequestRecords, scenario: Scenario): string {
  const classNames = scenario.classes?.map((c) => c.name) ?? ["default"];
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < records.count; i++) {
    rows.push({
      request: i,
      measured: records.arrivalS[i] >= scenario.warmup_seconds,
      arrival_s: records.arrivalS[i],
      prompt_tokens: records.promptTokens[i],
      output_tokens: records.outputTokens[i],
      prefill_start_s: records.prefillStartS[i],
      prefill_end_s: records.prefillEndS[i],
      decode_start_s: records.decodeStartS[i],
      first_token_s: records.firstTokenS[i],
      finish_s: records.finishS[i],
      // After the timeline, so the first columns keep their places.
      class: classNames[records.classIndex[i]] ?? "default",
      ...instanceColumns(records, i, scenario),
      preemptions: records.preemptions[i],
      prefix_hit_tokens: records.prefixHitTokens[i],
    });
  }
  return toCsv(rows);
}

async function runCompare(values: Values): Promise<void> {
  const fmt = format(values);
  // compare runs both architectures: a mode given would do nothing.
  const setMode = ((values.set as string[] | undefined) ?? []).find((x) =>
    x.startsWith("mode=")
  );
  if (values.mode !== undefined || setMode !== undefined) {
    throw new InputError(
      `compare: ${
        values.mode !== undefined ? "--mode" : "--set mode"
      } has no effect (compare runs both mono and disagg)`,
    );
  }
  const result = compare(await loadScenario(values));
  const warnings = [...result.warnings];
  const json = toJson(
    { mono: result.mono, disagg: result.disagg, delta: result.delta },
    warnings,
  );
  warn(warnings);
  if (fmt === "json") {
    console.log(json);
    return;
  }
  const [mono, disagg, delta] = [result.mono, result.disagg, result.delta]
    .map((x) => flattenRow(x));
  const keys = [...new Set([...Object.keys(mono), ...Object.keys(disagg)])];
  console.log(renderTable(
    ["metric", "mono", "disagg", "delta"],
    keys.map((k) => [k, mono[k], disagg[k], delta[k]]),
  ));
}

function runFit(values: Values): Promise<void> {
  const file = values.trace as string | undefined;
  const fmt = values["trace-format"] as string | undefined;
  if (file === undefined) throw new InputError("fit: --trace is required");
  const formats = ["azure", "mooncake", "burstgpt", "csv", "jsonl"];
  if (fmt === undefined || !formats.includes(fmt)) {
    throw new InputError(
      `fit: --trace-format must be one of ${formats.join(", ")}, got ${
        fmt === undefined ? "nothing" : `"${fmt}"`
      }`,
    );
  }
  const form = (values.form as string | undefined) ?? "p50_p90";
  if (form !== "p50_p90" && form !== "real_mean_std") {
    throw new InputError(
      `fit: --form must be p50_p90 or real_mean_std, got "${form}"`,
    );
  }
  let columns: TraceColumns | undefined;
  if (values.columns !== undefined) {
    const map = Object.fromEntries(
      (values.columns as string).split(",").map((kv) => kv.split("=")),
    );
    for (const key of ["timestamp", "prompt_tokens", "output_tokens"]) {
      if (!map[key]) {
        throw new InputError(`fit: --columns needs ${key}=COLUMN`);
      }
    }
    columns = map as TraceColumns;
  }
  const unit = values["timestamp-unit"] as string | undefined;
  if (unit !== undefined && !["s", "ms", "us", "datetime"].includes(unit)) {
    throw new InputError(
      `fit: --timestamp-unit must be s, ms, us or datetime, got "${unit}"`,
    );
  }
  const spread = values["spread-s"] as string | undefined;
  const spreadS = spread === undefined ? undefined : Number(spread);
  if (spreadS !== undefined && !(spreadS > 0)) {
    throw new InputError(`fit: --spread-s must be > 0, got "${spread}"`);
  }
  const trace = openTrace({
    file,
    format: fmt as TraceFormat,
    columns,
    timestamp_unit: unit as TraceOptions["timestamp_unit"],
    spread_s: spreadS,
  });
  console.log(
    fitToYaml(fitTrace(trace, { name: file }), { form, source: file }),
  );
  return Promise.resolve();
}

function runSchema(): Promise<void> {
  console.log(JSON.stringify(scenarioJsonSchema(), null, 2));
  return Promise.resolve();
}

const COMMANDS: Record<string, (values: Values) => Promise<void>> = {
  simulate: runSimulate,
  compare: runCompare,
  sweep: (v) => runSweep(v, "sweep"),
  "sweep-prefill": (v) => runSweep(v, "sweep_prefill"),
  capacity: runCapacity,
  plan: runPlan,
  merge: (v) => runMerge(v, (v._ as string[] | undefined) ?? []),
  report: runReport,
  fit: runFit,
  calibrate: runCalibrate,
  schema: runSchema,
};

/**
 * Runs the command line with the given arguments.
 *
 * @param args Arguments after the program name.
 * @returns The process exit code: 0, 2 for bad input, 1 for an internal error.
 *
 * @example Usage
 * ```ts ignore
 * import { main } from "./cli.ts";
 * const code = await main(["simulate", "--mode", "mono", "--sim-seconds", "60"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const [first, ...rest] = args;
  if (first === undefined) {
    // Without a command this is a usage error: help goes to stderr.
    console.error(HELP.main);
    return 2;
  }
  if (first === "--version" || first === "-V" || first === "version") {
    console.log(`llmsim ${VERSION}`);
    return 0;
  }
  const helpOf = first === "help" && rest.length > 0 ? rest[0] : undefined;
  if (first === "-h" || first === "--help" || first === "help") {
    if (helpOf === undefined) {
      console.log(HELP.main);
      return 0;
    }
  }
  const asked = helpOf ?? first;
  const name = asked === "sweep_prefill" ? "sweep-prefill" : asked;
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  try {
    if (!command) {
      throw new InputError(
        `unknown command "${asked}" (commands: ${
          [...Object.keys(COMMANDS), "help", "version"].join(", ")
        })`,
      );
    }
    if (helpOf !== undefined) {
      if (rest.length > 1) {
        throw new InputError(`help: takes one command, got ${rest.join(" ")}`);
      }
      console.log(HELP[name]);
      return 0;
    }
    const values = parse(name, rest);
    if (values.help) {
      console.log(HELP[name]);
      return 0;
    }
    checkOutputs(plannedOutputs(name, values));
    await command(values);
    return 0;
  } catch (e) {
    endOpenProgress();
    if (e instanceof InputError) {
      console.error(`llmsim: error: ${e.message}`);
      return 2;
    }
    console.error(`llmsim: internal error: ${(e as Error).message ?? e}`);
    return 1;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
