/**
 * Chart rendering for library users, loaded on first use: importing the
 * library does not load chart.js or the native canvas (nor need the
 * permissions they need) until a chart is drawn.
 *
 * @module
 */

import type { ChartRenderOptions } from "./chart_canvas.ts";
import type { LineChartSpec } from "./line_chart.ts";
import type { CdfChartSpec } from "./cdf_chart.ts";
import type { ParetoChartSpec } from "./pareto_chart.ts";
import type { StackedBarChartSpec } from "./stacked_bar_chart.ts";
import type { TimeSeriesChartSpec } from "./time_series_chart.ts";

/**
 * A line chart (percentiles against rate, with optional 95% bands).
 *
 * @param spec Title, axes and series.
 * @param options Size and format (PNG or SVG).
 * @returns The image bytes.
 *
 * @example Usage
 * ```ts ignore
 * import { renderLineChart } from "./render.ts";
 * const png = await renderLineChart({ title: "t", xLabel: "x", yLabel: "y", series: [{ label: "a", x: [1, 2], y: [1, 4] }] });
 * ```
 */
export async function renderLineChart(
  spec: LineChartSpec,
  options?: ChartRenderOptions,
): Promise<Uint8Array> {
  return (await import("./line_chart.ts")).renderLineChart(spec, options);
}

/**
 * Empirical CDFs of samples (TTFT, TPOT).
 *
 * @param spec Title, axis and series of samples.
 * @param options Size and format.
 * @returns The image bytes.
 *
 * @example Usage
 * ```ts ignore
 * import { renderCdfChart } from "./render.ts";
 * const png = await renderCdfChart({ title: "TTFT", xLabel: "s", series: [{ label: "mono", values: [0.1, 0.2] }] });
 * ```
 */
export async function renderCdfChart(
  spec: CdfChartSpec,
  options?: ChartRenderOptions,
): Promise<Uint8Array> {
  return (await import("./cdf_chart.ts")).renderCdfChart(spec, options);
}

/**
 * Stacked bars (the TTFT breakdown).
 *
 * @param spec Title, categories and stacks.
 * @param options Size and format.
 * @returns The image bytes.
 *
 * @example Usage
 * ```ts ignore
 * import { renderStackedBarChart } from "./render.ts";
 * const png = await renderStackedBarChart({ title: "TTFT", yLabel: "s", categories: ["mono"], stacks: [{ label: "wait", values: [0.1] }] });
 * ```
 */
export async function renderStackedBarChart(
  spec: StackedBarChartSpec,
  options?: ChartRenderOptions,
): Promise<Uint8Array> {
  return (await import("./stacked_bar_chart.ts")).renderStackedBarChart(
    spec,
    options,
  );
}

/**
 * A scatter with its Pareto front (a plan's goodput against GPUs).
 *
 * @param spec Title, axes and groups of points.
 * @param options Size and format.
 * @returns The image bytes.
 *
 * @example Usage
 * ```ts ignore
 * import { renderParetoChart } from "./render.ts";
 * const png = await renderParetoChart({ title: "plan", xLabel: "GPUs", yLabel: "goodput", groups: [{ label: "mono", points: [{ x: 1, y: 2 }] }] });
 * ```
 */
export async function renderParetoChart(
  spec: ParetoChartSpec,
  options?: ChartRenderOptions,
): Promise<Uint8Array> {
  return (await import("./pareto_chart.ts")).renderParetoChart(spec, options);
}

/**
 * Time series (queue, batch size and KV occupancy over a run).
 *
 * @param spec Title, axes and series.
 * @param options Size and format.
 * @returns The image bytes.
 *
 * @example Usage
 * ```ts ignore
 * import { renderTimeSeriesChart } from "./render.ts";
 * const png = await renderTimeSeriesChart({ title: "batch", xLabel: "s", yLabel: "n", series: [{ label: "batch", t: [0, 1], y: [3, 4] }] });
 * ```
 */
export async function renderTimeSeriesChart(
  spec: TimeSeriesChartSpec,
  options?: ChartRenderOptions,
): Promise<Uint8Array> {
  return (await import("./time_series_chart.ts")).renderTimeSeriesChart(
    spec,
    options,
  );
}
