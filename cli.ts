#!/usr/bin/env -S deno run --allow-read --allow-write --allow-env=LOG_TOKENS,LOG_STREAM,NAPI_RS_NATIVE_LIBRARY_PATH,NAPI_RS_FORCE_WASI,DISABLE_SYSTEM_FONTS_LOAD --allow-ffi --allow-sys=homedir
/**
 * llmsim's command line: `simulate`, `compare`, `sweep` and `sweep-prefill`.
 * It parses arguments, calls `lib/`, and prints: JSON on stdout for machines,
 * tables with `--format table`, warnings on stderr. A mistake in the input is
 * one line on stderr and exit code 2.
 *
 * @module
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { compare } from "./lib/analysis/compare.ts";
import { simulate } from "./lib/analysis/simulate.ts";
import {
  sweepPrefill,
  sweepRates,
  type SweepResult,
} from "./lib/analysis/sweep.ts";
import { InputError } from "./lib/scenario/errors.ts";
import {
  loadScenarioFile,
  type Override,
  parseScenario,
} from "./lib/scenario/load.ts";
import { scenarioJsonSchema } from "./lib/scenario/json_schema.ts";
import type { Scenario } from "./lib/scenario/types.ts";
import type { RequestRecords } from "./lib/metrics/records.ts";
import { flattenRow, toCsv } from "./lib/report/csv.ts";
import { writeFilesAtomic } from "./lib/report/files.ts";
import { toJson } from "./lib/report/json.ts";
import { renderTable } from "./lib/report/table.ts";
import { fitToYaml, fitTrace } from "./lib/workload/fit.ts";
import {
  openTrace,
  type TraceColumns,
  type TraceFormat,
  type TraceOptions,
} from "./lib/workload/trace.ts";

const SCENARIO_FLAGS = {
  "mode": { path: "mode", type: "string" },
  "sim-seconds": { path: "sim_seconds", type: "number" },
  "warmup-seconds": { path: "warmup_seconds", type: "number" },
  "seed": { path: "random_seed", type: "number" },
  "rate": { path: "arrival.rate_per_s", type: "number" },
  "num-gpus": { path: "cluster_mono.num_gpus", type: "number" },
  "prefill-gpus": { path: "cluster_disagg.prefill_gpus", type: "number" },
  "decode-gpus": { path: "cluster_disagg.decode_gpus", type: "number" },
} as const;

const COMMON_HELP = `Scenario options (flags override the file):
  --config FILE           scenario YAML (defaults to the prototype's values)
  --mode mono|disagg      serving architecture
  --sim-seconds S         arrival horizon; the system then drains
  --warmup-seconds S      requests arriving earlier are not measured
  --seed N                random seed
  --rate R                arrival rate, requests per second
  --num-gpus N            GPUs in mono mode
  --prefill-gpus N        prefill GPUs in disagg mode
  --decode-gpus N         decode GPUs in disagg mode
  --set KEY=VALUE         set any scenario key (repeatable), e.g.
                          --set prompt_tokens.min_value=8
  --format json|table     output for machines (default) or people
  -h, --help              this help`;

const HELP: Record<string, string> = {
  main: `llmsim: simulate LLM inference serving (colocated vs disaggregated)

Usage: llmsim <command> [options]

Commands:
  simulate        run one scenario and print its metrics
  compare         run mono and disagg on the same requests, with deltas
  sweep           TTFT against arrival rate for both architectures
  sweep-prefill   TTFT against arrival rate, one curve per prefill speed
  fit             fit a scenario (rate, burstiness, lengths) to a trace
  schema          print the JSON Schema of scenario files (for editors)

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
  sweep: `Usage: llmsim sweep --rates LIST [options]

Runs mono and disagg at each arrival rate; writes sweep.csv, sweep.json and
the chart sweep_ttft.png (TTFT P50/P90/P99 against rate) into --out-dir.

  --rates LIST            arrival rates, e.g. 0.5,1,2,3,4,5 (required)
  --out-dir DIR           where to write the files (default: out)
${COMMON_HELP}`,
  "sweep-prefill":
    `Usage: llmsim sweep-prefill --rates LIST --prefill LIST [options]

Runs the scenario's mode at each prefill speed and arrival rate; writes
sweep_prefill.csv, sweep_prefill.json and sweep_prefill_ttft.png (TTFT P50
against rate, one line per prefill speed) into --out-dir.

  --rates LIST            arrival rates, e.g. 1,2,3,4 (required)
  --prefill LIST          prefill tokens/s per GPU, e.g. 4000,8000 (required)
  --out-dir DIR           where to write the files (default: out)
${COMMON_HELP}`,
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

type Values = Record<string, string | boolean | string[] | undefined>;

function parse(command: string, args: string[]): Values {
  const str = { type: "string" } as const;
  if (command === "schema") {
    return parseArgsStrict(command, args, {
      help: { type: "boolean", short: "h" },
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
    ...(command.startsWith("sweep") ? { rates: str, "out-dir": str } : {}),
    ...(command === "sweep-prefill" ? { prefill: str } : {}),
  };
  return parseArgsStrict(command, args, options);
}

function parseArgsStrict(
  command: string,
  args: string[],
  options: ParseArgsOptionsConfig,
): Values {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false })
      .values as Values;
  } catch (e) {
    throw new InputError(
      `${command}: ${(e as Error).message.split("\n")[0]} (see --help)`,
    );
  }
}

function scalar(text: string): unknown {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  if (text === "true" || text === "false") return text === "true";
  return text;
}

async function loadScenario(values: Values): Promise<Scenario> {
  const overrides: Override[] = [];
  for (const [flag, spec] of Object.entries(SCENARIO_FLAGS)) {
    const v = values[flag];
    if (typeof v !== "string") continue;
    const value = spec.type === "number" ? scalar(v) : v;
    overrides.push({ path: spec.path, value, source: `--${flag}` });
  }
  for (const item of (values.set as string[] | undefined) ?? []) {
    const eq = item.indexOf("=");
    if (eq <= 0) {
      throw new InputError(`--set: expected KEY=VALUE, got "${item}"`);
    }
    const path = item.slice(0, eq);
    overrides.push({
      path,
      value: scalar(item.slice(eq + 1)),
      source: `--set ${path}`,
    });
  }
  const config = values.config as string | undefined;
  return config
    ? await loadScenarioFile(config, { overrides })
    : parseScenario("", { overrides, sourceName: "<defaults>" });
}

function numberList(flag: string, text: string | undefined): number[] {
  if (text === undefined) throw new InputError(`--${flag} is required`);
  const items = text.split(",").map((s) => s.trim());
  return items.map((s) => {
    const n = Number(s);
    if (s === "" || !Number.isFinite(n) || n <= 0) {
      throw new InputError(`--${flag}: expected positive numbers, got "${s}"`);
    }
    return n;
  });
}

function format(values: Values): "json" | "table" {
  const f = (values.format as string | undefined) ?? "json";
  if (f !== "json" && f !== "table") {
    throw new InputError(`--format: must be json or table, got "${f}"`);
  }
  return f;
}

function warn(messages: readonly string[]): void {
  for (const m of messages) console.error(`llmsim: warning: ${m}`);
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

function requestsCsv(records: RequestRecords, scenario: Scenario): string {
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
    });
  }
  return toCsv(rows);
}

async function runCompare(values: Values): Promise<void> {
  const fmt = format(values);
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

function sweepRows(result: SweepResult): Record<string, unknown>[] {
  return result.points.map((p) => ({
    sweep_mode: p.mode,
    sweep_rate_per_s: p.rate_per_s,
    sweep_prefill_tokens_per_s: p.prefill_tokens_per_s,
    ...p.summary,
  }));
}

async function writeSweep(
  values: Values,
  name: string,
  result: SweepResult,
  chart: () => Promise<Uint8Array>,
  tableColumns: string[],
): Promise<void> {
  const fmt = format(values);
  const dir = (values["out-dir"] as string | undefined) ?? "out";
  const rows = sweepRows(result);
  const warnings = [...result.warnings];
  const json = toJson(rows, warnings);
  const png = await chart();
  await Deno.mkdir(dir, { recursive: true }).catch((e) => {
    throw new InputError(`${dir}: cannot create: ${(e as Error).message}`);
  });
  const files = new Map<string, string | Uint8Array>([
    [`${dir}/${name}.csv`, toCsv(rows)],
    [`${dir}/${name}.json`, json + "\n"],
    [`${dir}/${name}_ttft.png`, png],
  ]);
  await writeFilesAtomic(files);
  warn(warnings);
  console.error(`llmsim: wrote ${[...files.keys()].join(", ")}`);
  if (fmt === "json") console.log(json);
  else {
    console.log(renderTable(
      tableColumns,
      rows.map((r) => tableColumns.map((c) => r[c])),
    ));
  }
}

async function runSweep(values: Values): Promise<void> {
  format(values);
  const rates = numberList("rates", values.rates as string | undefined);
  const result = sweepRates(await loadScenario(values), rates);
  const { renderLineChart } = await import("./lib/report/chart.ts");
  await writeSweep(values, "sweep", result, () => {
    const series = [];
    for (const mode of ["mono", "disagg"] as const) {
      const pts = result.points.filter((p) => p.mode === mode);
      for (const q of ["p50", "p90", "p99"]) {
        series.push({
          label: `${mode} ${q.toUpperCase()}`,
          x: pts.map((p) => p.rate_per_s),
          y: pts.map((p) => finiteOrNull(p.summary[`${q}_ttft_s`])),
          dashed: mode === "disagg",
        });
      }
    }
    return renderLineChart({
      title: "TTFT against arrival rate",
      xLabel: "arrival rate (requests/s)",
      yLabel: "TTFT (s)",
      series,
    });
  }, [
    "sweep_mode",
    "sweep_rate_per_s",
    "p50_ttft_s",
    "p90_ttft_s",
    "p99_ttft_s",
    "stable",
  ]);
}

async function runSweepPrefill(values: Values): Promise<void> {
  format(values);
  const rates = numberList("rates", values.rates as string | undefined);
  const speeds = numberList("prefill", values.prefill as string | undefined);
  const scenario = await loadScenario(values);
  const result = sweepPrefill(scenario, rates, speeds);
  const { renderLineChart } = await import("./lib/report/chart.ts");
  await writeSweep(values, "sweep_prefill", result, () =>
    renderLineChart({
      title: `P50 TTFT against arrival rate (${scenario.mode})`,
      xLabel: "arrival rate (requests/s)",
      yLabel: "P50 TTFT (s)",
      series: speeds.map((speed) => {
        const pts = result.points.filter((p) =>
          p.prefill_tokens_per_s === speed
        );
        return {
          label: `prefill ${speed} tok/s`,
          x: pts.map((p) => p.rate_per_s),
          y: pts.map((p) => finiteOrNull(p.summary.p50_ttft_s)),
        };
      }),
    }), [
    "sweep_prefill_tokens_per_s",
    "sweep_rate_per_s",
    "p50_ttft_s",
    "p90_ttft_s",
    "stable",
  ]);
}

function finiteOrNull(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
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
  console.log(fitToYaml(fitTrace(trace), { form, source: file }));
  return Promise.resolve();
}

function runSchema(): Promise<void> {
  console.log(JSON.stringify(scenarioJsonSchema(), null, 2));
  return Promise.resolve();
}

const COMMANDS: Record<string, (values: Values) => Promise<void>> = {
  fit: runFit,
  schema: runSchema,
  simulate: runSimulate,
  compare: runCompare,
  sweep: runSweep,
  "sweep-prefill": runSweepPrefill,
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
  if (
    first === undefined || first === "-h" || first === "--help" ||
    first === "help"
  ) {
    // Without a command this is a usage error: help goes to stderr.
    if (first === undefined) console.error(HELP.main);
    else console.log(HELP.main);
    return first === undefined ? 2 : 0;
  }
  const name = first === "sweep_prefill" ? "sweep-prefill" : first;
  const command = COMMANDS[name];
  try {
    if (!command) {
      throw new InputError(
        `unknown command "${first}" (commands: ${
          Object.keys(COMMANDS).join(", ")
        })`,
      );
    }
    const values = parse(name, rest);
    if (values.help) {
      console.log(HELP[name]);
      return 0;
    }
    await command(values);
    return 0;
  } catch (e) {
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
