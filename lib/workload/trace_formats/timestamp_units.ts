/**
 * The units a trace's timestamps may come in: the one list that the trace
 * options' schema, the replay and the command line's help read.
 *
 * @module
 */

import { Registry } from "../../registry.ts";
import type { Same } from "../../schema/same.ts";

/**
 * A timestamp unit's name.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TimestampUnit } from "./timestamp_units.ts";
 * const unit: TimestampUnit = "ms";
 * assert.equal(unit, "ms");
 * ```
 */
export type TimestampUnit = "s" | "ms" | "us" | "datetime";

/** One timestamp unit. */
export interface TimestampUnitEntry {
  /** The name `timestamp_unit` takes. */
  readonly name: TimestampUnit;
  /** What a timestamp in this unit looks like. */
  readonly doc: string;
  /**
   * Trace seconds are the parsed number divided by this (a date-time is
   * parsed to seconds already).
   */
  readonly divisor: number;
}

const UNITS = [
  { name: "s", doc: "seconds, a number", divisor: 1 },
  { name: "ms", doc: "milliseconds, a number", divisor: 1e3 },
  { name: "us", doc: "microseconds, a number", divisor: 1e6 },
  {
    name: "datetime",
    doc: "text like `2023-11-16 18:17:03.9799600`, read as UTC",
    divisor: 1,
  },
] as const satisfies readonly TimestampUnitEntry[];

// The documented names are the list's.
const _unitsMatch: Same<TimestampUnit, (typeof UNITS)[number]["name"]> = true;

/**
 * Every timestamp unit, in the order help lists them.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { TIMESTAMP_UNITS } from "./timestamp_units.ts";
 * assert.deepEqual(TIMESTAMP_UNITS.names, ["s", "ms", "us", "datetime"]);
 * assert.equal(TIMESTAMP_UNITS.get("ms").divisor, 1000);
 * ```
 */
export const TIMESTAMP_UNITS: Registry<TimestampUnitEntry> = new Registry<
  TimestampUnitEntry
>("timestamp unit", UNITS);
