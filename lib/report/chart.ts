/**
 * Line charts for reports, drawn off-screen with chart.js on a Skia canvas
 * and returned as PNG or SVG bytes.
 *
 * This module loads a native canvas library and a bundled font, so only the
 * CLI's chart commands import it, and lazily; the simulation engine never
 * does. Running it needs the flags `--unstable-raw-imports --allow-read
 * --allow-ffi --allow-sys=homedir` and `--allow-env` (which can be narrowed
 * to `--allow-env=NAPI_RS_NATIVE_LIBRARY_PATH,NAPI_RS_FORCE_WASI,DISABLE_SYSTEM_FONTS_LOAD`).
 *
 * @module
 */

import {
  Chart,
  type ChartConfiguration,
  type ChartDataset,
  type ChartItem,
  type ChartType,
  type Plugin,
  type PointStyle,
  registerables,
} from "npm:chart.js@^4.5.0";
import { drawPoint } from "npm:chart.js@^4.5.0/helpers";
import { Buffer } from "node:buffer";
import {
  createCanvas,
  GlobalFonts,
  SvgExportFlag,
} from "npm:@napi-rs/canvas@^1.1";
import dejavuRegular from "npm:@fontsource/dejavu-sans@^5.2.0/files/dejavu-sans-latin-400-normal.woff" with {
  type: "bytes",
};
import dejavuBold from "npm:@fontsource/dejavu-sans@^5.2.0/files/dejavu-sans-latin-700-normal.woff" with {
  type: "bytes",
};

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

/** How a chart is rendered. */
export interface ChartRenderOptions {
  /** Width in pixels (default 900). */
  width?: number;
  /** Height in pixels (default 560). */
  height?: number;
  /** Output format (default `"png"`). */
  format?: "png" | "svg";
}

/**
 * The colours given to series in order (cycling after the last). They are
 * the Okabe–Ito colour-blind-safe colours without yellow, which is hard to
 * see on white, plus a grey.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { SERIES_COLORS } from "./chart.ts";
 * assert.equal(SERIES_COLORS[0], "#0072b2", "first colour changed");
 * ```
 */
export const SERIES_COLORS: readonly string[] = Object.freeze([
  "#0072b2",
  "#d55e00",
  "#009e73",
  "#e69f00",
  "#cc79a7",
  "#56b4e9",
  "#000000",
  "#8c8c8c",
]);

/** Legend text of the marker of runs that did not reach a steady state. */
export const UNSTABLE_LABEL = "unstable (queue grows)";
/** chart.js point style of unstable runs: a diagonal cross. */
export const UNSTABLE_POINT_STYLE = "crossRot";
/** Colour of the unstable entry in the legend. */
const UNSTABLE_LEGEND_COLOR = "#333333";

/** The family registered from the bundled font files. */
const FONT_FAMILY = "DejaVu Sans";
/** Opacity of a series' band, low enough that lines under it stay visible. */
const BAND_ALPHA = 0.18;
/** Point markers given to the 2nd, 3rd, ... round of the colours. */
const MARKERS = ["circle", "rect", "triangle", "rectRot", "star"] as const;

/** How one series is drawn. */
export interface SeriesStyle {
  /** Line and marker colour, `#rrggbb`. */
  color: string;
  /** Dash pattern (on, off, ... in pixels); empty for a solid line. */
  dash: number[];
  /** chart.js point style of the markers. */
  marker: string;
  /**
   * Scatter plots (which have no lines to dash): draw the marker hollow.
   * The 6th to 10th rounds of colours are hollow, so 80 groups of points
   * look different.
   */
  hollow: boolean;
}

/**
 * The style of the `index`-th series: colours cycle through
 * {@link SERIES_COLORS}; each further round of the colours takes the next
 * marker and, after the markers, the next dash pattern, so that no two
 * series look alike however many there are. A `dashed` series draws
 * dashes ([6, 4] in the first rounds) and a solid one solid or dotted
 * lines; the two families never share a pattern. Without markers (CDFs,
 * time series) every round takes a new dash pattern instead, and `dashed`
 * is ignored.
 *
 * @param index The series' position, from 0.
 * @param options Whether the series asks for a dashed line, and whether
 * the chart draws point markers.
 * @returns Colour, dash pattern and marker.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { seriesStyle } from "./chart.ts";
 * const a = seriesStyle(0), b = seriesStyle(8);
 * assert.equal(a.color, b.color);
 * assert.notEqual(a.marker, b.marker);
 * ```
 */
