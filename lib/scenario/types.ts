/**
 * The validated scenario, as the simulator reads it: every type here is
 * inferred from the one definition in {@linkcode ./schema.ts}, so the keys
 * mirror the YAML file one to one and a key path in an error message is
 * also a path here. The only additions are what the loader fills in after
 * validation (a step-time table read from its file).
 *
 * @module
 */

import type { z } from "../schema/zod.ts";
import type { StepTable } from "../perf/table.ts";
import type { POOL_SCHEDULER_KEYS, SCENARIO_SCHEMA } from "./schema.ts";

export type {
  TokenDistribution,
  TokenMode,
} from "../workload/token_modes/mod.ts";
export type { ArrivalSpec as ArrivalConfig } from "../workload/arrivals/mod.ts";
export type { TraceOptions as TraceConfig } from "../workload/trace_formats/mod.ts";
export type { BatchPolicyName } from "../serving/batch_policies/mod.ts";

type Parsed = z.output<typeof SCENARIO_SCHEMA>;

/** How batched iterations are timed; `table` is filled by the loader. */
export type StepTimeConfig = Parsed["step_time"] & {
  /** `table`: the parsed table (the loader fills it from `table_file`). */
  table?: StepTable;
};

/** A complete, validated scenario. */
export type Scenario = Omit<Parsed, "step_time" | "cluster_disagg"> & {
  /** How batched iterations are timed. */
  step_time: StepTimeConfig;
  /** Disaggregated cluster. */
  cluster_disagg: DisaggCluster;
};

/** Latency targets. */
export type Slo = NonNullable<Parsed["slo"]>;

/** One request class of a mixed workload. */
export type RequestClass = NonNullable<Parsed["classes"]>[number];

/** Serving architecture. */
export type ServingMode = Parsed["mode"];

/** A colocated cluster of GPUs that each serve whole requests. */
export type MonoCluster = Parsed["cluster_mono"];

/** Batch scheduling of batched instances, as the scenario gives it. */
export type SchedulerConfig = Parsed["scheduler"];

/** The hardware and model that batched instances run. */
export type HardwareConfig = NonNullable<Parsed["hardware"]>;

/** A GPU defined inline in a scenario. */
export type InlineGpu = Exclude<HardwareConfig["gpu"], string>;

/** A model defined inline in a scenario. */
export type InlineModel = Exclude<HardwareConfig["model"], string>;

/** Storage data types. */
export type DTypeName = HardwareConfig["weight_dtype"];

/** The engine as a scenario gives it: a preset and any values it overrides. */
export type EngineConfig = Parsed["engine"];

/** The KV cache of each batched instance. */
export type KvCacheConfig = Parsed["kv_cache"];

/** What one disagg pool sets for itself; the rest comes from the top level. */
export interface PoolOverrides {
  /** GPU and model (keys given replace the top level's). */
  hardware?: Partial<HardwareConfig>;
  /** Scheduler limits. */
  scheduler?: Partial<
    Pick<SchedulerConfig, (typeof POOL_SCHEDULER_KEYS)[number]>
  >;
  /** Step-time model. */
  step_time?: Partial<StepTimeConfig>;
  /** Engine. */
  engine?: Partial<EngineConfig>;
  /** KV capacity. */
  kv_cache?: Partial<Pick<KvCacheConfig, "capacity_tokens">>;
}

/** A prefill pool followed by a decode pool. */
export type DisaggCluster =
  & Omit<Parsed["cluster_disagg"], "prefill" | "decode">
  & {
    /** The prefill pool's own settings. */
    prefill?: PoolOverrides;
    /** The decode pool's own settings. */
    decode?: PoolOverrides;
  };

/** Batch scheduling as a pool runs it: every limit known. */
export type ResolvedScheduler =
  & Omit<SchedulerConfig, "policy" | "max_num_seqs" | "max_num_batched_tokens">
  & {
    /** Batch composition policy. */
    policy: NonNullable<SchedulerConfig["policy"]>;
    /** Most requests per batch. */
    max_num_seqs: number;
    /** Most tokens per batch. */
    max_num_batched_tokens: number;
  };
