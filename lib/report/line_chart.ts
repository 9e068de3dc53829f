/**
 * Line charts for reports (latency against load, one line per policy):
 * the chart.js configuration of a {@link LineChartSpec}, with shaded bands
 * or, on a categorical x axis, whiskers, and unstable runs marked; drawn by
 * {@link renderChartConfig} as PNG or SVG.
 *
 * Like `./chart_canvas.ts`, this module loads chart.js and a native canvas
 * library, so it is imported lazily and needs the flags given there.
 *
 * @module
 */

import {
  Chart,
  type ChartConfiguration,
  type ChartDataset,
  type Plugin,
  type PointStyle,
} from "npm:chart.js@^4.5.0";
import {
  type ChartRenderOptions,
  legendSampleImage,
  renderChartConfig,
} from "./chart_canvas.ts";
import {
  degenerateRange,
  fontSizes,
  formatTick,
  type LegendSample,
  logTickLabel,
  seriesStyle,
  UNSTABLE_LABEL,
  UNSTABLE_LEGEND_COLOR,
  UNSTABLE_POINT_STYLE,
  withAlpha,
} from "./chart_style.ts";

// Re-exported so that this module's signatures are documented in full.
export type { ChartRenderOptions } from "./chart_canvas.ts";

/** One line of a chart, with an optional shaded band around it. */
export interface LineSeries {
  /** Name shown in the legend. */
  label: string;
  /**
   * X values, one per point, in any order: numbers are drawn in ascending
   * order on a linear axis. Strings (e.g. scheduler policies) make the x
   * axis categorical: each distinct value is one tick, in the order of
   * {@link LineChartSpec.xCategories} or of first appearance, and points
   * are drawn as markers (with whiskers for a band), not joined by lines.
   */
  x: (number | string)[];
  /** Y values, one per point; `null` leaves a gap in the line. */
  y: (number | null)[];
  /** Lower edge of the band (e.g. a confidence interval), one per point. */
  yLow?: (number | null)[];
  /** Upper edge of the band, one per point. Needs `yLow` as well. */
  yHigh?: (number | null)[];
  /** Draw the line dashed, e.g. for a theoretical or reference curve. */
  dashed?: boolean;
  /**
   * Per point: `true` marks a run that did not reach a steady state (its
   * queue grows), drawn as a large cross and listed in the legend as
   * {@link UNSTABLE_LABEL}.
   */
  unstable?: boolean[];
}

/** What a line chart shows. */
export interface LineChartSpec {
  /** Title above the plot. An empty string draws no title. */
  title: string;
  /** Title of the x axis. */
  xLabel: string;
  /** Title of the y axis. */
  yLabel: string;
  /** The lines, drawn in the styles of {@link seriesStyle} in this order. */
  series: LineSeries[];
  /**
   * Use a logarithmic y axis. Values that are zero or negative cannot be
   * placed on it and are drawn as gaps.
   */
  logY?: boolean;
  /**
   * The quantity cannot be negative (a latency, a rate): bands are clamped
   * at 0 instead of reaching below it.
   */
  nonNegative?: boolean;
  /** Order of the categories of a categorical x axis (see {@link LineSeries.x}). */
  xCategories?: string[];
}

/** Opacity of a series' band, low enough that lines under it stay visible. */
const BAND_ALPHA = 0.18;

/** A point of a line as chart.js gets it; `null` y leaves a gap. */
export type Point = { x: number; y: number | null };

/** Checks that a series has one value of each kind per x. */
function checkLengths(series: LineSeries): void {
  const n = series.x.length;
  const check = (name: string, values: unknown[] | undefined) => {
    if (values !== undefined && values.length !== n) {
      throw new RangeError(
        `Series "${series.label}": ${name} has ${values.length} values but x has ${n}`,
      );
    }
  };
  check("y", series.y);
  check("yLow", series.yLow);
  check("yHigh", series.yHigh);
  check("unstable", series.unstable);
  if ((series.yLow === undefined) !== (series.yHigh === undefined)) {
    throw new TypeError(
      `Series "${series.label}": yLow and yHigh must be given together`,
    );
  }
}

/** A value the y axis can show, or `null`. */
function usable(v: number | null | undefined, logY: boolean): number | null {
  return v !== null && v !== undefined && Number.isFinite(v) &&
      (!logY || v > 0)
    ? v
    : null;
}

