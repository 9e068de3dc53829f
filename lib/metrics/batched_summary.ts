/**
 * Metrics that only batched instances have (batch sizes, KV occupancy,
 * preemptions), and their utilisation and offered load, which differ from
 * exclusive service: a batched GPU serves many requests at once.
 *
 * @module
 */

import type { InstanceStats } from "./instance_stats.ts";
import type { OfferedLoad } from "./saturation.ts";
import type { Summary } from "./summary_types.ts";
import { decodeShape, type StepTimeModel } from "../perf/step_time.ts";

/** The scheduler limits a pool ran with. */
export interface PoolSchedulerLimits {
  /** The batch policy's name. */
  policy: string;
  /** Most sequences in a batch. */
  maxNumSeqs: number;
  /** Most tokens in an iteration. */
  maxNumBatchedTokens: number;
}

/** A pool of batched instances after a run, as plain data. */
export interface BatchedPoolStats {
  /** `gpu` (mono), `prefill` or `decode`. */
  name: "gpu" | "prefill" | "decode";
  /** Instances in the pool. */
  instances: number;
  /** Tensor-parallel degree of each instance. */
  tp: number;
  /**
   * The instance's other degrees, when any is above 1 (pipeline stages,
   * expert-parallel GPUs, data-parallel attention ranks).
   */
  layout?: { pp: number; ep: number; dp_attention: number };
  /** KV-cache capacity of each instance, tokens. */
  kvCapacityTokens: number;
  /** KV-cache capacity of each instance, blocks. */
  kvCapacityBlocks: number;
  /** The pool's iteration-time model (for the offered load). */
  stepTime: StepTimeModel;
  /** The name of the pool's step-time model (`rate`, `roofline`, `table`, `custom`). */
  stepTimeKind: string;
  /** The pool's engine preset. */
  engine: string;
  /** The scheduler limits the pool ran with (the scenario's, or its engine's). */
  scheduler: PoolSchedulerLimits;
  /** Each instance's running totals, in instance order. */
  instanceStats: readonly InstanceStats[];
  /**
   * Speculative decoding: k and the expected tokens per step (a decode
   * step verifies k + 1 tokens per sequence and yields that many).
   */
  speculative?: { numTokens: number; tokensPerStep: number };
}

/** What a pool's offered load reads of it (see {@linkcode poolOfferedLoad}). */
export type OfferingPool =
  & Pick<
    BatchedPoolStats,
    "name" | "instances" | "kvCapacityTokens" | "stepTime" | "speculative"
  >
  & {
    /** Its batch limits. */
    scheduler: Pick<PoolSchedulerLimits, "maxNumSeqs" | "maxNumBatchedTokens">;
  };

/** What {@linkcode addBatchedMetrics} needs besides the pools. */
export interface BatchedRun {
  /** The scenario's step-time model name (the top-level `step_time`). */
  stepTimeKind: string;
  /** Mean prompt and output lengths of the generated requests. */
  meanTokens: { prompt: number; output: number };
  /** Mean arrival rate of the workload, requests per second. */
  ratePerS: number;
  /** The measured window [start, end), seconds. */
  window: readonly [number, number];
}

/**
 * Seconds of instance time one token needs in the most efficient batch the
 * instance can form: a full token budget of prefill, or a decode batch as
 * large as max_num_seqs and the KV cache allow.
 *
 * @param pool The pool.
 * @param meanTokens Mean prompt and output lengths.
 * @returns Prefill and decode seconds per token.
 */
function secondsPerToken(
  pool: OfferingPool,
  meanTokens: { prompt: number; output: number },
): { prefill: number; decode: number } {
  const budget = pool.scheduler.maxNumBatchedTokens;
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
      pool.scheduler.maxNumSeqs,
      Math.floor(pool.kvCapacityTokens / context),
    ),
  );
  const shape = decodeShape(batch, context);
  const spec = pool.speculative;
  // A speculative step verifies k + 1 tokens per sequence and yields the
  // expected tokens per step of each.
  if (spec) shape.decodeQueryTokens = batch * (spec.numTokens + 1);
  const decodeS = pool.stepTime.iterationTimeS(shape) /
    (spec ? spec.tokensPerStep : 1);
  return { prefill: prefillS / budget, decode: decodeS / batch };
}

