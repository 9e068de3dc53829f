/**
 * The stream of requests a scenario offers: Poisson arrivals until the
 * horizon, each with a prompt and an output length. Arrivals, prompt lengths
 * and output lengths use separate random streams, so every serving mode sees
 * exactly the same requests at the same times (common random numbers).
 *
 * @module
 */

import { RandomStream } from "../engine/random.ts";
import type { Scenario } from "../scenario/types.ts";
import { tokenSampler } from "./tokens.ts";

/** A source of requests in arrival order. */
export interface RequestSource {
  /**
   * Advances to the next request. Returns false once arrivals reach the
   * horizon; otherwise `arrivalS`, `promptTokens` and `outputTokens` hold it.
   */
  next(): boolean;
  /** Arrival time of the current request, seconds. */
  arrivalS: number;
  /** Prompt length of the current request. */
  promptTokens: number;
  /** Output length of the current request. */
  outputTokens: number;
}

/**
 * The scenario's requests: a Poisson process at `arrival.rate_per_s` over
 * [0, sim_seconds), with lengths from `prompt_tokens` and `output_tokens`.
 *
 * @param scenario A validated scenario.
 * @returns The request source.
 *
 * @example Usage
 * ```ts
 * import { scenarioWorkload } from "./workload.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const w = scenarioWorkload(validateScenario({ sim_seconds: 10, warmup_seconds: 0 }));
 * let n = 0;
 * while (w.next()) n++;
 * if (n === 0) throw new Error("no requests");
 * ```
 */
export function scenarioWorkload(scenario: Scenario): RequestSource {
  const seed = scenario.random_seed;
  const arrivals = new RandomStream(seed, "arrivals");
  const prompt = tokenSampler(
    scenario.prompt_tokens,
    new RandomStream(seed, "prompt_tokens"),
  );
  const output = tokenSampler(
    scenario.output_tokens,
    new RandomStream(seed, "output_tokens"),
  );
  const meanGapS = 1 / scenario.arrival.rate_per_s;
  const horizonS = scenario.sim_seconds;
  let t = 0;
  const source: RequestSource = {
    arrivalS: 0,
    promptTokens: 0,
    outputTokens: 0,
    next(): boolean {
      t += arrivals.exponential(meanGapS);
      if (t >= horizonS) return false;
      source.arrivalS = t;
      source.promptTokens = prompt();
      source.outputTokens = output();
      return true;
    },
  };
  return source;
}