/** The distinct categories of a categorical x axis, or `undefined`. */
function categoriesOf(spec: LineChartSpec): string[] | undefined {
  const strings = spec.series.some((s) =>
    s.x.some((x) => typeof x === "string")
  );
  if (!strings && spec.xCategories === undefined) return undefined;
  const out = [...(spec.xCategories ?? [])];
  for (const s of spec.series) {
    for (const x of s.x) if (!out.includes(String(x))) out.push(String(x));
  }
  return out;
}

/** The chart.js configuration of a line chart, as {@link renderLineChart} draws it. */
export type LineChartConfig = ChartConfiguration<"line", Point[]>;

/**
 * Builds the chart.js configuration that {@link renderLineChart} draws,
 * without drawing it: points sorted by x, bands clamped at 0 for a
 * `nonNegative` quantity, every series in its own {@link seriesStyle},
 * unstable points as large crosses (`pointStyle` {@link UNSTABLE_POINT_STYLE},
 * per point) with an {@link UNSTABLE_LABEL} legend entry, ticks formatted
 * by {@link formatTick} and fonts sized by {@link fontSizes}.
 *
 * @param spec What to draw.
 * @param options The size the chart will be drawn at (fonts scale with it).
 * @returns The configuration.
 * @throws {RangeError} If a series' arrays differ in length.
 * @throws {TypeError} If a series has only one of `yLow` and `yHigh`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineChartConfig } from "./line_chart.ts";
 * const config = lineChartConfig({ title: "", xLabel: "x", yLabel: "y", series: [{ label: "a", x: [2, 1], y: [4, 1] }] });
 * assert.deepEqual(config.data.datasets[0].data, [{ x: 1, y: 1 }, { x: 2, y: 4 }]);
 * ```
 */
