/**
 * Runs one workload through both architectures. Both runs draw the same
 * requests at the same times (common random numbers), so the difference
 * comes from the architecture, not from sampling noise.
 *
 * @module
 */

import type { Summary } from "../metrics/summary_types.ts";
import { type MetricName, summaryRecord } from "../metrics/metric_names.ts";
import type { Scenario } from "../scenario/types.ts";
import { simulate, type SimulationResult } from "./simulate.ts";

/** The outcome of {@linkcode compare}. */
export interface ComparisonResult {
  /** Colocated summary. */
  mono: Summary;
  /** Disaggregated summary. */
  disagg: Summary;
  /** disagg - mono for each numeric key both report. */
  delta: Partial<Record<MetricName, number>>;
  /** Warnings from both runs. */
  warnings: string[];
  /** The two runs (records, timelines), for charts and notebooks. */
  runs: { mono: SimulationResult; disagg: SimulationResult };
}

/**
 * Simulates the scenario in `mono` and in `disagg` mode.
 *
 * @param scenario A validated scenario (its `mode` is ignored).
 * @returns Both summaries and their differences.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { compare } from "./compare.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const c = compare(validateScenario({ sim_seconds: 60, warmup_seconds: 6 }));
 * // The same requests in both architectures.
 * assert.equal(c.mono.num_requests, c.disagg.num_requests);
 * assert.equal(c.delta.p90_ttft_s, c.disagg.p90_ttft_s - c.mono.p90_ttft_s);
 * ```
 */
export function compare(scenario: Scenario): ComparisonResult {
  const mono = simulate({ ...scenario, mode: "mono" });
  const disagg = simulate({ ...scenario, mode: "disagg" });
  return {
    mono: mono.summary,
    disagg: disagg.summary,
    delta: numericDelta(mono.summary, disagg.summary),
    warnings: [...mono.warnings, ...disagg.warnings],
    runs: { mono, disagg },
  };
}

/**
 * b - a for every key whose value is a number in both summaries.
 *
 * @param a The baseline.
 * @param b The other summary.
 * @returns The differences.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { numericDelta } from "./compare.ts";
 * const d = numericDelta(
 *   { mean_ttft_s: 1, mode: "mono" },
 *   { mean_ttft_s: 3, mode: "disagg" },
 * );
 * assert.deepEqual(d, { mean_ttft_s: 2 });
 * ```
 */
export function numericDelta(
  a: Partial<Summary>,
  b: Partial<Summary>,
): Partial<Record<MetricName, number>> {
  const out: Record<string, number> = {};
  const other = summaryRecord(b);
  for (const [key, va] of Object.entries(summaryRecord(a))) {
    const vb = other[key];
    if (typeof va === "number" && typeof vb === "number") out[key] = vb - va;
  }
  return out;
}
