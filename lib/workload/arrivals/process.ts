/**
 * What an arrival process is: its scenario keys (a zod schema, built from
 * the namespace it is given so that running a validated scenario does not
 * load zod), the clock of arrival times it makes, its long-run rate and how
 * its load scales. Each process is one file in this folder and one line in
 * `registry.ts`.
 *
 * @module
 */

import type { z, Zod } from "../../schema/zod.ts";
import type { RandomStream } from "../../engine/random.ts";
import type { RegistryEntry } from "../../registry.ts";
import type { Parser } from "../../schema/parser.ts";
import type { ArrivalProcessName, ArrivalSpec } from "./spec.ts";

/** The schema of one process's keys: `process` and its own keys, strict. */
export type ProcessSchema = z.ZodObject<
  { process: z.ZodType<string> } & z.ZodRawShape,
  z.core.$strict
>;

/**
 * One arrival process, as the registry lists it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ARRIVAL_PROCESSES } from "./mod.ts";
 * import { RandomStream } from "../../engine/random.ts";
 * const deterministic = ARRIVAL_PROCESSES.get("deterministic");
 * const spec = { process: "deterministic", rate_per_s: 4 } as const;
 * const clock = deterministic.clock(spec, new RandomStream(1, "arrivals"));
 * assert.deepEqual([clock(), clock()], [0.25, 0.5]);
 * assert.equal(deterministic.meanRate(deterministic.scaled(spec, 2)), 8);
 * ```
 */
export interface ArrivalProcess extends RegistryEntry {
  /** The `process` value. */
  readonly name: ArrivalProcessName;
  /** Validates the process's settings (with `process` as its name). */
  readonly schema: Parser<ArrivalSpec>;
  /**
   * A clock of arrival times, absolute seconds from 0, never decreasing.
   * The spec is valid and of this process.
   *
   * @param spec The process's settings.
   * @param stream The stream to draw from; the clock's own.
   * @returns A function returning successive arrival times.
   */
  clock(spec: ArrivalSpec, stream: RandomStream): () => number;
  /**
   * The long-run mean arrival rate, requests per second.
   *
   * @param spec The process's settings.
   * @returns The rate.
   */
  meanRate(spec: ArrivalSpec): number;
  /**
   * The same process with its load multiplied by `factor`: meanRate of the
   * result is factor times meanRate of `spec`. `spec` is not changed.
   *
   * @param spec The process's settings.
   * @param factor The multiplier (> 0).
   * @returns The scaled settings.
   */
  scaled(spec: ArrivalSpec, factor: number): ArrivalSpec;
}

/**
 * One arrival process as its file defines it, typed by its zod schema.
 *
 * @typeParam S The process's schema; its output is the process's spec.
 */
export interface ArrivalProcessDefinition<S extends ProcessSchema>
  extends RegistryEntry {
  /** The `process` value, the schema's literal. */
  readonly name: z.output<S>["process"] & string;
  /**
   * Builds the process's keys, with `process` as the literal name, from
   * the zod namespace (validation builds it once, in `mod.ts`).
   *
   * @param z The zod namespace.
   * @returns The schema.
   */
  schema(z: Zod): S;
  /**
   * A clock of arrival times, absolute seconds from 0, never decreasing.
   * The spec is valid (parsed by the schema).
   *
   * @param spec The process's settings.
   * @param stream The stream to draw from; the clock's own.
   * @returns A function returning successive arrival times.
   */
  clock(spec: z.output<S>, stream: RandomStream): () => number;
  /**
   * The long-run mean arrival rate, requests per second.
   *
   * @param spec The process's settings.
   * @returns The rate.
   */
  meanRate(spec: z.output<S>): number;
  /**
   * The same process with its load multiplied by `factor`.
   *
   * @param spec The process's settings.
   * @param factor The multiplier (> 0).
   * @returns The scaled settings.
   */
  scaled(spec: z.output<S>, factor: number): z.output<S>;
}

/**
 * Declares a process with its types inferred from its schema.
 *
 * @param entry The process.
 * @returns The same entry.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "../../schema/zod.ts";
 * import { defineArrivalProcess } from "./process.ts";
 * const every = defineArrivalProcess({
 *   name: "every_second",
 *   doc: "One request per second.",
 *   schema: (z) => z.strictObject({ process: z.literal("every_second") }),
 *   clock: () => {
 *     let n = 0;
 *     return () => ++n;
 *   },
 *   meanRate: () => 1,
 *   scaled: (spec) => spec,
 * });
 * assert.equal(every.clock({ process: "every_second" }, null as never)(), 1);
 * assert.equal(every.schema(z).safeParse({ process: "every" }).success, false);
 * ```
 */
export function defineArrivalProcess<S extends ProcessSchema>(
  entry: ArrivalProcessDefinition<S>,
): ArrivalProcessDefinition<S> {
  return entry;
}

/**
 * Builds the `rate_per_s` key that most processes share.
 *
 * @param z The zod namespace.
 * @returns The key's schema.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "../../schema/zod.ts";
 * import { ratePerS } from "./process.ts";
 * assert.equal(ratePerS(z).safeParse(0).success, false);
 * assert.equal(ratePerS(z).parse(2.5), 2.5);
 * ```
 */
export function ratePerS(z: Zod): z.ZodNumber {
  return z.number().positive().describe(
    "Mean arrival rate, requests per second (`on_off`: the rate while on). " +
      "Default 2 at the top level.",
  );
}

/**
 * The `rate_per_s` of the processes whose clock runs at an infinite rate,
 * as `vllm bench serve --request-rate inf` does: every request is sent at
 * time 0. YAML's `.inf` and the string `inf` both mean it.
 *
 * @param z The zod namespace.
 * @returns The key's schema.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "../../schema/zod.ts";
 * import { ratePerSOrInf } from "./process.ts";
 * assert.equal(ratePerSOrInf(z).parse("inf"), Infinity);
 * assert.equal(ratePerSOrInf(z).parse(Infinity), Infinity);
 * assert.equal(ratePerSOrInf(z).parse(2.5), 2.5);
 * assert.equal(ratePerSOrInf(z).safeParse(0).success, false);
 * ```
 */
export function ratePerSOrInf(z: Zod): z.ZodType<number> {
  return z.preprocess(
    (v) => v === Infinity ? "inf" : v,
    z.union([
      z.number().positive(),
      z.literal("inf").transform(() => Infinity),
    ]),
  ).describe(
    "Mean arrival rate, requests per second, or `inf` (every request at " +
      "time 0, as vllm bench serve --request-rate inf; needs num_requests). " +
      "Default 2 at the top level.",
  ) as unknown as z.ZodType<number>;
}

/**
 * The description of every process's `process` key (the list of processes
 * is the section's description).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { PROCESS_DOC } from "./process.ts";
 * assert.match(PROCESS_DOC, /poisson/);
 * ```
 */
export const PROCESS_DOC = "Which arrival process (default `poisson`).";
