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
  registerables,
} from "npm:chart.js@^4.5.0";
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
  /** X values, one per point. */
  x: number[];
  /** Y values, one per point; `null` leaves a gap in the line. */
  y: (number | null)[];
  /** Lower edge of the band (e.g. a confidence interval), one per point. */
  yLow?: (number | null)[];
  /** Upper edge of the band, one per point. Needs `yLow` as well. */
  yHigh?: (number | null)[];
  /** Draw the line dashed, e.g. for a theoretical or reference curve. */
  dashed?: boolean;
}

/** What a line chart shows. */
export interface LineChartSpec {
  /** Title above the plot. An empty string draws no title. */
  title: string;
  /** Title of the x axis. */
  xLabel: string;
  /** Title of the y axis. */
  yLabel: string;
  /** The lines, drawn in the palette's colours in this order. */
  series: LineSeries[];
  /**
   * Use a logarithmic y axis. Values that are zero or negative cannot be
   * placed on it and are drawn as gaps.
   */
  logY?: boolean;
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
 * import { SERIES_COLORS } from "./chart.ts";
 * if (SERIES_COLORS[0] !== "#0072b2") throw new Error("first colour changed");
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

/** The family registered from the bundled font files. */
const FONT_FAMILY = "DejaVu Sans";
/** Dash pattern (on, off in pixels) of series drawn dashed. */
const DASH = [6, 4];
/** Opacity of a series' band, low enough that lines under it stay visible. */
const BAND_ALPHA = 0.18;

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

type Point = { x: number; y: number | null };

/** `#rrggbb` to `rgba(r, g, b, alpha)`. */
function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** Pairs x with y, turning values the y axis cannot show into gaps. */
function toPoints(
  x: number[],
  y: (number | null)[],
  logY: boolean,
): Point[] {
  return x.map((xi, i) => {
    const yi = y[i];
    const usable = yi !== null && Number.isFinite(yi) && (!logY || yi > 0);
    return { x: xi, y: usable ? yi : null };
  });
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

/** Builds the chart.js configuration for a spec. */
function buildConfig(
  spec: LineChartSpec,
): ChartConfiguration<"line", Point[]> {
  const logY = spec.logY ?? false;
  const datasets: ChartDataset<"line", Point[]>[] = [];
  const bands = new Set<number>();
  const dashed = new Set<number>();
  spec.series.forEach((series, i) => {
    checkLengths(series);
    const color = SERIES_COLORS[i % SERIES_COLORS.length];
    if (series.dashed) dashed.add(datasets.length);
    datasets.push({
      label: series.label,
      data: toPoints(series.x, series.y, logY),
      borderColor: color,
      backgroundColor: color,
      borderWidth: 2,
      borderDash: series.dashed ? [...DASH] : [],
      // Points keep a value that sits alone between two gaps visible.
      pointRadius: 2.5,
      fill: false,
      spanGaps: false,
      order: 0,
    });
    if (series.yLow !== undefined && series.yHigh !== undefined) {
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
        data: toPoints(series.x, series.yLow, logY),
        fill: false,
      });
      datasets.push({
        ...edge,
        label: `${series.label} (high)`,
        data: toPoints(series.x, series.yHigh, logY),
        fill: "-1",
        backgroundColor: withAlpha(color, BAND_ALPHA),
      });
      bands.add(datasets.length - 2).add(datasets.length - 1);
    }
  });

  const axisTitle = (text: string) => ({
    display: text !== "",
    text,
    font: { size: 13 },
  });
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
        },
        y: {
          type: logY ? "logarithmic" : "linear",
          title: axisTitle(spec.yLabel),
          grid: { color: "#e5e5e5" },
        },
      },
      plugins: {
        title: {
          display: spec.title !== "",
          text: spec.title,
          font: { size: 16, weight: "bold" },
        },
        legend: {
          display: spec.series.length > 0,
          position: "top",
          labels: {
            // A short line sample shows dashing, which a filled box hides.
            usePointStyle: true,
            pointStyle: "line",
            pointStyleWidth: 32,
            // The default labels take the dash pattern from the points when
            // usePointStyle is on, so it is copied from the dataset here.
            generateLabels: (chart) =>
              Chart.defaults.plugins.legend.labels.generateLabels(chart)
                .filter((item) => !bands.has(item.datasetIndex ?? -1))
                .map((item) => ({
                  ...item,
                  lineWidth: 2,
                  lineDash: dashed.has(item.datasetIndex ?? -1)
                    ? [...DASH]
                    : [],
                })),
          },
        },
        tooltip: { enabled: false },
      },
    },
    plugins: [],
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
  return await renderChartConfig(buildConfig(spec), options);
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
