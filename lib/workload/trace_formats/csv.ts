/**
 * Any CSV with a header: `columns` names the column of each field and
 * `timestamp_unit` the timestamps' unit (default `s`). A `hash_ids` field
 * is a JSON array (`"[1,2]"`, quoted) or whole numbers separated by spaces
 * or semicolons.
 *
 * @module
 */

import type { Zod } from "../../schema/zod.ts";
import { CsvRows } from "./_csv_rows.ts";
import {
  columnsSchema,
  defineTraceFormat,
  FORMAT_DOC,
  timestampUnitSchema,
} from "./format.ts";

/**
 * The `csv` format.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { CSV } from "./csv.ts";
 * const columns = { timestamp: "t", prompt_tokens: "in", output_tokens: "out" };
 * assert.equal(CSV.layout({ format: "csv", columns }).unit, "s");
 * assert.equal("columns" in CSV, false);
 * ```
 */
export const CSV = defineTraceFormat({
  name: "csv",
  doc: "any CSV with a header, with a `columns` mapping",
  schema: (z: Zod) =>
    z.strictObject({
      format: z.literal("csv").describe(FORMAT_DOC),
      columns: columnsSchema(z),
      timestamp_unit: timestampUnitSchema(z),
    }),
  lengths: false,
  layout: (o) => ({
    format: "csv",
    unit: o.timestamp_unit ?? "s",
    columns: o.columns!,
    mapped: true,
    zeroOutputFails: false,
  }),
  rows: (file, layout, reader) => new CsvRows(file, layout, reader),
});
