/**
 * Time series charts for reports (KV cache use or queue length over a
 * run): long series drawn as lines without markers and thinned by chart.js'
 * min-max decimation, as PNG or SVG.
 *
 * Like `./chart_canvas.ts`, this module loads chart.js and a native canvas
 * library, so it is imported lazily and needs the flags given there.
 *
 * @module
 */

import type { ChartConfiguration, ChartDataset } from "npm:chart.js@^4.5.0";
import { type ChartRenderOptions, renderChartConfig } from "./chart_canvas.ts";
import {
  axisTitle,
  baseOptions,
  GRID,
  linearTicks,
  lineLegend,
  type XY,
} from "./chart_options.ts";
import { degenerateRange, fontSizes, seriesStyle } from "./chart_style.ts";

// Re-exported so that this module's signatures are documented in full.
export type { ChartRenderOptions } from "./chart_canvas.ts";

/** One line of a time series chart. */
export interface TimeSeries {
  /** Name shown in the legend. */
  label: string;
  /** Times, ascending, one per sample. */
  t: number[];
  /** Values, one per time; values that are not finite leave gaps. */
  y: number[];
}

/** What a time series chart shows. */
export interface TimeSeriesChartSpec {
  /** Title above the plot. An empty string draws no title. */
  title: string;
  /** Title of the x (time) axis. */
  xLabel: string;
  /** Title of the y axis. */
  yLabel: string;
  /** The lines, drawn in the palette's colours in this order. */
  series: TimeSeries[];
}

/** Series longer than this are drawn without point markers, as lines only. */
const MAX_MARKED_POINTS = 60;

/**
 * The chart.js configuration that {@link renderTimeSeriesChart} draws.
 *
 * @param spec What to draw.
 * @param options The size the chart will be drawn at (fonts scale with it).
 * @returns The configuration.
 * @throws {RangeError} If a series' `t` and `y` differ in length.
 */
export function timeSeriesChartConfig(
  spec: TimeSeriesChartSpec,
  options: ChartRenderOptions = {},
): ChartConfiguration<"line", XY[]> {
  const fonts = fontSizes(options.width ?? 900);
  const styles = spec.series.map((_, i) => seriesStyle(i, { markers: false }));
  const ys: number[] = [];
  const datasets: ChartDataset<"line", XY[]>[] = spec.series.map(
    (series, i) => {
      if (series.t.length !== series.y.length) {
        throw new RangeError(
          `Series "${series.label}": y has ${series.y.length} values but t has ${series.t.length}`,
        );
      }
      const { color, dash } = styles[i];
      const data: XY[] = [];
      series.t.forEach((t, j) => {
        const y = series.y[j];
        if (Number.isFinite(t)) {
          data.push({ x: t, y: Number.isFinite(y) ? y : null });
          if (Number.isFinite(y)) ys.push(y);
        }
      });
      // chart.js takes {x, y} points to be sorted by x.
      data.sort((a, b) => a.x - b.x);
      return {
        label: series.label,
        data,
        borderColor: color,
        backgroundColor: color,
        borderWidth: 1.5,
        borderDash: [...dash],
        pointRadius: data.length > MAX_MARKED_POINTS ? 0 : 2.5,
        spanGaps: false,
        fill: false,
      };
    },
  );
  const base = baseOptions(spec.title, fonts);
  return {
    type: "line",
    data: { datasets },
    options: {
      ...base,
      // Decimation needs unparsed {x, y} points on a linear x axis.
      parsing: false,
      scales: {
        x: {
          type: "linear",
          title: axisTitle(spec.xLabel, fonts),
          grid: GRID,
          ticks: linearTicks(fonts),
        },
        y: {
          type: "linear",
          title: axisTitle(spec.yLabel, fonts),
          grid: GRID,
          ...degenerateRange(ys),
          ticks: linearTicks(fonts),
        },
      },
      plugins: {
        ...base.plugins,
        decimation: { enabled: true, algorithm: "min-max" },
        legend: lineLegend(fonts, spec.series.length, styles),
      },
    },
  };
}

/**
 * Draws values over time as lines. Unlike the line chart of `./line_chart.ts`, long
 * series are drawn without point markers and thinned by chart.js' min-max
 * decimation to a few points per pixel column, which keeps spikes visible
 * and simulations with many thousands of samples fast to draw.
 *
 * @param spec What to draw: title, axis titles and series.
 * @param options Size in pixels (default 900 x 560) and format (default PNG).
 * @returns The encoded image: PNG bytes, or UTF-8 SVG text starting with `<svg`.
 * @throws {RangeError} If a size is not an integer from 1 to 16384, or a
 * series' `t` and `y` differ in length.
 *
 * @example Usage
 * ```ts ignore
 * import { renderTimeSeriesChart } from "./time_series_chart.ts";
 * const png = await renderTimeSeriesChart({
 *   title: "KV cache use",
 *   xLabel: "Time (s)",
 *   yLabel: "Blocks in use",
 *   series: [{ label: "replica 0", t: [0, 1, 2], y: [0, 120, 80] }],
 * });
 * await Deno.writeFile("kv_use.png", png);
 * ```
 */
export async function renderTimeSeriesChart(
  spec: TimeSeriesChartSpec,
  options: ChartRenderOptions = {},
): Promise<Uint8Array> {
  return await renderChartConfig(
    timeSeriesChartConfig(spec, options),
    options,
  );
}