export function seriesStyle(
  index: number,
  options: { dashed?: boolean; markers?: boolean } = {},
): SeriesStyle {
  const color = SERIES_COLORS[index % SERIES_COLORS.length];
  const round = Math.floor(index / SERIES_COLORS.length);
  const markers = options.markers ?? true;
  const marker = markers ? MARKERS[round % MARKERS.length] : "circle";
  // With markers, the dash level changes once every marker has been used;
  // solid lines become dotted (on = 2 px) and dashed ones get longer
  // dashes (on >= 6 px), so the two families never meet. Without markers
  // each round takes the next of solid, dashed, dotted, longer dashes, ...
  // (and `dashed` is not asked for).
  let level = Math.floor(round / MARKERS.length);
  let dashed = options.dashed ?? false;
  if (!markers) {
    dashed = round % 2 === 1;
    level = Math.floor((round + 1) / 2) - (dashed ? 1 : 0);
  }
  const dash = dashed
    ? [6 + 4 * level, 4]
    : level === 0
    ? []
    : [2, 1 + 2 * level];
  const hollow = Math.floor(round / MARKERS.length) % 2 === 1;
  return { color, dash, marker, hollow };
}

/** Font sizes in pixels for a chart of some width. */
export interface FontSizes {
  /** Chart title. */
  title: number;
  /** Axis titles. */
  axis: number;
  /** Tick labels. */
  tick: number;
  /** Legend entries. */
  legend: number;
  /** Labels written next to points. */
  label: number;
}

/**
 * Font sizes that stay readable when a chart is shown scaled to a column
 * of a report page (about 560 px for the default 900 px image): at 900 px
 * the title is 22 px, axis titles 18, ticks and legend 16 and point labels
 * 14; other widths scale them in proportion (by at least 0.7).
 *
 * @param width The chart's width in pixels.
 * @returns The sizes.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { fontSizes } from "./chart.ts";
 * assert.equal(fontSizes(900).tick, 16);
 * ```
 */
export function fontSizes(width: number): FontSizes {
  const k = Math.max(0.7, width / 900);
  const size = (px: number) => Math.round(px * k);
  return {
    title: size(22),
    axis: size(18),
    tick: size(16),
    legend: size(16),
    label: size(14),
  };
}

/** Decimals needed to write a tick step exactly (up to 15). */
function decimalsFor(step: number): number {
  for (let d = 0; d < 15; d++) {
    const s = step * 10 ** d;
    if (Math.abs(s - Math.round(s)) <= 1e-6 * Math.max(1, s)) return d;
  }
  return 15;
}

/**
 * Formats a linear axis' tick with as many decimals as the step between
 * ticks needs, so that float noise (0.0004999999999990) never shows: the
 * step 0.0001 gives 0.0005, the step 0.25 gives 0.25 and 0.50. Very large
 * or small values are written as 1.5e-5. A chart.js tick callback.
 *
 * @param value The tick's value.
 * @param _index Its position.
 * @param ticks All ticks of the axis.
 * @returns The label.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTick } from "./chart.ts";
 * const ticks = [0.0003, 0.0004, 0.0004999999999990].map((value) => ({ value }));
 * assert.equal(formatTick(ticks[2].value, 2, ticks), "0.0005");
 * ```
 */
export function formatTick(
  value: number | string,
  _index: number,
  ticks: { value: number }[],
): string {
  let v = Number(value);
  if (!Number.isFinite(v)) return String(value);
  let step = Infinity;
  for (let k = 1; k < ticks.length; k++) {
    const d = Math.abs(ticks[k].value - ticks[k - 1].value);
    if (d > 0) step = Math.min(step, d);
  }
  if (!Number.isFinite(step)) step = Math.abs(v) || 1;
  // Zero, not -1e-17.
  if (Math.abs(v) < step * 1e-6) v = 0;
  const a = Math.abs(v);
  if (a >= 1e6 || (a < 1e-4 && a > 0)) {
    const digits = Math.floor(Math.log10(a)) - Math.floor(Math.log10(step)) +
      1;
    return Number(v.toPrecision(Math.min(6, Math.max(1, digits))))
      .toExponential();
  }
  const d = decimalsFor(step);
  return new Intl.NumberFormat("en-US", {
    minimumFractionDigits: d,
    maximumFractionDigits: d,
  }).format(v);
}

