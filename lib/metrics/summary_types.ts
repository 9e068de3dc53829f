/**
 * The shape of a run's summary, key by key: the JSON output of `simulate`,
 * typed. Keys are snake_case because they are the JSON keys. The summary is
 * one flat object made of parts: the core every run has, and the parts that
 * only some runs have (a mode, batching, an SLO, classes, a trace, ...),
 * whose keys are optional.
 *
 * @module
 */

import type { LengthSummary } from "./length_stats.ts";
import type { SessionsSummary } from "./session_summary.ts";
import type { KvOffloadSummary } from "./kv_offload_summary.ts";
import type {
  OfferedLoad,
  SaturationEvidence,
  SaturationVerdict,
} from "./saturation.ts";

/**
 * Any value a summary holds: a number (NaN when undefined), a word, a flag,
 * null, or a group of them. For code that walks a summary key by key.
 */
export type SummaryValue =
  | number
  | string
  | boolean
  | null
  | { [key: string]: SummaryValue };

/** The log-normal parameters of a configured length distribution. */
export interface TokenLogParams {
  /** Mean of the log of the length. */
  mu: number;
  /** Standard deviation of the log of the length. */
  sigma: number;
  /** Smallest length drawn, tokens. */
  min_value: number;
}

/** Mean and standard deviation of a configured length distribution, tokens. */
export interface TokenMoments {
  /** Mean length, tokens. */
  mean: number;
  /** Standard deviation of the length, tokens. */
  std: number;
}

/** The latency statistics of a set of measured requests (a run, a class). */
export interface LatencySummary {
  /** Mean of the time to first token (first token − arrival), seconds. */
  mean_ttft_s: number;
  /** Median (p50) of the time to first token (first token − arrival), seconds. */
  p50_ttft_s: number;
  /** 90th percentile of the time to first token (first token − arrival), seconds. */
  p90_ttft_s: number;
  /** 95th percentile of the time to first token (first token − arrival), seconds. */
  p95_ttft_s: number;
  /** 99th percentile of the time to first token (first token − arrival), seconds. */
  p99_ttft_s: number;
  /** Mean of the time per output token after the first ((e2e − TTFT) / (output − 1), requests with more than one output token), seconds. */
  mean_tpot_s: number;
  /** Median (p50) of the time per output token after the first ((e2e − TTFT) / (output − 1), requests with more than one output token), seconds. */
  p50_tpot_s: number;
  /** 90th percentile of the time per output token after the first ((e2e − TTFT) / (output − 1), requests with more than one output token), seconds. */
  p90_tpot_s: number;
  /** 95th percentile of the time per output token after the first ((e2e − TTFT) / (output − 1), requests with more than one output token), seconds. */
  p95_tpot_s: number;
  /** 99th percentile of the time per output token after the first ((e2e − TTFT) / (output − 1), requests with more than one output token), seconds. */
  p99_tpot_s: number;
  /** Mean of the end-to-end latency (finish − arrival), seconds. */
  mean_e2e_s: number;
  /** Median (p50) of the end-to-end latency (finish − arrival), seconds. */
  p50_e2e_s: number;
  /** 90th percentile of the end-to-end latency (finish − arrival), seconds. */
  p90_e2e_s: number;
  /** 95th percentile of the end-to-end latency (finish − arrival), seconds. */
  p95_e2e_s: number;
  /** 99th percentile of the end-to-end latency (finish − arrival), seconds. */
  p99_e2e_s: number;
  /** Mean of the time waiting for a GPU (disagg: prefill wait + decode wait), seconds. */
  mean_queue_wait_s: number;
  /** Median (p50) of the time waiting for a GPU (disagg: prefill wait + decode wait), seconds. */
  p50_queue_wait_s: number;
  /** 90th percentile of the time waiting for a GPU (disagg: prefill wait + decode wait), seconds. */
  p90_queue_wait_s: number;
  /** 95th percentile of the time waiting for a GPU (disagg: prefill wait + decode wait), seconds. */
  p95_queue_wait_s: number;
  /** 99th percentile of the time waiting for a GPU (disagg: prefill wait + decode wait), seconds. */
  p99_queue_wait_s: number;
}

