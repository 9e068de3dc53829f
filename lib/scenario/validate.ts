/**
 * Turns untyped input (parsed YAML, a plain object) into a validated
 * {@linkcode Scenario}, filling defaults. Every error names the key path and
 * the offending value.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import {
  ARRIVAL_PROCESS_KEYS,
  SCENARIO_SCHEMA,
  TOKEN_MODE_KEYS,
} from "./schema.ts";
import { checkObject, type Path } from "./check.ts";
import type {
  ArrivalConfig,
  PoolOverrides,
  Scenario,
  TokenDistribution,
} from "./types.ts";
import {
  poolKvCapacity,
  type PoolName,
  type PoolSettings,
  poolSettings,
} from "./pool_settings.ts";
import { resolveHardware } from "../perf/hardware.ts";
import { lognormalParams } from "../workload/tokens.ts";

/**
 * Validates a scenario and fills in defaults.
 *
 * @param raw Parsed input; `null` or `undefined` means all defaults.
 * @returns The validated scenario.
 * @throws {InputError} On an unknown key, a wrong type or a value out of range.
 *
 * @example Usage
 * ```ts
 * import { validateScenario } from "./validate.ts";
 * const s = validateScenario({ mode: "mono", arrival: { rate_per_s: 3 } });
 * if (s.cluster_mono.num_gpus !== 4) throw new Error("default not filled");
 * ```
 */
export function validateScenario(raw: unknown): Scenario {
  const filled = checkObject(raw ?? {}, SCENARIO_SCHEMA, []);
  const scenario = filled as unknown as Scenario;
  checkTokens(scenario.prompt_tokens, ["prompt_tokens"]);
  checkTokens(scenario.output_tokens, ["output_tokens"]);
  checkArrival(scenario.arrival, ["arrival"], true);
  checkWorkload(scenario);
  if (scenario.warmup_seconds >= scenario.sim_seconds) {
    throw new InputError(
      `must be < sim_seconds (${scenario.sim_seconds}), got ${scenario.warmup_seconds}`,
      ["warmup_seconds"],
    );
  }
  checkParallelism(scenario);
  if (
    scenario.kv_cache.prefix_caching && 512 % scenario.kv_cache.block_size !== 0
  ) {
    throw new InputError(
      `must divide 512 (the prefix block) with prefix_caching, got ${scenario.kv_cache.block_size}`,
      ["kv_cache", "block_size"],
    );
  }
  checkEngine(scenario);
  checkStepTime(scenario);
  checkLengthsFitContext(scenario);
  return scenario;
}

// A distribution whose median prompt (or prompt plus output) is past the
// model's context would have most requests refused: not what anyone means.
function checkLengthsFitContext(scenario: Scenario): void {
  if (scenario.trace || scenario.batching !== "continuous") return;
  const limit = poolSettings(
    scenario,
    scenario.mode === "mono" ? "gpu" : "prefill",
  ).maxModelLen;
  if (limit === undefined) return;
  const median = (d: TokenDistribution | undefined): number => {
    if (!d) return 0;
    const p = lognormalParams(d);
    if (p) return Math.exp(p.mu);
    if (d.mode === "constant") return d.value!;
    if (d.mode === "uniform") return (d.low! + d.high!) / 2;
    if (d.mode === "exponential") return d.mean! * Math.LN2;
    return 0;
  };
  const groups: [Path, TokenDistribution, TokenDistribution][] = [];
  const classes = scenario.classes;
  if (!classes || classes.some((c) => !c.prompt_tokens || !c.output_tokens)) {
    groups.push([[], scenario.prompt_tokens, scenario.output_tokens]);
  }
  classes?.forEach((c, k) =>
    groups.push([
      ["classes", k],
      c.prompt_tokens ?? scenario.prompt_tokens,
      c.output_tokens ?? scenario.output_tokens,
    ])
  );
  for (const [path, prompt, output] of groups) {
    const p = median(prompt), o = median(output);
    if (p + o > limit) {
      const key = p > limit ? "prompt_tokens" : "output_tokens";
      throw new InputError(
        `the median request (${Math.round(p)} prompt + ${
          Math.round(o)
        } output tokens) exceeds the context limit max_model_len (${limit}), so most requests would be refused${
          (key === "prompt_tokens" ? prompt : output).mode === "log"
            ? "; in mode log (the default) mean and sigma are of ln(tokens): for tokens write mode: real_mean_std"
            : ""
        }`,
        [...path, key],
      );
    }
  }
}

