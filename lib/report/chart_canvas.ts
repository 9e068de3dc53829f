/**
 * Drawing chart.js charts off-screen: registers chart.js and the bundled
 * font on a Skia canvas once, and turns a chart.js configuration into PNG
 * or SVG bytes. Every report chart goes through {@link renderChartConfig};
 * the legend samples of the line-style charts are drawn here too.
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
import { type LegendSample, UNSTABLE_POINT_STYLE } from "./chart_style.ts";

/** How a chart is rendered. */
export interface ChartRenderOptions {
  /** Width in pixels (default 900). */
  width?: number;
  /** Height in pixels (default 560). */
  height?: number;
  /** Output format (default `"png"`). */
  format?: "png" | "svg";
}

/** The family registered from the bundled font files. */
const FONT_FAMILY = "DejaVu Sans";

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

/** Rejects a chart size chart.js or the canvas could not draw. */
function checkSize(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 16384) {
    throw new RangeError(
      `Chart ${name} must be an integer from 1 to 16384, got ${value}`,
    );
  }
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
 * import { renderChartConfig } from "./chart_canvas.ts";
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
