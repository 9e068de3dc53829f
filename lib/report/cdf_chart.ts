/**
 * Empirical CDF charts for reports (the TTFT distribution of each policy):
 * {@link empiricalCdf} thins samples to a step line's points, and
 * {@link renderCdfChart} draws them as PNG or SVG.
 *
 * Like `./chart_canvas.ts`, this module loads chart.js and a native canvas
 * library, so it is imported lazily and needs the flags given there. {@link empiricalCdf}
 * draws nothing.
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
import {
  degenerateRange,
  fontSizes,
  formatTick,
  logTickLabel,
  seriesStyle,
} from "./chart_style.ts";

// Re-exported so that this module's signatures are documented in full.
export type { ChartRenderOptions } from "./chart_canvas.ts";

/** Samples of one quantity, drawn as one empirical CDF. */
export interface CdfSeries {
  /** Name shown in the legend. */
  label: string;
  /** Raw samples in any order; values that are not finite are ignored. */
  values: ArrayLike<number>;
}

/** What a CDF chart shows. */
export interface CdfChartSpec {
  /** Title above the plot. An empty string draws no title. */
  title: string;
  /** Title of the x axis (the sampled quantity). */
  xLabel: string;
  /** One step line per series. */
  series: CdfSeries[];
  /**
   * Use a logarithmic x axis, e.g. for latencies spanning decades. Samples
   * that are zero or negative still count towards the fractions but cannot
   * be placed on the axis, so the line starts at the first positive sample.
   */
  logX?: boolean;
}

/** Options for {@link empiricalCdf}. */
export interface EmpiricalCdfOptions {
  /**
   * Most points to return (default 400, at least 2). More points than a
   * chart is wide cannot be told apart, and fewer keep huge inputs fast to
   * draw.
   */
  maxPoints?: number;
}

/** An empirical CDF: fractions of samples at or below each x. */
export interface EmpiricalCdf {
  /** Distinct sample values, strictly ascending; first and last are the exact min and max. */
  x: number[];
  /** Fraction of samples `<= x[i]`, strictly ascending and ending at 1. */
  p: number[];
}

/**
 * Computes the empirical CDF of samples, thinned to at most `maxPoints`
 * points spread evenly over the ranks so that the shape is kept where most
 * samples lie. The minimum and maximum are always included exactly, so tail
 * values are never lost.
 *
 * @param values Samples in any order; values that are not finite are ignored.
 * @param options The largest number of points to return.
 * @returns The CDF's points; empty if no sample is finite.
 * @throws {RangeError} If `maxPoints` is not an integer of at least 2.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { empiricalCdf } from "./cdf_chart.ts";
 * const cdf = empiricalCdf([3, 1, 2, 2]);
 * assert.deepEqual(cdf.x, [1, 2, 3]);
 * assert.deepEqual(cdf.p, [0.25, 0.75, 1]);
 * ```
 */
export function empiricalCdf(
  values: ArrayLike<number>,
  options: EmpiricalCdfOptions = {},
): EmpiricalCdf {
  const maxPoints = options.maxPoints ?? 400;
  if (!Number.isInteger(maxPoints) || maxPoints < 2) {
    throw new RangeError(
      `maxPoints must be an integer of at least 2, got ${maxPoints}`,
    );
  }
  // A typed array sorts numerically and much faster than a generic array.
  const sorted = Float64Array.from(values).filter(Number.isFinite).sort();
  const n = sorted.length;
  const x: number[] = [];
  const p: number[] = [];
  if (n === 0) return { x, p };
  // Taking the last of equal samples gives the exact fraction at that value
  // and keeps x strictly ascending.
  let previous = -1;
  for (let k = 0; k < maxPoints && previous < n - 1; k++) {
    let i = Math.max(
      Math.round((k * (n - 1)) / (maxPoints - 1)),
      previous + 1,
    );
    while (i + 1 < n && sorted[i + 1] === sorted[i]) i++;
    x.push(sorted[i]);
    p.push((i + 1) / n);
    previous = i;
  }
  return { x, p };
}

/**
 * The chart.js configuration that {@link renderCdfChart} draws.
 *
 * @param spec What to draw.
 * @param options The size the chart will be drawn at (fonts scale with it).
 * @returns The configuration.
 */
export function cdfChartConfig(
  spec: CdfChartSpec,
  options: ChartRenderOptions = {},
): ChartConfiguration<"line", XY[]> {
  const fonts = fontSizes(options.width ?? 900);
  const logX = spec.logX ?? false;
  const styles = spec.series.map((_, i) => seriesStyle(i, { markers: false }));
  const xs: number[] = [];
  const datasets: ChartDataset<"line", XY[]>[] = spec.series.map(
    (series, i) => {
      const cdf = empiricalCdf(series.values);
      const data: XY[] = [];
      // The line rises from 0 at the first drawable x; on a log axis that is
      // the first positive sample, after the fraction already below it.
      let below = 0;
      cdf.x.forEach((x, j) => {
        if (logX && x <= 0) {
          below = cdf.p[j];
          return;
        }
        if (data.length === 0) data.push({ x, y: below });
        data.push({ x, y: cdf.p[j] });
        xs.push(x);
      });
      const { color, dash } = styles[i];
      return {
        label: series.label,
        data,
        borderColor: color,
        backgroundColor: color,
        borderWidth: 2,
        borderDash: [...dash],
        pointRadius: 0,
        // chart.js' "before" runs level to the next point, then rises: the
        // fraction holds until the next sample value.
        stepped: "before",
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
      parsing: false,
      scales: {
        x: {
          type: logX ? "logarithmic" : "linear",
          title: axisTitle(spec.xLabel, fonts),
          grid: GRID,
          // Samples all equal (a constant TPOT) would otherwise spread the
          // ticks over float noise.
          ...degenerateRange(xs),
          ticks: {
            font: { size: fonts.tick },
            callback: logX ? logTickLabel : formatTick,
          },
        },
        y: {
          type: "linear",
          min: 0,
          max: 1,
          title: axisTitle("Fraction of samples at or below x", fonts),
          grid: GRID,
          ticks: linearTicks(fonts),
        },
      },
      plugins: {
        ...base.plugins,
        legend: lineLegend(fonts, spec.series.length, styles),
      },
    },
  };
}

/**
 * Draws the empirical CDF of each series as a step line: the fraction of
 * samples at or below each x, from 0 to 1. Each series is thinned to at
 * most 400 points with {@link empiricalCdf}, so millions of samples draw as
 * fast as a few hundred, with the exact minimum and maximum.
 *
 * @param spec What to draw: title, x axis title, samples and x scale.
 * @param options Size in pixels (default 900 x 560) and format (default PNG).
 * @returns The encoded image: PNG bytes, or UTF-8 SVG text starting with `<svg`.
 * @throws {RangeError} If a size is not an integer from 1 to 16384.
 *
 * @example Usage
 * ```ts ignore
 * import { renderCdfChart } from "./cdf_chart.ts";
 * const png = await renderCdfChart({
 *   title: "TTFT distribution",
 *   xLabel: "TTFT (s)",
 *   series: [{ label: "FCFS", values: [0.12, 0.3, 0.18, 0.9] }],
 *   logX: true,
 * });
 * await Deno.writeFile("ttft_cdf.png", png);
 * ```
 */
export async function renderCdfChart(
  spec: CdfChartSpec,
  options: ChartRenderOptions = {},
): Promise<Uint8Array> {
  return await renderChartConfig(cdfChartConfig(spec, options), options);
}