/**
 * A batched pool's share of the offered load: lambda E[P] s_p / instances
 * for prefill (unless it is a decode pool) and lambda E[O] s_d / instances
 * for decode (unless it is a prefill pool), s_p and s_d the instance time
 * per token of the most efficient batch (see `addBatchedMetrics`).
 *
 * @param pool The pool: its role, instances, batch limits, KV capacity and step time.
 * @param meanTokens Mean prompt and output lengths.
 * @param rate Mean arrival rate, requests per second.
 * @returns Its `prefill` and/or `decode` share.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { poolOfferedLoad } from "./batched_summary.ts";
 * import { rateStepTime } from "../perf/step_time.ts";
 * const share = poolOfferedLoad({
 *   name: "decode", instances: 8, kvCapacityTokens: 16384,
 *   stepTime: rateStepTime({ prefillTokensPerS: 1000, decodeTokensPerS: 10 }),
 *   scheduler: { maxNumSeqs: 8, maxNumBatchedTokens: 2048 },
 * }, { prompt: 100, output: 50 }, 1);
 * assert.deepEqual(share, { decode: 50 * 0.1 / 8 / 8 });
 * ```
 */
export function poolOfferedLoad(
  pool: OfferingPool,
  meanTokens: { prompt: number; output: number },
  rate: number,
): OfferedLoad {
  const perToken = secondsPerToken(pool, meanTokens);
  const offered: OfferedLoad = {};
  if (pool.name !== "decode") {
    offered.prefill = rate * meanTokens.prompt * perToken.prefill /
      pool.instances;
  }
  if (pool.name !== "prefill") {
    offered.decode = rate * meanTokens.output * perToken.decode /
      pool.instances;
  }
  return offered;
}

// Each pool's keys of the summary.
const POOL_KEYS = {
  gpu: {
    utilization: "utilization_gpu",
    instances: "num_instances",
    tp: "tp",
    kvCapacity: "kv_capacity_tokens",
    policy: "scheduler_policy",
    maxNumSeqs: "max_num_seqs",
    maxNumBatchedTokens: "max_num_batched_tokens",
  },
  prefill: {
    utilization: "utilization_prefill",
    instances: "prefill_instances",
    tp: "prefill_tp",
    kvCapacity: "kv_capacity_tokens_prefill",
    policy: "prefill_scheduler_policy",
    maxNumSeqs: "prefill_max_num_seqs",
    maxNumBatchedTokens: "prefill_max_num_batched_tokens",
  },
  decode: {
    utilization: "utilization_decode",
    instances: "decode_instances",
    tp: "decode_tp",
    kvCapacity: "kv_capacity_tokens_decode",
    policy: "decode_scheduler_policy",
    maxNumSeqs: "decode_max_num_seqs",
    maxNumBatchedTokens: "decode_max_num_batched_tokens",
  },
} as const satisfies Record<
  BatchedPoolStats["name"],
  Record<string, keyof Summary>
