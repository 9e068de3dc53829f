/**
 * The batch policies: how an instance composes each iteration's batch. A
 * new policy is one file exporting a {@linkcode BatchPolicy} and one line in
 * {@linkcode BATCH_POLICIES}; the scenario schema, help and errors take the
 * names from here.
 *
 * @module
 */

import { Registry } from "../../registry.ts";
import { chunked } from "./chunked.ts";
import { decodeFirst } from "./decode_first.ts";
import { prefillFirst } from "./prefill_first.ts";

export type { BatchBuilder, BatchPolicy } from "./policy.ts";

/**
 * Every batch policy, in the order help lists them.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { BATCH_POLICIES } from "./mod.ts";
 * assert.deepEqual(BATCH_POLICIES.names, ["prefill_first", "decode_first", "chunked"]);
 * assert.throws(() => BATCH_POLICIES.get("chunk"), /did you mean "chunked"/);
 * ```
 */
export const BATCH_POLICIES = new Registry("batch policy", [
  prefillFirst,
  decodeFirst,
  chunked,
]);

/** The name of a registered batch policy. */
export type BatchPolicyName = (typeof BATCH_POLICIES.names)[number];