/** The keys every summary has. */
export interface CoreSummary extends LatencySummary {
  /** The architecture: `mono` (colocated) or `disagg` (prefill and decode pools). */
  mode: "mono" | "disagg";
  /** Measured requests (arrived inside the measured window). */
  num_samples: number;
  /** When the last request finished, seconds of simulated time. */
  elapsed_s: number;
  /** Requests finished inside the measured window per second of it. */
  throughput_rps: number;
  /** Mean arrival rate of the workload, requests per second. */
  arrival_rate_per_s: number;
  /** Prompt lengths the measured requests had, tokens (null with none). */
  prompt_tokens_simulated: LengthSummary | null;
  /** Output lengths the measured requests had, tokens (null with none). */
  output_tokens_simulated: LengthSummary | null;
  /** Mean of the prefill compute time (prefill start to prefill end), seconds. */
  mean_prefill_compute_s: number;
  /** Median (p50) of the prefill compute time (prefill start to prefill end), seconds. */
  p50_prefill_compute_s: number;
  /** 90th percentile of the prefill compute time (prefill start to prefill end), seconds. */
  p90_prefill_compute_s: number;
  /** 95th percentile of the prefill compute time (prefill start to prefill end), seconds. */
  p95_prefill_compute_s: number;
  /** 99th percentile of the prefill compute time (prefill start to prefill end), seconds. */
  p99_prefill_compute_s: number;
  /** Output tokens of requests finished in the window per second of it. */
  output_tokens_per_s: number;
  /** Prompt tokens of requests finished in the window per second of it. */
  input_tokens_per_s: number;
  /** `input_tokens_per_s` + `output_tokens_per_s`. */
  total_tokens_per_s: number;
  /** `throughput_rps` per GPU of the cluster. */
  throughput_rps_per_gpu: number;
  /** `output_tokens_per_s` per GPU of the cluster. */
  output_tokens_per_s_per_gpu: number;
  /** `input_tokens_per_s` per GPU of the cluster. */
  input_tokens_per_s_per_gpu: number;
  /** `total_tokens_per_s` per GPU of the cluster. */
  total_tokens_per_s_per_gpu: number;
  /** Offered load of each pool (or share of one): a lower bound on its work per second of capacity. */
  offered_load: OfferedLoad;
  /** Whether `saturation` is `stable`. */
  stable: boolean;
  /** Whether the run reached a steady state (see `judgeSaturation`). */
  saturation: SaturationVerdict;
  /** The figures behind `saturation`. */
  saturation_evidence: SaturationEvidence;
  /** Requests summarised, warm-up included. */
  num_requests: number;
  /** Measured requests with more than one output token (the TPOT samples). */
  num_tpot_samples: number;
  /** Length of the measured window, seconds. */
  measured_window_s: number;
  /** The run's random seed. */
  random_seed: number;
  /** `none` (each GPU serves one request at a time) or `continuous`. */
  batching: "none" | "continuous";
}

/**
 * The configured length distributions, where they gave requests their
 * lengths (not in a trace replay or a request list).
 */
export interface ConfiguredLengthsSummary {
  /** Log-normal parameters of the configured prompt lengths (null when not log-normal). */
  prompt_tokens_log?: TokenLogParams | null;
  /** Mean and standard deviation of the configured prompt lengths, tokens. */
  prompt_tokens_real?: TokenMoments | null;
  /** Log-normal parameters of the configured output lengths (null when not log-normal). */
  output_tokens_log?: TokenLogParams | null;
  /** Mean and standard deviation of the configured output lengths, tokens. */
  output_tokens_real?: TokenMoments | null;
}

/** The keys of a colocated (`mono`) run. */
export interface MonoSummary {
  /** Busy GPU time inside the window over GPUs × window (batched: iteration time over instances × window). */
  utilization_gpu?: number;
  /** GPUs of the cluster. */
  num_gpus?: number;
}

/** The keys of a disaggregated (`disagg`) run. */
export interface DisaggSummary {
  /** Busy time of the prefill pool inside the window over its capacity × window. */
  utilization_prefill?: number;
  /** Busy time of the decode pool inside the window over its capacity × window. */
  utilization_decode?: number;
  /** GPUs of the prefill pool. */
  prefill_gpus?: number;
  /** GPUs of the decode pool. */
  decode_gpus?: number;
}