>;

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
 *   `decode_` ones (disagg).
 * - `mean_batch_size`, `peak_batch_size`: requests per iteration.
 * - `mean_kv_occupancy`, `peak_kv_occupancy`: KV blocks in use over capacity,
 *   per iteration.
 * - `preemptions`: requests whose KV was freed and recomputed.
 * - `speculative_tokens_per_step` (measured) and
 *   `speculative_expected_tokens_per_step` (the rates' expectation): with
 *   speculative decoding, tokens per sequence per decode step.
 *
 * @param summary The records-based summary (modified in place).
 * @param pools The run's instance pools.
 * @param run The step-time name, mean lengths, rate and window.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { addBatchedMetrics } from "./batched_summary.ts";
 * import { emptyInstanceStats } from "./instance_stats.ts";
 * import { rateStepTime } from "../perf/step_time.ts";
 * import { summarize } from "./summary.ts";
 * import { RequestRecords } from "./records.ts";
 * const summary = summarize({
 *   mode: "mono", batching: "continuous", randomSeed: 1, window: [0, 10],
 *   arrivalRatePerS: 1, firstTokenAtDecode: false,
 *   pools: { gpu: { gpus: 1, prefillTokensPerS: 1000, decodeTokensPerS: 10 } },
 * }, new RequestRecords(), 10);
 * const stats = { ...emptyInstanceStats(), iterations: 100, batchSizeSum: 400, busyInWindowS: 5 };
 * addBatchedMetrics(summary, [{
 *   name: "gpu", instances: 1, tp: 1, kvCapacityTokens: 16384, kvCapacityBlocks: 1024,
 *   stepTime: rateStepTime({ prefillTokensPerS: 1000, decodeTokensPerS: 10 }),
 *   stepTimeKind: "rate", engine: "none",
 *   scheduler: { policy: "fcfs", maxNumSeqs: 8, maxNumBatchedTokens: 2048 },
 *   instanceStats: [stats],
 * }], { stepTimeKind: "rate", meanTokens: { prompt: 100, output: 50 }, ratePerS: 1, window: [0, 10] });
 * assert.equal(summary.mean_batch_size, 4);
 * assert.equal(summary.utilization_gpu, 0.5);
 * assert.deepEqual(summary.utilization_per_instance, { instance_0: 0.5 });
 * // 1 request/s x 50 tokens x (0.1 s per step / 8 sequences).
 * assert.equal(summary.offered_load.decode, 50 * 0.1 / 8);
 * ```
 */
export function addBatchedMetrics(
  summary: Summary,
  pools: readonly BatchedPoolStats[],
  run: BatchedRun,
): void {
  const { meanTokens, window } = run;
  const windowS = window[1] - window[0];
  const perInstance: Record<string, number> = {};
  let iterations = 0, batchSum = 0, peakBatch = 0;
  let kvSum = 0, peakKv = 0, preemptions = 0;
  const rate = run.ratePerS;
  const offered: OfferedLoad = {};
  summary.step_time = run.stepTimeKind;
  summary.engine = pools[0].engine;
  for (const pool of pools) {
    let busy = 0;
    const blocks = pool.kvCapacityBlocks;
    pool.instanceStats.forEach((st, k) => {
      const key = pool.name === "gpu" ? `instance_${k}` : `${pool.name}_${k}`;
      perInstance[key] = st.busyInWindowS / windowS;
      busy += st.busyInWindowS;
      iterations += st.iterations;
      batchSum += st.batchSizeSum;
      peakBatch = Math.max(peakBatch, st.peakBatchSize);
      kvSum += st.kvBlocksSum / blocks;
      peakKv = Math.max(peakKv, st.peakKvBlocks / blocks);
      preemptions += st.preemptions;
    });
    const keys = POOL_KEYS[pool.name];
    summary[keys.utilization] = busy /
      (pool.instanceStats.length * windowS);
    Object.assign(offered, poolOfferedLoad(pool, meanTokens, rate));
    summary[keys.instances] = pool.instances;
    summary[keys.tp] = pool.tp;
    if (pool.layout) {
      const prefix = pool.name === "gpu" ? "" : `${pool.name}_`;
      const s = summary as unknown as Record<string, number>;
      s[`${prefix}pp`] = pool.layout.pp;
      s[`${prefix}ep`] = pool.layout.ep;
      s[`${prefix}dp_attention`] = pool.layout.dp_attention;
    }
    summary[keys.kvCapacity] = pool.kvCapacityTokens;
    if (pool.name !== "gpu") {
      summary[`${pool.name}_step_time`] = pool.stepTimeKind;
      summary[`${pool.name}_engine`] = pool.engine;
    }
    // The limits the pool ran with (the scenario's, or its engine's).
    summary[keys.policy] = pool.scheduler.policy;
    summary[keys.maxNumSeqs] = pool.scheduler.maxNumSeqs;
    summary[keys.maxNumBatchedTokens] = pool.scheduler.maxNumBatchedTokens;
  }
  summary.utilization_per_instance = perInstance;
  summary.offered_load = offered;
  summary.mean_batch_size = batchSum / iterations;
  summary.peak_batch_size = peakBatch;
  summary.mean_kv_occupancy = kvSum / iterations;
  summary.peak_kv_occupancy = peakKv;
  summary.preemptions = preemptions;
  summary.iterations = iterations;
  const speculating = pools.filter((p) => p.speculative);
  if (speculating.length > 0) {
    let steps = 0, tokens = 0;
    for (const pool of speculating) {
      for (const st of pool.instanceStats) {
        steps += st.speculativeSteps;
        tokens += st.speculativeTokens;
      }
    }
    summary.speculative_tokens_per_step = steps > 0 ? tokens / steps : NaN;
    summary.speculative_expected_tokens_per_step =
      speculating[0].speculative!.tokensPerStep;
  }
}
