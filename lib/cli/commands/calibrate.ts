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
} from "../../calibrate/calibrate.ts";
import {
  type MeasuredFormat,
  readMeasuredFile,
} from "../../calibrate/measured.ts";
import { InputError } from "../../errors.ts";
import { writeFilesAtomic } from "../../report/files.ts";
import { createProgress } from "../progress.ts";
import { toJson } from "../../report/json.ts";
import { type Command, stringOption } from "../command.ts";
import {
  fileOutputs,
  loadScenario,
  scenarioOverrides,
  type Values,
  warn,
} from "../common.ts";
import { HELP_OPTION } from "../options.ts";

/** `llmsim calibrate`. */
export const CALIBRATE: Command = {
  name: "calibrate",
  doc: "fit the engine to measured benchmark runs of a deployment",
  usage: `calibrate --config BASE.yaml --measured FILE [--measured FILE ...]
                        --out OUT.yaml [options]`,
  description:
    `Replays exactly the requests of each measured benchmark run (arrival times,
lengths, the client's --max-concurrency) through the deployment BASE.yaml
describes, fits the engine and kernel-efficiency parameters so that mean
TTFT, p90 TTFT and mean TPOT match, writes OUT.yaml (BASE with the fitted
values set) and prints, per file and metric, measured against llmsim before
and after.`,
  options: [{
    options: [
      stringOption("config", "FILE", "the deployment as it ran", {
        required: true,
      }),
      stringOption("measured", "FILE", "a measured run; at least one", {
        multiple: true,
      }),
      stringOption(
        "format",
        "csv|vllm-bench",
        "the measured files' format: csv needs columns arrival_s,prompt_tokens,output_tokens,ttft_s,e2e_s; vllm-bench is 'vllm bench serve --save-result --save-detailed' JSON",
        { default: "csv, or vllm-bench for .json files" },
      ),
      stringOption("out", "FILE", "where to write the calibrated scenario", {
        required: true,
      }),
      stringOption(
        "max-evaluations",
        "N",
        "candidate parameter sets at most",
        { default: String(DEFAULT_EVALUATIONS) },
      ),
      stringOption("jobs", "N", "workers evaluating candidates", {
        default: "1",
      }),
      stringOption("set", "KEY=VALUE", "change a base key first", {
        multiple: true,
      }),
      HELP_OPTION,
    ],
  }],
  outputs: (values) => fileOutputs(values, ["out"]),
  run: runCalibrate,
};

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

// Runs `llmsim calibrate` with the parsed flags.
async function runCalibrate(values: Values): Promise<void> {
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
