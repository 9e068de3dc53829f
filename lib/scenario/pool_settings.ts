/**
 * The settings one pool of batched instances runs with: the top-level
 * `hardware`, `scheduler`, `step_time`, `engine` and `kv_cache`, with a
 * disaggregated pool's own keys (`cluster_disagg.prefill` / `.decode`) in
 * their place, and the engine's preset resolved into numbers.
 *
 * A scenario keeps what the user wrote (a preset and its overrides, a pool's
 * partial sections), so that changing a key later (`--set
 * engine.preset=sglang`) never leaves stale resolved values behind; this
 * module resolves them when a run is planned.
 *
 * @module
 */

import { DEFAULT_ENGINE_PRESET, ENGINE_PRESETS } from "../perf/engines/mod.ts";
import type { DType, ModelSpec } from "../perf/catalog.ts";
import { resolveHardware } from "./hardware.ts";
import { type KvCapacity, kvCapacity } from "../perf/memory.ts";
import { draftMemory, draftModelSpec } from "../perf/speculative.ts";
import type { Parallelism } from "../perf/parallel.ts";
import { InputError, type Path } from "../errors.ts";
import { checkPoolSection } from "./pool_sections.ts";
import type {
  EngineConfig,
  HardwareConfig,
  PoolName,
  PoolOverrides,
  PoolSettings,
  ResolvedEngine,
  Scenario,
  SchedulerConfig,
  SpeculativeSection,
  StepTimeConfig,
} from "./types.ts";

/**
 * The engine's numbers: the preset's, then the scenario's overrides, then
 * the scheduler's older names for two of them.
 *
 * @param engine The engine section as given.
 * @param scheduler The scheduler (its `iteration_overhead_s` and `request_overhead_s`).
 * @returns The resolved engine.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveEngine } from "./pool_settings.ts";
 * import { validateScenario } from "./validate.ts";
 * const s = validateScenario({ engine: { preset: "none", per_seq_s: 1e-5 } });
 * const e = resolveEngine(s.engine, s.scheduler);
 * assert.equal(e.per_seq_s, 1e-5);
 * assert.equal(e.iteration_s, 0);
 * ```
 */
export function resolveEngine(
  engine: EngineConfig,
  scheduler: Pick<
    SchedulerConfig,
    "iteration_overhead_s" | "request_overhead_s"
  >,
): ResolvedEngine {
  const name = engine.preset ?? DEFAULT_ENGINE_PRESET;
  const preset = ENGINE_PRESETS.get(name);
  const out: ResolvedEngine = {
    ...preset.params,
    compute_efficiency: { ...preset.params.compute_efficiency },
    preset: name,
  };
  for (const [key, value] of Object.entries(engine)) {
    if (key === "preset" || value === undefined) continue;
    if (key === "compute_efficiency") {
      for (const [d, v] of Object.entries(value as Record<string, number>)) {
        if (v !== undefined) out.compute_efficiency[d as DType] = v;
      }
    } else (out as unknown as Record<string, number>)[key] = value as number;
  }
  if (scheduler.iteration_overhead_s !== undefined) {
    out.iteration_s = scheduler.iteration_overhead_s;
  }
  if (scheduler.request_overhead_s !== undefined) {
    out.request_s = scheduler.request_overhead_s;
  }
  return out;
}

function isMapping(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

// Keys given in `over` replace those of `base`; sections merge key by key,
// but a catalog entry (`gpu`, `model`) and a loaded table are replaced whole.
function merge(
  base: Record<string, unknown> | undefined,
  over: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (!over) return base;
  const out: Record<string, unknown> = { ...(base ?? {}) };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const whole = key === "gpu" || key === "model" || key === "table" ||
      key === "draft_model";
    out[key] = !whole && isMapping(value) && isMapping(out[key])
      ? merge(out[key] as Record<string, unknown>, value)
      : value;
  }
  return out;
}

