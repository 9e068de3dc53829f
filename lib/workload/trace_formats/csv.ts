/**
 * Any CSV with a header: `columns` names the column of each field and
 * `timestamp_unit` the timestamps' unit (default `s`). A `hash_ids` field
 * is a JSON array (`"[1,2]"`, quoted) or whole numbers separated by spaces
 * or semicolons.
 *
 * @module
 */

import { z } from "../../schema/zod.ts";
import { CsvRows } from "./_csv_rows.ts";
import {
  COLUMNS,
  defineTraceFormat,
  FORMAT_DOC,
  TIMESTAMP_UNIT,
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
  schema: z.strictObject({
    format: z.literal("csv").describe(FORMAT_DOC),
    columns: COLUMNS,
    timestamp_unit: TIMESTAMP_UNIT,
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
