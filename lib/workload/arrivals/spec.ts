/**
 * The documented types of the `arrival` section. The processes' zod schemas
 * stay the one definition (validation, defaults, JSON Schema); these types
 * say the same for readers and editors, and `mod.ts` checks at compile time
 * that the two agree.
 *
 * @module
 */

/** An arrival process's name (the `process` key). */
export type ArrivalProcessName =
  | "poisson"
  | "gamma"
  | "deterministic"
  | "schedule"
  | "diurnal"
  | "on_off"
  | "closed_loop";

import type { DurationDistribution } from "../durations.ts";

/**
 * One step of a rate schedule.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ScheduleStep } from "./spec.ts";
 * const step: ScheduleStep = { duration_s: 30, rate_per_s: 4 };
 * assert.equal(step.duration_s * step.rate_per_s, 120);
 * ```
 */
export interface ScheduleStep {
  /** How long the step lasts, seconds (> 0). */
  duration_s: number;
  /** Poisson rate during the step, requests per second (0: none). */
  rate_per_s: number;
}

/**
 * Every key an arrival process may have. Each process requires its own
 * (see {@linkcode ArrivalSpec}); the others' stay optional in its type, so
 * that code reading or setting `rate_per_s` of any process type-checks,
 * while the schema rejects a key the process does not take.
 */
export interface ArrivalKeys {
  /** Which arrival process (default `poisson`). */
  process: ArrivalProcessName;
  /**
   * Mean arrival rate, requests per second (`on_off`: the rate while on);
   * every process but `schedule`.
   */
  rate_per_s?: number;
  /** `gamma`: coefficient of variation of the gaps. */
  cv?: number;
  /** `schedule`: steps, repeated cyclically. */
  schedule?: ScheduleStep[];
  /** `diurnal`: relative swing of the rate, 0 to 1. */
  amplitude?: number;
  /** `diurnal`: period, seconds (default 86400: a day). */
  period_s?: number;
  /** `diurnal`: time of the peak within the period, seconds (default 0). */
  peak_s?: number;
  /** `on_off`: mean length of an on period, seconds. */
  mean_on_s?: number;
  /** `on_off`: mean length of an off period, seconds. */
  mean_off_s?: number;
  /** `closed_loop`: number of users. */
  concurrency?: number;
  /** `closed_loop`: each user's think time between a response and its next request. */
  think_time_s?: DurationDistribution;
}

/**
 * How requests arrive: the settings of one of the processes, as validated
 * (defaults filled). Narrowing on `process` makes its own keys required.
 *
 * - `poisson`: exponential gaps with mean 1 / `rate_per_s` (the default);
 * - `gamma`: i.i.d. gamma gaps with coefficient of variation `cv`;
 * - `deterministic`: evenly spaced;
 * - `schedule`: piecewise-constant Poisson rates, repeating;
 * - `diurnal`: Poisson with rate x (1 + amplitude cos(2 pi (t - peak_s) /
 *   period_s));
 * - `on_off`: Poisson at `rate_per_s` during exponential on periods, none
 *   during off periods;
 * - `closed_loop`: `concurrency` users who each send, wait for the
 *   response, think (`think_time_s`) and send again.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ArrivalSpec } from "./spec.ts";
 * const spec: ArrivalSpec = { process: "gamma", rate_per_s: 5, cv: 2 };
 * assert.equal(spec.process === "gamma" ? spec.cv : 0, 2);
 * ```
 */
export type ArrivalSpec =
  | (ArrivalKeys & { process: "poisson"; rate_per_s: number })
  | (ArrivalKeys & { process: "gamma"; rate_per_s: number; cv: number })
  | (ArrivalKeys & { process: "deterministic"; rate_per_s: number })
  | (ArrivalKeys & { process: "schedule"; schedule: ScheduleStep[] })
  | (ArrivalKeys & {
    process: "diurnal";
    rate_per_s: number;
    amplitude: number;
    period_s: number;
    peak_s: number;
  })
  | (ArrivalKeys & {
    process: "on_off";
    rate_per_s: number;
    mean_on_s: number;
    mean_off_s: number;
  })
  | (ArrivalKeys & {
    process: "closed_loop";
    concurrency: number;
    think_time_s: DurationDistribution;
  });