/**
 * The settings a pool runs with (module doc). In mono, and for a disagg
 * pool without its own section, these are the top-level sections.
 *
 * @param scenario A validated scenario.
 * @param pool Which pool.
 * @returns The pool's settings.
 * @throws {InputError} When a pool's merged section is invalid (naming
 * `cluster_disagg.POOL.KEY`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { poolSettings } from "./pool_settings.ts";
 * import { validateScenario } from "./validate.ts";
 * const s = validateScenario({
 *   mode: "disagg", batching: "continuous", step_time: { kind: "roofline" },
 *   hardware: { gpu: "H100-SXM", model: "Llama-3.1-8B" },
 *   cluster_disagg: { decode: { hardware: { gpu: "A100-80G" }, scheduler: { max_num_seqs: 128 } } },
 * });
 * const d = poolSettings(s, "decode");
 * assert.equal(d.hardware?.gpu, "A100-80G");
 * assert.equal(d.hardware.model, "Llama-3.1-8B");
 * assert.equal(d.scheduler.max_num_seqs, 128);
 * // Limits the scenario leaves open are the engine's (vllm-v1 on an H100).
 * assert.equal(poolSettings(s, "prefill").scheduler.max_num_seqs, 1024);
 * ```
 */
export function poolSettings(scenario: Scenario, pool: PoolName): PoolSettings {
  const own: PoolOverrides | undefined = pool === "gpu"
    ? undefined
    : scenario.cluster_disagg[pool];
  // The prefill pool yields only first tokens: no speculation there.
  const speculative = pool === "prefill" ? undefined : scenario.speculative;
  if (!own) {
    return withEngineScheduler({
      hardware: scenario.hardware,
      scheduler: scenario.scheduler,
      step_time: scenario.step_time,
      engine: scenario.engine,
      kv_cache: scenario.kv_cache,
      speculative,
    });
  }
  const path = ["cluster_disagg", pool];
  const section = <T>(key: keyof PoolOverrides, base: unknown): T => {
    const merged = merge(
      base as Record<string, unknown> | undefined,
      own[key] as Record<string, unknown> | undefined,
    );
    // A step table is loaded, not written: keep it out of the check.
    const table = key === "step_time" ? merged?.table : undefined;
    if (merged && table !== undefined) delete merged.table;
    const checked = merged === undefined
      ? undefined
      : checkPoolSection(key, merged, [...path, key]);
    if (checked && table !== undefined) checked.table = table;
    return checked as T;
  };
  let stepTime = section<StepTimeConfig>("step_time", scenario.step_time);
  if (own.step_time?.table_file !== undefined) {
    stepTime = { ...stepTime, table: own.step_time.table };
  }
  const scheduler = section<SchedulerConfig>("scheduler", scenario.scheduler);
  const engine = section<EngineConfig>("engine", scenario.engine);
  if (own.hardware && !scenario.hardware) {
    for (const key of ["gpu", "model"] as const) {
      if (own.hardware[key] === undefined) {
        throw new InputError(
          "is required (there is no top-level hardware to take it from)",
          [...path, "hardware", key],
        );
      }
    }
  }
  return withEngineScheduler({
    hardware: section<HardwareConfig | undefined>(
      "hardware",
      scenario.hardware,
    ),
    scheduler,
    step_time: stepTime,
    engine,
    kv_cache: section<Scenario["kv_cache"]>("kv_cache", scenario.kv_cache),
    speculative: pool !== "prefill" && own.speculative
      ? section<SpeculativeSection>("speculative", speculative)
      : speculative,
  }, own.hardware?.model !== undefined ? [...path, "hardware"] : undefined);
}

// Resolves the engine, the context limit and the scheduler limits the
// scenario left to the engine.
function withEngineScheduler(given: {
  hardware?: HardwareConfig;
  scheduler: SchedulerConfig;
  step_time: StepTimeConfig;
  engine: EngineConfig;
  kv_cache: Scenario["kv_cache"];
  speculative?: SpeculativeSection;
}, hardwarePath?: Path): PoolSettings {
  const engine = resolveEngine(given.engine, given.scheduler);
  const hw = given.hardware
    ? resolveHardware(given.hardware, hardwarePath)
    : undefined;
  const context = hw?.model.max_context;
  const maxModelLen = given.scheduler.max_model_len ??
    (context !== undefined && Number.isFinite(context) ? context : undefined);
  const defaults = ENGINE_PRESETS.get(engine.preset).scheduler({
    gpu: hw?.gpu,
    maxModelLen,
  });
  const s = given.scheduler;
  return {
    ...given,
    engine,
    maxModelLen,
    scheduler: {
      ...s,
      policy: s.policy ?? defaults.policy,
      max_num_seqs: s.max_num_seqs ?? defaults.max_num_seqs,
      max_num_batched_tokens: s.max_num_batched_tokens ??
        defaults.max_num_batched_tokens,
    },
  };
}