export function lineChartConfig(
  spec: LineChartSpec,
  options: ChartRenderOptions = {},
): LineChartConfig {
  const logY = spec.logY ?? false;
  const fonts = fontSizes(options.width ?? 900);
  const categories = categoriesOf(spec);
  const datasets: ChartDataset<"line", Point[]>[] = [];
  const bands = new Set<number>();
  const samples = new Map<number, LegendSample>();
  const whiskers: { dataset: number; low: number[]; high: number[] }[] = [];
  const radius = Math.max(3, fonts.tick / 4);
  const unstableRadius = Math.round(radius * 2);
  let anyUnstable = false;
  const n = spec.series.length;
  const allY: (number | null)[] = [];
  const allX: number[] = [];
  spec.series.forEach((series, i) => {
    checkLengths(series);
    const style = seriesStyle(i, { dashed: series.dashed });
    const clamp = (v: number | null) =>
      v !== null && spec.nonNegative ? Math.max(0, v) : v;
    // Categories are dodged apart so that series at one category do not
    // hide each other.
    const dodge = categories === undefined || n < 2
      ? 0
      : (i - (n - 1) / 2) * Math.min(0.12, 0.6 / n);
    const points = series.x.map((x, j) => ({
      x: categories === undefined
        ? Number(x)
        : categories.indexOf(String(x)) + dodge,
      y: usable(series.y[j], logY),
      low: clamp(usable(series.yLow?.[j], logY)),
      high: clamp(usable(series.yHigh?.[j], logY)),
      unstable: series.unstable?.[j] === true,
    })).filter((p) => Number.isFinite(p.x));
    // chart.js takes points given as {x, y} to be sorted by x (it reads
    // the axis range off the first and last): unsorted, it clips the axis.
    if (categories === undefined) points.sort((a, b) => a.x - b.x);
    if (points.some((p) => p.unstable)) anyUnstable = true;
    for (const p of points) {
      allX.push(p.x);
      allY.push(p.y, p.low, p.high);
    }
    samples.set(datasets.length, {
      color: style.color,
      dash: categories === undefined ? style.dash : null,
      marker: style.marker,
      radius,
      lineWidth: 2,
    });
    if (categories !== undefined && series.yLow !== undefined) {
      whiskers.push({
        dataset: datasets.length,
        low: points.map((p) => p.low ?? NaN),
        high: points.map((p) => p.high ?? NaN),
      });
    }
    datasets.push({
      label: series.label,
      data: points.map(({ x, y }) => ({ x, y })),
      borderColor: style.color,
      backgroundColor: style.color,
      borderWidth: 2,
      borderDash: [...style.dash],
      showLine: categories === undefined,
      pointStyle: points.map((p) =>
        p.unstable ? UNSTABLE_POINT_STYLE : style.marker
      ) as PointStyle[],
      pointRadius: points.map((p) =>
        p.unstable ? unstableRadius : categories ? radius * 1.6 : radius
      ),
      pointBorderWidth: points.map((p) => (p.unstable ? 3 : 1)),
      fill: false,
      spanGaps: false,
      order: 0,
    });
    if (
      categories === undefined && series.yLow !== undefined &&
      series.yHigh !== undefined
    ) {
      // The band is two invisible lines; the upper one is filled down to the
      // lower one ("-1" = the dataset just before it). A higher `order`
      // draws bands behind every line.
      const edge = {
        borderWidth: 0,
        pointRadius: 0,
        pointHitRadius: 0,
        borderColor: "transparent",
        spanGaps: false,
        order: 1,
      };
      datasets.push({
        ...edge,
        label: `${series.label} (low)`,
        data: points.map(({ x, low }) => ({ x, y: low })),
        fill: false,
      });
      datasets.push({
        ...edge,
        label: `${series.label} (high)`,
        data: points.map(({ x, high }) => ({ x, y: high })),
        fill: "-1",
        backgroundColor: withAlpha(style.color, BAND_ALPHA),
      });
      bands.add(datasets.length - 2).add(datasets.length - 1);
    }
  });
  if (anyUnstable) {
    samples.set(datasets.length, {
      color: UNSTABLE_LEGEND_COLOR,
      dash: null,
      marker: UNSTABLE_POINT_STYLE,
      radius: unstableRadius * 0.8,
      lineWidth: 2,
    });
    datasets.push({
      label: UNSTABLE_LABEL,
      data: [],
      borderColor: UNSTABLE_LEGEND_COLOR,
      backgroundColor: UNSTABLE_LEGEND_COLOR,
      pointStyle: UNSTABLE_POINT_STYLE,
      showLine: false,
      order: 0,
    });
  }

  const axisTitle = (text: string) => ({
    display: text !== "",
    text,
    font: { size: fonts.axis },
  });
  const sampleWidth = Math.round(fonts.legend * 2.6);
  const sampleHeight = Math.round(fonts.legend * 1.1);
  const images = new Map<number, object>();
  const plugins: Plugin<"line">[] = [];
  if (whiskers.length > 0) plugins.push(whiskerPlugin(whiskers));
  return {
    type: "line",
    data: { datasets },
    options: {
      animation: false,
      responsive: false,
      maintainAspectRatio: false,
      devicePixelRatio: 1,
      // Points are given as {x, y} already; skipping parsing keeps nulls.
      parsing: false,
      events: [],
      layout: { padding: 12 },
      scales: {
        x: {
          type: "linear",
          title: axisTitle(spec.xLabel),
          grid: { color: "#e5e5e5" },
          ...(categories === undefined
            ? {
              ...degenerateRange(allX),
              ticks: { font: { size: fonts.tick }, callback: formatTick },
            }
            : {
              min: -0.5,
              max: categories.length - 0.5,
              // One tick (and grid line) per category, at its position.
              afterBuildTicks: (scale: { ticks: { value: number }[] }) => {
                scale.ticks = categories.map((_, value) => ({ value }));
              },
              ticks: {
                font: { size: fonts.tick },
                autoSkip: false,
                callback: (value: number | string) => {
                  const v = Number(value);
                  return Number.isInteger(v) ? categories[v] ?? "" : "";
                },
              },
            }),
        },
        y: {
          type: logY ? "logarithmic" : "linear",
          title: axisTitle(spec.yLabel),
          grid: { color: "#e5e5e5" },
          ...degenerateRange(allY),
          // Whiskers are not data to chart.js: their ends must fit too.
          ...(whiskers.length > 0 ? extentOf(allY) : {}),
          ticks: {
            font: { size: fonts.tick },
            callback: logY ? logTickLabel : formatTick,
          },
        },
      },
      plugins: {
        title: {
          display: spec.title !== "",
          text: spec.title,
          font: { size: fonts.title, weight: "bold" },
        },
        legend: {
          display: spec.series.length > 0,
          position: "top",
          labels: {
            font: { size: fonts.legend },
            // Each entry is a small image of the series' line and marker
            // (see legendSampleImage).
            usePointStyle: true,
            pointStyleWidth: sampleWidth,
            boxHeight: sampleHeight,
            generateLabels: (chart) =>
              Chart.defaults.plugins.legend.labels.generateLabels(chart)
                .filter((item) => !bands.has(item.datasetIndex ?? -1))
                .map((item) => {
                  const k = item.datasetIndex ?? -1;
                  const sample = samples.get(k);
                  if (sample === undefined) return item;
                  if (!images.has(k)) {
                    images.set(
                      k,
                      legendSampleImage(sample, sampleWidth, sampleHeight),
                    );
                  }
                  return {
                    ...item,
                    pointStyle: images.get(k) as PointStyle,
                  };
                }),
          },
        },
        tooltip: { enabled: false },
      },
    },
    plugins,
  };
}

