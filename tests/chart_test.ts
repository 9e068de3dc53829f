import assert from "node:assert/strict";
import {
  countColor,
  countDifferentPixels,
  type DecodedImage,
  decodePng,
  nonWhiteShare,
} from "./_image.ts";
import type { LineChartSpec } from "../lib/report/line_chart.ts";

// Hide the system fonts from the canvas library, as on a machine that has
// none, so the text checks below rely on the font bundled with the chart
// module. The setting is read when the library first loads, so the chart
// module is imported only after it is set; the old value is put back so
// other test modules see the environment unchanged.
const previousFontSetting = Deno.env.get("DISABLE_SYSTEM_FONTS_LOAD");
Deno.env.set("DISABLE_SYSTEM_FONTS_LOAD", "1");
const { renderLineChart } = await import("../lib/report/line_chart.ts");
const { SERIES_COLORS } = await import("../lib/report/chart_style.ts");
const { GlobalFonts } = await import("npm:@napi-rs/canvas@^1.1");
if (previousFontSetting === undefined) {
  Deno.env.delete("DISABLE_SYSTEM_FONTS_LOAD");
} else {
  Deno.env.set("DISABLE_SYSTEM_FONTS_LOAD", previousFontSetting);
}

const WIDTH = 640;
const HEIGHT = 400;

/** Two series over the same x range; y stays within [0, 10]. */
function baseSpec(): LineChartSpec {
  return {
    title: "Latency vs load",
    xLabel: "Arrival rate (req/s)",
    yLabel: "p99 TTFT (s)",
    series: [
      { label: "fcfs", x: [1, 2, 3, 4, 5], y: [0, 2, 4, 6, 10] },
      { label: "sjf", x: [1, 2, 3, 4, 5], y: [1, 1.5, 2, 3, 5], dashed: true },
    ],
  };
}

async function renderPng(spec: LineChartSpec): Promise<DecodedImage> {
  return await decodePng(
    await renderLineChart(spec, { width: WIDTH, height: HEIGHT }),
  );
}

/** Pixels darker than mid grey in rows [from, to): drawn text or lines. */
function darkPixels(img: DecodedImage, from: number, to: number): number {
  let count = 0;
  for (let i = from * img.width * 4; i < to * img.width * 4; i += 4) {
    if (img.data[i] + img.data[i + 1] + img.data[i + 2] < 3 * 128) count++;
  }
  return count;
}

Deno.test("renderLineChart() PNG has the requested size and is not blank", async () => {
  const img = await renderPng(baseSpec());
  assert.equal(img.width, WIDTH);
  assert.equal(img.height, HEIGHT);
  // Corners are background: opaque white, not transparent.
  assert.deepEqual([...img.data.slice(0, 4)], [255, 255, 255, 255]);
  const share = nonWhiteShare(img);
  assert.ok(share > 0.02, `only ${share} of pixels are not white`);
  // Each series' colour is drawn.
  for (const color of SERIES_COLORS.slice(0, 2)) {
    const n = countColor(img, color);
    assert.ok(n > 100, `${color} appears in ${n} pixels`);
  }
});

Deno.test("renderLineChart() defaults to a 900 x 560 PNG", async () => {
  const bytes = await renderLineChart(baseSpec());
  const img = await decodePng(bytes);
  assert.deepEqual([img.width, img.height], [900, 560]);
});

Deno.test("renderLineChart() draws text with the bundled font", async () => {
  const a = await renderPng(baseSpec());
  const b = await renderPng({ ...baseSpec(), title: "Goodput vs load" });
  // The font is registered even though system fonts are hidden.
  assert.ok(GlobalFonts.has("DejaVu Sans"));
  // Titles of the same font size leave the layout unchanged, so only the
  // title's glyphs differ: pixels in the top rows, none further down.
  const titleRows = 40;
  const inTitle = countDifferentPixels(a, b, 0, titleRows);
  assert.ok(inTitle > 100, `titles differ in ${inTitle} pixels`);
  assert.equal(countDifferentPixels(a, b, titleRows + 10, HEIGHT), 0);
  assert.ok(darkPixels(a, 0, titleRows) > 100, "no dark title pixels");
});