// Each pool's GPUs split into whole instances of tp GPUs.
function checkParallelism(scenario: Scenario): void {
  const pools: [string, number, string, number][] = [
    [
      "cluster_mono",
      scenario.cluster_mono.num_gpus,
      "tp",
      scenario.cluster_mono.tp,
    ],
    [
      "cluster_disagg",
      scenario.cluster_disagg.prefill_gpus,
      "prefill_tp",
      scenario.cluster_disagg.prefill_tp,
    ],
    [
      "cluster_disagg",
      scenario.cluster_disagg.decode_gpus,
      "decode_tp",
      scenario.cluster_disagg.decode_tp,
    ],
  ];
  for (const [section, gpus, key, tp] of pools) {
    if (tp > 1 && scenario.batching === "none") {
      throw new InputError(
        "must be 1 with batching: none (each GPU serves one request)",
        [section, key],
      );
    }
    if (gpus % tp !== 0) {
      throw new InputError(
        `must divide the pool's ${gpus} GPUs into whole instances, got ${tp}`,
        [section, key],
      );
    }
  }
}

// The scheduler's older names for two engine values: one name each.
function checkEngine(scenario: Scenario): void {
  const aliases = [
    ["iteration_overhead_s", "iteration_s"],
    ["request_overhead_s", "request_s"],
  ] as const;
  for (const [old, key] of aliases) {
    if (
      scenario.scheduler[old] !== undefined &&
      scenario.engine[key] !== undefined
    ) {
      throw new InputError(
        `is another name for engine.${key}; give one of them`,
        ["scheduler", old],
      );
    }
  }
}

function checkStepTime(scenario: Scenario): void {
  const pools: [PoolName, number, Path][] = scenario.mode === "mono"
    ? [["gpu", scenario.cluster_mono.tp, []]]
    : [
      ["prefill", scenario.cluster_disagg.prefill_tp, [
        "cluster_disagg",
        "prefill",
      ]],
      ["decode", scenario.cluster_disagg.decode_tp, [
        "cluster_disagg",
        "decode",
      ]],
    ];
  for (const [name, tp, ownPath] of pools) {
    const own = name === "gpu" ? undefined : scenario.cluster_disagg[name];
    const settings = poolSettings(scenario, name);
    // Errors name the pool's own section when the pool set any of it.
    const at = (section: keyof PoolOverrides, key?: string): Path => {
      const keyPath = key === undefined ? [section] : [section, key];
      return own?.[section] !== undefined ? [...ownPath, ...keyPath] : keyPath;
    };
    checkPoolStepTime(scenario, settings, tp, at);
  }
}

