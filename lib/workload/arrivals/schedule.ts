/**
 * Poisson arrivals with a piecewise-constant rate: the steps repeat
 * cyclically and a step may have rate 0.
 *
 * @module
 */

import type { z, Zod } from "../../schema/zod.ts";
import type { RandomStream } from "../../engine/random.ts";
import type { Same } from "../../schema/same.ts";
import type { ScheduleStep } from "./spec.ts";
import { defineArrivalProcess, PROCESS_DOC } from "./process.ts";

const DOC = "piecewise-constant Poisson rates, repeating";

const step = (z: Zod) =>
  z.strictObject({
    duration_s: z.number().positive().describe(
      "How long the step lasts, seconds.",
    ),
    rate_per_s: z.number().nonnegative().describe(
      "Poisson rate during the step (0: none).",
    ),
  }).describe("One step of the schedule.");

// The documented type and the schema's output are the same type.
const _stepMatch: Same<ScheduleStep, z.output<ReturnType<typeof step>>> = true;

/**
 * The `schedule` process.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { schedule } from "./schedule.ts";
 * const spec = {
 *   process: "schedule" as const,
 *   schedule: [
 *     { duration_s: 30, rate_per_s: 4 },
 *     { duration_s: 10, rate_per_s: 0 },
 *   ],
 * };
 * assert.equal(schedule.meanRate(spec), 3);
 * assert.equal(schedule.meanRate(schedule.scaled(spec, 2)), 6);
 * ```
 */
export const schedule = defineArrivalProcess({
  name: "schedule",
  doc: DOC,
  schema: (z: Zod) =>
    z.strictObject({
      process: z.literal("schedule").describe(PROCESS_DOC),
      schedule: z.array(step(z)).min(1).superRefine((steps, ctx) => {
        // All-zero steps would make the clock search forever.
        if (steps.every((s) => s.rate_per_s === 0)) {
          ctx.addIssue({
            code: "custom",
            message: "needs a step with a rate above 0",
          });
        }
      }).describe("`schedule`: steps, repeated cyclically."),
    }),
  clock: (spec, stream) => scheduleClock(spec.schedule, stream),
  meanRate(spec) {
    let count = 0;
    let time = 0;
    for (const s of spec.schedule) {
      count += s.rate_per_s * s.duration_s;
      time += s.duration_s;
    }
    return count / time;
  },
  scaled: (spec, factor) => ({
    ...spec,
    schedule: spec.schedule.map((s) => ({
      ...s,
      rate_per_s: s.rate_per_s * factor,
    })),
  }),
});

function scheduleClock(
  steps: readonly ScheduleStep[],
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
