/**
 * Options several commands take, declared once: the scenario options, the
 * study options (workers, replications, shards, output folder) and the
 * capacity criterion.
 *
 * @module
 */

import {
  booleanOption,
  type OptionGroup,
  type OptionSpec,
  stringOption,
} from "./command.ts";
import { SCENARIO_FLAGS } from "./common.ts";

/** `-h, --help`. */
export const HELP_OPTION: OptionSpec = booleanOption("help", "this help", {
  short: "h",
});

/** `--set KEY=VALUE`, repeatable: any scenario key. */
export const SET_OPTION: OptionSpec = stringOption(
  "set",
  "KEY=VALUE",
  "set any scenario key, e.g. prompt_tokens.min_value=8",
  { multiple: true },
);

/**
 * The scenario options (`--config`, the flags of {@linkcode SCENARIO_FLAGS},
 * `--set`, `--format`, `--help`).
 *
 * @param without Options a command declares its own way (sweep's `--set`).
 * @returns The group.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { scenarioOptions } from "./options.ts";
 * const names = scenarioOptions(["set"]).options.map((o) => o.name);
 * assert.ok(names.includes("rate") && !names.includes("set"));
 * ```
 */
export function scenarioOptions(without: readonly string[] = []): OptionGroup {
  const options: OptionSpec[] = [
    stringOption(
      "config",
      "FILE",
      "scenario YAML (defaults to the prototype's values)",
    ),
    ...Object.entries(SCENARIO_FLAGS).map(([name, f]) =>
      stringOption(name, f.value, f.doc)
    ),
    SET_OPTION,
    stringOption("format", "json|table", "output for machines or people", {
      default: "json",
    }),
    HELP_OPTION,
  ];
  return {
    title: "Scenario options (flags override the file):",
    options: options.filter((o) => !without.includes(o.name)),
  };
}

/** `--replications`, `--jobs`, `--shard`, `--out-dir`. */
export const STUDY_OPTIONS: OptionGroup = {
  title: "Study options:",
  options: [
    stringOption(
      "replications",
      "R",
      "R seeds per point: means and 95% intervals",
    ),
    stringOption("jobs", "N", "parallel workers", { default: "all cores" }),
    stringOption(
      "shard",
      "i/n",
      "run only tasks i, i+n, ... (0 <= i < n) and write a shard file for 'llmsim merge' (Slurm array, k8s Indexed Job)",
    ),
    stringOption("out-dir", "DIR", "where to write the files", {
      default: "out",
    }),
  ],
};

/** The capacity criterion: `--target`, or `--metric` with `--max`. */
export const CRITERION_OPTIONS: readonly OptionSpec[] = [
  stringOption("target", "T", "least SLO attainment; needs slo keys", {
    default: "0.9",
  }),
  stringOption(
    "metric",
    "KEY",
    "instead of --target: a summary key to keep at or below --max (e.g. --metric p90_ttft_s --max 1)",
  ),
  stringOption("max", "V", "the most --metric may be"),
  stringOption("tolerance", "F", "stop when the bracket is within F", {
    default: "0.01",
  }),
];