function checkPoolStepTime(
  scenario: Scenario,
  settings: PoolSettings,
  tp: number,
  at: (section: keyof PoolOverrides, key?: string) => Path,
): void {
  const st = settings.step_time;
  const hw = settings.hardware;
  if (st.kind === "roofline" && !hw) {
    throw new InputError(
      "roofline needs the hardware section (gpu and model)",
      at("step_time", "kind"),
    );
  }
  if (st.kind !== "table" && st.table_file !== undefined) {
    throw new InputError(
      `is only used with step_time.kind: table (the kind is ${st.kind})`,
      at("step_time", "table_file"),
    );
  }
  if (st.kind === "table" && st.table_file === undefined && !st.table) {
    throw new InputError(
      "is required with step_time.kind: table",
      at("step_time", "table_file"),
    );
  }
  if (!hw) return;
  if (typeof hw.model === "object") {
    const m = hw.model;
    if (m.num_experts > 0 && m.active_experts === undefined) {
      throw new InputError("is required when num_experts > 0", [
        ...at("hardware", "model"),
        "active_experts",
      ]);
    }
    if (m.active_experts !== undefined && m.active_experts > m.num_experts) {
      throw new InputError(
        `must be <= num_experts (${m.num_experts}), got ${m.active_experts}`,
        [...at("hardware", "model"), "active_experts"],
      );
    }
  }
  const { gpu, model } = resolveHardware(hw);
  if (
    st.kind === "roofline" && gpu.flops_per_s[hw.weight_dtype] === undefined
  ) {
    throw new InputError(
      `${gpu.name} has no ${hw.weight_dtype} FLOP/s figure (it has ${
        Object.keys(gpu.flops_per_s).join(", ")
      })`,
      at("hardware", "weight_dtype"),
    );
  }
  const maxLen = scenario.scheduler.max_model_len;
  if (
    maxLen !== undefined && model.max_context !== undefined &&
    maxLen > model.max_context
  ) {
    throw new InputError(
      `must be <= ${model.name}'s context length (${model.max_context}), got ${maxLen}`,
      ["scheduler", "max_model_len"],
    );
  }
  if (scenario.batching !== "continuous") return;
  const c = poolKvCapacity(settings, tp)!;
  if (c.tokens < settings.kv_cache.block_size) {
    const gb = (x: number) => (x / 2 ** 30).toFixed(1);
    throw new InputError(
      `${model.name} does not fit on ${gpu.name} at tp ${tp}: ` +
        `${gb(c.weightBytesPerGpu)} GiB of weights per GPU and ` +
        `${gb(hw.reserved_bytes)} GiB reserved leave ${
          gb(c.kvBytesPerGpu)
        } GiB of the ${
          gb(gpu.memory_bytes * hw.gpu_memory_utilization)
        } GiB usable for the KV cache; raise tp or use smaller weights`,
      at("hardware"),
    );
  }
}

// A section whose keys depend on a variant (a token mode, an arrival
// process) holds none of the other variants' keys.
function checkVariantKeys(
  section: object,
  variants: Readonly<Record<string, readonly string[]>>,
  what: string,
  path: Path,
): readonly string[] {
  const values = section as Record<string, unknown>;
  const uses = variants[values[what] as string];
  for (const key of new Set(Object.values(variants).flat())) {
    if (values[key] !== undefined && !uses.includes(key)) {
      throw new InputError(
        `is not used with ${what} ${values[what]} (it takes ${
          uses.join(", ")
        })`,
        [...path, key],
      );
    }
  }
  return uses;
}

// The variant's own keys must all be given.
function requireVariantKeys(
  section: object,
  keys: readonly string[],
  what: string,
  path: Path,
): void {
  const values = section as Record<string, unknown>;
  for (const key of keys) {
    if (values[key] === undefined) {
      throw new InputError(`is required with ${what} ${values[what]}`, [
        ...path,
        key,
      ]);
    }
  }
}

/** The largest mu (mean of ln tokens) taken in mode log: e^20 is 4.9e8 tokens. */
const LOG_MU_LIMIT = 20;
// mu + 10 sigma below this: e^700 is about the largest finite double's size.
const LOG_SPACE_LIMIT = 700;

function checkTokens(dist: TokenDistribution, path: Path): void {
  const uses = checkVariantKeys(dist, TOKEN_MODE_KEYS, "mode", path);
  if (dist.mode === "log") {
    // The prototype's defaults: mu 6.0, sigma 1.0.
    dist.mean ??= 6.0;
    dist.sigma ??= 1.0;
    // In log space a mean of 700 is e^700 tokens: surely meant in tokens.
    if (dist.mean > LOG_MU_LIMIT) {
      throw new InputError(
        `is mu = the mean of ln(tokens) in mode log (the default), so ${dist.mean} means e^${dist.mean} tokens; for a mean of ${dist.mean} tokens write mode: real_mean_std with mean and std (or mode: p50_p90)`,
        [...path, "mean"],
      );
    }
    // Beyond mu + 10 sigma the draws could overflow to Infinity.
    if (dist.mean + 10 * dist.sigma > LOG_SPACE_LIMIT) {
      throw new InputError(
        `is the standard deviation of ln(tokens) in mode log; ${dist.sigma} puts lengths beyond e^${LOG_SPACE_LIMIT} (write mode: real_mean_std for a std in tokens)`,
        [...path, "sigma"],
      );
    }
    return;
  }
  if (dist.mode === "empirical") {
    const fromFile = dist.trace_file !== undefined ||
      dist.trace_format !== undefined;
    if (dist.values === undefined && !fromFile) {
      throw new InputError(
        "mode empirical needs `values` or `trace_file` and `trace_format`",
        path,
      );
    }
    if (dist.values !== undefined && fromFile) {
      throw new InputError(
        "give either values or a trace file, not both",
        [...path, "values"],
      );
    }
    for (const key of ["trace_file", "trace_format"] as const) {
      if (fromFile && dist[key] === undefined) {
        throw new InputError("is required with trace_file", [...path, key]);
      }
    }
    return;
  }
  requireVariantKeys(dist, uses, "mode", path);
  if (
    (dist.mode === "real_mean_std" || dist.mode === "exponential") &&
    dist.mean! <= 0
  ) {
    throw new InputError(`must be > 0, got ${dist.mean}`, [...path, "mean"]);
  }
  if (dist.mode === "p50_p90" && dist.p90! <= dist.p50!) {
    throw new InputError(
      `must be > p50 (${dist.p50}), got ${dist.p90}`,
      [...path, "p90"],
    );
  }
  if (dist.mode === "uniform" && dist.high! < dist.low!) {
    throw new InputError(
      `must be >= low (${dist.low}), got ${dist.high}`,
      [...path, "high"],
    );
  }
}

