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
import {
  MAX_ITL_GAPS,
  renderVllmBench,
  vllmBenchJson,
  vllmBenchResult,
  vllmBenchSettings,
} from "../../report/vllm_bench.ts";
import { vllmBenchFigures } from "../../report/vllm_bench_figures.ts";
import { type Command, type OptionGroup, stringOption } from "../command.ts";
import { fileOutputs, loadScenario, type Values, warn } from "../common.ts";
import { scenarioOptions } from "../options.ts";
import { VLLM_BENCH_OPTIONS, vllmBenchRequest } from "../vllm_bench_flags.ts";

// The scenario options, with simulate's third format.
const SCENARIO_OPTIONS: OptionGroup = (() => {
  const group = scenarioOptions();
  return {
    ...group,
    options: group.options.map((o) =>
      o.name === "format"
        ? {
          ...o,
          value: "json|table|vllm-bench",
          doc: "output for machines, people, or as vllm bench serve prints it",
        }
        : o
    ),
  };
})();

const FORMATS = ["json", "table", "vllm-bench"] as const;

function simulateFormat(values: Values): typeof FORMATS[number] {
  const f = (values.format as string | undefined) ?? "json";
  if (!(FORMATS as readonly string[]).includes(f)) {
    throw new InputError(
      `--format: must be json, table or vllm-bench, got "${f}"`,
    );
  }
  return f as typeof FORMATS[number];
}

// The percentiles a summary keeps, all that a sketch run can report.
const SKETCH_PERCENTILES = [50, 90, 95, 99];

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
    VLLM_BENCH_OPTIONS,
    SCENARIO_OPTIONS,
  ],
  outputs: (values) =>
    fileOutputs(values, ["dump-ttft", "dump-requests", "save-result"]),
  async run(values) {
    const fmt = simulateFormat(values);
    const bench = vllmBenchRequest(values, fmt === "vllm-bench");
    const scenario = await loadScenario(values);
    const sketch = scenario.metrics.percentiles === "sketch";
    const unknown = bench?.percentiles.find((p) =>
      !SKETCH_PERCENTILES.includes(p)
    );
    if (sketch && unknown !== undefined) {
      throw new InputError(
        `--metric-percentiles ${unknown}: metrics.percentiles is sketch, which keeps only the 50th, 90th, 95th and 99th; set it to exact`,
      );
    }
    // A sketch recycles request slots: there is no per-request record left.
    for (const flag of ["dump-requests", "dump-ttft", "save-result"]) {
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
        values["dump-ttft"] !== undefined || bench !== null,
    });
    const warnings = [...result.warnings];
    const json = fmt === "vllm-bench" ? "" : toJson(result.summary, warnings);
    const files = new Map<string, string>();
    let block = "";
    if (bench) {
      const figures = vllmBenchFigures(result, {
        percentiles: bench.percentiles,
        itl: result.itl,
      });
      const settings = vllmBenchSettings(scenario, result.summary);
      if (figures.sketched) {
        warnings.push(
          "metrics.percentiles is sketch: the vllm-bench TTFT, TPOT and E2EL figures are the summary's (percentiles within 0.5%, no standard deviations, no peaks); set it to exact for numpy's figures",
        );
      }
      if (bench.print) {
        block = renderVllmBench(figures, settings, bench.metrics);
      }
      if (bench.saveResult !== undefined) {
        const saved = vllmBenchResult(figures, settings, {
          metrics: bench.metrics,
          detailed: bench.detailed,
        });
        if (bench.detailed && saved.itls === null) {
          warnings.push(
            `--save-detailed: itls is null: the run has more than ${MAX_ITL_GAPS} token gaps; latencies, ttfts and the ITL statistics are saved`,
          );
        }
        files.set(bench.saveResult, vllmBenchJson(saved));
      }
    }
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
      fmt === "vllm-bench"
        ? block.slice(0, -1)
        : fmt === "json"
        ? json
        : renderTable(
          ["metric", "value"],
          Object.entries(flattenRow(result.summary)),
        ),
    );
  },
};
