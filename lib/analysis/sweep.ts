/**
 * Sweeps: the same scenario at several arrival rates (both architectures),
 * or at several rates and prefill speeds.
 *
 * @module
 */

import type { Summary } from "../metrics/summary_types.ts";
import type { Scenario, ServingMode } from "../scenario/types.ts";
import { simulate } from "./simulate.ts";
import { InputError } from "../errors.ts";

/** One point of a sweep. */
export interface SweepPoint {
  /** Architecture simulated. */
  mode: ServingMode;
  /** Arrival rate, requests per second. */
  rate_per_s: number;
  /** Prefill speed used (tokens/s per GPU). */
  prefill_tokens_per_s: number;
  /** The run's summary. */
  summary: Summary;
}

/** The outcome of a sweep. */
export interface SweepResult {
  /** One entry per (mode, rate) or (prefill speed, rate). */
  points: SweepPoint[];
  /** Warnings from every run, each naming its point. */
  warnings: string[];
}

/** Options for {@linkcode sweepRates}. */
export interface SweepRatesOptions {
  /** Architectures to run (default both). */
  modes?: readonly ServingMode[];
}

/**
 * Runs the scenario at each arrival rate in each architecture.
 *
 * @param scenario The base scenario.
 * @param rates Arrival rates, requests per second.
 * @param options Which architectures to run.
 * @returns The points in (mode, rate) order.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sweepRates } from "./sweep.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const s = validateScenario({ sim_seconds: 30, warmup_seconds: 3 });
 * const r = sweepRates(s, [0.5, 1]);
 * assert.equal(r.points.length, 4);
 * ```
 */
export function sweepRates(
  scenario: Scenario,
  rates: readonly number[],
  options: SweepRatesOptions = {},
): SweepResult {
  const points: SweepPoint[] = [];
  const warnings: string[] = [];
  const modes = options.modes ?? ["mono", "disagg"] as const;
  checkRateSweep(scenario);
  for (const mode of modes) {
    for (const rate of rates) {
      const s: Scenario = {
        ...scenario,
        mode,
        arrival: withRate(scenario.arrival, rate),
      };
      const r = simulate(s, { keepRecords: false });
      warnings.push(...r.warnings.map((w) => `rate ${rate}: ${w}`));
      points.push({
        mode,
        rate_per_s: rate,
        prefill_tokens_per_s: prefillSpeed(s),
        summary: r.summary,
      });
    }
  }
  return { points, warnings };
}

/**
 * Runs the scenario (in its own mode) at each prefill speed and arrival rate.
 *
 * @param scenario The base scenario.
 * @param rates Arrival rates, requests per second.
 * @param prefillSpeeds Prefill speeds, tokens per second per GPU.
 * @returns The points in (prefill speed, rate) order.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sweepPrefill } from "./sweep.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const s = validateScenario({ sim_seconds: 30, warmup_seconds: 3 });
 * const r = sweepPrefill(s, [1], [4000, 8000]);
 * assert.equal(r.points[1].prefill_tokens_per_s, 8000);
 * ```
 */
export function sweepPrefill(
  scenario: Scenario,
  rates: readonly number[],
  prefillSpeeds: readonly number[],
): SweepResult {
  checkRateSweep(scenario);
  const points: SweepPoint[] = [];
  const warnings: string[] = [];
  for (const speed of prefillSpeeds) {
    for (const rate of rates) {
      const s: Scenario = {
        ...scenario,
        arrival: withRate(scenario.arrival, rate),
        cluster_mono: { ...scenario.cluster_mono, prefill_tokens_per_s: speed },
        cluster_disagg: {
          ...scenario.cluster_disagg,
          prefill_tokens_per_s: speed,
        },
      };
      const r = simulate(s, { keepRecords: false });
      warnings.push(
        ...r.warnings.map((w) => `prefill ${speed}, rate ${rate}: ${w}`),
      );
      points.push({
        mode: s.mode,
        rate_per_s: rate,
        prefill_tokens_per_s: speed,
        summary: r.summary,
      });
    }
  }
  return { points, warnings };
}

// The process at another rate (checkRateSweep refused one without a rate).
function withRate(
  arrival: Scenario["arrival"],
  rate: number,
): Scenario["arrival"] {
  if (!("rate_per_s" in arrival)) {
    throw new InputError(
      "a rate sweep needs an arrival process with rate_per_s",
      ["arrival", "process"],
    );
  }
  return { ...arrival, rate_per_s: rate };
}

function prefillSpeed(s: Scenario): number {
  return s.mode === "mono"
    ? s.cluster_mono.prefill_tokens_per_s
    : s.cluster_disagg.prefill_tokens_per_s;
}

/**
 * Refuses a rate sweep of a scenario whose arrivals have no single rate to
 * set (a schedule of rates, or a trace).
 *
 * @param scenario The base scenario.
 * @throws {InputError} Naming `trace` or `arrival.process`.
 *
 * @example Usage
 * ```ts
 * import { checkRateSweep } from "./sweep.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * checkRateSweep(validateScenario({}));
 * ```
 */
export function checkRateSweep(scenario: Scenario): void {
  if (scenario.trace || scenario.arrival.process === "schedule") {
    throw new InputError(
      "a rate sweep needs an arrival process with rate_per_s (not a schedule or a trace)",
      scenario.trace ? ["trace"] : ["arrival", "process"],
    );
  }
}
