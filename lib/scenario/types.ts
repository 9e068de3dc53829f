/**
 * The validated scenario, as the simulator reads it. Keys mirror the YAML
 * file one to one, so a key path in an error message is also a path here.
 *
 * @module
 */

/** How a token-length distribution is given. */
export type TokenMode =
  | "log"
  | "real_mean_std"
  | "p50_p90"
  | "constant"
  | "exponential";

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
  /** Smallest length a sample takes. */
  min_value: number;
}

/** Serving architecture. */
export type ServingMode = "mono" | "disagg";

/** A colocated cluster of GPUs that each serve whole requests. */
export interface MonoCluster {
  /** Number of GPUs. */
  num_gpus: number;
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
  /** Prompt tokens per second of one prefill GPU. */
  prefill_tokens_per_s: number;
  /** Output tokens per second of one decode GPU. */
  decode_tokens_per_s: number;
  /** Batched: whether TTFT ends at the decode or the prefill instance. */
  ttft_at: "decode" | "prefill";
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
  scheduler: {
    /** Batch composition policy. */
    policy: "prefill_first" | "decode_first" | "chunked";
    /** Most requests per batch. */
    max_num_seqs: number;
    /** Most tokens per batch. */
    max_num_batched_tokens: number;
    /** Fixed cost per iteration, seconds. */
    iteration_overhead_s: number;
    /** Router across instances. */
    router: "round_robin" | "least_outstanding" | "least_kv" | "power_of_two";
  };
  /** Batched disagg: the KV-transfer link of each prefill instance. */
  kv_transfer: {
    /** KV bytes per prompt token. */
    bytes_per_token: number;
    /** Bytes per second. */
    bandwidth_bytes_per_s: number;
    /** Seconds per transfer. */
    latency_s: number;
  };
  /** Latency targets; absent means no SLO metrics. */
  slo?: {
    /** TTFT limit, seconds. */
    ttft_s: number;
    /** TPOT limit, seconds. */
    tpot_s: number;
  };
  /** KV cache per instance for `batching: continuous`. */
  kv_cache: {
    /** Capacity in tokens. */
    capacity_tokens: number;
    /** Tokens per block. */
    block_size: number;
  };
  /** Arrival process. */
  arrival: { rate_per_s: number };
  /** Prompt lengths. */
  prompt_tokens: TokenDistribution;
  /** Output lengths. */
  output_tokens: TokenDistribution;
  /** Colocated cluster. */
  cluster_mono: MonoCluster;
  /** Disaggregated cluster. */
  cluster_disagg: DisaggCluster;
}
