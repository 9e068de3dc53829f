/**
 * `llmsim simulate`: one scenario's metrics as one JSON object (or a
 * table), optionally with every TTFT and every request's timeline.
 *
 * @module
 */

import { simulate } from "../../analysis/simulate.ts";
import { InputError } from "../../errors.ts";
import { flattenRow } from "../../report/csv.ts";
import { writeFilesAtomic } from "../../report/files.ts";
import { toJson } from "../../report/json.ts";
import { requestsCsv } from "../../report/requests_csv.ts";
import { renderTable } from "../../report/table.ts";
import { type Command, stringOption } from "../command.ts";
import { fileOutputs, format, loadScenario, warn } from "../common.ts";
import { scenarioOptions } from "../options.ts";

/** `llmsim simulate`. */
export const SIMULATE: Command = {
  name: "simulate",
  doc: "run one scenario and print its metrics",
  usage: "simulate [options]",
  description: "Runs one scenario and prints its metrics as one JSON object.",
  options: [
    {
      options: [
        stringOption(
          "dump-ttft",
          "FILE",
          "also write the measured TTFTs (s) as a JSON array",
        ),
        stringOption(
          "dump-requests",
          "FILE",
          "also write every request's timeline as CSV",
        ),
      ],
    },
    scenarioOptions(),
  ],
  outputs: (values) => fileOutputs(values, ["dump-ttft", "dump-requests"]),
  async run(values) {
    const fmt = format(values);
    const scenario = await loadScenario(values);
    // A sketch recycles request slots: there is no per-request record left.
    for (const flag of ["dump-requests", "dump-ttft"]) {
      if (
        values[flag] !== undefined && scenario.metrics.percentiles === "sketch"
      ) {
        throw new InputError(
          `--${flag} needs every request's record: metrics.percentiles is ${scenario.metrics.percentiles}, set it to exact`,
        );
      }
    }
    // Records are kept whole only for the dumps that read them.
    const result = simulate(scenario, {
      keepRecords: values["dump-requests"] !== undefined ||
        values["dump-ttft"] !== undefined,
    });
    const warnings = [...result.warnings];
    const json = toJson(result.summary, warnings);
    const files = new Map<string, string>();
    const dumpRequests = values["dump-requests"] as string | undefined;
    if (dumpRequests) {
      files.set(dumpRequests, requestsCsv(result.records, scenario));
    }
    const dump = values["dump-ttft"] as string | undefined;
    if (dump) {
      const { firstTokenS, arrivalS, count, outcome } = result.records;
      const ttfts: number[] = [];
      for (let i = 0; i < count; i++) {
        // Refused and abandoned requests have no first token.
        if (arrivalS[i] >= scenario.warmup_seconds && outcome[i] === 0) {
          ttfts.push(firstTokenS[i] - arrivalS[i]);
        }
      }
      files.set(dump, JSON.stringify(ttfts) + "\n");
    }
    await writeFilesAtomic(files);
    warn(warnings);
    console.log(
      fmt === "json" ? json : renderTable(
        ["metric", "value"],
        Object.entries(flattenRow(result.summary)),
      ),
    );
  },
};
