/**
 * `llmsim fit`: a scenario YAML (rate, burstiness, lognormal lengths) that
 * reproduces a request trace.
 *
 * @module
 */

import { InputError } from "../../errors.ts";
import { fitToYaml, fitTrace } from "../../workload/fit.ts";
import { openTrace } from "../../workload/trace.ts";
import {
  TIMESTAMP_UNITS,
  TRACE_FORMATS,
  type TraceColumns,
  type TraceOptionsInput,
} from "../../workload/trace_formats/mod.ts";
import { type Command, stringOption } from "../command.ts";
import { HELP_OPTION } from "../options.ts";

// "a, b or c".
function orList(names: readonly string[]): string {
  return names.length < 2
    ? names.join("")
    : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}

/** `llmsim fit`. */
export const FIT: Command = {
  name: "fit",
  doc: "fit a scenario (rate, burstiness, lengths) to a trace",
  usage: "fit --trace FILE --trace-format FORMAT [options]",
  description:
    `Reads a request trace and prints a scenario YAML that reproduces it: the
arrival rate and burstiness (gamma inter-arrival CV), and lognormal prompt and
output lengths, with the trace's statistics and the fit's side by side in
comments. Save it and simulate it, or compare it with a replay of the trace.`,
  options: [{
    options: [
      stringOption("trace", "FILE", "the trace", { required: true }),
      stringOption(
        "trace-format",
        "FORMAT",
        orList(TRACE_FORMATS.names),
        { required: true },
      ),
      stringOption(
        "columns",
        "MAP",
        "csv/jsonl: timestamp=COL,prompt_tokens=COL,output_tokens=COL",
      ),
      stringOption(
        "timestamp-unit",
        "UNIT",
        `csv/jsonl: ${orList(TIMESTAMP_UNITS.names)}`,
        { default: "s" },
      ),
      stringOption(
        "spread-s",
        "S",
        "spread timestamps that come in buckets of S seconds (Mooncake's conversation trace: 3)",
      ),
      stringOption("form", "FORM", "p50_p90 or real_mean_std", {
        default: "p50_p90",
      }),
      HELP_OPTION,
    ],
  }],
  run(values) {
    const file = values.trace as string | undefined;
    const fmt = values["trace-format"] as string | undefined;
    if (file === undefined) throw new InputError("fit: --trace is required");
    const formats = TRACE_FORMATS.names;
    if (fmt === undefined || !TRACE_FORMATS.has(fmt)) {
      throw new InputError(
        `fit: --trace-format must be one of ${formats.join(", ")}, got ${
          fmt === undefined ? "nothing" : `"${fmt}"`
        }`,
      );
    }
    const form = (values.form as string | undefined) ?? "p50_p90";
    if (form !== "p50_p90" && form !== "real_mean_std") {
      throw new InputError(
        `fit: --form must be p50_p90 or real_mean_std, got "${form}"`,
      );
    }
    let columns: TraceColumns | undefined;
    if (values.columns !== undefined) {
      const map = Object.fromEntries(
        (values.columns as string).split(",").map((kv) => kv.split("=")),
      );
      for (const key of ["timestamp", "prompt_tokens", "output_tokens"]) {
        if (!map[key]) {
          throw new InputError(`fit: --columns needs ${key}=COLUMN`);
        }
      }
      columns = map as TraceColumns;
    }
    const unit = values["timestamp-unit"] as string | undefined;
    if (unit !== undefined && !TIMESTAMP_UNITS.has(unit)) {
      throw new InputError(
        `fit: --timestamp-unit must be ${
          orList(TIMESTAMP_UNITS.names)
        }, got "${unit}"`,
      );
    }
    const spread = values["spread-s"] as string | undefined;
    const spreadS = spread === undefined ? undefined : Number(spread);
    if (spreadS !== undefined && !(spreadS > 0)) {
      throw new InputError(`fit: --spread-s must be > 0, got "${spread}"`);
    }
    // The trace options check the format's own keys (columns only for
    // csv and jsonl).
    const trace = openTrace({
      file,
      format: fmt,
      columns,
      timestamp_unit: unit,
      spread_s: spreadS,
    } as TraceOptionsInput);
    console.log(
      fitToYaml(fitTrace(trace, { name: file }), { form, source: file }),
    );
    return Promise.resolve();
  },
};
