/**
 * Distributions of durations in seconds: a user's think time between a
 * response and the next request, a tool call between an agent's turns.
 * A bare number is a constant; otherwise `mode` names one of four shapes.
 *
 * @module
 */

import type { z, Zod } from "../schema/zod.ts";
import type { RandomStream } from "../engine/random.ts";

/**
 * A duration distribution, as validated:
 * - a number: always that many seconds (0 allowed);
 * - `{mode: exponential, mean}`: exponential with that mean (the think time
 *   of the machine-repair model, which mean-value analysis solves exactly);
 * - `{mode: uniform, min, max}`: uniform on [min, max];
 * - `{mode: lognormal, mean, cv}`: log-normal with that mean and
 *   coefficient of variation (sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2).
 */
export type DurationDistribution =
  | number
  | { mode: "exponential"; mean: number }
  | { mode: "uniform"; min: number; max: number }
  | { mode: "lognormal"; mean: number; cv: number };

/**
 * The schema of a duration distribution (built from the namespace given, so
 * that running a validated scenario does not load zod).
 *
 * @param z The zod namespace.
 * @param what What the duration is, for the descriptions.
 * @returns The schema.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "../schema/zod.ts";
 * import { durationSchema } from "./durations.ts";
 * const s = durationSchema(z, "think time");
 * assert.equal(s.parse(2), 2);
 * assert.equal(s.safeParse({ mode: "uniform", min: 3, max: 1 }).success, false);
 * ```
 */
export function durationSchema(
  z: Zod,
  what: string,
): z.ZodType<DurationDistribution> {
  const seconds = (doc: string) => z.number().nonnegative().describe(doc);
  return z.union([
    z.number().nonnegative().describe(`A constant ${what}, seconds (>= 0).`),
    z.strictObject({
      mode: z.literal("exponential"),
      mean: z.number().positive().describe(`Mean ${what}, seconds (> 0).`),
    }),
    z.strictObject({
      mode: z.literal("uniform"),
      min: seconds(`Shortest ${what}, seconds.`),
      max: seconds(`Longest ${what}, seconds (>= min).`),
    }).refine((d) => d.max >= d.min, {
      message: "max must be >= min",
      path: ["max"],
    }),
    z.strictObject({
      mode: z.literal("lognormal"),
      mean: z.number().positive().describe(`Mean ${what}, seconds (> 0).`),
      cv: z.number().positive().describe(
        `Coefficient of variation of the ${what} (> 0).`,
      ),
    }),
  ]).describe(
    `The ${what}, seconds: a number, or {mode: exponential, mean}, ` +
      `{mode: uniform, min, max}, {mode: lognormal, mean, cv}.`,
  ) as z.ZodType<DurationDistribution>;
}

/**
 * The distribution's mean, seconds.
 *
 * @param d A valid distribution.
 * @returns Its mean.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { durationMean } from "./durations.ts";
 * assert.equal(durationMean({ mode: "uniform", min: 1, max: 3 }), 2);
 * assert.equal(durationMean(0.5), 0.5);
 * ```
 */
export function durationMean(d: DurationDistribution): number {
  if (typeof d === "number") return d;
  return d.mode === "uniform" ? (d.min + d.max) / 2 : d.mean;
}

/**
 * A sampler of the distribution.
 *
 * @param d A valid distribution.
 * @param stream The stream to draw from; give it its own.
 * @returns A function returning successive durations, seconds.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { durationSampler } from "./durations.ts";
 * import { RandomStream } from "../engine/random.ts";
 * const draw = durationSampler({ mode: "exponential", mean: 2 }, new RandomStream(1, "think"));
 * let sum = 0;
 * for (let i = 0; i < 20000; i++) sum += draw();
 * // The mean of 20,000 draws is within 4 standard errors (2 / sqrt(20000)).
 * assert.ok(Math.abs(sum / 20000 - 2) < 4 * 2 / Math.sqrt(20000));
 * assert.equal(durationSampler(1.5, new RandomStream(1, "t"))(), 1.5);
 * ```
 */
export function durationSampler(
  d: DurationDistribution,
  stream: RandomStream,
): () => number {
  if (typeof d === "number") return () => d;
  switch (d.mode) {
    case "exponential":
      return () => stream.exponential(d.mean);
    case "uniform":
      return () => d.min + (d.max - d.min) * stream.next();
    case "lognormal": {
      const s2 = Math.log1p(d.cv * d.cv);
      const sigma = Math.sqrt(s2);
      const mu = Math.log(d.mean) - s2 / 2;
      return () => Math.exp(mu + sigma * stream.normal());
    }
  }
}