/**
 * Labels log-axis ticks at 1, 2 and 5 times a power of ten, or only at the
 * powers when the axis spans more than three decades. chart.js' default
 * prints every tick with as many decimals as the smallest needs, which
 * crowds the axis with unreadable numbers.
 *
 * @param value The tick's value.
 * @param _index Its position.
 * @param ticks All ticks of the axis.
 * @returns The label, or `""` for an unlabelled tick.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { logTickLabel } from "./chart.ts";
 * const ticks = [0.1, 0.2, 0.3].map((value) => ({ value }));
 * assert.equal(logTickLabel(0.2, 1, ticks), "0.2");
 * assert.equal(logTickLabel(0.3, 2, ticks), "");
 * ```
 */
export function logTickLabel(
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
 * Axis limits for values that are all equal but for float noise (a TPOT
 * that is the same for every request, say): a round range of about 5%
 * either side of them. Left
 * alone, chart.js would spread its ticks over the noise. Other values give
 * no limits.
 *
 * @param values The values on the axis.
 * @returns `{min, max}`, or `{}` to let chart.js choose.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { degenerateRange } from "./chart.ts";
 * const r = degenerateRange([0.0005, 0.0004999999999990]);
 * assert.equal(r.min, 0.00048, JSON.stringify(r));
 * assert.equal(r.max, 0.00052, JSON.stringify(r));
 * ```
 */
export function degenerateRange(
  values: Iterable<number | null>,
): { min?: number; max?: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const mag = Math.max(Math.abs(lo), Math.abs(hi));
  if (!Number.isFinite(mag) || mag === 0 || hi - lo > 1e-9 * mag) return {};
  // About 5% either side, to whole multiples of a power of ten so that
  // the axis' end ticks are round numbers too.
  const mid = (lo + hi) / 2;
  const e = Math.floor(Math.log10(Math.abs(mid) * 0.05));
  // Dividing by 10^-e rounds exactly where multiplying by 10^e would not.
  const scale = (n: number) => e < 0 ? n / 10 ** -e : n * 10 ** e;
  const units = e < 0 ? mid * 10 ** -e : mid / 10 ** e;
  const k = Math.round(units);
  const [a, b] = Math.abs(units - k) < 1e-6
    ? [k - 2, k + 2]
    : [Math.floor(units) - 1, Math.ceil(units) + 1];
  return { min: scale(a), max: scale(b) };
}

let initialized = false;

/**
 * Registers chart.js' components and the bundled font once per process. The
 * font comes with the npm dependencies so that labels render even where no
 * system fonts are installed.
 */
function ensureInitialized(): void {
  if (initialized) return;
  Chart.register(...registerables);
  for (const file of [dejavuRegular, dejavuBold]) {
    // The binding is typed for Node's Buffer; a view on the same memory is
    // enough and avoids a copy.
    GlobalFonts.register(
      Buffer.from(file.buffer, file.byteOffset, file.byteLength),
      FONT_FAMILY,
    );
  }
  Chart.defaults.font.family = FONT_FAMILY;
  Chart.defaults.color = "#333333";
  initialized = true;
}

/**
 * Paints the canvas white before anything else is drawn; canvases start
 * transparent, which shows as black or checkered in many viewers.
 */
const whiteBackground: Plugin = {
  id: "llmsimWhiteBackground",
  beforeDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

/** A point of a line as chart.js gets it; `null` y leaves a gap. */
export type Point = { x: number; y: number | null };

/** `#rrggbb` to `rgba(r, g, b, alpha)`. */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** What a legend sample shows: a line (dashed or not) and/or a marker. */
export interface LegendSample {
  /** Colour of line and marker. */
  color: string;
  /** Line dash pattern; `null` draws no line. */
  dash: number[] | null;
  /** chart.js point style of the marker; `null` draws none. */
  marker: string | null;
  /** Marker radius in pixels. */
  radius: number;
  /** Line width in pixels. */
  lineWidth: number;
}

/**
 * A small canvas with a line sample and a marker on it, used as a legend
 * entry's point style: chart.js draws a canvas given as `pointStyle` as an
 * image, which shows both the dash pattern and the marker (its own styles
 * show one or the other).
 *
 * @param sample What to draw.
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @returns A canvas chart.js treats as an image.
 */
export function legendSampleImage(
  sample: LegendSample,
  width: number,
  height: number,
): object {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  const mid = height / 2;
  ctx.strokeStyle = sample.color;
  ctx.fillStyle = sample.color;
  if (sample.dash !== null) {
    ctx.lineWidth = sample.lineWidth;
    ctx.setLineDash(sample.dash);
    ctx.beginPath();
    ctx.moveTo(1, mid);
    ctx.lineTo(width - 1, mid);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  if (sample.marker !== null) {
    ctx.lineWidth = sample.marker === UNSTABLE_POINT_STYLE ? 2.5 : 1;
    drawPoint(
      ctx as unknown as Parameters<typeof drawPoint>[0],
      {
        pointStyle: sample.marker as PointStyle,
        radius: sample.radius,
        rotation: 0,
        borderWidth: ctx.lineWidth,
      },
      width / 2,
      mid,
    );
  }
  // chart.js recognises images by their class name.
  Object.defineProperty(canvas, "toString", {
    value: () => "[object HTMLCanvasElement]",
  });
  return canvas;
}

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

function checkSize(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 16384) {
    throw new RangeError(
      `Chart ${name} must be an integer from 1 to 16384, got ${value}`,
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
 * ```ts ignore
 * import { lineChartConfig } from "./chart.ts";
 * const config = lineChartConfig({ title: "", xLabel: "x", yLabel: "y", series: [{ label: "a", x: [2, 1], y: [4, 1] }] });
 * console.log(config.data.datasets[0].data); // [{x: 1, y: 1}, {x: 2, y: 4}]
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
 * import { renderLineChart } from "./chart.ts";
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

/**
 * Draws any chart.js configuration on a Skia canvas, on a white background,
 * and encodes it as PNG (or SVG with the text as paths). Every llmsim chart
 * goes through here.
 *
 * @param config The chart.js configuration (static: no animation, exact size).
 * @param options Size and format.
 * @returns The image bytes.
 *
 * @example Usage
 * ```ts ignore
 * import { renderChartConfig } from "./chart.ts";
 * const png = await renderChartConfig({ type: "bar", data: { labels: ["a"], datasets: [{ data: [1] }] }, options: { animation: false, responsive: false } });
 * ```
 */
export async function renderChartConfig<TType extends ChartType, TData>(
  config: ChartConfiguration<TType, TData>,
  options: ChartRenderOptions = {},
): Promise<Uint8Array> {
  const width = options.width ?? 900;
  const height = options.height ?? 560;
  const format = options.format ?? "png";
  checkSize("width", width);
  checkSize("height", height);
  if (format !== "png" && format !== "svg") {
    throw new TypeError(`Unknown chart format "${format}"`);
  }
  ensureInitialized();
  config.plugins = [
    whiteBackground as unknown as Plugin<TType>,
    ...(config.plugins ?? []).filter((p) =>
      p !== (whiteBackground as unknown as Plugin<TType>)
    ),
  ];
  if (format === "svg") {
    const canvas = createCanvas(
      width,
      height,
      SvgExportFlag.ConvertTextToPaths,
    );
    const svg = await drawOn(canvas, config, () => canvas.getContent());
    // Dropping the XML declaration lets the SVG be inlined into HTML too.
    return new TextEncoder().encode(
      new TextDecoder().decode(svg).replace(/^\s*<\?xml[^>]*\?>\s*/, ""),
    );
  }
  const canvas = createCanvas(width, height);
  return new Uint8Array(
    await drawOn(canvas, config, () => canvas.encode("png")),
  );
}

/** Draws a chart on a canvas, encodes it, and frees the chart. */
async function drawOn<TType extends ChartType, TData, T>(
  canvas: object,
  config: ChartConfiguration<TType, TData>,
  encode: () => T | Promise<T>,
): Promise<T> {
  // chart.js only needs getContext("2d") and the context's canvas, which the
  // Skia canvas provides; its DOM types do not describe it.
  const chart = new Chart(canvas as ChartItem, config);
  try {
    return await encode();
  } finally {
    chart.destroy();
  }
}
