/**
 * Step-time kind `table`: interpolated in measured step times read from a
 * CSV (lib/perf/step_table.ts, lib/perf/table_step_time.ts).
 *
 * @module
 */

import type { Zod } from "../../schema/zod.ts";
import { InputError } from "../../errors.ts";
import { tableStepTime } from "../../perf/table_step_time.ts";
import type { StepTimeKindEntry } from "./_kind.ts";

const KEYS = {
  table_file: (z: Zod) =>
    z.string().min(1).optional().describe(
      "`table`: CSV of measured step times with columns prefill_tokens, " +
        "decode_batch, context_tokens, step_s (a full grid) and, " +
        "optionally, prefill_attended_tokens (the attention term), " +
        "relative to the scenario file.",
    ),
};

/** Kind `table`. */
export const TABLE: StepTimeKindEntry<typeof KEYS, "table"> = {
  name: "table",
  doc: "interpolated in measured step times (`table_file`)",
  keys: KEYS,
  check(settings, at) {
    const st = settings.step_time;
    if (st.table_file === undefined && !st.table) {
      throw new InputError(
        "is required with step_time.kind: table",
        at("step_time", "table_file"),
      );
    }
  },
  build({ settings }) {
    const table = settings.step_time.table;
    if (!table) {
      throw new InputError(
        "the table was not loaded (load the scenario from its file, or set step_time.table)",
        ["step_time", "table_file"],
      );
    }
    return tableStepTime(table);
  },
};
