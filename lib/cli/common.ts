/**
 * What every llmsim command shares: scenario flags, argument parsing,
 * loading the scenario with its overrides, output format, warnings.
 *
 * @module
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { InputError } from "../errors.ts";
import { scenarioWarnings } from "../scenario/no_ops.ts";
import {
  loadScenarioFile,
  type Override,
  parseScenario,
} from "../scenario/load.ts";
import type { Scenario } from "../scenario/types.ts";

/** Flags that set scenario keys, by flag name. */
export const SCENARIO_FLAGS = {
  "mode": { path: "mode", type: "string" },
  "sim-seconds": { path: "sim_seconds", type: "number" },
  "warmup-seconds": { path: "warmup_seconds", type: "number" },
  "seed": { path: "random_seed", type: "number" },
  "rate": { path: "arrival.rate_per_s", type: "number" },
  "num-gpus": { path: "cluster_mono.num_gpus", type: "number" },
  "prefill-gpus": { path: "cluster_disagg.prefill_gpus", type: "number" },
  "decode-gpus": { path: "cluster_disagg.decode_gpus", type: "number" },
} as const;

/** Help text of the scenario flags every command takes. */
export const COMMON_HELP = `Scenario options (flags override the file):
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

/** Parsed command-line values. */
export type Values = Record<string, string | boolean | string[] | undefined>;

/**
 * Parses arguments strictly (an unknown flag is an input error).
 *
 * @param command The command, for messages.
 * @param args The arguments.
 * @param options The flags.
 * @param positionals Whether arguments without a flag are allowed (in `_`).
 * @returns The values.
 */
export function parseArgsStrict(
  command: string,
  args: string[],
  options: ParseArgsOptionsConfig,
  positionals = false,
): Values {
  try {
    const parsed = parseArgs({
      args: joinNegativeValues(args, options),
      options,
      strict: true,
      allowPositionals: positionals,
    });
    return positionals
      ? { ...parsed.values, _: parsed.positionals } as Values
      : parsed.values as Values;
  } catch (e) {
    throw new InputError(
      `${command}: ${(e as Error).message.split("\n")[0]} (see --help)`,
    );
  }
}

// `--rate -2`: node:util's parseArgs takes "-2" for an option and calls the
// flag ambiguous. A value flag followed by a negative number (or a list
// starting with one) gets it as its value, so validation can say what is
// wrong with it.
function joinNegativeValues(
  args: readonly string[],
  options: ParseArgsOptionsConfig,
): string[] {
  const out: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    if (a === "--") {
      out.push(...args.slice(k));
      break;
    }
    const next = args[k + 1];
    const name = a.startsWith("--") && !a.includes("=") ? a.slice(2) : null;
    if (
      name !== null && next !== undefined && /^-(\d|\.\d)/.test(next) &&
      Object.hasOwn(options, name) && options[name].type === "string"
    ) {
      out.push(`${a}=${next}`);
      k++;
    } else out.push(a);
  }
  return out;
}

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
    : parseScenario("", { overrides, sourceName: "<defaults>" });
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
 * A finite number, or null (for charts).
 *
 * @param v A value.
 * @returns The number or null.
 */
export function finiteOrNull(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}
