/**
 * The validated scenario, as the simulator reads it. Keys mirror the YAML
 * file one to one, so a key path in an error message is also a path here.
 *
 * The definition is the zod schema in {@linkcode ./schema.ts}: it validates,
 * fills the defaults and generates the JSON Schema. These are its output
 * types written out with a doc per key, for editors and `deno doc`; the
 * schema module checks at compile time that each is exactly what the schema
 * produces, so the two cannot drift apart.
 *
 * @module
 */

import type { StepTable } from "../perf/step_table.ts";
import type { DType, GpuSpec, ModelSpec } from "../perf/catalog.ts";
import type { EngineParams } from "../perf/engine.ts";
import type { ArrivalSpec } from "../workload/arrivals/mod.ts";
import type { TokenDistribution } from "../workload/token_modes/mod.ts";
import type { TraceOptions } from "../workload/trace_formats/mod.ts";
import type { DatasetSpec } from "../workload/datasets/spec.ts";
import type { Slo, WorkloadClass } from "../workload/workload.ts";
import type { SessionsConfig } from "../workload/sessions.ts";
import type { BatchPolicyName } from "../serving/batch_policies/mod.ts";
import type { RouterName } from "../serving/routers/mod.ts";
import type { QueueOrderName } from "../serving/queue_orders/mod.ts";

/** A step-time kind's name (lib/scenario/step_time_kinds/). */
export type StepTimeKindName = "rate" | "roofline" | "table";

// The workload's latency targets and sessions, one type for both layers.
export type { SessionsConfig, Slo };

/** One request class of a mixed workload (the keys the workload reads). */
export type RequestClass = WorkloadClass;

/** Serving architecture. */
export type ServingMode = "mono" | "disagg";

/** A colocated cluster of GPUs that each serve whole requests. */
export interface MonoCluster {
  /** Number of GPUs. */
  num_gpus: number;
  /** Batched: tensor-parallel degree (GPUs per instance: tp x pp x dp_attention). */
  tp: number;
  /** Batched: pipeline stages per instance. */
  pp: number;
  /** Batched: GPUs of a stage over which the routed experts are split. */
  ep: number;
  /** Batched: data-parallel attention ranks per instance. */
  dp_attention: number;
  /** Prompt tokens per second of one GPU. */
  prefill_tokens_per_s: number;
  /** Output tokens per second of one GPU. */
  decode_tokens_per_s: number;
}

/** A prefill pool followed by a decode pool. */
export interface DisaggCluster {
  /** GPUs in the prefill pool. */
  prefill_gpus: number;
  /** GPUs in the decode pool. */
  decode_gpus: number;
  /** Batched: GPUs per prefill instance. */
  prefill_tp: number;
  /** Batched: GPUs per decode instance. */
  decode_tp: number;
  /** Batched: pipeline stages per prefill instance. */
  prefill_pp: number;
  /** Batched: expert parallelism of a prefill instance. */
  prefill_ep: number;
  /** Batched: DP attention ranks per prefill instance. */
  prefill_dp_attention: number;
  /** Batched: pipeline stages per decode instance. */
  decode_pp: number;
  /** Batched: expert parallelism of a decode instance. */
  decode_ep: number;
  /** Batched: DP attention ranks per decode instance. */
  decode_dp_attention: number;
  /** Prompt tokens per second of one prefill GPU. */
  prefill_tokens_per_s: number;
  /** Output tokens per second of one decode GPU. */
  decode_tokens_per_s: number;
  /** Batched: whether TTFT ends at the decode or the prefill instance. */
  ttft_at: "decode" | "prefill";
  /** The prefill pool's own settings (each key defaults to the top level's). */
  prefill?: PoolOverrides;
  /** The decode pool's own settings (each key defaults to the top level's). */
  decode?: PoolOverrides;
}

/** Batch scheduling of batched instances, as the scenario gives it. */
export interface SchedulerConfig {
  /** Batch composition policy (absent: the engine's). */
  policy?: BatchPolicyName;
  /** Most requests per batch (absent: the engine's). */
  max_num_seqs?: number;
  /** Most tokens per batch (absent: the engine's). */
  max_num_batched_tokens?: number;
  /** Under pp > 1: micro-batches per iteration (absent: pp). */
  pp_microbatches?: number;
  /** Another name for `engine.iteration_s`. */
  iteration_overhead_s?: number;
  /** Another name for `engine.request_s`. */
  request_overhead_s?: number;
  /** Longest request (prompt + output); absent: the model's context, else none. */
  max_model_len?: number;
  /** What happens to a request longer than max_model_len. */
  on_overlong: "reject" | "error";
  /** Router across instances. */
  router: RouterName;
  /** Waiting-queue order (absent: `fcfs`). */
  scheduling_policy?: QueueOrderName;
  /** `sjf`: rank by prompt or predicted output length (absent: prompt). */
  sjf_key?: "prompt" | "predicted_output";
  /** `sjf` on predicted output: sigma of the predictor's log-normal error (absent: 0). */
  sjf_prediction_error?: number;
}

