/**
 * Arrival processes: Poisson, gamma renewal (burstier or smoother than
 * Poisson), evenly spaced, a piecewise-constant rate schedule, a diurnal
 * cosine and on/off bursts. Every process is exact (no time stepping), so a
 * clock's arrivals follow the stated law however fine the rate varies, and
 * each draws only from the stream it is given, so swapping one process for
 * another leaves the token-length streams untouched.
 *
 * @module
 */

import type { RandomStream } from "../engine/random.ts";

/** One step of a rate schedule. */
export interface ScheduleStep {
  /** How long the step lasts, seconds (> 0). */
  duration_s: number;
  /** Poisson rate during the step, requests per second (>= 0). */
  rate_per_s: number;
}

/**
 * How requests arrive.
 *
 * - `poisson`: exponential inter-arrival times with mean 1 / `rate_per_s`.
 * - `gamma`: i.i.d. gamma inter-arrival times with mean 1 / `rate_per_s` and
 *   coefficient of variation `cv` (shape 1 / cv^2); cv 1 is Poisson, cv > 1
 *   bursty, cv < 1 smoother.
 * - `deterministic`: evenly spaced, the first arrival at 1 / `rate_per_s`.
 * - `schedule`: Poisson with a piecewise-constant rate; the steps repeat
 *   cyclically and a step may have rate 0.
 * - `diurnal`: Poisson with rate(t) = rate_per_s (1 + amplitude
 *   cos(2 pi (t - peak_s) / period_s)), 0 <= amplitude <= 1.
 * - `on_off`: Poisson at `rate_per_s` during "on" periods and nothing during
 *   "off" periods; period lengths are exponential with means `mean_on_s` and
 *   `mean_off_s`; the process starts "on".
 */
export type ArrivalSpec =
  | { process: "poisson"; rate_per_s: number }
  | { process: "gamma"; rate_per_s: number; cv: number }
  | { process: "deterministic"; rate_per_s: number }
  | { process: "schedule"; schedule: ScheduleStep[] }
  | {
    process: "diurnal";
    rate_per_s: number;
    amplitude: number;
    period_s: number;
    peak_s: number;
  }
  | {
    process: "on_off";
    rate_per_s: number;
    mean_on_s: number;
    mean_off_s: number;
  };

/**
 * A clock of arrival times: each call returns the next arrival, in absolute
 * seconds from 0, forever. Times never decrease; they are strictly increasing
 * except that a gamma gap with shape < 1 can underflow to 0.
 *
 * @param spec The arrival process.
 * @param stream The stream to draw from; give the clock its own.
 * @returns A function returning successive arrival times.
 * @throws {RangeError} If a parameter is out of range.
 *
 * @example Usage
 * ```ts
 * import { arrivalClock } from "./arrivals.ts";
 * import { RandomStream } from "../engine/random.ts";
 * const clock = arrivalClock(
 *   { process: "gamma", rate_per_s: 5, cv: 2 },
 *   new RandomStream(1, "arrivals"),
 * );
 * let last = 0;
 * for (let i = 0; i < 100; i++) {
 *   const t = clock();
 *   if (!(t >= last)) throw new Error("arrival times must not decrease");
 *   last = t;
 * }
 * const even = arrivalClock(
 *   { process: "deterministic", rate_per_s: 4 },
 *   new RandomStream(1, "arrivals"),
 * );
 * if (even() !== 0.25 || even() !== 0.5) throw new Error("not evenly spaced");
 * ```
 */
export function arrivalClock(
  spec: ArrivalSpec,
  stream: RandomStream,
): () => number {
  validate(spec);
  switch (spec.process) {
    case "poisson": {
      const meanGap = 1 / spec.rate_per_s;
      let t = 0;
      return () => (t += stream.exponential(meanGap));
    }
    case "gamma": {
      const shape = 1 / (spec.cv * spec.cv);
      const scale = 1 / (spec.rate_per_s * shape);
      let t = 0;
      return () => (t += scale * gammaVariate(shape, stream));
    }
    case "deterministic": {
      const rate = spec.rate_per_s;
      let n = 0;
      // n / rate rather than a running sum, so no rounding error accumulates.
      return () => ++n / rate;
    }
    case "schedule":
      return scheduleClock(spec.schedule, stream);
    case "diurnal":
      return diurnalClock(spec, stream);
    case "on_off":
      return onOffClock(spec, stream);
  }
}

/**
 * The long-run mean arrival rate of a process, requests per second (for
 * offered-load figures).
 *
 * @param spec The arrival process.
 * @returns The long-run rate.
 * @throws {RangeError} If a parameter is out of range.
 *
 * @example Usage
 * ```ts
 * import { meanRate } from "./arrivals.ts";
 * const r = meanRate({
 *   process: "schedule",
 *   schedule: [{ duration_s: 30, rate_per_s: 4 }, { duration_s: 10, rate_per_s: 0 }],
 * });
 * if (r !== 3) throw new Error(`expected 3, got ${r}`);
 * ```
 */
export function meanRate(spec: ArrivalSpec): number {
  validate(spec);
  switch (spec.process) {
    case "poisson":
    case "gamma":
    case "deterministic":
      return spec.rate_per_s;
    case "schedule": {
      let count = 0;
      let time = 0;
      for (const s of spec.schedule) {
        count += s.rate_per_s * s.duration_s;
        time += s.duration_s;
      }
      return count / time;
    }
    case "diurnal":
      // The cosine integrates to zero over a period.
      return spec.rate_per_s;
    case "on_off":
      return spec.rate_per_s * spec.mean_on_s /
        (spec.mean_on_s + spec.mean_off_s);
  }
}

