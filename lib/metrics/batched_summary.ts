/**
 * Metrics that only batched instances have (batch sizes, KV occupancy,
 * preemptions), and their utilisation and offered load, which differ from
 * exclusive service: a batched GPU serves many requests at once.
 *
 * @module
 */

import type { Scenario } from "../scenario/types.ts";
import type { Instance } from "../serving/instance.ts";
import type { Summary } from "./summary.ts";

/**
 * Replaces the exclusive-service utilisation and offered load of a summary
 * with the batched ones and adds the batching metrics.
 *
 * - `utilization_gpu`: iteration time inside the window over instances x
 *   window; `utilization_per_instance` gives each.
 * - `offered_load.prefill` = lambda E[P] / (prefill rate x instances): the
 *   share of time prefill work needs. `offered_load.decode` = lambda E[O] /
 *   (decode rate x max_num_seqs x instances): the share decode steps need
 *   when every batch is full. Their sum is a lower bound on the load, so
 *   `stable: false` means certainly overloaded; `stable: true` is necessary,
 *   not sufficient (partial batches and KV limits need more time).
 * - `mean_batch_size`, `peak_batch_size`: requests per iteration.
 * - `mean_kv_occupancy`, `peak_kv_occupancy`: KV blocks in use over capacity,
 *   per iteration.
 * - `preemptions`: requests whose KV was freed and recomputed.
 *
 * @param summary The records-based summary (modified in place).
 * @param scenario The scenario.
 * @param instances The run's instances.
 * @param meanTokens Mean prompt and output lengths of the generated requests.
 *
 * @example Usage
 * ```ts ignore
 * addBatchedMetrics(summary, scenario, run.instances, { prompt: 1000, output: 200 });
 * ```
 */
export function addBatchedMetrics(
  summary: Summary,
  scenario: Scenario,
  instances: readonly Instance[],
  meanTokens: { prompt: number; output: number },
): void {
  const windowS = scenario.sim_seconds - scenario.warmup_seconds;
  const n = instances.length;
  const perInstance: Record<string, number> = {};
  let busy = 0, iterations = 0, batchSum = 0, peakBatch = 0;
  let kvSum = 0, peakKv = 0, preemptions = 0;
  instances.forEach((inst, k) => {
    const st = inst.stats;
    perInstance[`instance_${k}`] = st.busyInWindowS / windowS;
    busy += st.busyInWindowS;
    iterations += st.iterations;
    batchSum += st.batchSizeSum;
    peakBatch = Math.max(peakBatch, st.peakBatchSize);
    kvSum += st.kvBlocksSum / inst.config.kvCapacityBlocks;
    peakKv = Math.max(peakKv, st.peakKvBlocks / inst.config.kvCapacityBlocks);
    preemptions += st.preemptions;
  });
  const c = scenario.cluster_mono;
  const rate = scenario.arrival.rate_per_s;
  const offered = {
    prefill: rate * meanTokens.prompt / (c.prefill_tokens_per_s * n),
    decode: rate * meanTokens.output /
      (c.decode_tokens_per_s * scenario.scheduler.max_num_seqs * n),
  };
  summary.utilization_gpu = busy / (n * windowS);
  summary.utilization_per_instance = perInstance;
  summary.offered_load = offered;
  summary.stable = offered.prefill + offered.decode < 1;
  summary.mean_batch_size = batchSum / iterations;
  summary.peak_batch_size = peakBatch;
  summary.mean_kv_occupancy = kvSum / iterations;
  summary.peak_kv_occupancy = peakKv;
  summary.preemptions = preemptions;
  summary.iterations = iterations;
}
