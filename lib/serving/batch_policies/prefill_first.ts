/**
 * `prefill_first`: vLLM's classic scheduler. When prompts wait and fit, the
 * iteration runs only prefills (whole prompts) and the decodes stall.
 *
 * @module
 */

import type { BatchBuilder, BatchPolicy } from "./policy.ts";

/** The `prefill_first` batch policy. */
export const prefillFirst = {
  name: "prefill_first",
  doc: "when prompts wait and fit, an iteration runs only whole-prompt " +
    "prefills and the decodes stall (vLLM's classic scheduler)",
  plan(batch: BatchBuilder, now: number, budget: number): void {
    if (batch.admitWhole(now, budget) === 0) batch.scheduleDecodes();
  },
} as const satisfies BatchPolicy;
