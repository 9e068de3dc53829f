/**
 * Summary keys by name, typed: the numeric keys of a {@linkcode Summary}
 * as a union and as a list, and an accessor for code that picks a metric by
 * name (a sweep's chart, a capacity criterion, a comparison).
 *
 * @module
 */

import type { Summary, SummaryValue } from "./summary_types.ts";

/** The name of a numeric summary key (`mean_ttft_s`, `slo_attainment`, ...). */
export type MetricName = {
  [K in keyof Summary]-?: NonNullable<Summary[K]> extends number ? K : never;
}[keyof Summary];

/** Every {@linkcode MetricName}, in output order. */
export const METRIC_NAMES: readonly MetricName[] = Object.freeze(
  [
    "num_samples",
    "mean_ttft_s",
    "p50_ttft_s",
    "p90_ttft_s",
    "p95_ttft_s",
    "p99_ttft_s",
    "elapsed_s",
    "throughput_rps",
    "arrival_rate_per_s",
    "mean_tpot_s",
    "p50_tpot_s",
    "p90_tpot_s",
    "p95_tpot_s",
    "p99_tpot_s",
    "mean_e2e_s",
    "p50_e2e_s",
    "p90_e2e_s",
    "p95_e2e_s",
    "p99_e2e_s",
    "mean_queue_wait_s",
    "p50_queue_wait_s",
    "p90_queue_wait_s",
    "p95_queue_wait_s",
    "p99_queue_wait_s",
    "mean_prefill_compute_s",
    "p50_prefill_compute_s",
    "p90_prefill_compute_s",
    "p95_prefill_compute_s",
    "p99_prefill_compute_s",
    "output_tokens_per_s",
    "input_tokens_per_s",
    "total_tokens_per_s",
    "throughput_rps_per_gpu",
    "output_tokens_per_s_per_gpu",
    "input_tokens_per_s_per_gpu",
    "total_tokens_per_s_per_gpu",
    "num_requests",
    "num_tpot_samples",
    "measured_window_s",
    "random_seed",
    "utilization_gpu",
    "num_gpus",
    "utilization_prefill",
    "utilization_decode",
    "prefill_gpus",
    "decode_gpus",
    "mean_prefill_wait_s",
    "p50_prefill_wait_s",
    "p90_prefill_wait_s",
    "p95_prefill_wait_s",
    "p99_prefill_wait_s",
    "mean_decode_wait_s",
    "p50_decode_wait_s",
    "p90_decode_wait_s",
    "p95_decode_wait_s",
    "p99_decode_wait_s",
    "mean_kv_transfer_s",
    "p50_kv_transfer_s",
    "p90_kv_transfer_s",
    "p95_kv_transfer_s",
    "p99_kv_transfer_s",
    "mean_first_decode_s",
    "p50_first_decode_s",
    "p90_first_decode_s",
    "p95_first_decode_s",
    "p99_first_decode_s",
    "slo_ttft_s",
    "slo_tpot_s",
    "slo_attainment",
    "goodput_rps",
    "goodput_rps_per_gpu",
    "trace_rows",
    "trace_skipped_rows",
    "trace_failed_rows",
    "trace_replayed_span_s",
    "trace_cut_at_s",
    "max_model_len",
    "rejected_requests",
    "rejected_overlong",
    "rejected_queue_full",
    "rejected_rate_limited",
    "abandoned_requests",
    "num_instances",
    "tp",
    "pp",
    "ep",
    "dp_attention",
    "kv_capacity_tokens",
    "max_num_seqs",
    "max_num_batched_tokens",
    "mean_batch_size",
    "peak_batch_size",
    "mean_kv_occupancy",
    "peak_kv_occupancy",
    "preemptions",
    "iterations",
    "mean_itl_s",
    "p50_itl_s",
    "p90_itl_s",
    "p99_itl_s",
    "num_itl_samples",
    "prefix_cache_hit_rate",
    "prefix_cache_hit_tokens",
    "prefix_cache_evictions",
    "speculative_tokens_per_step",
    "speculative_expected_tokens_per_step",
    "prefill_instances",
    "prefill_tp",
    "prefill_pp",
    "prefill_ep",
    "prefill_dp_attention",
    "kv_capacity_tokens_prefill",
    "prefill_max_num_seqs",
    "prefill_max_num_batched_tokens",
    "decode_instances",
    "decode_tp",
    "decode_pp",
    "decode_ep",
    "decode_dp_attention",
    "kv_capacity_tokens_decode",
    "decode_max_num_seqs",
    "decode_max_num_batched_tokens",
    "kv_transfer_bytes_per_token",
    "replications",
  ] as const satisfies readonly MetricName[],
);

// The list names every numeric key: the compiler says which one it lacks.
type Unlisted = Exclude<MetricName, typeof METRIC_NAMES[number]>;
const _everyMetricListed: [Unlisted] extends [never] ? true : Unlisted = true;

const NAMES: ReadonlySet<string> = new Set(METRIC_NAMES);

/**
 * Whether a name (a command-line argument, say) is a numeric summary key.
 *
 * @param name The name.
 * @returns True when it is a {@linkcode MetricName}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isMetricName } from "./metric_names.ts";
 * assert.equal(isMetricName("p90_ttft_s"), true);
 * assert.equal(isMetricName("mode"), false);
 * ```
 */
export function isMetricName(name: string): name is MetricName {
  return NAMES.has(name);
}

/**
 * A numeric key of a summary by name.
 *
 * @param summary A summary (or part of one).
 * @param name The key.
 * @returns Its value (NaN where the summary has null), or undefined when
 * the summary lacks the key.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { metricValue } from "./metric_names.ts";
 * assert.equal(metricValue({ p90_ttft_s: 0.25 }, "p90_ttft_s"), 0.25);
 * assert.equal(metricValue({ trace_cut_at_s: null }, "trace_cut_at_s"), NaN);
 * assert.equal(metricValue({}, "slo_attainment"), undefined);
 * ```
 */
export function metricValue(
  summary: Partial<Summary>,
  name: MetricName,
): number | undefined {
  const v = summary[name];
  return v === null ? NaN : v;
}

/**
 * A summary as a record of its keys, for code that walks every key (a
 * flattened table, a comparison, averages over replications).
 *
 * @param summary A summary.
 * @returns The same object, seen as a record.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { summaryRecord } from "./metric_names.ts";
 * assert.deepEqual(Object.keys(summaryRecord({ mode: "mono", num_samples: 3 })), ["mode", "num_samples"]);
 * ```
 */
export function summaryRecord(
  summary: Partial<Summary>,
): Readonly<Record<string, SummaryValue>> {
  // Every value of a Summary is a SummaryValue; an interface has no index
  // signature, so the compiler needs telling once, here.
  return summary as Readonly<Record<string, SummaryValue>>;
}
