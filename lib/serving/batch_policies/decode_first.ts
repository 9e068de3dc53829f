/**
 * `decode_first`: every running request decodes; whole prompts fill the
 * remaining token budget.
 *
 * @module
 */

import type { BatchBuilder, BatchPolicy } from "./policy.ts";

/** The `decode_first` batch policy. */
export const decodeFirst = {
  name: "decode_first",
  doc: "every running request decodes; whole prompts fill the remaining " +
    "token budget",
  plan(batch: BatchBuilder, now: number, budget: number): void {
    batch.admitWhole(now, budget - batch.scheduleDecodes());
  },
} as const satisfies BatchPolicy;
