/**
 * BurstGPT: CSV `Timestamp,Model,Request tokens,Response tokens,Total
 * tokens,Log Type`, `Timestamp` in seconds. A row with `Response tokens` 0
 * is a failed request: skipped and counted in `stats.failed`.
 *
 * @module
 */

import type { Zod } from "../../schema/zod.ts";
import { CsvRows } from "./_csv_rows.ts";
import { defineTraceFormat, FORMAT_DOC, type RowLayout } from "./format.ts";

const LAYOUT: RowLayout = {
  format: "burstgpt",
  unit: "s",
  columns: {
    timestamp: "Timestamp",
    prompt_tokens: "Request tokens",
    output_tokens: "Response tokens",
  },
  mapped: false,
  zeroOutputFails: true,
};

/**
 * The `burstgpt` format.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { BURSTGPT } from "./burstgpt.ts";
 * assert.equal(BURSTGPT.layout().zeroOutputFails, true);
 * ```
 */
export const BURSTGPT = defineTraceFormat({
  name: "burstgpt",
  doc: "CSV; failed requests, with 0 response tokens, are skipped and counted",
  schema: (z: Zod) =>
    z.strictObject({
      format: z.literal("burstgpt").describe(FORMAT_DOC),
    }),
  columns: LAYOUT.columns,
  lengths: true,
  layout: () => LAYOUT,
  rows: (file, layout, reader) => new CsvRows(file, layout, reader),
});
