/**
 * What the summary needs to know of a scenario's run, as plain values: the
 * metrics layer reads no scenario.
 *
 * @module
 */

import type { Scenario } from "../scenario/types.ts";
import type { LengthDescription, SummaryRun } from "../metrics/summary.ts";
import { lognormalParams, tokenMoments } from "../workload/tokens.ts";

/** Options of {@linkcode summaryRun}. */
export interface SummaryRunOptions {
  /** The measured window (default [warmup_seconds, sim_seconds]). */
  window?: readonly [number, number];
  /** Mean arrival rate (default `arrival.rate_per_s`), or a function giving it after the run. */
  arrivalRatePerS?: number | (() => number);
  /**
   * Whether the requests are the scenario's own (not a measured request
   * list): only then can its top-level lengths have been used. Default true.
   */
  ownRequests?: boolean;
}

function describe(dist: Scenario["prompt_tokens"]): LengthDescription {
  const p = lognormalParams(dist);
  return {
    log: p ? { mu: p.mu, sigma: p.sigma, min_value: dist.min_value } : null,
    real: tokenMoments(dist),
  };
}

// Whether a top-level length distribution gave any request its length.
function usesTopLevel(
  scenario: Scenario,
  ownRequests: boolean,
  key: "prompt_tokens" | "output_tokens",
): boolean {
  if (!ownRequests || scenario.trace || scenario.dataset) return false;
  return !scenario.classes || scenario.classes.some((c) => !c[key]);
}

// The top-level process's own rate (NaN for one without: a schedule).
function configuredRate(scenario: Scenario): number {
  const a = scenario.arrival;
  return "rate_per_s" in a ? a.rate_per_s ?? NaN : NaN;
}

/**
 * The plain description of a scenario's run that the summary reads.
 *
 * @param scenario A validated scenario.
 * @param options Window, rate and whether the requests are the scenario's.
 * @returns The run's description.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { summaryRun } from "./summary_run.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const run = summaryRun(validateScenario({
 *   mode: "mono", sim_seconds: 100, warmup_seconds: 10, arrival: { rate_per_s: 3 },
 * }));
 * assert.deepEqual(run.window, [10, 100]);
 * assert.equal(run.arrivalRatePerS, 3);
 * assert.ok("gpu" in run.pools);
 * ```
 */
export function summaryRun(
  scenario: Scenario,
  options: SummaryRunOptions = {},
): SummaryRun {
  const own = options.ownRequests ?? true;
  const m = scenario.cluster_mono;
  const d = scenario.cluster_disagg;
  const rates = (
    gpus: number,
    c: { prefill_tokens_per_s: number; decode_tokens_per_s: number },
  ) => ({
    gpus,
    prefillTokensPerS: c.prefill_tokens_per_s,
    decodeTokensPerS: c.decode_tokens_per_s,
  });
  return {
    mode: scenario.mode,
    batching: scenario.batching,
    randomSeed: scenario.random_seed,
    window: options.window ??
      [scenario.warmup_seconds, scenario.sim_seconds],
    arrivalRatePerS: options.arrivalRatePerS ?? configuredRate(scenario),
    slo: scenario.slo,
    pools: scenario.mode === "disagg"
      ? {
        prefill: rates(d.prefill_gpus, d),
        decode: rates(d.decode_gpus, d),
      }
      : { gpu: rates(m.num_gpus, m) },
    firstTokenAtDecode: d.ttft_at === "decode",
    promptTokens: usesTopLevel(scenario, own, "prompt_tokens")
      ? describe(scenario.prompt_tokens)
      : undefined,
    outputTokens: usesTopLevel(scenario, own, "output_tokens")
      ? describe(scenario.output_tokens)
      : undefined,
  };
}
