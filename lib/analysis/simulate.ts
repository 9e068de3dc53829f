/**
 * One simulation run: the scenario's workload through its serving model,
 * then the summary.
 *
 * @module
 */

import type { RequestRecords } from "../metrics/records.ts";
import { summarize, type Summary } from "../metrics/summary.ts";
import type { Scenario } from "../scenario/types.ts";
import { runExclusive } from "../serving/exclusive.ts";
import { scenarioWorkload } from "../workload/workload.ts";

/** The outcome of {@linkcode simulate}. */
export interface SimulationResult {
  /** The scenario that was run. */
  scenario: Scenario;
  /** Summary metrics, keyed as the JSON output. */
  summary: Summary;
  /** Every request's timeline (arrival, waits, prefill, first token, finish). */
  records: RequestRecords;
  /** Things the user should know (an unstable pool, say). */
  warnings: string[];
}

/**
 * Runs a scenario to completion (arrivals stop at the horizon and the system
 * drains).
 *
 * @param scenario A validated scenario.
 * @returns Summary, records and warnings.
 *
 * @example Usage
 * ```ts
 * import { simulate } from "./simulate.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const r = simulate(validateScenario({ mode: "mono", sim_seconds: 60, warmup_seconds: 6 }));
 * if (r.summary.mode !== "mono" || r.records.count === 0) throw new Error();
 * ```
 */
export function simulate(scenario: Scenario): SimulationResult {
  const run = runExclusive(scenario, scenarioWorkload(scenario));
  const summary = summarize(scenario, run.records, run.endS);
  const warnings: string[] = [];
  const offered = summary.offered_load as Record<string, number>;
  for (const [pool, rho] of Object.entries(offered)) {
    if (rho >= 1) {
      warnings.push(
        `${scenario.mode}: offered load of the ${pool} pool is ${
          rho.toFixed(3)
        } >= 1; the queue grows without bound and results depend on sim_seconds`,
      );
    }
  }
  return { scenario, summary, records: run.records, warnings };
}