/**
 * A standard gamma variate (scale 1) by Marsaglia and Tsang (2000). For
 * shape < 1 the squeeze does not apply, so draw with shape + 1 and multiply
 * by U^(1 / shape), which gives the right law (their section 6).
 */
function gammaVariate(shape: number, stream: RandomStream): number {
  if (shape < 1) {
    const g = gammaVariate(shape + 1, stream);
    return g * Math.pow(stream.next(), 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = stream.normal();
    const v0 = 1 + c * x;
    if (v0 <= 0) continue;
    const v = v0 * v0 * v0;
    const u = stream.next();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v;
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

function scheduleClock(
  steps: ScheduleStep[],
  stream: RandomStream,
): () => number {
  // Step ends within a cycle, so a boundary is cycle * length + ends[i]
  // rather than a running sum that drifts over many cycles.
  const ends: number[] = [];
  let cycle = 0;
  for (const s of steps) ends.push(cycle += s.duration_s);
  let k = 0; // cycles completed
  let i = 0; // current step
  let t = 0;
  let stepEnd = ends[0];
  return () => {
    for (;;) {
      const rate = steps[i].rate_per_s;
      if (rate > 0) {
        const candidate = t + stream.exponential(1 / rate);
        if (candidate < stepEnd) return (t = candidate);
      }
      // By memorylessness, a draw that overshoots the step can be discarded
      // and the next step started afresh at its boundary.
      t = stepEnd;
      if (++i === steps.length) {
        i = 0;
        k++;
      }
      stepEnd = k * cycle + ends[i];
    }
  };
}

function diurnalClock(
  spec: Extract<ArrivalSpec, { process: "diurnal" }>,
  stream: RandomStream,
): () => number {
  const { rate_per_s: rate, amplitude, period_s: period, peak_s: peak } = spec;
  const peakRate = rate * (1 + amplitude);
  const omega = 2 * Math.PI / period;
  let t = 0;
  // Lewis-Shedler thinning: candidates at the peak rate, each kept with
  // probability rate(t) / peak rate, is exactly the inhomogeneous process.
  return () => {
    for (;;) {
      t += stream.exponential(1 / peakRate);
      const r = rate * (1 + amplitude * Math.cos(omega * (t - peak)));
      if (stream.next() * peakRate < r) return t;
    }
  };
}

function onOffClock(
  spec: Extract<ArrivalSpec, { process: "on_off" }>,
  stream: RandomStream,
): () => number {
  const meanGap = 1 / spec.rate_per_s;
  let t = 0;
  let periodEnd = stream.exponential(spec.mean_on_s);
  return () => {
    for (;;) {
      const candidate = t + stream.exponential(meanGap);
      if (candidate < periodEnd) return (t = candidate);
      // The overshooting draw is discarded (memorylessness); skip the off
      // period and restart at the next on period.
      t = periodEnd + stream.exponential(spec.mean_off_s);
      periodEnd = t + stream.exponential(spec.mean_on_s);
    }
  };
}

function validate(spec: ArrivalSpec): void {
  const positive = (what: string, x: number) => {
    if (!(Number.isFinite(x) && x > 0)) {
      throw new RangeError(`${what} must be a positive number, got ${x}`);
    }
  };
  switch (spec.process) {
    case "poisson":
    case "deterministic":
      positive("rate_per_s", spec.rate_per_s);
      return;
    case "gamma":
      positive("rate_per_s", spec.rate_per_s);
      positive("cv", spec.cv);
      return;
    case "schedule": {
      if (spec.schedule.length === 0) {
        throw new RangeError("schedule must have at least one step");
      }
      let any = false;
      spec.schedule.forEach((s, i) => {
        positive(`schedule[${i}].duration_s`, s.duration_s);
        if (!(Number.isFinite(s.rate_per_s) && s.rate_per_s >= 0)) {
          throw new RangeError(
            `schedule[${i}].rate_per_s must be >= 0, got ${s.rate_per_s}`,
          );
        }
        if (s.rate_per_s > 0) any = true;
      });
      // All-zero steps would make the clock search forever.
      if (!any) throw new RangeError("schedule needs a step with rate > 0");
      return;
    }
    case "diurnal":
      positive("rate_per_s", spec.rate_per_s);
      positive("period_s", spec.period_s);
      if (!(spec.amplitude >= 0 && spec.amplitude <= 1)) {
        throw new RangeError(
          `amplitude must be in [0, 1], got ${spec.amplitude}`,
        );
      }
      if (!Number.isFinite(spec.peak_s)) {
        throw new RangeError(`peak_s must be finite, got ${spec.peak_s}`);
      }
      return;
    case "on_off":
      positive("rate_per_s", spec.rate_per_s);
      positive("mean_on_s", spec.mean_on_s);
      if (!(Number.isFinite(spec.mean_off_s) && spec.mean_off_s >= 0)) {
        throw new RangeError(
          `mean_off_s must be >= 0, got ${spec.mean_off_s}`,
        );
      }
      return;
    default:
      throw new RangeError(
        `unknown arrival process ${(spec as { process: unknown }).process}`,
      );
  }
}
