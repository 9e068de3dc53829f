/**
 * The step-time kinds, one file each: a new way of timing an iteration is
 * one new file and one line here. The `step_time` section holds every
 * kind's keys, because disagg pools inherit the top-level section and may
 * each run another kind; a key read by no pool's kind is reported by the
 * rule for keys that do nothing (lib/scenario/no_ops.ts).
 *
 * @module
 */

import { Registry } from "../../registry.ts";
import { RATE } from "./rate.ts";
import { ROOFLINE } from "./roofline.ts";
import { TABLE } from "./table.ts";
import type { BuiltKeys, StepTimeKeys, StepTimeKindEntry } from "./_kind.ts";
import type { Zod } from "../../schema/zod.ts";
import type { Same } from "../../schema/same.ts";
import type { StepTimeKindName } from "../types.ts";

export type {
  BuiltKeys,
  StepTimeContext,
  StepTimeKeys,
  StepTimeKindEntry,
} from "./_kind.ts";

const KINDS = [RATE, ROOFLINE, TABLE] as const;

/**
 * Every step-time kind by name.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { STEP_TIME_KINDS } from "./mod.ts";
 * assert.deepEqual(STEP_TIME_KINDS.names, ["rate", "roofline", "table"]);
 * ```
 */
export const STEP_TIME_KINDS: Registry<
  StepTimeKindEntry<StepTimeKeys, StepTimeKindName>
> = new Registry(
  "step-time kind",
  KINDS,
);

type Kinds = (typeof KINDS)[number];
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends
  ((i: infer I) => void) ? I : never;

/**
 * Builds every kind's `step_time` keys: the section holds them all.
 *
 * @param z The zod namespace.
 * @returns Each key's schema, in the kinds' order.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "../../schema/zod.ts";
 * import { stepTimeKeys } from "./mod.ts";
 * const keys = stepTimeKeys(z);
 * assert.equal(keys.interconnect_efficiency.parse(undefined), 0.7);
 * ```
 */
export function stepTimeKeys(z: Zod): BuiltKeys<Intersection<Kinds["keys"]>> {
  const out: Record<string, unknown> = {};
  for (const kind of STEP_TIME_KINDS.entries()) {
    for (const [key, build] of Object.entries(kind.keys)) out[key] = build(z);
  }
  return out as BuiltKeys<Intersection<Kinds["keys"]>>;
}

/**
 * Which kind reads each `step_time` key other than `kind`.
 *
 * @returns Key to kind name.
 */
export function stepTimeKeyKinds(): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const kind of STEP_TIME_KINDS.entries()) {
    for (const key of Object.keys(kind.keys)) out[key] = kind.name;
  }
  return out;
}

// The documented kind names are the registered ones.
const _sameNames: Same<(typeof KINDS)[number]["name"], StepTimeKindName> = true;
void _sameNames;
