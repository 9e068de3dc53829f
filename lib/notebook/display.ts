/**
 * Results that show themselves in Jupyter: an HTML table of the headline
 * metrics and a PNG chart of the TTFT distribution, through Deno's
 * `Symbol.for("Jupyter.display")` protocol. Charts are imported only when a
 * notebook asks for them.
 *
 * @module
 */

import {
  measuredLatencies,
  type SimulationResult,
} from "../analysis/simulate.ts";
import type { ComparisonResult } from "../analysis/compare.ts";
import type { Summary } from "../metrics/summary.ts";
import { renderHtmlTable, toBase64 } from "../report/html.ts";

/**
 * The key by which Deno's Jupyter kernel finds an object's display method.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { JUPYTER_DISPLAY } from "./display.ts";
 * assert.equal(JUPYTER_DISPLAY, Symbol.for("Jupyter.display"));
 * ```
 */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for(
  "Jupyter.display",
) as never;
const DISPLAY = JUPYTER_DISPLAY;

const HEADLINE = [
  "num_samples",
  "throughput_rps",
  "p50_ttft_s",
  "p90_ttft_s",
  "p99_ttft_s",
  "p50_tpot_s",
  "p90_tpot_s",
  "p90_e2e_s",
  "slo_attainment",
  "goodput_rps_per_gpu",
  "stable",
] as const satisfies readonly (keyof Summary)[];

/** A Jupyter MIME bundle. */
export type MediaBundle = Record<string, string>;

/** Something a Deno Jupyter kernel can display. */
export interface Displayable {
  /** Returns the MIME bundle (HTML table and PNG chart). */
  [JUPYTER_DISPLAY]: () => Promise<MediaBundle>;
}

function headline(labels: string[], summaries: Summary[]): string {
  const keys = HEADLINE.filter((k) => summaries.some((s) => k in s));
  return renderHtmlTable({
    columns: ["metric", ...labels],
    rows: keys.map((k) => [
      k,
      ...summaries.map((s) => s[k] ?? null),
    ]),
  });
}

async function bundle(
  labels: string[],
  runs: SimulationResult[],
): Promise<MediaBundle> {
  const { renderCdfChart } = await import("../report/cdf_chart.ts");
  const png = await renderCdfChart({
    title: "TTFT distribution",
    xLabel: "TTFT (s)",
    series: runs.map((r, k) => ({
      label: labels[k],
      values: measuredLatencies(r).ttft,
    })),
  }, { width: 720, height: 420 });
  const summaries = runs.map((r) => r.summary);
  return {
    "text/html": headline(labels, summaries),
    "image/png": toBase64(png),
    "text/plain": JSON.stringify(
      Object.fromEntries(
        HEADLINE.filter((k) => k in summaries[0]).map((
          k,
        ) => [k, summaries.map((s) => s[k])]),
      ),
    ),
  };
}

/**
 * Makes a simulation result display itself (the method is a symbol-keyed
 * property, invisible to JSON).
 *
 * @param result A result of `simulate`.
 * @returns The same object, displayable.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { displayableSimulation, JUPYTER_DISPLAY } from "./display.ts";
 * import { simulate } from "../analysis/simulate.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const r = displayableSimulation(simulate(validateScenario({ sim_seconds: 20, warmup_seconds: 2 })));
 * assert.equal(typeof r[JUPYTER_DISPLAY], "function");
 * ```
 */
export function displayableSimulation(
  result: SimulationResult,
): SimulationResult & Displayable {
  return Object.defineProperty(result, DISPLAY, {
    value: () => bundle([result.scenario.mode], [result]),
    enumerable: false,
  }) as SimulationResult & Displayable;
}

/**
 * Makes a comparison display itself: both architectures side by side.
 *
 * @param result A result of `compare`, with the runs behind it.
 * @param runs The mono and disagg simulations.
 * @returns The same object, displayable.
 */
export function displayableComparison(
  result: ComparisonResult,
  runs: { mono: SimulationResult; disagg: SimulationResult },
): ComparisonResult & Displayable {
  return Object.defineProperty(result, DISPLAY, {
    value: () => bundle(["mono", "disagg"], [runs.mono, runs.disagg]),
    enumerable: false,
  }) as ComparisonResult & Displayable;
}