Deno.test("renderLineChart() leaves gaps at null values", async () => {
  const gap = await renderPng({
    ...baseSpec(),
    series: [{ label: "a", x: [1, 2, 3, 4, 5], y: [1, 2, null, 4, 5] }],
  });
  const skipped = await renderPng({
    ...baseSpec(),
    series: [{ label: "a", x: [1, 2, 4, 5], y: [1, 2, 4, 5] }],
  });
  // Without the null the line runs straight from x=2 to x=4.
  const diff = countDifferentPixels(gap, skipped);
  assert.ok(diff > 50, `gap changes ${diff} pixels`);
  assert.ok(
    countColor(skipped, SERIES_COLORS[0]) > countColor(gap, SERIES_COLORS[0]),
  );
});

Deno.test("renderLineChart() shades a band between yLow and yHigh", async () => {
  const plain = await renderPng(baseSpec());
  const spec = baseSpec();
  // The band stays inside the y range of the lines, so axes do not move.
  spec.series[0] = {
    ...spec.series[0],
    yLow: [0.5, 1.5, 3, 5, 8],
    yHigh: [1, 3, 5, 7, 9.5],
  };
  const banded = await renderPng(spec);
  const diff = countDifferentPixels(plain, banded);
  assert.ok(diff > 1000, `band changes only ${diff} pixels`);
  // The band is not listed in the legend: title and legend rows are equal.
  assert.equal(countDifferentPixels(plain, banded, 0, 65), 0);
});

Deno.test("renderLineChart() draws a log y axis, with non-positive values as gaps", async () => {
  const linear = await renderPng(baseSpec());
  const log = await renderPng({ ...baseSpec(), logY: true });
  assert.ok(nonWhiteShare(log) > 0.02);
  assert.ok(countDifferentPixels(linear, log) > 1000);
  // The first series starts at y = 0, which a log axis cannot show: it must
  // look exactly as if that value were missing.
  const spec = baseSpec();
  spec.series[0] = { ...spec.series[0], y: [null, 2, 4, 6, 10] };
  const missing = await renderPng({ ...spec, logY: true });
  assert.equal(countDifferentPixels(log, missing), 0);
});

Deno.test("renderLineChart() SVG has the requested size, paths and no text", async () => {
  const bytes = await renderLineChart(baseSpec(), {
    width: WIDTH,
    height: HEIGHT,
    format: "svg",
  });
  const svg = new TextDecoder().decode(bytes);
  assert.ok(svg.startsWith("<svg"), svg.slice(0, 80));
  assert.ok(svg.trimEnd().endsWith("</svg>"));
  const root = svg.slice(0, svg.indexOf(">"));
  assert.match(root, new RegExp(`\\swidth="${WIDTH}"`));
  assert.match(root, new RegExp(`\\sheight="${HEIGHT}"`));
  assert.ok((svg.match(/<path\s/g) ?? []).length > 20);
  // Text is converted to paths, so viewers need no fonts.
  assert.doesNotMatch(svg, /<text[\s>]/);
  assert.ok(svg.includes(SERIES_COLORS[0].toUpperCase()));
});

Deno.test("renderLineChart() rejects bad sizes and mismatched series", async () => {
  await assert.rejects(renderLineChart(baseSpec(), { width: 0 }), RangeError);
  await assert.rejects(
    renderLineChart(baseSpec(), { height: 1.5 }),
    RangeError,
  );
  const short = baseSpec();
  short.series[0] = { ...short.series[0], y: [1, 2] };
  await assert.rejects(renderLineChart(short), RangeError);
  const halfBand = baseSpec();
  halfBand.series[0] = { ...halfBand.series[0], yLow: [0, 1, 2, 3, 4] };
  await assert.rejects(renderLineChart(halfBand), TypeError);
});
