/**
 * The validated scenario, as the simulator reads it. Keys mirror the YAML
 * file one to one, so a key path in an error message is also a path here.
 *
 * @module
 */

import type { StepTable } from "../perf/table.ts";
import type { GpuSpec, ModelSpec } from "../perf/catalog.ts";
import type { EngineParams } from "../perf/engine.ts";
import type { TraceOptions } from "../workload/trace.ts";

/** How a token-length distribution is given. */
export type TokenMode =
  | "log"
  | "real_mean_std"
  | "p50_p90"
  | "constant"
  | "exponential"
  | "uniform"
  | "empirical";

/** A token-length distribution; which keys are set depends on `mode`. */
export interface TokenDistribution {
  /** How the distribution is given. */
  mode: TokenMode;
  /** `log`: mu in log space; `real_mean_std` and `exponential`: the mean. */
  mean?: number;
  /** `log`: sigma in log space. */
  sigma?: number;
  /** `real_mean_std`: standard deviation. */
  std?: number;
  /** `p50_p90`: median. */
  p50?: number;
  /** `p50_p90`: 90th percentile. */
  p90?: number;
  /** `constant`: the length. */
  value?: number;
  /** `uniform`: smallest length. */
  low?: number;
  /** `uniform`: largest length. */
  high?: number;
  /** `empirical`: observed lengths (the loader fills them from `trace_file`). */
  values?: number[];
  /** `empirical`: a trace to draw lengths from. */
  trace_file?: string;
  /** `empirical`: the trace's format. */
  trace_format?: "azure" | "mooncake" | "burstgpt";
  /** Smallest length a sample takes. */
  min_value: number;
  /** Largest length a sample takes (a max-tokens cap). */
  max_tokens?: number;
}

/** An arrival process (keys by process, as in the YAML). */
export interface ArrivalConfig {
  /** Which process. */
  process:
    | "poisson"
    | "gamma"
    | "deterministic"
    | "schedule"
    | "diurnal"
    | "on_off";
  /** Mean rate (on_off: while on), requests per second. */
  rate_per_s?: number;
  /** `gamma`: coefficient of variation of the gaps. */
  cv?: number;
  /** `schedule`: steps, repeated. */
  schedule?: { duration_s: number; rate_per_s: number }[];
  /** `diurnal`: relative swing. */
  amplitude?: number;
  /** `diurnal`: period, seconds. */
  period_s?: number;
  /** `diurnal`: time of the peak, seconds. */
  peak_s?: number;
  /** `on_off`: mean on period, seconds. */
  mean_on_s?: number;
  /** `on_off`: mean off period, seconds. */
  mean_off_s?: number;
}

/** Latency targets. */
export interface Slo {
  /** TTFT limit, seconds. */
  ttft_s: number;
  /** TPOT limit, seconds. */
  tpot_s: number;
}

/** One request class of a mixed workload. */
export interface RequestClass {
  /** Name in reports. */
  name: string;
  /** Share of the top-level arrival process. */
  weight?: number;
  /** Its own arrival process. */
  arrival?: ArrivalConfig;
  /** Its prompt lengths (default: the top level's). */
  prompt_tokens?: TokenDistribution;
  /** Its output lengths (default: the top level's). */
  output_tokens?: TokenDistribution;
  /** Its latency targets (default: the top level's). */
  slo?: Slo;
  /** Leading prompt tokens every request of the class shares. */
  shared_prefix_tokens: number;
}

/** A trace to replay (keys as in the YAML `trace` section). */
export type TraceConfig = TraceOptions & {
  /** Bad rows: error or skip. */
  on_bad_row: "error" | "skip";
};

/** Serving architecture. */
export type ServingMode = "mono" | "disagg";

/** A colocated cluster of GPUs that each serve whole requests. */
export interface MonoCluster {
  /** Number of GPUs. */
  num_gpus: number;
  /** Batched: GPUs per instance (tensor parallelism). */
  tp: number;
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

/** A batch composition policy. */
export type BatchPolicyName = "prefill_first" | "decode_first" | "chunked";

/** Batch scheduling of batched instances, as the scenario gives it. */
export interface SchedulerConfig {
  /** Batch composition policy (absent: the engine's). */
  policy?: BatchPolicyName;
  /** Most requests per batch (absent: the engine's). */
  max_num_seqs?: number;
  /** Most tokens per batch (absent: the engine's). */
  max_num_batched_tokens?: number;
  /** Another name for `engine.iteration_s`. */
  iteration_overhead_s?: number;
  /** Another name for `engine.request_s`. */
  request_overhead_s?: number;
  /** Longest request (prompt + output); absent: the model's context, else none. */
  max_model_len?: number;
  /** What happens to a request longer than max_model_len. */
  on_overlong: "reject" | "error";
  /** Router across instances. */
  router:
    | "round_robin"
    | "least_outstanding"
    | "least_kv"
    | "power_of_two"
    | "prefix_aware";
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
    Pick<SchedulerConfig, "policy" | "max_num_seqs" | "max_num_batched_tokens">
  >;
  /** Step-time model. */
  step_time?: Partial<StepTimeConfig>;
  /** Engine. */
  engine?: Partial<EngineConfig>;
  /** KV capacity. */
  kv_cache?: { capacity_tokens?: number };
}

/** Storage data types. */
export type DTypeName = "fp32" | "bf16" | "fp16" | "fp8" | "int8" | "fp4";

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

/** The hardware and model that batched instances run. */
export interface HardwareConfig {
  /** A catalog GPU name or an inline GPU. */
  gpu: string | InlineGpu;
  /** A catalog model name or an inline model. */
  model: string | InlineModel;
  /** Weight data type. */
  weight_dtype: DTypeName;
  /** KV-cache data type. */
  kv_dtype: DTypeName;
  /** Share of GPU memory the engine uses. */
  gpu_memory_utilization: number;
  /** Bytes per GPU kept from the KV cache. */
  reserved_bytes: number;
}

/** How batched iterations are timed. */
export interface StepTimeConfig {
  /** `rate`, `roofline` or `table`. */
  kind: "rate" | "roofline" | "table";
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
  /** `roofline`: fixed latency of one all-reduce, seconds. */
  all_reduce_latency_s: number;
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
  trace?: TraceConfig;
  /** How the summary is computed. */
  metrics: { percentiles: "exact" | "sketch" };
  /** GPU and model of batched instances; absent for rate-only scenarios. */
  hardware?: HardwareConfig;
  /** How batched iterations are timed. */
  step_time: StepTimeConfig;
  /** KV cache per instance for `batching: continuous`. */
  kv_cache: {
    /** Capacity in tokens; absent: from `hardware`, else 131072. */
    capacity_tokens?: number;
    /** Tokens per block. */
    block_size: number;
    /** Keep prompt prefixes in an LRU cache inside the capacity. */
    prefix_caching: boolean;
  };
  /** Arrival process. */
  arrival: ArrivalConfig;
  /** Prompt lengths. */
  prompt_tokens: TokenDistribution;
  /** Output lengths. */
  output_tokens: TokenDistribution;
  /** Colocated cluster. */
  cluster_mono: MonoCluster;
  /** Disaggregated cluster. */
  cluster_disagg: DisaggCluster;
}
