/**
 * Whether a run reached a steady state, judged twice: from the model's
 * offered load (a bound: at or above 1 the pools cannot keep up), and from
 * what happened in the measured window (the number of requests in the system
 * over time). A queue that diverges for a reason the load bound does not see
 * (a policy that starves prefills, KV thrashing, a burst at the end) shows as
 * a backlog that keeps growing.
 *
 * @module
 */

/** The verdict: `stable`, `backlogged` (the backlog grew) or `overloaded` (offered load >= 1). */
export type SaturationVerdict = "stable" | "backlogged" | "overloaded";

/**
 * Offered load by pool (`gpu` in mono, `prefill` and `decode` in disagg),
 * or by share of one batched colocated pool (`prefill`, `decode`).
 */
export interface OfferedLoad {
  /** The colocated pool's load (exclusive service). */
  gpu?: number;
  /** The prefill pool's load, or the prefill share of a batched colocated pool. */
  prefill?: number;
  /** The decode pool's load, or the decode share of a batched colocated pool. */
  decode?: number;
}

/** The figures behind a {@linkcode SaturationVerdict}, keyed as the JSON output. */
export interface SaturationEvidence {
  /** The largest pool load (or the sum of a colocated pool's shares). */
  max_offered_load: number;
  /** Requests that arrived in the measured window. */
  arrivals_in_window: number;
  /** Requests that finished in the measured window. */
  finished_in_window: number;
  /** Mean requests in the system over the window's first quarter. */
  mean_in_system_q1: number;
  /** Mean requests in the system over the second quarter. */
  mean_in_system_q2: number;
  /** Mean requests in the system over the third quarter. */
  mean_in_system_q3: number;
  /** Mean requests in the system over the fourth quarter. */
  mean_in_system_q4: number;
  /** Time in the system by Little's law over the first quarter, seconds. */
  time_in_system_q1_s: number;
  /** Time in the system by Little's law over the second quarter, seconds. */
  time_in_system_q2_s: number;
  /** Time in the system by Little's law over the third quarter, seconds. */
  time_in_system_q3_s: number;
  /** Time in the system by Little's law over the fourth quarter, seconds. */
  time_in_system_q4_s: number;
  /** Growth of the backlog from the third quarter to the fourth, requests per second. */
  backlog_growth_per_s: number;
  /** Requests in the system at the window's end. */
  in_system_at_end: number;
  /** Of those, requests not yet started. */
  waiting_at_end: number;
}

const BINS = 256;

/**
 * The number of requests in the system (arrived, not finished) over time, in
 * constant memory: arrivals and finishes are counted per time bin, and when a
 * time falls past the last bin, pairs of bins merge (the width doubles), so
 * the counts stay exact at every bin edge.
 *
 * @example Usage
 * ```ts
 * import { BacklogCurve } from "./saturation.ts";
 * import assert from "node:assert/strict";
 * const c = new BacklogCurve(1);
 * c.add(0.5, 10);
 * c.add(2, 3);
 * assert.equal(c.inSystemAt(2.5), 1); // the edge at 2: one arrival before it
 * assert.equal(c.inSystemAt(3), 2);
 * assert.equal(c.inSystemAt(4), 1);
 * ```
 */
export class BacklogCurve {
  #width: number;
  // 1 / width: bins by multiplication (a power of two apart from the first).
  #perS: number;
  #arrivals = new Float64Array(BINS);
  #finishes = new Float64Array(BINS);

  /**
   * Creates an empty curve.
   *
   * @param widthS The first bin width, seconds (a guess; it doubles as needed).
   */
  constructor(widthS: number) {
    this.#width = widthS > 0 && Number.isFinite(widthS) ? widthS : 1;
    this.#perS = 1 / this.#width;
  }

  /** The bin width now, seconds. */
  get widthS(): number {
    return this.#width;
  }

