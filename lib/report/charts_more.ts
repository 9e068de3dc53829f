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
  type ChartConfiguration,
  type ChartDataset,
  type ChartOptions,
  type Plugin,
  type PointStyle,
} from "npm:chart.js@^4.5.0";
import {
  type ChartRenderOptions,
  degenerateRange,
  type FontSizes,
  fontSizes,
  formatTick,
  legendSampleImage,
  logTickLabel,
  renderChartConfig,
  SERIES_COLORS,
  type SeriesStyle,
  seriesStyle,
  UNSTABLE_LABEL,
  UNSTABLE_POINT_STYLE,
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
  /**
   * `false` marks a run that did not reach a steady state (its queue
   * grows): drawn as a large cross, listed in the legend.
   */
  stable?: boolean;
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
 * import assert from "node:assert/strict";
 * import { empiricalCdf } from "./charts_more.ts";
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
 * import assert from "node:assert/strict";
 * import { paretoFront } from "./charts_more.ts";
 * const front = paretoFront([
 *   { x: 1, y: 1 },
 *   { x: 2, y: 3 },
 *   { x: 3, y: 2 }, // worse than (2, 3) in both
 * ]);
 * assert.deepEqual(front, [{ x: 1, y: 1 }, { x: 2, y: 3 }]);
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
/** Colour of the Pareto front line: dark, apart from the group colours. */
const FRONT_COLOR = "#333333";
/** Dash pattern (on, off in pixels) of the Pareto front, as in chart.ts. */
const FRONT_DASH = [6, 4];
/** Series longer than this are drawn without point markers, as lines only. */
const MAX_MARKED_POINTS = 60;

/** A rectangle in canvas pixels: top-left corner and size. */
export interface Box {
  /** Left edge. */
  x: number;
  /** Top edge. */
  y: number;
  /** Width. */
  width: number;
  /** Height. */
  height: number;
}

/** A text label to be placed near its point. */
export interface LabelRequest {
  /** The point's x in pixels. */
  anchorX: number;
  /** The point's y in pixels. */
  anchorY: number;
  /** The text's width in pixels. */
  width: number;
  /** The text's height in pixels. */
  height: number;
  /** How far out the label may go: 1 (next to its point) to 3 (default). */
  maxRing?: number;
}

/** Where a label goes: its box, and whether a leader line joins it to its point. */
export interface LabelPlacement extends Box {
  /** The label sits away from its point, joined to it by a thin line. */
  leader: boolean;
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width &&
    a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * Places labels so that none overlaps another label, a marker or the edge
 * of the plot: each label, in the order given (most important first),
 * takes the first free spot of right, left, above, below and the four
 * diagonals of its point, then of the same spots two and three times as
 * far out (those joined to the point by a leader line), up to its
 * `maxRing`. A label with no free spot is left out (`null`), not drawn
 * over others.
 *
 * @param labels The labels, most important first.
 * @param obstacles Boxes labels must not cover (the markers).
 * @param area The box labels must stay inside (the plot).
 * @param gap Distance in pixels between a point and its label's nearest edge.
 * @returns One placement per label, or `null` where none was free.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { placeLabels } from "./charts_more.ts";
 * const at = { anchorX: 50, anchorY: 50, width: 30, height: 10 };
 * const [a, b] = placeLabels([at, at], [], { x: 0, y: 0, width: 200, height: 200 }, 5);
 * // Two labels of one point: both placed, in different spots.
 * assert.ok(a !== null && b !== null);
 * assert.notDeepEqual({ x: a.x, y: a.y }, { x: b.x, y: b.y });
 * ```
 */
export function placeLabels(
  labels: readonly LabelRequest[],
  obstacles: readonly Box[],
  area: Box,
  gap: number,
): (LabelPlacement | null)[] {
  const taken: Box[] = [];
  return labels.map((label) => {
    const { anchorX: ax, anchorY: ay, width: w, height: h } = label;
    for (const ring of [1, 2, 3]) {
      if (ring > (label.maxRing ?? 3)) break;
      const d = gap * ring + (ring - 1) * h;
      const spots: [number, number][] = [
        [ax + d, ay - h / 2], // right
        [ax - d - w, ay - h / 2], // left
        [ax - w / 2, ay - d - h], // above
        [ax - w / 2, ay + d], // below
        [ax + d * 0.7, ay - d * 0.7 - h], // upper right
        [ax + d * 0.7, ay + d * 0.7], // lower right
        [ax - d * 0.7 - w, ay - d * 0.7 - h], // upper left
        [ax - d * 0.7 - w, ay + d * 0.7], // lower left
      ];
      for (const [x, y] of spots) {
        const box = { x, y, width: w, height: h };
        const inside = x >= area.x && y >= area.y &&
          x + w <= area.x + area.width && y + h <= area.y + area.height;
        if (
          inside && !taken.some((t) => overlaps(t, box)) &&
          !obstacles.some((o) => overlaps(o, box))
        ) {
          taken.push(box);
          return { ...box, leader: ring > 1 };
        }
      }
    }
    return null;
  });
}

/** Shared chart.js options: static, exact size, no events or tooltips. */
function baseOptions(title: string, fonts: FontSizes) {
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

function axisTitle(text: string, fonts: FontSizes) {
  return { display: text !== "", text, font: { size: fonts.axis } };
}

/** Tick options of a linear axis: readable numbers (see formatTick). */
function linearTicks(fonts: FontSizes) {
  return { font: { size: fonts.tick }, callback: formatTick };
}

/** Legend options of line-only charts (CDFs, time series). */
function lineLegend(
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

/** Grid colour shared with chart.ts' line charts. */
const GRID = { color: "#e5e5e5" };

/** A point of a line as chart.js gets it; `null` y leaves a gap. */
export type XY = { x: number; y: number | null };

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
  return await renderChartConfig(cdfChartConfig(spec, options), options);
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
  return await renderChartConfig(
    stackedBarChartConfig(spec, options),
    options,
  );
}

/**
 * Writes each scatter point's `label` next to it where it fits without
 * covering another label or marker (see {@link placeLabels}), Pareto-front
 * points first, then by descending y; far labels get a leader line. Static
 * images have no tooltips, so labels are the only way to tell which
 * configuration a point is; how many did not fit is said under the plot.
 */
function pointLabelsPlugin(
  fonts: FontSizes,
  front: ReadonlySet<ScatterPoint>,
): Plugin {
  return {
    id: "llmsimPointLabels",
    afterDatasetsDraw(chart) {
      const { ctx, chartArea } = chart;
      ctx.save();
      ctx.font = `${fonts.label}px "DejaVu Sans"`;
      const height = fonts.label + 2;
      const obstacles: Box[] = [];
      const wanted: { point: ScatterPoint; x: number; y: number }[] = [];
      chart.data.datasets.forEach((dataset, i) => {
        const meta = chart.getDatasetMeta(i);
        if (meta.hidden || meta.type !== "scatter") return;
        (dataset.data as unknown[]).forEach((raw, j) => {
          const element = meta.data[j];
          if (!element) return;
          const r = 5;
          obstacles.push({
            x: element.x - r,
            y: element.y - r,
            width: 2 * r,
            height: 2 * r,
          });
          const point = raw as ScatterPoint;
          if (point.label) wanted.push({ point, x: element.x, y: element.y });
        });
      });
      // The front's points first, then the better ones (higher on the plot).
      wanted.sort((a, b) =>
        Number(front.has(b.point)) - Number(front.has(a.point)) || a.y - b.y
      );
      const placed = placeLabels(
        // The front's labels may sit further out, on a leader line; the
        // others only next to their points.
        wanted.map((w) => ({
          anchorX: w.x,
          anchorY: w.y,
          width: ctx.measureText(w.point.label!).width + 4,
          height,
          maxRing: front.has(w.point) ? 3 : 1,
        })),
        obstacles,
        {
          x: chartArea.left,
          y: chartArea.top,
          width: chartArea.right - chartArea.left,
          height: chartArea.bottom - chartArea.top,
        },
        8,
      );
      ctx.textBaseline = "middle";
      let omitted = 0;
      placed.forEach((box, k) => {
        if (box === null) {
          omitted++;
          return;
        }
        const w = wanted[k];
        if (box.leader) {
          // From the point to the nearest point of the label's box.
          const tx = Math.max(box.x, Math.min(w.x, box.x + box.width));
          const ty = Math.max(box.y, Math.min(w.y, box.y + box.height));
          ctx.strokeStyle = "#999999";
          ctx.lineWidth = 1;
          ctx.beginPath();
          ctx.moveTo(w.x, w.y);
          ctx.lineTo(tx, ty);
          ctx.stroke();
        }
        // A white ground keeps the text clear of grid and front lines.
        ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
        ctx.fillRect(box.x, box.y, box.width, box.height);
        ctx.fillStyle = "#333333";
        ctx.fillText(w.point.label!, box.x + 2, box.y + box.height / 2);
      });
      if (omitted > 0) {
        ctx.fillStyle = "#666666";
        ctx.textBaseline = "bottom";
        ctx.textAlign = "right";
        ctx.fillText(
          `${omitted} of ${wanted.length} labels left out where they would overlap`,
          chart.width - 8,
          chart.height - 4,
        );
      }
      ctx.restore();
    },
  };
}

/** The chart.js configuration of a Pareto chart (scatter and front line). */
export type ParetoChartConfig = ChartConfiguration<
  "scatter" | "line",
  (ScatterPoint | XY)[]
>;

/**
 * The chart.js configuration that {@link renderParetoChart} draws: one
 * scatter dataset per group (in the group's {@link seriesStyle} colour,
 * marker and fill, distinct for up to 80 groups; points with `stable: false` as large crosses, `pointStyle`
 * {@link UNSTABLE_POINT_STYLE}, with an {@link UNSTABLE_LABEL} legend
 * entry), then the front.
 *
 * @param spec What to draw.
 * @param options The size the chart will be drawn at (fonts scale with it).
 * @returns The configuration.
 */
export function paretoChartConfig(
  spec: ParetoChartSpec,
  options: ChartRenderOptions = {},
): ParetoChartConfig {
  const fonts = fontSizes(options.width ?? 900);
  const front = paretoFront(spec.groups.flatMap((g) => g.points), spec.front);
  const finite = (p: ScatterPoint) =>
    Number.isFinite(p.x) && Number.isFinite(p.y);
  const radius = 5;
  let anyUnstable = false;
  const datasets: ChartDataset[] = spec.groups.map((group, i) => {
    const { color, marker, hollow } = seriesStyle(i);
    const points = group.points.filter(finite);
    if (points.some((p) => p.stable === false)) anyUnstable = true;
    return {
      type: "scatter",
      label: group.label,
      data: points,
      borderColor: color,
      backgroundColor: hollow ? "#ffffff" : color,
      pointStyle: points.map((p) =>
        p.stable === false ? UNSTABLE_POINT_STYLE : marker
      ),
      pointRadius: points.map((p) => (p.stable === false ? 8 : radius)),
      pointBorderWidth: points.map((p) =>
        p.stable === false ? 3 : hollow ? 2 : 1
      ),
      order: 0,
    } as ChartDataset;
  });
  if (anyUnstable) {
    datasets.push({
      type: "scatter",
      label: UNSTABLE_LABEL,
      data: [],
      borderColor: "#333333",
      backgroundColor: "#333333",
      pointStyle: UNSTABLE_POINT_STYLE,
      pointRadius: 7,
      pointBorderWidth: 3,
      order: 0,
    } as ChartDataset);
  }
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
  const base = baseOptions(spec.title, fonts);
  return {
    type: "scatter",
    data: { datasets },
    options: {
      ...base,
      // Room under the x axis title for the note on left-out labels.
      layout: { padding: { top: 12, left: 12, right: 12, bottom: 24 } },
      parsing: false,
      scales: {
        // Room around the points keeps their labels inside the plot.
        x: {
          type: "linear",
          grace: "5%",
          title: axisTitle(spec.xLabel, fonts),
          grid: GRID,
          ticks: linearTicks(fonts),
        },
        y: {
          type: "linear",
          grace: "5%",
          title: axisTitle(spec.yLabel, fonts),
          grid: GRID,
          ticks: linearTicks(fonts),
        },
      },
      plugins: {
        ...base.plugins,
        legend: {
          display: datasets.length > 0,
          position: "top",
          labels: {
            font: { size: fonts.legend },
            // Markers for the groups, a dashed line for the front. chart.js
            // sizes both alike, so the line is short and its dashes shorter.
            usePointStyle: true,
            boxHeight: 10,
            generateLabels: (chart) =>
              Chart.defaults.plugins.legend.labels.generateLabels(chart)
                .map((item) => {
                  const k = item.datasetIndex ?? -1;
                  if (item.pointStyle === "line") {
                    return { ...item, lineWidth: 1.5, lineDash: [3, 2] };
                  }
                  // Markers as in the plot (the first point's may be a cross).
                  const style = chart.data.datasets[k]?.label === UNSTABLE_LABEL
                    ? UNSTABLE_POINT_STYLE
                    : seriesStyle(k).marker;
                  return {
                    ...item,
                    pointStyle: style as PointStyle,
                    lineWidth: style === UNSTABLE_POINT_STYLE ? 3 : 1,
                  };
                }),
          },
        },
      },
    },
    plugins: [pointLabelsPlugin(fonts, new Set(front))],
  } as ParetoChartConfig;
}

/**
 * Draws each group's points as a scatter plot and the Pareto front over all
 * of them (see {@link paretoFront}) as a dark dashed step line: for any x,
 * it shows the best y reached at that x or less. Points with a `label` are
 * annotated with it where the label fits without overlapping (the front's
 * first); points with `stable: false` are drawn as crosses and listed as
 * {@link UNSTABLE_LABEL}.
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
  return await renderChartConfig(paretoChartConfig(spec, options), options);
}

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
  return await renderChartConfig(
    timeSeriesChartConfig(spec, options),
    options,
  );
}