/**
 * The parts of TTFT that only some runs have: disagg waits, batched disagg
 * KV transfer, and the first decode step (exclusive service, or disagg
 * counting the first token at the decode side).
 */
export interface TtftPartsSummary {
  /** Mean of the prefill wait (arrival to prefill start), seconds. */
  mean_prefill_wait_s?: number;
  /** Median (p50) of the prefill wait (arrival to prefill start), seconds. */
  p50_prefill_wait_s?: number;
  /** 90th percentile of the prefill wait (arrival to prefill start), seconds. */
  p90_prefill_wait_s?: number;
  /** 95th percentile of the prefill wait (arrival to prefill start), seconds. */
  p95_prefill_wait_s?: number;
  /** 99th percentile of the prefill wait (arrival to prefill start), seconds. */
  p99_prefill_wait_s?: number;
  /** Mean of the decode wait (prefill end to the KV transfer's start, or to decode admission), seconds. */
  mean_decode_wait_s?: number;
  /** Median (p50) of the decode wait (prefill end to the KV transfer's start, or to decode admission), seconds. */
  p50_decode_wait_s?: number;
  /** 90th percentile of the decode wait (prefill end to the KV transfer's start, or to decode admission), seconds. */
  p90_decode_wait_s?: number;
  /** 95th percentile of the decode wait (prefill end to the KV transfer's start, or to decode admission), seconds. */
  p95_decode_wait_s?: number;
  /** 99th percentile of the decode wait (prefill end to the KV transfer's start, or to decode admission), seconds. */
  p99_decode_wait_s?: number;
  /** Mean of the KV transfer time (its start to decode admission, link queue included), seconds. */
  mean_kv_transfer_s?: number;
  /** Median (p50) of the KV transfer time (its start to decode admission, link queue included), seconds. */
  p50_kv_transfer_s?: number;
  /** 90th percentile of the KV transfer time (its start to decode admission, link queue included), seconds. */
  p90_kv_transfer_s?: number;
  /** 95th percentile of the KV transfer time (its start to decode admission, link queue included), seconds. */
  p95_kv_transfer_s?: number;
  /** 99th percentile of the KV transfer time (its start to decode admission, link queue included), seconds. */
  p99_kv_transfer_s?: number;
  /** Mean of the first decode step (decode start to first token), seconds. */
  mean_first_decode_s?: number;
  /** Median (p50) of the first decode step (decode start to first token), seconds. */
  p50_first_decode_s?: number;
  /** 90th percentile of the first decode step (decode start to first token), seconds. */
  p90_first_decode_s?: number;
  /** 95th percentile of the first decode step (decode start to first token), seconds. */
  p95_first_decode_s?: number;
  /** 99th percentile of the first decode step (decode start to first token), seconds. */
  p99_first_decode_s?: number;
}

/** The keys of a run with latency targets (an `slo`, or a class's). */
export interface SloSummary {
  /** The TTFT target, seconds. */
  slo_ttft_s?: number;
  /** The TPOT target, seconds. */
  slo_tpot_s?: number;
  /** Share of measured requests whose TTFT and TPOT both met their targets. */
  slo_attainment?: number;
  /** Measured requests meeting their targets per second of the window. */
  goodput_rps?: number;
  /** `goodput_rps` per GPU of the cluster. */
  goodput_rps_per_gpu?: number;
}

/** The summary of one request class. */
export interface ClassSummary extends LatencySummary, RefusalSummary {
  /** Measured requests of the class. */
  num_samples: number;
  /** Requests of the class finished inside the window per second of it. */
  throughput_rps: number;
  /** Output tokens of the class finished in the window per second of it. */
  output_tokens_per_s: number;
  /** Prompt tokens of the class finished in the window per second of it. */
  input_tokens_per_s: number;
  /** `input_tokens_per_s` + `output_tokens_per_s` of the class. */
  total_tokens_per_s: number;
  /** The class's TTFT target, seconds. */
  slo_ttft_s?: number;
  /** The class's TPOT target, seconds. */
  slo_tpot_s?: number;
  /** Share of the class's measured requests meeting both targets. */
  slo_attainment?: number;
  /** The class's requests meeting their targets per second of the window. */
  goodput_rps?: number;
  /** Measured requests of the class with more than one output token. */
  num_tpot_samples: number;
}

