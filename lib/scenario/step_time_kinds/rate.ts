/**
 * Step-time kind `rate`: the prototype's model, from the clusters' tokens
 * per second (a prefill costs tokens / prefill rate, a decode step 1 /
 * decode rate).
 *
 * @module
 */

import { rateStepTime } from "../../perf/step_time.ts";
import type { StepTimeKindEntry } from "./_kind.ts";

const KEYS = {};

/** Kind `rate`. */
export const RATE: StepTimeKindEntry<typeof KEYS, "rate"> = {
  name: "rate",
  doc: "from the clusters' tokens-per-second figures (a prefill costs " +
    "tokens / prefill rate, a decode step 1 / decode rate)",
  keys: KEYS,
  build: ({ rates }) => rateStepTime(rates),
};
