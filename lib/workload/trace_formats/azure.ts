/**
 * The Azure LLM inference trace 2023: CSV
 * `TIMESTAMP,ContextTokens,GeneratedTokens`; `TIMESTAMP` is a wall-clock
 * date-time such as `2023-11-16 18:17:03.9799600`, read as UTC with every
 * fractional digit kept.
 *
 * @module
 */

import type { Zod } from "../../schema/zod.ts";
import { CsvRows } from "./_csv_rows.ts";
import { defineTraceFormat, FORMAT_DOC, type RowLayout } from "./format.ts";

const LAYOUT: RowLayout = {
  format: "azure",
  unit: "datetime",
  columns: {
    timestamp: "TIMESTAMP",
    prompt_tokens: "ContextTokens",
    output_tokens: "GeneratedTokens",
  },
  mapped: false,
  zeroOutputFails: false,
};

/**
 * The `azure` format.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { AZURE } from "./azure.ts";
 * assert.equal(AZURE.columns?.prompt_tokens, "ContextTokens");
 * assert.ok(AZURE.lengths);
 * ```
 */
export const AZURE = defineTraceFormat({
  name: "azure",
  doc: "Azure LLM inference trace 2023 CSV",
  schema: (z: Zod) =>
    z.strictObject({ format: z.literal("azure").describe(FORMAT_DOC) }),
  columns: LAYOUT.columns,
  lengths: true,
  layout: () => LAYOUT,
  rows: (file, layout, reader) => new CsvRows(file, layout, reader),
});
