/**
 * The batched instance pools a scenario describes: how many instances of how
 * many GPUs, their step-time model, and their KV-cache capacity.
 *
 * @module
 */

import type { PoolSettings, Scenario } from "../scenario/types.ts";
import type { StepTimeModel } from "../perf/step_time.ts";
import { resolveHardware } from "../scenario/hardware.ts";
import { kvBytesPerToken } from "../perf/memory.ts";
import { withEngine } from "../perf/engine.ts";
import { gpusPerInstance, type Parallelism } from "../perf/parallel.ts";
import { parameterBreakdown } from "../perf/catalog.ts";
import { poolKvCapacity, poolSettings } from "../scenario/pool_settings.ts";
import type { TableStepTimeModel } from "../perf/table_step_time.ts";
import { STEP_TIME_KINDS } from "../scenario/step_time_kinds/mod.ts";
import { poolSplit } from "../scenario/parallelism.ts";
import { type SpeculativePool, speculativePool } from "./speculative_pool.ts";

/** The KV capacity an instance gets when nothing else sizes it. */
export const DEFAULT_KV_CAPACITY_TOKENS = 131072;

/** KV bytes per token when nothing else sizes them (Llama-3.1-8B in bf16). */
export const DEFAULT_KV_BYTES_PER_TOKEN = 131072;

/** Layers when no model is given (Llama-3.1-8B's), for the engine's TP term. */
export const DEFAULT_LAYERS = 32;

/** One pool of identical batched instances. */
export interface PoolPlan {
  /** `gpu` (mono), `prefill` or `decode`. */
  name: "gpu" | "prefill" | "decode";
  /** GPUs in the pool. */
  gpus: number;
  /** Tensor-parallel degree (GPUs per instance without pp or dp_attention). */
  tp: number;
  /** The instance's split: tp, pp, ep, dp_attention, micro-batches. */
  parallel: Parallelism;
  /** Instances in the pool: gpus / (tp x pp x dp_attention). */
  instances: number;
  /** Iteration duration model of each instance. */
  stepTime: StepTimeModel;
  /** KV-cache capacity of each instance, tokens. */
  kvCapacityTokens: number;
  /** The settings the pool runs with (hardware, scheduler, engine, ...). */
  settings: PoolSettings;
  /** Speculative decoding (its step time is already in `stepTime`). */
  speculative?: SpeculativePool;
}

/** All pools of a scenario, and what the disaggregated link carries. */
export interface ClusterPlan {
  /** The pools: one in mono, prefill then decode in disagg. */
  pools: PoolPlan[];
  /** KV bytes per prompt token sent from prefill to decode. */
  kvTransferBytesPerToken: number;
  /** Table models, to report extrapolated lookups after a run. */
  tables: TableStepTimeModel[];
  /** The engine's per-request time before first scheduling, seconds. */
  requestS: number;
  /** The engine's per-request time after the last token, seconds. */
  finishS: number;
}

/** Options of {@linkcode planCluster}. */
export interface PlanClusterOptions {
  /**
   * A step-time model that replaces the scenario's `step_time` for every
   * pool, or a function giving each pool's. The engine's time is added to
   * it as to any model.
   */
  stepTimeModel?: StepTimeModel | ((pool: PoolPlan["name"]) => StepTimeModel);
}

/**
 * Works out the pools of a batched scenario.
 *
 * @param scenario A validated scenario with `batching: continuous`.
 * @param options A step-time model of the caller's own.
 * @returns The pools and the KV bytes per transferred token.
 * @throws {InputError} When `step_time.kind` is `table` and no table was loaded.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { planCluster } from "./pools.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const plan = planCluster(validateScenario({
 *   mode: "mono", batching: "continuous", step_time: { kind: "roofline" },
 *   hardware: { gpu: "H100-SXM", model: "Llama-3.1-70B" },
 *   cluster_mono: { num_gpus: 8, tp: 4 },
 * }));
 * assert.equal(plan.pools[0].instances, 2);
 * ```
 */
export function planCluster(
  scenario: Scenario,
  options: PlanClusterOptions = {},
): ClusterPlan {
  const custom = options.stepTimeModel;
  const tables: TableStepTimeModel[] = [];
  const pool = (
    name: PoolPlan["name"],
    gpus: number,
    split: Omit<Parallelism, "microbatches">,
    rates: { prefill_tokens_per_s: number; decode_tokens_per_s: number },
  ): PoolPlan => {
    const settings = poolSettings(scenario, name);
    const tp = split.tp;
    const parallel: Parallelism = {
      ...split,
      microbatches: settings.scheduler.pp_microbatches ?? split.pp,
    };
    const hwConfig = settings.hardware;
    const hw = hwConfig ? resolveHardware(hwConfig) : null;
    const st = settings.step_time;
    const engine = settings.engine;
    const gpuWork: StepTimeModel = custom
      ? (typeof custom === "function" ? custom(name) : custom)
      : STEP_TIME_KINDS.get(st.kind).build({
        settings,
        tp,
        parallel,
        hardware: hw,
        rates: {
          prefillTokensPerS: rates.prefill_tokens_per_s,
          decodeTokensPerS: rates.decode_tokens_per_s,
        },
      });
    // Table models count their extrapolated lookups, to warn after a run.
    if ("extrapolated" in gpuWork) tables.push(gpuWork as TableStepTimeModel);
    // Without a model the all-reduce count is unknown; Llama-3.1-8B's 32.
    const layers = hw?.model.num_layers ?? DEFAULT_LAYERS;
    const moeLayers = hw ? parameterBreakdown(hw.model).moeLayers : 0;
    let stepTime = withEngine(gpuWork, engine, {
      tp,
      layers,
      parallel,
      moeLayers,
    });
    // The draft's k proposal steps join every iteration (speculative_pool.ts).
    const speculative = settings.speculative && hw
      ? speculativePool(settings, {
        parallel,
        target: stepTime,
        seed: scenario.random_seed,
      })
      : undefined;
    if (speculative) stepTime = speculative.stepTime;
    const kvCapacityTokens = settings.kv_cache.capacity_tokens ??
      poolKvCapacity(settings, parallel)?.tokens ?? DEFAULT_KV_CAPACITY_TOKENS;
    return {
      name,
      gpus,
      tp,
      parallel,
      instances: gpus / gpusPerInstance(parallel),
      stepTime,
      kvCapacityTokens,
      settings,
      ...(speculative && { speculative }),
    };
  };
  const pools = scenario.mode === "mono"
    ? [pool(
      "gpu",
      scenario.cluster_mono.num_gpus,
      poolSplit(scenario, "gpu"),
      scenario.cluster_mono,
    )]
    : [
      pool(
        "prefill",
        scenario.cluster_disagg.prefill_gpus,
        poolSplit(scenario, "prefill"),
        scenario.cluster_disagg,
      ),
      pool(
        "decode",
        scenario.cluster_disagg.decode_gpus,
        poolSplit(scenario, "decode"),
        scenario.cluster_disagg,
      ),
    ];
  // KV moves from the prefill pool's layout; sized by its model.
  const first = pools[0].settings.hardware;
  const kvTransferBytesPerToken = scenario.kv_transfer.bytes_per_token ??
    (first
      ? kvBytesPerToken(resolveHardware(first).model, first.kv_dtype)
      : DEFAULT_KV_BYTES_PER_TOKEN);
  return {
    pools,
    kvTransferBytesPerToken,
    tables,
    requestS: pools[0].settings.engine.request_s,
    finishS: pools[pools.length - 1].settings.engine.finish_s,
  };
}
