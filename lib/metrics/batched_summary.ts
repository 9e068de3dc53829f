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

/** A pool of batched instances: `gpu` (mono), `prefill` or `decode`. */
export interface BatchedPool {
  /** Pool name, used in the utilisation keys. */
  name: "gpu" | "prefill" | "decode";
  /** The pool's instances. */
  instances: readonly Instance[];
}

/**
 * Replaces the exclusive-service utilisation and offered load of a summary
 * with the batched ones and adds the batching metrics.
 *
 * - `utilization_gpu` (mono) or `utilization_prefill` and
 *   `utilization_decode` (disagg): iteration time inside the window over
 *   instances x window; `utilization_per_instance` gives each.
 * - `offered_load.prefill` = lambda E[P] / (prefill rate x instances): the
 *   share of time prefill work needs. `offered_load.decode` = lambda E[O] /
 *   (decode rate x max_num_seqs x instances): the share decode steps need
 *   when every batch is full. Their sum is a lower bound on the load, so
 *   `stable: false` means certainly overloaded; `stable: true` is necessary,
 *   not sufficient (partial batches and KV limits need more time). In
 *   disagg each pool's share must be below 1.
 * - `mean_batch_size`, `peak_batch_size`: requests per iteration.
 * - `mean_kv_occupancy`, `peak_kv_occupancy`: KV blocks in use over capacity,
 *   per iteration.
 * - `preemptions`: requests whose KV was freed and recomputed.
 *
 * @param summary The records-based summary (modified in place).
 * @param scenario The scenario.
 * @param pools The run's instance pools.
 * @param meanTokens Mean prompt and output lengths of the generated requests.
 *
 * @example Usage
 * ```ts ignore
 * addBatchedMetrics(summary, scenario, [{ name: "gpu", instances }], { prompt: 1000, output: 200 });
 * ```
 */
export function addBatchedMetrics(
  summary: Summary,
  scenario: Scenario,
  pools: readonly BatchedPool[],
  meanTokens: { prompt: number; output: number },
): void {
  const windowS = scenario.sim_seconds - scenario.warmup_seconds;
  const perInstance: Record<string, number> = {};
  let iterations = 0, batchSum = 0, peakBatch = 0;
  let kvSum = 0, peakKv = 0, preemptions = 0;
  for (const pool of pools) {
    let busy = 0;
    pool.instances.forEach((inst, k) => {
      const st = inst.stats;
      const key = pool.name === "gpu" ? `instance_${k}` : `${pool.name}_${k}`;
      perInstance[key] = st.busyInWindowS / windowS;
      busy += st.busyInWindowS;
      iterations += st.iterations;
      batchSum += st.batchSizeSum;
      peakBatch = Math.max(peakBatch, st.peakBatchSize);
      kvSum += st.kvBlocksSum / inst.config.kvCapacityBlocks;
      peakKv = Math.max(
        peakKv,
        st.peakKvBlocks / inst.config.kvCapacityBlocks,
      );
      preemptions += st.preemptions;
    });
    summary[`utilization_${pool.name}`] = busy /
      (pool.instances.length * windowS);
  }
  const rate = scenario.arrival.rate_per_s;
  const maxSeqs = scenario.scheduler.max_num_seqs;
  let offered: Record<string, number>;
  if (scenario.mode === "mono") {
    const c = scenario.cluster_mono;
    offered = {
      prefill: rate * meanTokens.prompt / (c.prefill_tokens_per_s * c.num_gpus),
      decode: rate * meanTokens.output /
        (c.decode_tokens_per_s * maxSeqs * c.num_gpus),
    };
    summary.stable = offered.prefill + offered.decode < 1;
  } else {
    const c = scenario.cluster_disagg;
    offered = {
      prefill: rate * meanTokens.prompt /
        (c.prefill_tokens_per_s * c.prefill_gpus),
      decode: rate * meanTokens.output /
        (c.decode_tokens_per_s * maxSeqs * c.decode_gpus),
    };
    summary.stable = offered.prefill < 1 && offered.decode < 1;
  }
  summary.utilization_per_instance = perInstance;
  summary.offered_load = offered;
  summary.mean_batch_size = batchSum / iterations;
  summary.peak_batch_size = peakBatch;
  summary.mean_kv_occupancy = kvSum / iterations;
  summary.peak_kv_occupancy = peakKv;
  summary.preemptions = preemptions;
  summary.iterations = iterations;
}
