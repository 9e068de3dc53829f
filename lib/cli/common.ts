/**
 * What every llmsim command shares: the scenario flags, loading the
 * scenario with its overrides, the output format, warnings.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import { scenarioWarnings } from "../scenario/no_ops.ts";
import {
  loadScenarioFile,
  loadScenarioText,
  type Override,
} from "../scenario/load.ts";
import type { Scenario } from "../scenario/types.ts";

/** Flags that set scenario keys, by flag name, with their help. */
export const SCENARIO_FLAGS = {
  "mode": {
    path: "mode",
    type: "string",
    value: "mono|disagg",
    doc: "serving architecture",
  },
  "sim-seconds": {
    path: "sim_seconds",
    type: "number",
    value: "S",
    doc: "arrival horizon; the system then drains",
  },
  "warmup-seconds": {
    path: "warmup_seconds",
    type: "number",
    value: "S",
    doc: "requests arriving earlier are not measured",
  },
  "seed": {
    path: "random_seed",
    type: "number",
    value: "N",
    doc: "random seed",
  },
  "rate": {
    path: "arrival.rate_per_s",
    type: "number",
    value: "R",
    doc: "arrival rate, requests per second",
  },
  "num-gpus": {
    path: "cluster_mono.num_gpus",
    type: "number",
    value: "N",
    doc: "GPUs in mono mode",
  },
  "prefill-gpus": {
    path: "cluster_disagg.prefill_gpus",
    type: "number",
    value: "N",
    doc: "prefill GPUs in disagg mode",
  },
  "decode-gpus": {
    path: "cluster_disagg.decode_gpus",
    type: "number",
    value: "N",
    doc: "decode GPUs in disagg mode",
  },
} as const;

/** Parsed command-line values. */
export type Values = Record<string, string | boolean | string[] | undefined>;

/**
 * A command-line value as YAML would read it: a number, a flag, or text.
 *
 * @param text The value.
 * @param source The flag it came from, for messages.
 * @returns Number, boolean or the text.
 * @throws {InputError} On a whole number too large to be exact.
 */
export function scalar(text: string, source?: string): unknown {
  if (/^[+-]?\d+$/.test(text) && !Number.isSafeInteger(Number(text))) {
    // Beyond 2^53 a whole number is silently rounded (a seed would not be
    // the one asked for): say so instead.
    throw new InputError(
      `${
        source ? `${source}: ` : ""
      }${text}: whole numbers must be within ±${Number.MAX_SAFE_INTEGER} (larger ones cannot be represented exactly)`,
    );
  }
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  if (text === "true" || text === "false") return text === "true";
  return text;
}

/**
 * The overrides the scenario flags and `--set` make, in order.
 *
 * @param values Parsed values.
 * @returns The overrides.
 */
export function scenarioOverrides(values: Values): Override[] {
  const overrides: Override[] = [];
  for (const [flag, spec] of Object.entries(SCENARIO_FLAGS)) {
    const v = values[flag];
    if (typeof v !== "string") continue;
    const value = spec.type === "number" ? scalar(v, `--${flag}`) : v;
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
      value: scalar(item.slice(eq + 1), `--set ${path}`),
      source: `--set ${path}`,
    });
  }
  // The same key twice would let the last one win silently; a key inside
  // another given key (arrival and arrival.rate_per_s) likewise.
  for (let a = 0; a < overrides.length; a++) {
    for (let b = a + 1; b < overrides.length; b++) {
      const [x, y] = [overrides[a], overrides[b]];
      if (
        x.path === y.path || y.path.startsWith(x.path + ".") ||
        x.path.startsWith(y.path + ".")
      ) {
        throw new InputError(
          x.source === y.source
            ? `${x.source} given twice`
            : `${x.source} and ${y.source} both set ${
              x.path.length <= y.path.length ? x.path : y.path
            }; give one`,
        );
      }
    }
  }
  return overrides;
}

/**
 * Loads `--config` (or the defaults) with the flags' and `--set` overrides.
 *
 * @param values Parsed values.
 * @param extra Further overrides (a study point's).
 * @returns The validated scenario.
 */
export async function loadScenario(
  values: Values,
  extra: Override[] = [],
): Promise<Scenario> {
  const overrides = [...scenarioOverrides(values), ...extra];
  const config = values.config as string | undefined;
  const scenario = config
    ? await loadScenarioFile(config, { overrides })
    : await loadScenarioText("", { overrides, sourceName: "<defaults>" });
  // Keys that do nothing here, once each however often a study loads.
  warn(scenarioWarnings(scenario).filter((w) => !warnedOnce.has(w)));
  for (const w of scenarioWarnings(scenario)) warnedOnce.add(w);
  return scenario;
}

const warnedOnce = new Set<string>();

/**
 * A comma-separated list of positive numbers.
 *
 * @param flag The flag, for messages.
 * @param text The list.
 * @returns The numbers.
 */
export function numberList(flag: string, text: string | undefined): number[] {
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

/**
 * The `--format`: json (default) or table.
 *
 * @param values Parsed values.
 * @returns The format.
 */
export function format(values: Values): "json" | "table" {
  const f = (values.format as string | undefined) ?? "json";
  if (f !== "json" && f !== "table") {
    throw new InputError(`--format: must be json or table, got "${f}"`);
  }
  return f;
}

/**
 * Prints warnings on stderr.
 *
 * @param messages The warnings.
 */
export function warn(messages: readonly string[]): void {
  for (const m of messages) console.error(`llmsim: warning: ${m}`);
}

/**
 * The files that value flags name, for checking before a run.
 *
 * @param values Parsed values.
 * @param flags The flags that name files to write.
 * @returns The paths with their flags.
 */
export function fileOutputs(
  values: Values,
  flags: readonly string[],
): { path: string; flag: string }[] {
  return flags.flatMap((flag) => {
    const v = values[flag];
    return typeof v === "string" ? [{ path: v, flag: `--${flag}` }] : [];
  });
}
