/**
 * `llmsim calibrate`: reads the base deployment and the measured runs,
 * fits (lib/calibrate/calibrate.ts), writes OUT.yaml (the base file with
 * the fitted values set, its comments kept) and prints the fit as JSON.
 *
 * @module
 */

import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { parseDocument } from "npm:yaml@^2.8.0";
import {
  calibrate,
  calibrationTargets,
  DEFAULT_EVALUATIONS,
} from "../calibrate/calibrate.ts";
import {
  type MeasuredFormat,
  readMeasuredFile,
} from "../calibrate/measured.ts";
import { InputError } from "../errors.ts";
import { writeFilesAtomic } from "../report/files.ts";
import { createProgress } from "./progress.ts";
import { toJson } from "../report/json.ts";
import {
  loadScenario,
  scenarioOverrides,
  type Values,
  warn,
} from "./common.ts";

/** The command's help. */
export const CALIBRATE_HELP =
  `Usage: llmsim calibrate --config BASE.yaml --measured FILE [--measured FILE ...]
                        --out OUT.yaml [options]

Replays exactly the requests of each measured benchmark run (arrival times,
lengths, the client's --max-concurrency) through the deployment BASE.yaml
describes, fits the engine and kernel-efficiency parameters so that mean
TTFT, p90 TTFT and mean TPOT match, writes OUT.yaml (BASE with the fitted
values set) and prints, per file and metric, measured against llmsim before
and after.

  --config FILE           the deployment as it ran (required)
  --measured FILE         a measured run (repeatable; at least one)
  --format csv|vllm-bench the measured files' format (default: csv, or
                          vllm-bench for .json files): csv needs columns
                          arrival_s,prompt_tokens,output_tokens,ttft_s,e2e_s;
                          vllm-bench is 'vllm bench serve --save-result
                          --save-detailed' JSON
  --out FILE              where to write the calibrated scenario (required)
  --max-evaluations N     candidate parameter sets at most (default 400)
  --jobs N                workers evaluating candidates (default 1)
  --set KEY=VALUE         change a base key first (repeatable)
  -h, --help              this help`;

// Scenario keys that name files relative to the scenario file.
const FILE_KEYS = [
  ["step_time", "table_file"],
  ["cluster_disagg", "prefill", "step_time", "table_file"],
  ["cluster_disagg", "decode", "step_time", "table_file"],
  ["trace", "file"],
  ["prompt_tokens", "trace_file"],
  ["output_tokens", "trace_file"],
];

function positiveInteger(flag: string, text: unknown, fallback: number) {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new InputError(
      `calibrate: --${flag} must be a whole number >= 1, got "${text}"`,
    );
  }
  return n;
}

/**
 * Runs `llmsim calibrate` (help in {@linkcode CALIBRATE_HELP}).
 *
 * @param values Parsed flags.
 *
 * @example Usage
 * ```ts ignore
 * await runCalibrate({ config: "base.yaml", measured: ["run.csv"], out: "cal.yaml" });
 * ```
 */
export async function runCalibrate(values: Values): Promise<void> {
  const config = values.config as string | undefined;
  const out = values.out as string | undefined;
  const files = (values.measured as string[] | undefined) ?? [];
  if (config === undefined) {
    throw new InputError("calibrate: --config is required (the deployment)");
  }
  if (files.length === 0) {
    throw new InputError("calibrate: --measured FILE is required");
  }
  if (out === undefined) {
    throw new InputError("calibrate: --out is required (the YAML to write)");
  }
  const fmt = values.format as string | undefined;
  if (fmt !== undefined && fmt !== "csv" && fmt !== "vllm-bench") {
    throw new InputError(
      `calibrate: --format must be csv or vllm-bench, got "${fmt}"`,
    );
  }
  const base = await loadScenario(values);
  const runs = files.map((file) =>
    readMeasuredFile(
      file,
      (fmt ??
        (file.endsWith(".json") ? "vllm-bench" : "csv")) as MeasuredFormat,
      { seed: base.random_seed },
    )
  );
  const maxEvaluations = positiveInteger(
    "max-evaluations",
    values["max-evaluations"],
    DEFAULT_EVALUATIONS,
  );
  const jobs = positiveInteger("jobs", values.jobs, 1);
  // Candidates evaluated; the fit may stop before the budget.
  const progress = createProgress("calibrate: candidates evaluated");
  let result;
  try {
    result = await calibrate(base, runs, {
      maxEvaluations,
      jobs,
      onProgress: (n) => progress.update(n),
    });
  } catch (e) {
    progress.done(false);
    throw e;
  }
  progress.done();

  // OUT.yaml: the base file's text with the flags and the fitted values
  // set, so comments and layout survive.
  const text = Deno.readTextFileSync(config);
  const doc = parseDocument(text);
  for (const o of scenarioOverrides(values)) {
    doc.setIn(o.path.split("."), o.value);
  }
  for (const [key, value] of Object.entries(result.fitted)) {
    for (const path of calibrationTargets(base, key)) {
      doc.setIn(path, value);
    }
  }
  // Files the base names relative to itself, relative to OUT's folder.
  const from = dirname(resolve(config)), to = dirname(resolve(out));
  if (from !== to) {
    for (const path of FILE_KEYS) {
      const file = doc.getIn(path);
      if (typeof file === "string" && !isAbsolute(file)) {
        doc.setIn(path, relative(to, join(from, file)) || ".");
      }
    }
  }
  const header = `# Calibrated by llmsim calibrate from ${config} against ${
    files.join(", ")
  }\n`;
  let body = doc.toString();
  // An editor's schema line stays first, pointing at the schema from OUT.
  const modeline = /^# yaml-language-server: \$schema=(\S+)\n/.exec(body);
  let first = "";
  if (modeline) {
    body = body.slice(modeline[0].length);
    const schema = modeline[1];
    first = `# yaml-language-server: $schema=${
      isAbsolute(schema) || /^[a-z]+:/.test(schema) || from === to
        ? schema
        : relative(to, join(from, schema))
    }\n`;
  }
  const warnings: string[] = [];
  const json = toJson({ ...result, out }, warnings);
  await writeFilesAtomic(new Map([[out, first + header + body]]));
  warn(warnings);
  console.log(json);
}
