/**
 * More chart types for reports: empirical CDFs, stacked bars, Pareto
 * scatter plots and time series. They share the look of
 * the line charts (bundled font, white background, the {@link SERIES_COLORS}
 * palette) and are drawn by {@link renderChartConfig}, as PNG or SVG.
 *
 * Like `./chart.ts`, this module loads a native canvas library, so it needs
 * `--unstable-raw-imports --allow-read --allow-ffi --allow-sys=homedir` and
 * `--allow-env=NAPI_RS_NATIVE_LIBRARY_PATH,NAPI_RS_FORCE_WASI,DISABLE_SYSTEM_FONTS_LOAD`.
 * The data helpers {@link empiricalCdf} and {@link paretoFront} draw nothing.
 *
 * @module
 */

import {
  Chart,
  type ChartDataset,
  type ChartOptions,
  type Plugin,
} from "npm:chart.js@^4.5.0";
import {
  type ChartRenderOptions,
  renderChartConfig,
  SERIES_COLORS,
} from "./chart.ts";

// Re-exported so that this module's signatures are documented in full.
export type { ChartRenderOptions } from "./chart.ts";

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

/** One point of a scatter plot. */
export interface ScatterPoint {
  /** X value. */
  x: number;
  /** Y value. */
  y: number;
  /** Short text drawn next to the point, e.g. a configuration's name. */
  label?: string;
}

/** Points drawn with one colour and legend entry. */
export interface ScatterGroup {
  /** Name shown in the legend, e.g. `"disaggregated"`. */
  label: string;
  /** The group's points. */
  points: ScatterPoint[];
}

/** What a Pareto chart shows. */
export interface ParetoChartSpec {
  /** Title above the plot. An empty string draws no title. */
  title: string;
  /** Title of the x axis; smaller x is better. */
  xLabel: string;
  /** Title of the y axis. */
  yLabel: string;
  /** Scatter groups, drawn in the palette's colours in this order. */
  groups: ScatterGroup[];
  /** Whether larger (`"max"`, the default) or smaller y is better. */
  front?: "max" | "min";
}

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
 * import { empiricalCdf } from "./charts_more.ts";
 * const cdf = empiricalCdf([3, 1, 2, 2]);
 * if (cdf.x.join() !== "1,2,3" || cdf.p.join() !== "0.25,0.75,1") {
 *   throw new Error(JSON.stringify(cdf));
 * }
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
 * The points of a Pareto front: those no other point beats. Smaller x is
 * always better; with `front` `"max"` (the default) larger y is better,
 * with `"min"` smaller y. A point is dominated by another that is at least
 * as good in both coordinates and better in one; of exactly equal points
 * only the first is kept. Points with a coordinate that is not finite are
 * ignored.
 *
 * @param points Candidate points, e.g. the results of a sweep.
 * @param front Whether larger (`"max"`) or smaller (`"min"`) y is better.
 * @returns The front's points (the same objects), by ascending x.
 *
 * @example Usage
 * ```ts
 * import { paretoFront } from "./charts_more.ts";
 * const front = paretoFront([
 *   { x: 1, y: 1 },
 *   { x: 2, y: 3 },
 *   { x: 3, y: 2 }, // worse than (2, 3) in both
 * ]);
 * if (front.map((p) => `${p.x},${p.y}`).join(" ") !== "1,1 2,3") {
 *   throw new Error(JSON.stringify(front));
 * }
 * ```
 */
export function paretoFront<P extends ScatterPoint>(
  points: readonly P[],
  front: "max" | "min" = "max",
): P[] {
  if (front !== "max" && front !== "min") {
    throw new TypeError(`Unknown Pareto front "${front}"`);
  }
  const sign = front === "max" ? 1 : -1;
  // Sorting by x, then best y first, makes a point part of the front exactly
  // when its y beats every point before it. The index keeps ties stable.
  const candidates = points
    .map((point, index) => ({ point, index }))
    .filter(({ point }) => Number.isFinite(point.x) && Number.isFinite(point.y))
    .sort((a, b) =>
      a.point.x - b.point.x || sign * (b.point.y - a.point.y) ||
      a.index - b.index
    );
  const result: P[] = [];
  let best = -Infinity;
  for (const { point } of candidates) {
    if (sign * point.y > best) {
      result.push(point);
      best = sign * point.y;
    }
  }
  return result;
}

/** Colour of the Pareto front line: dark, apart from the group colours. */
const FRONT_COLOR = "#333333";
/** Dash pattern (on, off in pixels) of the Pareto front, as in chart.ts. */
const FRONT_DASH = [6, 4];
/** Font of the point labels; the family is the one chart.ts registers. */
const POINT_LABEL_FONT = '11px "DejaVu Sans"';
/** Series longer than this are drawn without point markers, as lines only. */
const MAX_MARKED_POINTS = 60;

