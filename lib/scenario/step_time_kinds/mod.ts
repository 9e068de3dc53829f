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
import type { StepTimeKindEntry } from "./_kind.ts";
import type { z } from "../../schema/zod.ts";
import type { Same } from "../../schema/same.ts";
import type { StepTimeKindName } from "../types.ts";

export type { StepTimeContext, StepTimeKindEntry } from "./_kind.ts";

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
  StepTimeKindEntry<z.ZodRawShape, StepTimeKindName>
> = new Registry(
  "step-time kind",
  KINDS,
);

type Kinds = (typeof KINDS)[number];
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends
  ((i: infer I) => void) ? I : never;

/** Every kind's `step_time` keys: the section holds them all. */
export const STEP_TIME_KEYS = Object.assign(
  {},
  ...STEP_TIME_KINDS.entries().map((k) => k.keys),
) as Intersection<Kinds["keys"]>;

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
