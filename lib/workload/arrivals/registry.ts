/**
 * The arrival processes, one file each, as running a validated scenario
 * needs them: names, docs, clocks, rates and scaling, without their schemas,
 * so that a sweep worker does not load zod. A new process is a new file in
 * this folder and one line in the list below; `mod.ts` builds the schemas,
 * the `arrival` section and the checked functions from the same list.
 *
 * @module
 */

import type { RandomStream } from "../../engine/random.ts";
import { Registry } from "../../registry.ts";
import { closedLoop } from "./closed_loop.ts";
import { deterministic } from "./deterministic.ts";
import { diurnal } from "./diurnal.ts";
import { gamma } from "./gamma.ts";
import { onOff } from "./on_off.ts";
import { poisson } from "./poisson.ts";
import type { ArrivalProcess } from "./process.ts";
import { schedule } from "./schedule.ts";
import type { ArrivalSpec } from "./spec.ts";

/**
 * Every arrival process as its file defines it, in the order help and docs
 * list them.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ARRIVAL_ENTRIES } from "./registry.ts";
 * assert.equal(ARRIVAL_ENTRIES[0].name, "poisson");
 * ```
 */
export const ARRIVAL_ENTRIES = [
  poisson,
  gamma,
  deterministic,
  schedule,
  diurnal,
  onOff,
  closedLoop,
] as const;

/** One arrival process without its schema (see {@linkcode ArrivalProcess}). */
export type ArrivalProcessRuntime = Omit<ArrivalProcess, "schema">;

/**
 * Every arrival process by name, without the schemas: for validated specs.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ARRIVAL_RUNTIME } from "./registry.ts";
 * assert.equal(ARRIVAL_RUNTIME.get("on_off").meanRate({
 *   process: "on_off",
 *   rate_per_s: 6,
 *   mean_on_s: 1,
 *   mean_off_s: 2,
 * }), 2);
 * assert.throws(() => ARRIVAL_RUNTIME.get("gama"), /did you mean "gamma"/);
 * ```
 */
export const ARRIVAL_RUNTIME: Registry<ArrivalProcessRuntime> = new Registry<
  ArrivalProcessRuntime
>("arrival process", ARRIVAL_ENTRIES);

/**
 * A clock of arrival times for a spec already validated (a validated
 * scenario's): as `arrivalClock` in `mod.ts`, which checks the spec first,
 * without loading the schemas.
 *
 * @param spec The arrival process, valid.
 * @param stream The stream to draw from; give the clock its own.
 * @returns A function returning successive arrival times.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { validArrivalClock } from "./registry.ts";
 * import { RandomStream } from "../../engine/random.ts";
 * const even = validArrivalClock(
 *   { process: "deterministic", rate_per_s: 4 },
 *   new RandomStream(1, "arrivals"),
 * );
 * assert.deepEqual([even(), even()], [0.25, 0.5]);
 * ```
 */
export function validArrivalClock(
  spec: ArrivalSpec,
  stream: RandomStream,
): () => number {
  return ARRIVAL_RUNTIME.get(spec.process).clock(spec, stream);
}

/**
 * The long-run mean arrival rate of a spec already validated, requests per
 * second: as `meanRate` in `mod.ts`, without the check.
 *
 * @param spec The arrival process, valid.
 * @returns The long-run rate.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { validMeanRate } from "./registry.ts";
 * assert.equal(validMeanRate({ process: "poisson", rate_per_s: 3 }), 3);
 * ```
 */
export function validMeanRate(spec: ArrivalSpec): number {
  return ARRIVAL_RUNTIME.get(spec.process).meanRate(spec);
}

/**
 * The process with its load multiplied by `factor` (every rate, schedule
 * steps included); `spec` is not changed.
 *
 * @param spec The arrival process (valid).
 * @param factor The multiplier (> 0).
 * @returns The scaled process.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { scaleArrival } from "./registry.ts";
 * assert.deepEqual(
 *   scaleArrival({ process: "poisson", rate_per_s: 2 }, 1.5),
 *   { process: "poisson", rate_per_s: 3 },
 * );
 * ```
 */
export function scaleArrival<T extends ArrivalSpec>(
  spec: T,
  factor: number,
): T {
  return ARRIVAL_RUNTIME.get(spec.process).scaled(spec, factor) as T;
}