// An arrival section holds exactly its process's keys; the top level's
// rate defaults to the prototype's 2 per second.
function checkArrival(
  arrival: ArrivalConfig,
  path: Path,
  topLevel: boolean,
): void {
  const uses = checkVariantKeys(
    arrival,
    ARRIVAL_PROCESS_KEYS,
    "process",
    path,
  );
  if (uses.includes("rate_per_s") && topLevel) arrival.rate_per_s ??= 2;
  if (arrival.process === "diurnal") {
    arrival.period_s ??= 86400;
    arrival.peak_s ??= 0;
  }
  requireVariantKeys(arrival, uses, "process", path);
  if (
    arrival.process === "schedule" &&
    arrival.schedule!.every((step) => step.rate_per_s === 0)
  ) {
    throw new InputError("needs a step with a rate above 0", [
      ...path,
      "schedule",
    ]);
  }
}

// Classes, traces and the summary mode: the rules that span keys.
function checkWorkload(scenario: Scenario): void {
  const classes = scenario.classes;
  if (scenario.trace) {
    if (classes) {
      throw new InputError(
        "a trace replays its own requests; remove classes or trace",
        ["classes"],
      );
    }
    const t = scenario.trace;
    const mapped = t.format === "csv" || t.format === "jsonl";
    if (mapped && !t.columns) {
      throw new InputError(`is required with format ${t.format}`, [
        "trace",
        "columns",
      ]);
    }
    for (const key of ["columns", "timestamp_unit"] as const) {
      if (!mapped && t[key] !== undefined) {
        throw new InputError(
          `is only for format csv or jsonl (${t.format} has fixed columns)`,
          ["trace", key],
        );
      }
    }
    if (t.time_scale !== undefined && t.target_rate_per_s !== undefined) {
      throw new InputError("give time_scale or target_rate_per_s, not both", [
        "trace",
        "target_rate_per_s",
      ]);
    }
    if (t.end_s !== undefined && t.end_s <= (t.start_s ?? 0)) {
      throw new InputError(
        `must be > start_s (${t.start_s ?? 0}), got ${t.end_s}`,
        ["trace", "end_s"],
      );
    }
  }
  if (!classes) return;
  if (classes.length > 255) {
    throw new InputError(`at most 255 classes, got ${classes.length}`, [
      "classes",
    ]);
  }
  const names = new Set<string>();
  classes.forEach((c, k) => {
    const path = ["classes", k];
    if (names.has(c.name)) {
      throw new InputError(`"${c.name}" is used twice`, [...path, "name"]);
    }
    names.add(c.name);
    if ((c.weight === undefined) === (c.arrival === undefined)) {
      throw new InputError(
        "give a weight (a share of the top-level arrival) or its own arrival, one of them",
        path,
      );
    }
    if (c.arrival) checkArrival(c.arrival, [...path, "arrival"], false);
    if (c.prompt_tokens) {
      checkTokens(c.prompt_tokens, [...path, "prompt_tokens"]);
    }
    if (c.output_tokens) {
      checkTokens(c.output_tokens, [...path, "output_tokens"]);
    }
  });
}
