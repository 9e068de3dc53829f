/**
 * The library's `simulate` and `compare` as `mod.ts` offers them: the same
 * results, able to display themselves in a Jupyter notebook.
 *
 * @module
 */

import {
  simulate as runSimulation,
  type SimulateOptions,
  type SimulationResult,
} from "../analysis/simulate.ts";
import {
  compare as runComparison,
  type ComparisonResult,
} from "../analysis/compare.ts";
import type { Scenario } from "../scenario/types.ts";
import {
  type Displayable,
  displayableComparison,
  displayableSimulation,
} from "./display.ts";

/**
 * Runs a scenario to completion (arrivals stop at the horizon and the system
 * drains). In a notebook the result shows a table and the TTFT distribution.
 *
 * @param scenario A validated scenario.
 * @returns Summary, records, warnings and time series.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { simulate } from "./api.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const r = simulate(validateScenario({ mode: "mono", sim_seconds: 60, warmup_seconds: 6 }));
 * assert.equal(r.summary.mode, "mono");
 * ```
 */
export function simulate(
  scenario: Scenario,
  options?: SimulateOptions,
): SimulationResult & Displayable {
  return displayableSimulation(runSimulation(scenario, options));
}

/**
 * Simulates the scenario in `mono` and in `disagg` mode on the same
 * requests. In a notebook the result shows both side by side.
 *
 * @param scenario A validated scenario (its `mode` is ignored).
 * @returns Both summaries, their differences and the runs.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { compare } from "./api.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const c = compare(validateScenario({ sim_seconds: 60, warmup_seconds: 6 }));
 * assert.equal(c.mono.num_requests, c.disagg.num_requests);
 * ```
 */
export function compare(
  scenario: Scenario,
): ComparisonResult & Displayable {
  const result = runComparison(scenario);
  return displayableComparison(result, result.runs);
}