/** The keys of a run with two or more request classes. */
export interface PerClassSummary {
  /** Each class's summary, by class name. */
  per_class?: Record<string, ClassSummary>;
}

/** The keys of a trace replay. */
export interface TraceSummary {
  /** Trace rows replayed (requests). */
  trace_rows?: number;
  /** Rows skipped (headers, blank or comment lines). */
  trace_skipped_rows?: number;
  /** Rows that could not be read. */
  trace_failed_rows?: number;
  /** Time from the first replayed arrival to the last, seconds. */
  trace_replayed_span_s?: number;
  /** When `sim_seconds` cut the replay short: the first arrival left out, seconds (else null). */
  trace_cut_at_s?: number | null;
}

/**
 * Requests arriving in the measured window that were not served, by
 * reason (runs with admission control: overall and per class).
 */
export interface RefusalSummary {
  /** Refused at the door, every reason: overlong + queue full + rate limited. */
  rejected_requests?: number;
  /** Refused for exceeding max_model_len. */
  rejected_overlong?: number;
  /** Refused because the waiting room was full (HTTP 503). */
  rejected_queue_full?: number;
  /** Refused by the class's token bucket (HTTP 429). */
  rejected_rate_limited?: number;
  /** Left the waiting queue at their timeout, never served. */
  abandoned_requests?: number;
}

/** The keys of a run with a context-length limit or admission control. */
export interface AdmissionSummary extends RefusalSummary {
  /** The context limit requests were admitted within, tokens. */
  max_model_len?: number;
  /** Requests in the window refused for exceeding it (every reason, with admission control). */
  rejected_requests?: number;
}

/** The keys of a batched run (`batching: continuous`). */
export interface BatchedSummary {
  /** The scenario's step-time model (`rate`, `roofline`, `table`, or `custom` for a model given to `simulate`). */
  step_time?: string;
  /** The engine preset of the first pool. */
  engine?: string;
  /** Mono: instances in the pool. */
  num_instances?: number;
  /** Mono: tensor-parallel degree of each instance. */
  tp?: number;
  /** Mono, with a degree beyond TP above 1: pipeline stages per instance. */
  pp?: number;
  /** Mono, with a degree beyond TP above 1: expert-parallel GPUs per stage. */
  ep?: number;
  /** Mono, with a degree beyond TP above 1: data-parallel attention ranks. */
  dp_attention?: number;
  /** Mono: KV-cache capacity of each instance, tokens. */
  kv_capacity_tokens?: number;
  /** Mono: the batch policy. */
  scheduler_policy?: string;
  /** Mono: most sequences in a batch. */
  max_num_seqs?: number;
  /** Mono: most tokens in an iteration. */
  max_num_batched_tokens?: number;
  /** Iteration time inside the window over the window, by instance (`instance_K`, `prefill_K`, `decode_K`). */
  utilization_per_instance?: Record<string, number>;
  /** Mean requests per iteration. */
  mean_batch_size?: number;
  /** Most requests in one iteration. */
  peak_batch_size?: number;
  /** Mean over iterations of KV blocks in use over capacity. */
  mean_kv_occupancy?: number;
  /** Highest KV blocks in use over capacity. */
  peak_kv_occupancy?: number;
  /** Requests whose KV was freed and recomputed. */
  preemptions?: number;
  /** Iterations run, all instances. */
  iterations?: number;
  /** Mean of the inter-token latency (every gap between consecutive tokens of measured requests, from a sketch with 0.5% relative error), seconds. */
  mean_itl_s?: number;
  /** Median (p50) of the inter-token latency (every gap between consecutive tokens of measured requests, from a sketch with 0.5% relative error), seconds. */
  p50_itl_s?: number;
  /** 90th percentile of the inter-token latency (every gap between consecutive tokens of measured requests, from a sketch with 0.5% relative error), seconds. */
  p90_itl_s?: number;
  /** 99th percentile of the inter-token latency (every gap between consecutive tokens of measured requests, from a sketch with 0.5% relative error), seconds. */
  p99_itl_s?: number;
  /** Token gaps counted for the ITL. */
  num_itl_samples?: number;
  /** With prefix caching: share of prompt tokens found in the cache. */
  prefix_cache_hit_rate?: number;
  /** With prefix caching: prompt tokens found in the cache. */
  prefix_cache_hit_tokens?: number;
  /** With prefix caching: cache entries evicted. */
  prefix_cache_evictions?: number;
  /** With `kv_cache.offload`: hits per tier and bytes moved. */
  kv_offload?: KvOffloadSummary;
  /**
   * Speculative decoding: tokens per sequence per decode step, measured
   * over the whole run (1 + accepted proposals, the last step of a request
   * cut at what it had left).
   */
  speculative_tokens_per_step?: number;
  /** Speculative decoding: the acceptance rates' expectation, 1 + sum_i prod_{j<=i} a_j. */
  speculative_expected_tokens_per_step?: number;
  /** Multi-turn sessions: counts, durations and TTFT by turn. */
  sessions?: SessionsSummary;
}