/**
 * Writes each scatter point's `label` next to it. Static images have no
 * tooltips, so this is the only way to tell which configuration a point is.
 */
const pointLabels: Plugin = {
  id: "llmsimPointLabels",
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.font = POINT_LABEL_FONT;
    ctx.fillStyle = "#333333";
    ctx.textBaseline = "bottom";
    chart.data.datasets.forEach((dataset, i) => {
      const meta = chart.getDatasetMeta(i);
      if (meta.hidden || meta.type !== "scatter") return;
      (dataset.data as unknown[]).forEach((raw, j) => {
        const label = (raw as ScatterPoint).label;
        const element = meta.data[j];
        if (label && element) ctx.fillText(label, element.x + 5, element.y - 3);
      });
    });
    ctx.restore();
  },
};

/** Shared chart.js options: static, exact size, no events or tooltips. */
function baseOptions(title: string) {
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
        font: { size: 16, weight: "bold" as const },
      },
      tooltip: { enabled: false },
    },
  } satisfies ChartOptions;
}

function axisTitle(text: string) {
  return { display: text !== "", text, font: { size: 13 } };
}

/** Grid colour shared with chart.ts' line charts. */
const GRID = { color: "#e5e5e5" };

type XY = { x: number; y: number | null };

/**
 * Labels log-axis ticks at 1, 2 and 5 times a power of ten, or only at the
 * powers when the axis spans more than three decades. chart.js' default
 * prints every tick with as many decimals as the smallest needs, which
 * crowds the axis with unreadable numbers.
 */
function logTickLabel(
  value: number | string,
  _index: number,
  ticks: { value: number }[],
): string {
  const v = Number(value);
  const positive = ticks.map((t) => t.value).filter((t) => t > 0);
  const decades = Math.log10(Math.max(...positive) / Math.min(...positive));
  const mantissa = Number((v / 10 ** Math.floor(Math.log10(v))).toFixed(6));
  const shown = decades > 3 ? [1] : [1, 2, 5];
  return shown.includes(mantissa) ? String(Number(v.toPrecision(3))) : "";
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
 * import { renderCdfChart } from "./charts_more.ts";
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
  const logX = spec.logX ?? false;
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
      });
      const color = SERIES_COLORS[i % SERIES_COLORS.length];
      return {
        label: series.label,
        data,
        borderColor: color,
        backgroundColor: color,
        borderWidth: 2,
        pointRadius: 0,
        // chart.js' "before" runs level to the next point, then rises: the
        // fraction holds until the next sample value.
        stepped: "before",
        fill: false,
      };
    },
  );
  const base = baseOptions(spec.title);
  return await renderChartConfig({
    type: "line",
    data: { datasets },
    options: {
      ...base,
      parsing: false,
      scales: {
        x: {
          type: logX ? "logarithmic" : "linear",
          title: axisTitle(spec.xLabel),
          grid: GRID,
          ticks: logX ? { callback: logTickLabel } : {},
        },
        y: {
          type: "linear",
          min: 0,
          max: 1,
          title: axisTitle("Fraction of samples at or below x"),
          grid: GRID,
        },
      },
      plugins: {
        ...base.plugins,
        legend: {
          display: spec.series.length > 0,
          position: "top",
          labels: { usePointStyle: true, pointStyle: "line" },
        },
      },
    },
  }, options);
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
 * import { renderStackedBarChart } from "./charts_more.ts";
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
  const base = baseOptions(spec.title);
  return await renderChartConfig({
    type: "bar",
    data: { labels: spec.categories, datasets },
    options: {
      ...base,
      scales: {
        x: { stacked: true, grid: { display: false } },
        y: {
          stacked: true,
          beginAtZero: true,
          title: axisTitle(spec.yLabel),
          grid: GRID,
        },
      },
      plugins: {
        ...base.plugins,
        legend: { display: spec.stacks.length > 0, position: "top" },
      },
    },
  }, options);
}

/**
 * Draws each group's points as a scatter plot and the Pareto front over all
 * of them (see {@link paretoFront}) as a dark dashed step line: for any x,
 * it shows the best y reached at that x or less. Points with a `label` are
 * annotated with it.
 *
 * @param spec What to draw: title, axis titles, groups and which y is better.
 * @param options Size in pixels (default 900 x 560) and format (default PNG).
 * @returns The encoded image: PNG bytes, or UTF-8 SVG text starting with `<svg`.
 * @throws {RangeError} If a size is not an integer from 1 to 16384.
 *
 * @example Usage
 * ```ts ignore
 * import { renderParetoChart } from "./charts_more.ts";
 * const png = await renderParetoChart({
 *   title: "Throughput vs latency",
 *   xLabel: "p99 TTFT (s)",
 *   yLabel: "Goodput (req/s)",
 *   groups: [
 *     { label: "colocated", points: [{ x: 0.8, y: 10, label: "tp2" }] },
 *     { label: "disaggregated", points: [{ x: 0.4, y: 12, label: "1P1D" }] },
 *   ],
 * });
 * await Deno.writeFile("pareto.png", png);
 * ```
 */
