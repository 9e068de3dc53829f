/**
 * The chart.js options the CDF, stacked bar, Pareto and time series charts
 * share, so that they look alike: static rendering with the title on top,
 * axis titles, readable linear ticks, the grid colour and the line-sample
 * legend of the line-only charts.
 *
 * Like `./chart_canvas.ts`, this module loads chart.js and a native canvas
 * library, so it is imported lazily and needs the flags given there.
 *
 * @module
 */

import { Chart, type ChartOptions, type PointStyle } from "npm:chart.js@^4.5.0";
import { legendSampleImage } from "./chart_canvas.ts";
import { type FontSizes, formatTick, type SeriesStyle } from "./chart_style.ts";

/**
 * Shared chart.js options: static, exact size, no events or tooltips, and
 * the title (none when empty) in bold.
 *
 * @param title The chart's title; `""` draws none.
 * @param fonts The chart's font sizes.
 * @returns Options to spread into a chart's `options`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { baseOptions } from "./chart_options.ts";
 * import { fontSizes } from "./chart_style.ts";
 * const options = baseOptions("", fontSizes(900));
 * assert.equal(options.animation, false);
 * assert.equal(options.plugins.title.display, false);
 * ```
 */
export function baseOptions(title: string, fonts: FontSizes) {
  return {
    animation: false,
    responsive: false,
    maintainAspectRatio: false,
    devicePixelRatio: 1,
    events: [] as string[],
    layout: { padding: 12 },
    plugins: {
      title: {
        display: title !== "",
        text: title,
        font: { size: fonts.title, weight: "bold" as const },
      },
      tooltip: { enabled: false },
    },
  } satisfies ChartOptions;
}

/**
 * An axis title in the axis font size, hidden when empty.
 *
 * @param text The title.
 * @param fonts The chart's font sizes.
 * @returns A chart.js scale `title`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { axisTitle } from "./chart_options.ts";
 * import { fontSizes } from "./chart_style.ts";
 * assert.deepEqual(axisTitle("TTFT (s)", fontSizes(900)), {
 *   display: true,
 *   text: "TTFT (s)",
 *   font: { size: 18 },
 * });
 * ```
 */
export function axisTitle(text: string, fonts: FontSizes) {
  return { display: text !== "", text, font: { size: fonts.axis } };
}

/**
 * Tick options of a linear axis: readable numbers (see {@link formatTick}).
 *
 * @param fonts The chart's font sizes.
 * @returns A chart.js scale `ticks`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { linearTicks } from "./chart_options.ts";
 * import { fontSizes, formatTick } from "./chart_style.ts";
 * const ticks = linearTicks(fontSizes(900));
 * assert.equal(ticks.font.size, 16);
 * assert.equal(ticks.callback, formatTick);
 * ```
 */
export function linearTicks(fonts: FontSizes) {
  return { font: { size: fonts.tick }, callback: formatTick };
}

/**
 * Legend options of line-only charts (CDFs, time series): each entry is a
 * line sample in its series' colour and dash pattern.
 *
 * @param fonts The chart's font sizes.
 * @param count How many series the chart has; 0 hides the legend.
 * @param styles The style of each dataset, by index.
 * @returns A chart.js `plugins.legend`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineLegend } from "./chart_options.ts";
 * import { fontSizes, seriesStyle } from "./chart_style.ts";
 * const legend = lineLegend(fontSizes(900), 1, [seriesStyle(0)]);
 * assert.equal(legend.display, true);
 * assert.equal(legend.labels.pointStyleWidth, 42);
 * ```
 */
export function lineLegend(
  fonts: FontSizes,
  count: number,
  styles: readonly SeriesStyle[],
) {
  const width = Math.round(fonts.legend * 2.6);
  const height = Math.round(fonts.legend * 1.1);
  const images = new Map<number, object>();
  return {
    display: count > 0,
    position: "top" as const,
    labels: {
      font: { size: fonts.legend },
      usePointStyle: true,
      pointStyleWidth: width,
      boxHeight: height,
      // A line sample with the series' dash pattern (see legendSampleImage).
      generateLabels: (chart: Chart) =>
        Chart.defaults.plugins.legend.labels.generateLabels(chart).map(
          (item) => {
            const k = item.datasetIndex ?? -1;
            const style = styles[k];
            if (style === undefined) return item;
            if (!images.has(k)) {
              images.set(
                k,
                legendSampleImage(
                  {
                    color: style.color,
                    dash: style.dash,
                    marker: null,
                    radius: 0,
                    lineWidth: 2,
                  },
                  width,
                  height,
                ),
              );
            }
            return { ...item, pointStyle: images.get(k) as PointStyle };
          },
        ),
    },
  };
}

/** Grid colour shared with the line charts of `./line_chart.ts`. */
export const GRID: { color: string } = { color: "#e5e5e5" };

/** A point of a line as chart.js gets it; `null` y leaves a gap. */
export type XY = { x: number; y: number | null };