/** The keys of a batched disaggregated run, per pool. */
export interface DisaggBatchedSummary {
  /** Instances in the prefill pool. */
  prefill_instances?: number;
  /** Tensor-parallel degree of each prefill instance. */
  prefill_tp?: number;
  /** With a degree beyond TP above 1: pipeline stages per prefill instance. */
  prefill_pp?: number;
  /** With a degree beyond TP above 1: expert-parallel GPUs per prefill stage. */
  prefill_ep?: number;
  /** With a degree beyond TP above 1: data-parallel attention ranks per prefill instance. */
  prefill_dp_attention?: number;
  /** KV-cache capacity of each prefill instance, tokens. */
  kv_capacity_tokens_prefill?: number;
  /** The prefill pool's step-time model. */
  prefill_step_time?: string;
  /** The prefill pool's engine preset. */
  prefill_engine?: string;
  /** The prefill pool's batch policy. */
  prefill_scheduler_policy?: string;
  /** Most sequences in a prefill batch. */
  prefill_max_num_seqs?: number;
  /** Most tokens in a prefill iteration. */
  prefill_max_num_batched_tokens?: number;
  /** Instances in the decode pool. */
  decode_instances?: number;
  /** Tensor-parallel degree of each decode instance. */
  decode_tp?: number;
  /** With a degree beyond TP above 1: pipeline stages per decode instance. */
  decode_pp?: number;
  /** With a degree beyond TP above 1: expert-parallel GPUs per decode stage. */
  decode_ep?: number;
  /** With a degree beyond TP above 1: data-parallel attention ranks per decode instance. */
  decode_dp_attention?: number;
  /** KV-cache capacity of each decode instance, tokens. */
  kv_capacity_tokens_decode?: number;
  /** The decode pool's step-time model. */
  decode_step_time?: string;
  /** The decode pool's engine preset. */
  decode_engine?: string;
  /** The decode pool's batch policy. */
  decode_scheduler_policy?: string;
  /** Most sequences in a decode batch. */
  decode_max_num_seqs?: number;
  /** Most tokens in a decode iteration. */
  decode_max_num_batched_tokens?: number;
  /** KV bytes sent from prefill to decode per prompt token. */
  kv_transfer_bytes_per_token?: number;
}

/** The keys a replicated study point adds (see `aggregateReplications`). */
export interface ReplicationSummary {
  /** The replications' seeds, as a range (`42..46`) or a list. */
  random_seeds?: string;
  /** Replications averaged. */
  replications?: number;
}

/**
 * The summary of one run, keyed as the JSON output: the core keys, and
 * the optional keys of the parts that apply. Key order follows the output.
 */
export interface Summary
  extends
    CoreSummary,
    ConfiguredLengthsSummary,
    MonoSummary,
    DisaggSummary,
    TtftPartsSummary,
    SloSummary,
    PerClassSummary,
    TraceSummary,
    AdmissionSummary,
    BatchedSummary,
    DisaggBatchedSummary,
    ReplicationSummary {}
