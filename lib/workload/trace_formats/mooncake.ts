/**
 * Mooncake's traces: JSON lines `{"timestamp": ms, "input_length",
 * "output_length", "hash_ids": [...]}`; `hash_ids` become the requests'
 * prefix-block ids.
 *
 * @module
 */

import type { Zod } from "../../schema/zod.ts";
import { JsonRows } from "./_json_rows.ts";
import { defineTraceFormat, FORMAT_DOC, type RowLayout } from "./format.ts";

const LAYOUT: RowLayout = {
  format: "mooncake",
  unit: "ms",
  columns: {
    timestamp: "timestamp",
    prompt_tokens: "input_length",
    output_tokens: "output_length",
    hash_ids: "hash_ids",
  },
  mapped: false,
  zeroOutputFails: false,
};

/**
 * The `mooncake` format.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { MOONCAKE } from "./mooncake.ts";
 * assert.equal(MOONCAKE.columns?.hash_ids, "hash_ids");
 * assert.equal(MOONCAKE.layout().unit, "ms");
 * ```
 */
export const MOONCAKE = defineTraceFormat({
  name: "mooncake",
  doc: "JSON lines with hash_ids",
  schema: (z: Zod) =>
    z.strictObject({
      format: z.literal("mooncake").describe(FORMAT_DOC),
    }),
  columns: LAYOUT.columns,
  lengths: true,
  layout: () => LAYOUT,
  rows: (file, layout) => new JsonRows(file, layout),
});