/** `suggestedMin`/`suggestedMax` covering finite values. */
function extentOf(
  values: (number | null)[],
): { suggestedMin?: number; suggestedMax?: number } {
  const finite = values.filter((v): v is number =>
    v !== null && Number.isFinite(v)
  );
  if (finite.length === 0) return {};
  return {
    suggestedMin: Math.min(...finite),
    suggestedMax: Math.max(...finite),
  };
}

/** Draws the bands of a categorical chart as whiskers with caps. */
function whiskerPlugin(
  whiskers: { dataset: number; low: number[]; high: number[] }[],
): Plugin<"line"> {
  return {
    id: "llmsimWhiskers",
    afterDatasetsDraw(chart) {
      const { ctx } = chart;
      const y = chart.scales.y;
      ctx.save();
      ctx.lineWidth = 2;
      for (const w of whiskers) {
        const meta = chart.getDatasetMeta(w.dataset);
        const color = chart.data.datasets[w.dataset].borderColor as string;
        ctx.strokeStyle = color;
        meta.data.forEach((element, j) => {
          if (!Number.isFinite(w.low[j]) || !Number.isFinite(w.high[j])) {
            return;
          }
          const top = y.getPixelForValue(w.high[j]);
          const bottom = y.getPixelForValue(w.low[j]);
          ctx.beginPath();
          ctx.moveTo(element.x, top);
          ctx.lineTo(element.x, bottom);
          ctx.moveTo(element.x - 6, top);
          ctx.lineTo(element.x + 6, top);
          ctx.moveTo(element.x - 6, bottom);
          ctx.lineTo(element.x + 6, bottom);
          ctx.stroke();
        });
      }
      ctx.restore();
    },
  };
}

/**
 * Draws a line chart and returns it as a PNG or SVG file's bytes.
 *
 * Series get the colours of {@link SERIES_COLORS} in order; `null` y values
 * leave gaps; `yLow`/`yHigh` add a lightly shaded band in the series' colour
 * that is not listed in the legend. In SVG output, text is converted to
 * paths so the file shows the same without the font installed.
 *
 * @param spec What to draw: title, axis titles, series and y scale.
 * @param options Size in pixels (default 900 x 560) and format (default PNG).
 * @returns The encoded image: PNG bytes, or UTF-8 SVG text starting with `<svg`.
 * @throws {RangeError} If a size is not a positive integer, or a series'
 * arrays differ in length.
 * @throws {TypeError} If a series has only one of `yLow` and `yHigh`.
 *
 * @example Usage
 * ```ts ignore
 * import { renderLineChart } from "./line_chart.ts";
 * const png = await renderLineChart({
 *   title: "Latency vs load",
 *   xLabel: "Arrival rate (req/s)",
 *   yLabel: "p99 TTFT (s)",
 *   series: [{
 *     label: "FCFS",
 *     x: [1, 2, 4],
 *     y: [0.2, 0.3, null],
 *     yLow: [0.15, 0.25, null],
 *     yHigh: [0.25, 0.35, null],
 *   }],
 * });
 * await Deno.writeFile("latency.png", png);
 * ```
 */
export async function renderLineChart(
  spec: LineChartSpec,
  options: ChartRenderOptions = {},
): Promise<Uint8Array> {
  return await renderChartConfig(lineChartConfig(spec, options), options);
}
