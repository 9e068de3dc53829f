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
import type { PoolPlan } from "../analysis/pools.ts";
import { decodeShape } from "../serving/step_time.ts";

/** A pool of batched instances and the plan it was built from. */
export interface BatchedPool {
  /** The pool's plan (name, TP, step-time model, KV capacity). */
  plan: PoolPlan;
  /** The pool's instances. */
  instances: readonly Instance[];
}

/**
 * Seconds of instance time one token needs in the most efficient batch the
 * instance can form: a full token budget of prefill, or a decode batch as
 * large as max_num_seqs and the KV cache allow.
 *
 * @param pool The pool.
 * @param scenario The scenario (batching limits).
 * @param meanTokens Mean prompt and output lengths.
 * @returns Prefill and decode seconds per token.
 */
function secondsPerToken(
  pool: PoolPlan,
  meanTokens: { prompt: number; output: number },
): { prefill: number; decode: number } {
  const scheduler = pool.settings.scheduler;
  const budget = scheduler.max_num_batched_tokens;
  const prompt = meanTokens.prompt;
  const prefillS = pool.stepTime.iterationTimeS({
    prefillTokens: budget,
    prefillSequences: Math.max(1, Math.ceil(budget / prompt)),
    prefillAttendedTokens: budget * (Math.min(prompt, budget) + 1) / 2,
    prefillPastTokens: 0,
    decodeTokens: 0,
    decodeContextTokens: 0,
  });
  // A decoding request holds its prompt plus half its output on average.
  const context = prompt + meanTokens.output / 2;
  const batch = Math.max(
    1,
    Math.min(
      scheduler.max_num_seqs,
      Math.floor(pool.kvCapacityTokens / context),
    ),
  );
  const decodeS = pool.stepTime.iterationTimeS(decodeShape(batch, context));
  return { prefill: prefillS / budget, decode: decodeS / batch };
}

/**
 * Replaces the exclusive-service utilisation and offered load of a summary
 * with the batched ones and adds the batching metrics.
 *
 * - `utilization_gpu` (mono) or `utilization_prefill` and
 *   `utilization_decode` (disagg): iteration time inside the window over
 *   instances x window; `utilization_per_instance` gives each.
 * - `offered_load.prefill` = lambda E[P] x s_p / instances, where s_p is the
 *   instance time per prompt token in a full-budget prefill iteration;
 *   `offered_load.decode` = lambda E[O] x s_d / instances, where s_d is the
 *   time per token of a decode step at the largest batch that max_num_seqs
 *   and the KV cache allow (each request holding E[P] + E[O]/2 tokens).
 *   Both come from the pool's step-time model. Their sum is a lower bound
 *   on the load: at 1 or more the run is `overloaded` (see
 *   `judgeSaturation`, which the caller applies). In disagg each pool's
 *   share must be below 1.
 * - `num_instances`, `tp`, `kv_capacity_tokens` (mono) or `prefill_` /
 *   `decode_` ones (disagg), and `kv_transfer_bytes_per_token`.
 * - `mean_batch_size`, `peak_batch_size`: requests per iteration.
 * - `mean_kv_occupancy`, `peak_kv_occupancy`: KV blocks in use over capacity,
 *   per iteration.
 * - `preemptions`: requests whose KV was freed and recomputed.
 *
 * @param summary The records-based summary (modified in place).
 * @param scenario The scenario.
 * @param pools The run's instance pools.
 * @param meanTokens Mean prompt and output lengths of the generated requests.
 * @param ratePerS Mean arrival rate of the workload.
 * @param window The measured window [start, end).
 *
 * @example Usage
 * ```ts ignore
 * addBatchedMetrics(summary, scenario, pools, { prompt: 1000, output: 200 }, 4);
 * ```
 */
export function addBatchedMetrics(
  summary: Summary,
  scenario: Scenario,
  pools: readonly BatchedPool[],
  meanTokens: { prompt: number; output: number },
  ratePerS: number,
  window: readonly [number, number] = [
    scenario.warmup_seconds,
    scenario.sim_seconds,
  ],
): void {
  const windowS = window[1] - window[0];
  const perInstance: Record<string, number> = {};
  let iterations = 0, batchSum = 0, peakBatch = 0;
  let kvSum = 0, peakKv = 0, preemptions = 0;
  const rate = ratePerS;
  const offered: Record<string, number> = {};
  summary.step_time = scenario.step_time.kind;
  summary.engine = pools[0].plan.settings.engine.preset;
  for (const { plan, instances } of pools) {
    let busy = 0;
    instances.forEach((inst, k) => {
      const st = inst.stats;
      const key = plan.name === "gpu" ? `instance_${k}` : `${plan.name}_${k}`;
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
    summary[`utilization_${plan.name}`] = busy / (instances.length * windowS);
    const perToken = secondsPerToken(plan, meanTokens);
    if (plan.name !== "decode") {
      offered.prefill = rate * meanTokens.prompt * perToken.prefill /
        plan.instances;
    }
    if (plan.name !== "prefill") {
      offered.decode = rate * meanTokens.output * perToken.decode /
        plan.instances;
    }
    const prefix = plan.name === "gpu" ? "" : `${plan.name}_`;
    summary[`${prefix}${prefix ? "instances" : "num_instances"}`] =
      plan.instances;
    summary[`${prefix}tp`] = plan.tp;
    summary[`kv_capacity_tokens${prefix ? `_${plan.name}` : ""}`] =
      plan.kvCapacityTokens;
    if (prefix) {
      summary[`${prefix}step_time`] = plan.settings.step_time.kind;
      summary[`${prefix}engine`] = plan.settings.engine.preset;
    }
    // The limits the pool ran with (the scenario's, or its engine's).
    const sch = plan.settings.scheduler;
    summary[`${prefix}scheduler_policy`] = sch.policy;
    summary[`${prefix}max_num_seqs`] = sch.max_num_seqs;
    summary[`${prefix}max_num_batched_tokens`] = sch.max_num_batched_tokens;
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