export async function renderParetoChart(
  spec: ParetoChartSpec,
  options: ChartRenderOptions = {},
): Promise<Uint8Array> {
  const front = paretoFront(spec.groups.flatMap((g) => g.points), spec.front);
  const finite = (p: ScatterPoint) =>
    Number.isFinite(p.x) && Number.isFinite(p.y);
  const datasets: ChartDataset[] = spec.groups.map((group, i) => {
    const color = SERIES_COLORS[i % SERIES_COLORS.length];
    return {
      type: "scatter",
      label: group.label,
      data: group.points.filter(finite),
      borderColor: color,
      backgroundColor: color,
      pointRadius: 4.5,
      order: 0,
    } as ChartDataset;
  });
  if (front.length > 0) {
    const line = front.map(({ x, y }) => ({ x, y }));
    // Past its last point the front stays at that point's y: carrying it to
    // the largest x shows which points it beats there too.
    const last = line[line.length - 1];
    const maxX = Math.max(
      ...spec.groups.flatMap((g) => g.points.filter(finite).map((p) => p.x)),
    );
    if (maxX > last.x) line.push({ x: maxX, y: last.y });
    datasets.push({
      type: "line",
      label: "Pareto front",
      data: line,
      borderColor: FRONT_COLOR,
      backgroundColor: FRONT_COLOR,
      borderWidth: 1.5,
      borderDash: [...FRONT_DASH],
      pointRadius: 0,
      pointStyle: "line",
      // chart.js' "before" runs level to the next point, then rises (or
      // falls): the best y holds until a point beats it.
      stepped: "before",
      fill: false,
      // Drawn behind the points, which are what a reader looks up.
      order: 1,
    } as ChartDataset);
  }
  const base = baseOptions(spec.title);
  return await renderChartConfig({
    type: "scatter",
    data: { datasets },
    options: {
      ...base,
      parsing: false,
      scales: {
        // Room around the points keeps their labels inside the plot.
        x: {
          type: "linear",
          grace: "5%",
          title: axisTitle(spec.xLabel),
          grid: GRID,
        },
        y: {
          type: "linear",
          grace: "5%",
          title: axisTitle(spec.yLabel),
          grid: GRID,
        },
      },
      plugins: {
        ...base.plugins,
        legend: {
          display: datasets.length > 0,
          position: "top",
          labels: {
            // Dots for the groups, a dashed line for the front. chart.js
            // sizes both alike, so the line is short and its dashes shorter.
            usePointStyle: true,
            boxHeight: 8,
            generateLabels: (chart) =>
              Chart.defaults.plugins.legend.labels.generateLabels(chart)
                .map((item) =>
                  item.pointStyle === "line"
                    ? { ...item, lineWidth: 1.5, lineDash: [3, 2] }
                    : item
                ),
          },
        },
      },
    },
    plugins: [pointLabels],
  }, options);
}

/**
 * Draws values over time as lines. Unlike the line chart of `./chart.ts`, long
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
 * import { renderTimeSeriesChart } from "./charts_more.ts";
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
  const datasets: ChartDataset<"line", XY[]>[] = spec.series.map(
    (series, i) => {
      if (series.t.length !== series.y.length) {
        throw new RangeError(
          `Series "${series.label}": y has ${series.y.length} values but t has ${series.t.length}`,
        );
      }
      const color = SERIES_COLORS[i % SERIES_COLORS.length];
      const data: XY[] = [];
      series.t.forEach((t, j) => {
        const y = series.y[j];
        if (Number.isFinite(t)) {
          data.push({ x: t, y: Number.isFinite(y) ? y : null });
        }
      });
      return {
        label: series.label,
        data,
        borderColor: color,
        backgroundColor: color,
        borderWidth: 1.5,
        pointRadius: data.length > MAX_MARKED_POINTS ? 0 : 2.5,
        spanGaps: false,
        fill: false,
      };
    },
  );
  const base = baseOptions(spec.title);
  return await renderChartConfig({
    type: "line",
    data: { datasets },
    options: {
      ...base,
      // Decimation needs unparsed {x, y} points on a linear x axis.
      parsing: false,
      scales: {
        x: { type: "linear", title: axisTitle(spec.xLabel), grid: GRID },
        y: { type: "linear", title: axisTitle(spec.yLabel), grid: GRID },
      },
      plugins: {
        ...base.plugins,
        decimation: { enabled: true, algorithm: "min-max" },
        legend: {
          display: spec.series.length > 0,
          position: "top",
          labels: { usePointStyle: true, pointStyle: "line" },
        },
      },
    },
  }, options);
}
