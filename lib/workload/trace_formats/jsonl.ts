/**
 * Any JSON lines: `columns` names the key of each field and
 * `timestamp_unit` the timestamps' unit (default `s`). A mapping that names
 * a key the first row lacks is an error there, not a bad row on every line.
 *
 * @module
 */

import type { Zod } from "../../schema/zod.ts";
import { JsonRows } from "./_json_rows.ts";
import {
  columnsSchema,
  defineTraceFormat,
  FORMAT_DOC,
  timestampUnitSchema,
} from "./format.ts";

/**
 * The `jsonl` format.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { JSONL } from "./jsonl.ts";
 * const columns = { timestamp: "t", prompt_tokens: "in", output_tokens: "out" };
 * assert.equal(JSONL.layout({ format: "jsonl", columns, timestamp_unit: "ms" }).unit, "ms");
 * ```
 */
export const JSONL = defineTraceFormat({
  name: "jsonl",
  doc: "JSON lines, with a `columns` mapping",
  schema: (z: Zod) =>
    z.strictObject({
      format: z.literal("jsonl").describe(FORMAT_DOC),
      columns: columnsSchema(z),
      timestamp_unit: timestampUnitSchema(z),
    }),
  lengths: false,
  layout: (o) => ({
    format: "jsonl",
    unit: o.timestamp_unit ?? "s",
    columns: o.columns!,
    mapped: true,
    zeroOutputFails: false,
  }),
  rows: (file, layout) => new JsonRows(file, layout),
});
