/**
 * The arrival processes, one file each, and the scenario's `arrival`
 * section made from them: a union discriminated on `process` (absent:
 * `poisson`). A new process is a new file here and one line in the list of
 * `registry.ts`; the schema, the JSON Schema, the errors and the help
 * follow. This module builds the schemas (it loads zod); code that runs
 * validated specs imports `registry.ts` instead.
 *
 * Every process is exact (no time stepping), so a clock's arrivals follow
 * the stated law however fine the rate varies, and each draws only from the
 * stream it is given, so swapping one process for another leaves the
 * token-length streams untouched.
 *
 * @module
 */

import { z } from "../../schema/zod.ts";
import type { RandomStream } from "../../engine/random.ts";
import { Registry } from "../../registry.ts";
import { InputError } from "../../errors.ts";
import { parseWith } from "../../schema/issues.ts";
import type { Same } from "../../schema/same.ts";
import type { ArrivalProcess } from "./process.ts";
import { ARRIVAL_ENTRIES, ARRIVAL_RUNTIME } from "./registry.ts";
import type { ArrivalProcessName, ArrivalSpec } from "./spec.ts";

export type {
  ArrivalProcess,
  ArrivalProcessDefinition,
  ProcessSchema,
} from "./process.ts";
export {
  defineArrivalProcess,
  PROCESS_DOC,
  ratePerS,
  ratePerSOrInf,
} from "./process.ts";
export {
  ARRIVAL_ENTRIES,
  ARRIVAL_RUNTIME,
  type ArrivalProcessRuntime,
  scaleArrival,
  validArrivalClock,
  validMeanRate,
} from "./registry.ts";
export type {
  ArrivalKeys,
  ArrivalProcessName,
  ArrivalSpec,
  ScheduleStep,
} from "./spec.ts";

const ENTRIES = ARRIVAL_ENTRIES;
type Built = ReturnType<(typeof ENTRIES)[number]["schema"]>;

// Each process's schema, built once.
const SCHEMAS = ENTRIES.map((e) => e.schema(z)) as readonly Built[];

/**
 * Every arrival process with its schema, in the order help and docs list
 * them.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ARRIVAL_PROCESSES } from "./mod.ts";
 * assert.deepEqual(ARRIVAL_PROCESSES.names, [
 *   "poisson", "gamma", "deterministic", "schedule", "diurnal", "on_off",
 *   "closed_loop",
 * ]);
 * assert.throws(() => ARRIVAL_PROCESSES.get("gama"), /did you mean "gamma"/);
 * ```
 */
export const ARRIVAL_PROCESSES: Registry<ArrivalProcess> = new Registry<
  ArrivalProcess
>("arrival process", ENTRIES.map((e, i) => ({ ...e, schema: SCHEMAS[i] })));

// The documented types and the schemas agree: the names are the
// registry's, and each process's spec is its schema's output with the
// other processes' keys optional (see ArrivalKeys).
type KeysOf<T> = T extends unknown ? keyof T : never;
type ValueOf<T, K extends PropertyKey> = T extends unknown
  ? K extends keyof T ? T[K] : never
  : never;
type Loose<T, All = T> = T extends unknown ? Flat<
    & T
    & { [K in Exclude<KeysOf<All>, keyof T>]?: ValueOf<All, K> }
  >
  : never;
type Flat<T> = { [K in keyof T]: T[K] };
const _namesMatch: Same<
  ArrivalProcessName,
  (typeof ENTRIES)[number]["name"]
> = true;
const _specMatch: Same<
  ArrivalSpec,
  Loose<z.output<Built>>
> = true;

/** Options of {@linkcode arrivalSchema}. */
export interface ArrivalSchemaOptions {
  /**
   * The scenario's top-level `arrival`, which may be left out and whose
   * `rate_per_s` defaults to 2, rather than a class's own (which must give
   * it).
   */
  topLevel: boolean;
}

/**
 * The type of {@linkcode arrivalSchema}'s schemas: a YAML section in, an
 * {@linkcode ArrivalSpec} out.
 */
export type ArrivalSchema = z.ZodType<ArrivalSpec>;

