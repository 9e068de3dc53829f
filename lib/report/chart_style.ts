/**
 * The look shared by every report chart, decided without drawing anything:
 * series colours, markers and dash patterns, font sizes, tick labels, axis
 * limits for constant data and the unstable-run marker. It imports nothing,
 * so code that only needs these choices never loads a canvas library.
 *
 * @module
 */

/**
 * The colours given to series in order (cycling after the last). They are
 * the Okabe–Ito colour-blind-safe colours without yellow, which is hard to
 * see on white, plus a grey.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { SERIES_COLORS } from "./chart_style.ts";
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
export const UNSTABLE_LEGEND_COLOR = "#333333";
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
 * import { seriesStyle } from "./chart_style.ts";
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
 * import { fontSizes } from "./chart_style.ts";
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
 * import { formatTick } from "./chart_style.ts";
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
 * import { logTickLabel } from "./chart_style.ts";
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
 * import { degenerateRange } from "./chart_style.ts";
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

/**
 * `#rrggbb` to `rgba(r, g, b, alpha)`.
 *
 * @param hex A colour as `#rrggbb`.
 * @param alpha Opacity from 0 to 1.
 * @returns The CSS colour with that opacity.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { withAlpha } from "./chart_style.ts";
 * assert.equal(withAlpha("#0072b2", 0.5), "rgba(0, 114, 178, 0.5)");
 * ```
 */
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
