/**
 * `simulate`'s flags for `vllm bench serve`'s output, named and parsed as
 * vLLM has them (vllm/benchmarks/serve.py, `add_cli_args()`, at commit
 * 009e6d4a:
 * https://github.com/vllm-project/vllm/blob/009e6d4a1cd6ba3fb2a9fc00f4ec06f5297232a1/vllm/benchmarks/serve.py):
 * `--percentile-metrics` (default `ttft,tpot,itl`), `--metric-percentiles`
 * (default `99`), `--save-detailed`; `--save-result` takes the file here
 * (vLLM's is a switch, with `--result-dir` and `--result-filename`).
 *
 * @module
 */

import { InputError } from "../errors.ts";
import {
  VLLM_BENCH_METRICS,
  type VllmBenchMetric,
} from "../report/vllm_bench_figures.ts";
import { booleanOption, type OptionGroup, stringOption } from "./command.ts";
import type { Values } from "./common.ts";

/** The options, as `simulate --help` shows them. */
export const VLLM_BENCH_OPTIONS: OptionGroup = {
  title: "vllm bench serve output (with --format vllm-bench or --save-result):",
  options: [
    stringOption(
      "save-result",
      "FILE",
      "also write the JSON vllm bench serve --save-result writes",
    ),
    booleanOption(
      "save-detailed",
      "with --save-result: add the per-request arrays (input_lens, ttfts, itls, start_times, ...)",
    ),
    stringOption(
      "percentile-metrics",
      "LIST",
      "metrics with statistics: ttft, tpot, itl, e2el, comma-separated",
      { default: "ttft,tpot,itl" },
    ),
    stringOption(
      "metric-percentiles",
      "LIST",
      "percentiles to report, comma-separated, e.g. 25,50,99",
      { default: "99" },
    ),
  ],
};

// Names vLLM accepts that need a client-side queue, which simulate has not.
const QUEUE_METRICS = ["client_queue_time", "e2el_including_client_queue"];

/**
 * `--percentile-metrics`: metric names, comma-separated.
 *
 * @param text The flag's value (default `ttft,tpot,itl`).
 * @returns The metrics, as given.
 * @throws {InputError} An empty or unknown name.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { percentileMetrics } from "./vllm_bench_flags.ts";
 * assert.deepEqual(percentileMetrics(undefined), ["ttft", "tpot", "itl"]);
 * assert.deepEqual(percentileMetrics("e2el,ttft"), ["e2el", "ttft"]);
 * assert.throws(() => percentileMetrics("ttft,lat"), /--percentile-metrics: unknown metric "lat"/);
 * ```
 */
export function percentileMetrics(text: string | undefined): VllmBenchMetric[] {
  if (text === undefined) return ["ttft", "tpot", "itl"];
  return text.split(",").map((s) => {
    const name = s.trim();
    if ((VLLM_BENCH_METRICS as readonly string[]).includes(name)) {
      return name as VllmBenchMetric;
    }
    if (QUEUE_METRICS.includes(name)) {
      throw new InputError(
        `--percentile-metrics: ${name} needs a client-side concurrency limit, which this run has not; use ${
          VLLM_BENCH_METRICS.join(", ")
        }`,
      );
    }
    throw new InputError(
      `--percentile-metrics: unknown metric "${name}"; use ${
        VLLM_BENCH_METRICS.join(", ")
      }, comma-separated`,
    );
  });
}

/**
 * `--metric-percentiles`: percentiles in [0, 100], comma-separated.
 *
 * @param text The flag's value (default `99`).
 * @returns The percentiles, in the order given.
 * @throws {InputError} A value that is not a number in [0, 100].
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { metricPercentiles } from "./vllm_bench_flags.ts";
 * assert.deepEqual(metricPercentiles(undefined), [99]);
 * assert.deepEqual(metricPercentiles("25,50,99.9"), [25, 50, 99.9]);
 * assert.throws(() => metricPercentiles("50,101"), /--metric-percentiles: expected percentiles in \[0, 100\]/);
 * ```
 */
export function metricPercentiles(text: string | undefined): number[] {
  if (text === undefined) return [99];
  return text.split(",").map((s) => {
    const t = s.trim();
    const p = Number(t);
    if (t === "" || !Number.isFinite(p) || p < 0 || p > 100) {
      throw new InputError(
        `--metric-percentiles: expected percentiles in [0, 100], comma-separated, got "${t}"`,
      );
    }
    return p;
  });
}

/** What `simulate` is asked for in vLLM's terms. */
export interface VllmBenchRequest {
  /** Whether stdout is the result block. */
  print: boolean;
  /** `--save-result`'s file. */
  saveResult?: string;
  /** `--save-detailed`. */
  detailed: boolean;
  /** `--percentile-metrics`. */
  metrics: VllmBenchMetric[];
  /** `--metric-percentiles`. */
  percentiles: number[];
}

/**
 * The vLLM output `simulate`'s flags ask for, or null when none is; its
 * flags without `--format vllm-bench` or `--save-result` are an error
 * (they would do nothing).
 *
 * @param values Parsed values.
 * @param print Whether `--format` is `vllm-bench`.
 * @returns The request, or null.
 * @throws {InputError} A bad value, or a flag that would do nothing.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { vllmBenchRequest } from "./vllm_bench_flags.ts";
 * assert.equal(vllmBenchRequest({}, false), null);
 * assert.deepEqual(vllmBenchRequest({ "save-result": "r.json" }, false)?.percentiles, [99]);
 * assert.throws(() => vllmBenchRequest({ "metric-percentiles": "50" }, false), /only with --format vllm-bench or --save-result/);
 * ```
 */
export function vllmBenchRequest(
  values: Values,
  print: boolean,
): VllmBenchRequest | null {
  const saveResult = values["save-result"] as string | undefined;
  if (!print && saveResult === undefined) {
    for (const flag of ["percentile-metrics", "metric-percentiles"]) {
      if (values[flag] !== undefined) {
        throw new InputError(
          `--${flag}: only with --format vllm-bench or --save-result`,
        );
      }
    }
  }
  if (values["save-detailed"] === true && saveResult === undefined) {
    throw new InputError("--save-detailed: only with --save-result FILE");
  }
  const metrics = percentileMetrics(
    values["percentile-metrics"] as string | undefined,
  );
  const percentiles = metricPercentiles(
    values["metric-percentiles"] as string | undefined,
  );
  if (!print && saveResult === undefined) return null;
  return {
    print,
    saveResult,
    detailed: values["save-detailed"] === true,
    metrics,
    percentiles,
  };
}