/**
 * The schema of an `arrival` section: the processes' schemas as a union
 * discriminated on `process` (absent: `poisson`). Its description lists the
 * processes.
 *
 * @param options Whether this is the top-level section.
 * @returns The schema; its output is an {@linkcode ArrivalSpec}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWith } from "../../schema/issues.ts";
 * import { arrivalSchema } from "./mod.ts";
 * const top = arrivalSchema({ topLevel: true });
 * assert.deepEqual(parseWith(top, undefined), {
 *   process: "poisson",
 *   rate_per_s: 2,
 * });
 * const own = arrivalSchema({ topLevel: false });
 * assert.throws(() => parseWith(own, { process: "gamma", cv: 2 }, ["a"]), {
 *   message: "a.rate_per_s: is required with process gamma",
 * });
 * ```
 */
export function arrivalSchema(options: ArrivalSchemaOptions): ArrivalSchema {
  return options.topLevel ? TOP_LEVEL : OWN;
}

/**
 * A clock of arrival times: each call returns the next arrival, in absolute
 * seconds from 0, forever. Times never decrease; they are strictly increasing
 * except that a gamma gap with shape < 1 can underflow to 0.
 *
 * @param spec The arrival process.
 * @param stream The stream to draw from; give the clock its own.
 * @returns A function returning successive arrival times.
 * @throws {RangeError} If the spec is not valid.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { arrivalClock } from "./mod.ts";
 * import { RandomStream } from "../../engine/random.ts";
 * const even = arrivalClock(
 *   { process: "deterministic", rate_per_s: 4 },
 *   new RandomStream(1, "arrivals"),
 * );
 * assert.deepEqual([even(), even()], [0.25, 0.5]);
 * assert.throws(
 *   () => arrivalClock({ process: "poisson", rate_per_s: 0 }, new RandomStream(1, "a")),
 *   RangeError,
 * );
 * ```
 */
export function arrivalClock(
  spec: ArrivalSpec,
  stream: RandomStream,
): () => number {
  const valid = checked(spec);
  return ARRIVAL_RUNTIME.get(valid.process).clock(valid, stream);
}

/**
 * The long-run mean arrival rate of a process, requests per second (for
 * offered-load figures).
 *
 * @param spec The arrival process.
 * @returns The long-run rate.
 * @throws {RangeError} If the spec is not valid.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { meanRate } from "./mod.ts";
 * const r = meanRate({
 *   process: "schedule",
 *   schedule: [{ duration_s: 30, rate_per_s: 4 }, { duration_s: 10, rate_per_s: 0 }],
 * });
 * assert.equal(r, 3);
 * ```
 */
export function meanRate(spec: ArrivalSpec): number {
  const valid = checked(spec);
  return ARRIVAL_RUNTIME.get(valid.process).meanRate(valid);
}

// ---------------------------------------------------------------------------

const DESCRIPTION = "Request arrivals: " +
  ENTRIES.map((e) => `\`${e.name}\` (${e.doc})`).join(", ") + ".";

// The prototype's default rate, at the top level only (each process keeps
// its own rate schema: some take \`inf\`).
const RATE_DEFAULT = 2;

type Options = [Built, ...Built[]];

function union(topLevel: boolean) {
  const options = SCHEMAS.map((s) =>
    topLevel && "rate_per_s" in s.shape
      ? s.extend({
        rate_per_s: (s.shape.rate_per_s as z.ZodType<number>).default(
          RATE_DEFAULT,
        ),
      })
      : s
  ) as unknown as Options;
  return z.discriminatedUnion("process", options);
}

const OWN: ArrivalSchema = union(false).describe(DESCRIPTION);
// An absent top-level section is all defaults, as if written `arrival: {}`
// (valid input here, though `options` is typed as the classes' union).
const TOP_LEVEL: ArrivalSchema = union(true).prefault({} as never).describe(
  DESCRIPTION,
);

// Library callers get the scenario's checks, as a RangeError.
function checked(spec: ArrivalSpec): ArrivalSpec {
  try {
    return parseWith(OWN, spec);
  } catch (e) {
    throw e instanceof InputError ? new RangeError(e.message) : e;
  }
}