  #bin(t: number): number {
    let k = Math.floor(t * this.#perS);
    while (k >= BINS) {
      this.#merge();
      k = Math.floor(t * this.#perS);
    }
    return k < 0 ? 0 : k;
  }

  #merge(): void {
    for (const a of [this.#arrivals, this.#finishes]) {
      for (let k = 0; k < BINS / 2; k++) a[k] = a[2 * k] + a[2 * k + 1];
      a.fill(0, BINS / 2);
    }
    this.#width *= 2;
    this.#perS = 1 / this.#width;
  }

  /**
   * Counts one request.
   *
   * @param arrivalS Its arrival.
   * @param finishS Its finish.
   */
  add(arrivalS: number, finishS: number): void {
    this.#arrivals[this.#bin(arrivalS)]++;
    this.#finishes[this.#bin(finishS)]++;
  }

  /**
   * Requests in the system at the bin edge at or before `t`.
   *
   * @param t A time, seconds.
   * @returns Arrivals minus finishes before that edge.
   */
  inSystemAt(t: number): number {
    const edge = Math.min(Math.floor(t * this.#perS), BINS);
    let n = 0;
    for (let k = 0; k < edge; k++) n += this.#arrivals[k] - this.#finishes[k];
    return n;
  }

  /**
   * Time-average of the requests in the system over [from, to), from the
   * bin edges inside it.
   *
   * @param fromS Start, seconds.
   * @param toS End, seconds.
   * @returns The mean over the edges (NaN when none falls inside).
   */
  meanInSystem(fromS: number, toS: number): number {
    const first = Math.ceil(fromS * this.#perS);
    const last = Math.min(Math.floor(toS * this.#perS), BINS);
    let n = 0, sum = 0, count = 0;
    for (let k = 0; k < last; k++) {
      n += this.#arrivals[k] - this.#finishes[k];
      if (k + 1 >= first) {
        sum += n;
        count++;
      }
    }
    return count > 0 ? sum / count : NaN;
  }

  /**
   * Arrivals per second over [from, to), from the bins between the bin
   * edges inside it.
   *
   * @param fromS Start, seconds.
   * @param toS End, seconds.
   * @returns The rate (NaN when no whole bin falls inside).
   */
  arrivalRate(fromS: number, toS: number): number {
    const first = Math.ceil(fromS * this.#perS);
    const last = Math.min(Math.floor(toS * this.#perS), BINS);
    if (last <= first) return NaN;
    let n = 0;
    for (let k = first; k < last; k++) n += this.#arrivals[k];
    return n / ((last - first) * this.#width);
  }
}

/** One figure per quarter of the measured window. */
export type Quarters = readonly [number, number, number, number];

/** What the run showed, for {@linkcode judgeSaturation}. */
export interface ObservedBacklog {
  /** The measured window [start, end), seconds. */
  window: readonly [number, number];
  /** Requests that arrived in the window. */
  arrivals: number;
  /** Requests that finished in the window. */
  finishes: number;
  /** Mean requests in the system over each quarter of the window. */
  quarters: Quarters;
  /** Arrivals per second in each quarter of the window. */
  quarterRates: Quarters;
  /** Requests in the system at the window's end. */
  inSystemAtEnd: number;
  /** Of those, requests not yet started. */
  waitingAtEnd: number;
}

/** The share of the arrival rate a backlog may grow by before it counts. */
export const BACKLOG_GROWTH_LIMIT = 0.05;
/** The fewest requests a backlog must grow by to count (against noise). */
export const BACKLOG_MIN_REQUESTS = 10;

/**
 * The verdict and the figures behind it.
 *
 * - `overloaded`: some pool's offered load (the model's lower bound on the
 *   work per second of capacity; a colocated pool's prefill and decode
 *   shares add up) is 1 or more.
 * - `backlogged`: from the window's third quarter to its fourth, the mean
 *   number of requests in the system grew by G >= max(10, 3 sqrt(N3)) (N3
 *   the third quarter's mean: beyond a stable queue's Poisson-like
 *   fluctuation), and the time in the system that Little's law implies,
 *   T = N / lambda per quarter, grew by at least 5% of a quarter's length.
 *   At a steady arrival rate that is a backlog growing at 5% of the rate or
 *   more: a stable queue's N changes by a bounded amount however long the
 *   window; a diverging one's by (lambda − throughput) x window / 4 each
 *   quarter. T rather than N, so that more requests in flight because more
 *   arrive (a trace's rising rate) is not a backlog; the last quarters, so
 *   that a warm-up still filling the system does not count. A quarter with
 *   no arrivals gives no T, and no `backlogged` verdict.
 * - `stable`: neither.
 *
 * @param offered Offered load per pool (or per share of one pool).
 * @param seen What the run showed.
 * @param combine How the shares bound the load: `max` of pools apart, `sum`
 *   of shares of the same GPUs (a colocated pool's prefill and decode).
 * @returns The verdict and its figures (keyed as the JSON output).
 *
 * @example Usage
 * ```ts
 * import { judgeSaturation } from "./saturation.ts";
 * import assert from "node:assert/strict";
 * const seen = { window: [0, 100] as const, arrivals: 1000, finishes: 400,
 *   quarters: [75, 225, 375, 525] as const,
 *   quarterRates: [10, 10, 10, 10] as const, inSystemAtEnd: 600, waitingAtEnd: 550 };
 * assert.equal(judgeSaturation({ gpu: 0.5 }, seen).verdict, "backlogged");
 * assert.equal(judgeSaturation({ gpu: 1.2 }, seen).verdict, "overloaded");
 * ```
 */
export function judgeSaturation(
  offered: Readonly<OfferedLoad>,
  seen: ObservedBacklog,
  combine: "max" | "sum" = "max",
): { verdict: SaturationVerdict; evidence: SaturationEvidence } {
  const windowS = seen.window[1] - seen.window[0];
  const [, , q3, q4] = seen.quarters;
  const growth = q4 - q3;
  const times = seen.quarters.map((n, k) => n / seen.quarterRates[k]);
  const longer = times[3] - times[2];
  const shares: number[] = Object.values(offered);
  const maxLoad = combine === "sum"
    ? shares.reduce((a, b) => a + b, 0)
    : Math.max(...shares);
  const grew = growth >=
      Math.max(BACKLOG_MIN_REQUESTS, 3 * Math.sqrt(Math.max(q3, 0))) &&
    longer >= BACKLOG_GROWTH_LIMIT * windowS / 4;
  const verdict: SaturationVerdict = maxLoad >= 1
    ? "overloaded"
    : grew
    ? "backlogged"
    : "stable";
  return {
    verdict,
    evidence: {
      max_offered_load: maxLoad,
      arrivals_in_window: seen.arrivals,
      finished_in_window: seen.finishes,
      mean_in_system_q1: seen.quarters[0],
      mean_in_system_q2: seen.quarters[1],
      mean_in_system_q3: seen.quarters[2],
      mean_in_system_q4: seen.quarters[3],
      time_in_system_q1_s: times[0],
      time_in_system_q2_s: times[1],
      time_in_system_q3_s: times[2],
      time_in_system_q4_s: times[3],
      backlog_growth_per_s: growth / (windowS / 4),
      in_system_at_end: seen.inSystemAtEnd,
      waiting_at_end: seen.waitingAtEnd,
    },
  };
}

/**
 * The warning a verdict other than `stable` gives.
 *
 * @param mode The scenario's mode.
 * @param verdict The verdict.
 * @param evidence Its figures.
 * @param offered Offered load per pool (or per share).
 * @param combine How the shares were combined (see {@linkcode judgeSaturation}).
 * @returns The warning, or undefined when stable.
 *
 * @example Usage
 * ```ts
 * import { judgeSaturation, saturationWarning } from "./saturation.ts";
 * import assert from "node:assert/strict";
 * const seen = { window: [0, 100] as const, arrivals: 100, finishes: 100,
 *   quarters: [1, 1, 1, 1] as const, quarterRates: [1, 1, 1, 1] as const,
 *   inSystemAtEnd: 0, waitingAtEnd: 0 };
 * const { verdict, evidence } = judgeSaturation({ gpu: 2 }, seen);
 * assert.match(saturationWarning("mono", verdict, evidence, { gpu: 2 })!, /gpu pool is 2\.000/);
 * ```
 */
export function saturationWarning(
  mode: string,
  verdict: SaturationVerdict,
  evidence: Readonly<SaturationEvidence>,
  offered: Readonly<OfferedLoad>,
  combine: "max" | "sum" = "max",
): string | undefined {
  const e = evidence;
  const grows =
    "the queue grows without bound and results depend on sim_seconds";
  if (verdict === "overloaded") {
    if (combine === "sum") {
      return `${mode}: offered load (${Object.keys(offered).join(" + ")}) is ${
        e.max_offered_load.toFixed(3)
      } >= 1; ${grows}`;
    }
    const loads: [string, number][] = Object.entries(offered);
    return loads.filter(([, rho]) => rho >= 1).map((
      [pool, rho],
    ) =>
      `${mode}: offered load of the ${pool} pool is ${
        rho.toFixed(3)
      } >= 1; ${grows}`
    ).join("; ");
  }
  if (verdict === "backlogged") {
    const byQuarter = (quarters: readonly number[]) =>
      quarters.map((x) => x.toFixed(1)).join(", ");
    return `${mode}: the backlog kept growing over the window (mean requests in the system by quarter ${
      byQuarter([
        e.mean_in_system_q1,
        e.mean_in_system_q2,
        e.mean_in_system_q3,
        e.mean_in_system_q4,
      ])
    }; time in the system by Little's law ${
      byQuarter([
        e.time_in_system_q1_s,
        e.time_in_system_q2_s,
        e.time_in_system_q3_s,
        e.time_in_system_q4_s,
      ])
    } s; ${e.waiting_at_end} still waiting at its end): the queue is not keeping up (or warmup_seconds is too short to fill it), so results depend on sim_seconds`;
  }
  return undefined;
}
