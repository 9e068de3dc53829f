/**
 * Stacked bar charts for reports (a TTFT breakdown per deployment): one bar
 * per category made of stacked segments, drawn as PNG or SVG.
 *
 * Like `./chart_canvas.ts`, this module loads chart.js and a native canvas
 * library, so it is imported lazily and needs the flags given there.
 *
 * @module
 */

import type { ChartConfiguration, ChartDataset } from "npm:chart.js@^4.5.0";
import { type ChartRenderOptions, renderChartConfig } from "./chart_canvas.ts";
import { axisTitle, baseOptions, GRID, linearTicks } from "./chart_options.ts";
import { fontSizes, SERIES_COLORS } from "./chart_style.ts";

// Re-exported so that this module's signatures are documented in full.
export type { ChartRenderOptions } from "./chart_canvas.ts";

/** One segment of every bar: its values across the categories. */
export interface BarStack {
  /** Name shown in the legend, e.g. `"prefill wait"`. */
  label: string;
  /** One value per category; `null` leaves the segment out. */
  values: (number | null)[];
}

/** What a stacked bar chart shows. */
export interface StackedBarChartSpec {
  /** Title above the plot. An empty string draws no title. */
  title: string;
  /** Title of the y axis. */
  yLabel: string;
  /** One bar per category, e.g. `["mono", "disagg"]`. */
  categories: string[];
  /** Segments stacked bottom to top in this order. */
  stacks: BarStack[];
}

/**
 * The chart.js configuration that {@link renderStackedBarChart} draws.
 *
 * @param spec What to draw.
 * @param options The size the chart will be drawn at (fonts scale with it).
 * @returns The configuration.
 * @throws {RangeError} If a stack has not one value per category.
 */
export function stackedBarChartConfig(
  spec: StackedBarChartSpec,
  options: ChartRenderOptions = {},
): ChartConfiguration<"bar", (number | null)[]> {
  const fonts = fontSizes(options.width ?? 900);
  for (const stack of spec.stacks) {
    if (stack.values.length !== spec.categories.length) {
      throw new RangeError(
        `Stack "${stack.label}" has ${stack.values.length} values for ${spec.categories.length} categories`,
      );
    }
  }
  const datasets: ChartDataset<"bar", (number | null)[]>[] = spec.stacks.map(
    (stack, i) => {
      const color = SERIES_COLORS[i % SERIES_COLORS.length];
      return {
        label: stack.label,
        data: stack.values.map((v) =>
          v !== null && Number.isFinite(v) ? v : null
        ),
        backgroundColor: color,
        // A white edge keeps neighbouring segments apart.
        borderColor: "#ffffff",
        borderWidth: 1,
        maxBarThickness: 120,
      };
    },
  );
  const base = baseOptions(spec.title, fonts);
  return {
    type: "bar",
    data: { labels: spec.categories, datasets },
    options: {
      ...base,
      scales: {
        x: {
          stacked: true,
          grid: { display: false },
          ticks: { font: { size: fonts.tick } },
        },
        y: {
          stacked: true,
          beginAtZero: true,
          title: axisTitle(spec.yLabel, fonts),
          grid: GRID,
          ticks: linearTicks(fonts),
        },
      },
      plugins: {
        ...base.plugins,
        legend: {
          display: spec.stacks.length > 0,
          position: "top",
          labels: { font: { size: fonts.legend } },
        },
      },
    },
  };
}

/**
 * Draws one bar per category made of stacked segments, e.g. a TTFT
 * breakdown into prefill wait, prefill compute, KV transfer, decode wait and
 * first decode for a colocated and a disaggregated deployment.
 *
 * @param spec What to draw: title, y axis title, categories and segments.
 * @param options Size in pixels (default 900 x 560) and format (default PNG).
 * @returns The encoded image: PNG bytes, or UTF-8 SVG text starting with `<svg`.
 * @throws {RangeError} If a size is not an integer from 1 to 16384, or a
 * stack has not one value per category.
 *
 * @example Usage
 * ```ts ignore
 * import { renderStackedBarChart } from "./stacked_bar_chart.ts";
 * const png = await renderStackedBarChart({
 *   title: "TTFT breakdown",
 *   yLabel: "Mean time (s)",
 *   categories: ["mono", "disagg"],
 *   stacks: [
 *     { label: "prefill wait", values: [0.20, 0.05] },
 *     { label: "prefill compute", values: [0.10, 0.10] },
 *     { label: "kv transfer", values: [null, 0.02] },
 *   ],
 * });
 * await Deno.writeFile("ttft_breakdown.png", png);
 * ```
 */
export async function renderStackedBarChart(
  spec: StackedBarChartSpec,
  options: ChartRenderOptions = {},
): Promise<Uint8Array> {
  return await renderChartConfig(
    stackedBarChartConfig(spec, options),
    options,
  );
}
