/**
 * A run's offered load without running it. The summary's saturation
 * verdict is `overloaded` exactly when the offered load (the work the
 * arrivals bring per unit of the pool's best service rate) reaches 1, and
 * that load depends only on the generated requests and the pools' step-time
 * models, not on how the run unfolds. So a search can know that verdict by
 * generating the requests alone (about a tenth of a run's cost) and skip
 * the simulation: the same formulas as the summary, on the same requests,
 * give the same number to the last bit (tests/offered_load_test.ts checks
 * it against `simulate` on every example).
 *
 * @module
 */

import type { Scenario } from "../scenario/types.ts";
import type { OfferedLoad } from "../metrics/saturation.ts";
import { poolOfferedLoad } from "../metrics/batched_summary.ts";
import { exclusiveOfferedLoad } from "../metrics/summary.ts";
import { buildWorkload } from "../workload/workload.ts";
import type { LengthMemo } from "../workload/length_memo.ts";
import { planCluster } from "./pools.ts";
import { admittedSource } from "./simulate.ts";
import { summaryRun } from "./summary_run.ts";

/** A run's offered load, as its summary will report it. */
export interface PredictedLoad {
  /** Each pool's share (`offered_load` of the summary). */
  shares: OfferedLoad;
  /**
   * The load the verdict reads: the shares' sum for a colocated batched
   * pool (prefill and decode share its GPUs), else the largest share.
   */
  maxLoad: number;
  /** Mean arrival rate of the workload, requests per second. */
  ratePerS: number;
}

/**
 * The offered load a simulation of the scenario will report, from its
 * requests alone. At `maxLoad >= 1` the run's verdict is `overloaded`
 * (never `stable`), whatever the simulation would show.
 *
 * @param scenario A validated scenario.
 * @param memo A memo of the workload's length draws to read back.
 * @returns The shares, the load the verdict reads, and the rate.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { predictedLoad } from "./offered_load.ts";
 * import { simulate } from "./simulate.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const s = validateScenario({ mode: "mono", sim_seconds: 60, warmup_seconds: 6 });
 * assert.deepEqual(predictedLoad(s).shares, simulate(s).summary.offered_load);
 * ```
 */
export function predictedLoad(
  scenario: Scenario,
  memo?: LengthMemo,
): PredictedLoad {
  const lengths = requestLengths(scenario, memo);
  return loadOf(scenario, lengths.meanTokens, lengths.ratePerS);
}

/** The lengths of a scenario's requests, as the summary will average them. */
export interface RequestLengths {
  /** Requests admitted (recorded and observed by the summary). */
  requests: number;
  /** Admitted requests the summary measures (arriving after the warm-up). */
  measured: number;
  /** Mean prompt and output lengths over them. */
  meanTokens: { prompt: number; output: number };
  /** Coefficients of variation of the prompt and output lengths. */
  cv: { prompt: number; output: number };
  /** Mean arrival rate of the workload, requests per second. */
  ratePerS: number;
}

/**
 * Generates a scenario's requests (without serving them) and measures their
 * lengths as the summary will: every admitted request counts.
 *
 * @param scenario A validated scenario.
 * @param lengths A memo of the workload's length draws to read back.
 * @returns Count, mean lengths, their spread and the rate.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { requestLengths } from "./offered_load.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const r = requestLengths(validateScenario({ sim_seconds: 100, arrival: { rate_per_s: 2 } }));
 * assert.ok(Math.abs(r.requests - 200) < 5 * Math.sqrt(200));
 * assert.equal(r.ratePerS, 2);
 * ```
 */
export function requestLengths(
  scenario: Scenario,
  lengths?: LengthMemo,
): RequestLengths {
  const workload = buildWorkload(scenario, { lengths });
  const window = workload.window ??
    [scenario.warmup_seconds, scenario.sim_seconds];
  const { source } = admittedSource(scenario, workload.source, window);
  // Integer sums over the count: exact in any order, so these means are
  // the summary's to the last bit.
  let n = 0, promptSum = 0, outputSum = 0, promptSq = 0, outputSq = 0;
  let measured = 0;
  while (source.next()) {
    n++;
    if (source.arrivalS >= window[0]) measured++;
    const p = source.promptTokens, o = source.outputTokens;
    promptSum += p;
    outputSum += o;
    promptSq += p * p;
    outputSq += o * o;
  }
  const cv = (sum: number, sq: number) => {
    const mean = sum / n;
    return Math.sqrt(Math.max(0, sq / n - mean * mean)) / mean;
  };
  return {
    requests: n,
    measured,
    meanTokens: { prompt: promptSum / n, output: outputSum / n },
    cv: { prompt: cv(promptSum, promptSq), output: cv(outputSum, outputSq) },
    ratePerS: workload.meanRatePerS(),
  };
}

/**
 * The offered load of a scenario's pools for given mean lengths and rate:
 * the summary's formulas.
 *
 * @param scenario A validated scenario (its pools).
 * @param meanTokens Mean prompt and output lengths.
 * @param ratePerS Mean arrival rate.
 * @returns The shares, the load the verdict reads, and the rate.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadOf } from "./offered_load.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const s = validateScenario({ mode: "mono" });
 * const one = loadOf(s, { prompt: 100, output: 10 }, 1).maxLoad;
 * // Linear in the rate.
 * assert.ok(Math.abs(loadOf(s, { prompt: 100, output: 10 }, 3).maxLoad - 3 * one) < 1e-12);
 * ```
 */
export function loadOf(
  scenario: Scenario,
  meanTokens: { prompt: number; output: number },
  ratePerS: number,
): PredictedLoad {
  const batched = scenario.batching === "continuous";
  const shares: OfferedLoad = batched
    ? batchedShares(scenario, meanTokens, ratePerS)
    : exclusiveOfferedLoad(summaryRun(scenario).pools, ratePerS, meanTokens);
  const values: number[] = Object.values(shares);
  const maxLoad = batched && scenario.mode === "mono"
    ? values.reduce((a, b) => a + b, 0)
    : Math.max(...values);
  return { shares, maxLoad, ratePerS };
}

// The batched pools' shares, as addBatchedMetrics computes them.
function batchedShares(
  scenario: Scenario,
  meanTokens: { prompt: number; output: number },
  rate: number,
): OfferedLoad {
  const offered: OfferedLoad = {};
  for (const pool of planCluster(scenario).pools) {
    const sch = pool.settings.scheduler;
    Object.assign(
      offered,
      poolOfferedLoad(
        {
          name: pool.name,
          instances: pool.instances,
          kvCapacityTokens: pool.kvCapacityTokens,
          stepTime: pool.stepTime,
          ...(pool.speculative && {
            speculative: {
              numTokens: pool.speculative.instance.numTokens,
              tokensPerStep: pool.speculative.expectedTokensPerStep,
            },
          }),
          scheduler: {
            maxNumSeqs: sch.max_num_seqs * pool.parallel.dp,
            maxNumBatchedTokens: sch.max_num_batched_tokens * pool.parallel.dp,
          },
        },
        meanTokens,
        rate,
      ),
    );
  }
  return offered;
}