/**
 * The architecture that proposes a pool's speculative tokens
 * (lib/perf/speculative.ts `draftModelSpec`): the draft model, or a head of
 * the target's shape.
 *
 * @param settings The pool's settings.
 * @returns The proposer, or undefined without speculation or hardware
 * (or, before validation, a `draft` method without its model).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { poolProposer, poolSettings } from "./pool_settings.ts";
 * import { validateScenario } from "./validate.ts";
 * const s = validateScenario({
 *   batching: "continuous", step_time: { kind: "roofline" },
 *   hardware: { gpu: "H100-SXM", model: "Llama-3.1-70B" }, mode: "mono",
 *   cluster_mono: { num_gpus: 4, tp: 4 },
 *   speculative: { method: "draft", draft_model: "Llama-3.1-8B", num_tokens: 4, acceptance: 0.6 },
 * });
 * assert.equal(poolProposer(poolSettings(s, "gpu"))!.name, "Llama-3.1-8B");
 * ```
 */
export function poolProposer(settings: PoolSettings): ModelSpec | undefined {
  const spec = settings.speculative;
  const hw = settings.hardware;
  if (!spec || !hw) return undefined;
  // Not yet checked (validation says what is missing).
  if (spec.method === "draft" && spec.draft_model === undefined) {
    return undefined;
  }
  return draftModelSpec(spec.method, resolveHardware(hw).model, {
    draftModel: spec.draft_model === undefined
      ? undefined
      : resolveHardware({ ...hw, model: spec.draft_model }).model,
    draftLayers: spec.draft_layers,
  });
}

/**
 * The KV capacity one instance of a pool finds at start-up, from its
 * hardware and its scheduler's profiling limits (lib/perf/memory.ts).
 *
 * @param settings The pool's settings.
 * @param tp The instance's TP degree, or its whole split (pp, dp_attention).
 * @returns The sizing, or undefined without hardware.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { poolKvCapacity, poolSettings } from "./pool_settings.ts";
 * import { validateScenario } from "./validate.ts";
 * const s = validateScenario({ batching: "continuous", hardware: { gpu: "H100-SXM", model: "Llama-3.1-8B" } });
 * assert.ok(poolKvCapacity(poolSettings(s, "prefill"), 1)!.tokens > 100_000);
 * ```
 */
export function poolKvCapacity(
  settings: PoolSettings,
  tp: number | Pick<Parallelism, "tp" | "pp" | "dp">,
): KvCapacity | undefined {
  const hw = settings.hardware;
  if (!hw) return undefined;
  const { gpu, model } = resolveHardware(hw);
  const split = typeof tp === "number" ? undefined : tp;
  const t = split ? split.tp : tp as number;
  // A speculative proposer's weights and KV take their share of memory.
  const spec = settings.speculative;
  const proposer = poolProposer(settings);
  const resident = spec && proposer &&
    draftMemory(spec.method, proposer, {
      weightDtype: hw.weight_dtype,
      kvDtype: hw.kv_dtype,
      tp: t,
    });
  return kvCapacity(gpu, model, {
    tp: t,
    ...(resident ? { resident } : {}),
    ...(split && (split.pp > 1 || split.dp > 1)
      ? { pp: split.pp, dpAttention: split.dp }
      : {}),
    weightDtype: hw.weight_dtype,
    kvDtype: hw.kv_dtype,
    gpuMemoryUtilization: hw.gpu_memory_utilization,
    reservedBytes: hw.reserved_bytes,
    maxNumBatchedTokens: settings.scheduler.max_num_batched_tokens,
    maxNumSeqs: settings.scheduler.max_num_seqs,
  });
}