/** Admission control at the gateway. */
export interface AdmissionConfig {
  /** Most requests waiting over the pool before arrivals are refused. */
  max_waiting_requests?: number;
  /** Timeout of classes without their own, seconds. */
  timeout_s?: number;
}

/** Batch scheduling as a pool runs it: every limit known. */
export type ResolvedScheduler =
  & Omit<SchedulerConfig, "policy" | "max_num_seqs" | "max_num_batched_tokens">
  & {
    /** Batch composition policy. */
    policy: BatchPolicyName;
    /** Most requests per batch. */
    max_num_seqs: number;
    /** Most tokens per batch. */
    max_num_batched_tokens: number;
  };

/** The engine as a scenario gives it: a preset and any values it overrides. */
export type EngineConfig =
  & { preset?: string }
  & Partial<Omit<EngineParams, "compute_efficiency">>
  & { compute_efficiency?: Partial<Record<DTypeName, number>> };

/** What one disagg pool sets for itself; the rest comes from the top level. */
export interface PoolOverrides {
  /** GPU and model (a partial section: keys given replace the top level's). */
  hardware?: Partial<HardwareConfig>;
  /** Scheduler limits. */
  scheduler?: Partial<
    Pick<
      SchedulerConfig,
      "policy" | "max_num_seqs" | "max_num_batched_tokens" | "pp_microbatches"
    >
  >;
  /** Step-time model. */
  step_time?: Partial<StepTimeConfig>;
  /** Engine. */
  engine?: Partial<EngineConfig>;
  /** KV capacity. */
  kv_cache?: Pick<
    KvCacheConfig,
    "capacity_tokens" | "offload" | "offload_policy"
  >;
  /** Speculative decoding (decode pool only; keys given replace the top level's). */
  speculative?: Partial<SpeculativeSection>;
}

/** Speculative decoding as the scenario gives it (lib/perf/speculative.ts). */
export interface SpeculativeSection {
  /** Where the proposals come from. */
  method: "draft" | "eagle" | "mtp";
  /** Tokens proposed per step, k. */
  num_tokens: number;
  /** One conditional acceptance rate for every position, or one per position. */
  acceptance: number | number[];
  /** `draft`: the draft model, a catalog name or inline. */
  draft_model?: string | InlineModel;
  /** `eagle` / `mtp`: decoder layers of the head. */
  draft_layers?: number;
}

/** Storage data types. */
export type DTypeName = DType;

/** A GPU defined inline in a scenario: the catalog's fields. */
export type InlineGpu = GpuSpec;

/**
 * A model defined inline in a scenario: the catalog's fields, less the
 * reported size, context length and MLA projections, with defaults filled.
 */
export type InlineModel =
  & Omit<
    ModelSpec,
    | "params_reported"
    | "max_context"
    | "mla"
    | "tied_embeddings"
    | "num_experts"
  >
  & {
    /** Context length (absent: no limit). */
    max_context?: number;
    /** LM head tied to the embedding. */
    tied_embeddings: boolean;
    /** MoE: routed experts per layer (0: dense). */
    num_experts: number;
  };

/** A model read from a Hugging Face `config.json` (`hardware.model.hf_config`). */
export interface HfConfigModel {
  /** The file (relative to the scenario file until loaded, then resolved). */
  hf_config: string;
  /** A name for reports (default: from the config or its folder). */
  name?: string;
}

/** The hardware and model that batched instances run. */
export interface HardwareConfig {
  /** A catalog GPU name or an inline GPU. */
  gpu: string | InlineGpu;
  /** A catalog model name, an inline model, or a config.json to read. */
  model: string | InlineModel | HfConfigModel;
  /** Weight data type. */
  weight_dtype: DTypeName;
  /** KV-cache data type. */
  kv_dtype: DTypeName;
  /** Share of GPU memory the engine uses. */
  gpu_memory_utilization: number;
  /** Bytes per GPU kept from the KV cache. */
  reserved_bytes: number;
  /** GPUs per node (absent: the GPU's catalog figure, else 8). */
  gpus_per_node?: number;
  /** NIC bandwidth per GPU, one direction, bytes/s (absent: the catalog's, else 50e9). */
  scale_out_bytes_per_s?: number;
}

/** How batched iterations are timed. */
export interface StepTimeConfig {
  /** The step-time kind (lib/scenario/step_time_kinds/). */
  kind: StepTimeKindName;
  /** `table`: the CSV file, relative to the scenario file. */
  table_file?: string;
  /** `table`: the parsed table (the loader fills it from `table_file`). */
  table?: StepTable;
  /** `roofline`: share of peak FLOP/s achieved (absent: the engine's). */
  compute_efficiency?: number;
  /** `roofline`: share of memory bandwidth achieved (absent: the engine's). */
  memory_efficiency?: number;
  /** `roofline`: share of interconnect bandwidth achieved. */
  interconnect_efficiency: number;
  /** `roofline`: fixed latency of one collective, seconds. */
  all_reduce_latency_s: number;
  /** `roofline`, ep > 1: busiest expert GPU's load over the mean. */
  expert_imbalance: number;
}

/** The KV cache of each batched instance. */
export interface KvCacheConfig {
  /** Capacity in tokens; absent: from `hardware`, else 131072. */
  capacity_tokens?: number;
  /** Tokens per block. */
  block_size: number;
  /** Keep prompt prefixes in an LRU cache inside the capacity. */
  prefix_caching: boolean;
  /** Offload tiers below HBM, in order; absent: none. */
  offload?: KvOffloadTierConfig[];
  /** Fetch or recompute a prefix found in a lower tier (default `fastest`). */
  offload_policy?: "fastest" | "fetch" | "recompute";
}

/** One KV offload tier, as a scenario gives it. */
export interface KvOffloadTierConfig {
  /** Its kind. */
  tier: "dram" | "ssd" | "remote";
  /** Capacity per GPU of the instance, GiB (a shared store: the whole store's). */
  capacity_gib: number;
  /** Link bandwidth per GPU, bytes per second (absent: the kind's default). */
  bandwidth_bytes_per_s?: number;
  /** Fixed latency of each fetch, seconds (absent: 0). */
  latency_s?: number;
  /** `remote`, last: one store that every instance of the pool shares. */
  shared?: boolean;
}

/** A complete, validated scenario. */
export interface Scenario {
  /** Serving architecture. */
  mode: ServingMode;
  /** Arrival horizon in seconds. */
  sim_seconds: number;
  /** Start of the measured window in seconds. */
  warmup_seconds: number;
  /** Seed of every random stream. */
  random_seed: number;
  /** Stop after this many requests are sent (absent: at sim_seconds). */
  num_requests?: number;
  /** With num_requests: requests before this index are warm-up. */
  warmup_requests?: number;
  /** Most requests in flight from the client (absent: no limit). */
  max_concurrency?: number;
  /** Count the wait for a client slot in TTFT and E2E. */
  client_wait_in_ttft: boolean;
  /** Multi-turn sessions; absent: every request stands alone. */
  sessions?: SessionsConfig;
  /** Serving model; `none` is exclusive service (one request per GPU). */
  batching: "none" | "continuous";
  /** Batch scheduling for `batching: continuous`. */
  scheduler: SchedulerConfig;
  /** The serving engine's own time, as the user gave it (resolve with `resolveEngine`). */
  engine: EngineConfig;
  /** Batched disagg: the KV-transfer link of each prefill instance. */
  kv_transfer: {
    /** KV bytes per prompt token; absent: from `hardware`, else 131072. */
    bytes_per_token?: number;
    /** Bytes per second. */
    bandwidth_bytes_per_s: number;
    /** Seconds per transfer. */
    latency_s: number;
  };
  /** Latency targets; absent means no SLO metrics. */
  slo?: Slo;
  /** Request classes; absent: one class from the top-level keys. */
  classes?: RequestClass[];
  /** A trace to replay instead of generated requests. */
  trace?: TraceOptions;
  /** Prompt and output lengths from a benchmark dataset (sharegpt, random). */
  dataset?: DatasetSpec;
  /** Admission control (queue limit, timeouts); absent: none. */
  admission?: AdmissionConfig;
  /** How the summary is computed. */
  metrics: { percentiles: "auto" | "exact" | "sketch" };
  /** GPU and model of batched instances; absent for rate-only scenarios. */
  hardware?: HardwareConfig;
  /** How batched iterations are timed. */
  step_time: StepTimeConfig;
  /** KV cache per instance for `batching: continuous`. */
  kv_cache: KvCacheConfig;
  /** Speculative decoding (mono; disagg: the decode pool); absent: none. */
  speculative?: SpeculativeSection;

  /** Arrival process. */
  arrival: ArrivalSpec;
  /** Prompt lengths. */
  prompt_tokens: TokenDistribution;
  /** Output lengths. */
  output_tokens: TokenDistribution;
  /** Colocated cluster. */
  cluster_mono: MonoCluster;
  /** Disaggregated cluster. */
  cluster_disagg: DisaggCluster;
}

/** A pool's name: `gpu` (mono), `prefill` or `decode`. */
export type PoolName = "gpu" | "prefill" | "decode";

/** A resolved engine: the preset's values with the scenario's overrides. */
export interface ResolvedEngine extends EngineParams {
  /** The preset the values start from. */
  preset: string;
}

/** Everything one pool's instances run with. */
export interface PoolSettings {
  /** GPU and model (absent for rate-only scenarios). */
  hardware?: HardwareConfig;
  /** Batch scheduling, with the engine's limits where the scenario gives none. */
  scheduler: ResolvedScheduler;
  /** The context limit: `max_model_len`, else the model's context, else none. */
  maxModelLen?: number;
  /** Step-time model. */
  step_time: StepTimeConfig;
  /** The engine, resolved. */
  engine: ResolvedEngine;
  /** KV cache. */
  kv_cache: Scenario["kv_cache"];
  /** Speculative decoding (absent: none; never in a prefill pool). */
  speculative?: SpeculativeSection;
}
