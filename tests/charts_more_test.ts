import assert from "node:assert/strict";
import {
  countColor,
  type DecodedImage,
  decodePng,
  nonWhiteShare,
} from "./_image.ts";
import type { ScatterPoint } from "../lib/report/pareto_chart.ts";

// As in chart_test.ts: hide the system fonts, as on a machine that has none,
// so the charts rely on the bundled font. The setting is read when the
// canvas library first loads, so the chart modules are imported only after
// it is set; the old value is put back for other test modules.
const previousFontSetting = Deno.env.get("DISABLE_SYSTEM_FONTS_LOAD");
Deno.env.set("DISABLE_SYSTEM_FONTS_LOAD", "1");
const { empiricalCdf, renderCdfChart } = await import(
  "../lib/report/cdf_chart.ts"
);
const { paretoFront, renderParetoChart } = await import(
  "../lib/report/pareto_chart.ts"
);
const { renderStackedBarChart } = await import(
  "../lib/report/stacked_bar_chart.ts"
);
const { renderTimeSeriesChart } = await import(
  "../lib/report/time_series_chart.ts"
);
const { SERIES_COLORS } = await import("../lib/report/chart_style.ts");
if (previousFontSetting === undefined) {
  Deno.env.delete("DISABLE_SYSTEM_FONTS_LOAD");
} else {
  Deno.env.set("DISABLE_SYSTEM_FONTS_LOAD", previousFontSetting);
}

const WIDTH = 640;
const HEIGHT = 400;
const SIZE = { width: WIDTH, height: HEIGHT };

/** A deterministic generator of numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Checks what every rendered chart must be: right size, drawn, opaque. */
async function assertChart(
  bytes: Uint8Array,
  colors: readonly string[],
): Promise<DecodedImage> {
  const img = await decodePng(bytes);
  assert.deepEqual([img.width, img.height], [WIDTH, HEIGHT]);
  // The background is opaque white, not transparent.
  assert.deepEqual([...img.data.slice(0, 4)], [255, 255, 255, 255]);
  const share = nonWhiteShare(img);
  assert.ok(share > 0.02, `only ${share} of pixels are not white`);
  for (const color of colors) {
    const n = countColor(img, color);
    assert.ok(n > 50, `${color} appears in ${n} pixels`);
  }
  return img;
}

/** Checks SVG output: an `<svg>` root of the requested size, with paths. */
function assertSvg(bytes: Uint8Array): void {
  const svg = new TextDecoder().decode(bytes);
  assert.ok(/^(<svg|<\?xml)/.test(svg), svg.slice(0, 80));
  assert.ok(svg.trimEnd().endsWith("</svg>"));
  const root = svg.slice(svg.indexOf("<svg"), svg.indexOf(">") + 1);
  assert.match(root, new RegExp(`\\swidth="${WIDTH}"`));
  assert.match(root, new RegExp(`\\sheight="${HEIGHT}"`));
  assert.ok((svg.match(/<path\s/g) ?? []).length > 20);
}

/** Fraction of `values` at or below `x`, by brute force. */
function fractionAtOrBelow(values: number[], x: number): number {
  return values.filter((v) => v <= x).length / values.length;
}

Deno.test("empiricalCdf() gives exact fractions for small inputs, ties merged", () => {
  assert.deepEqual(empiricalCdf([3, 1, 2, 2]), {
    x: [1, 2, 3],
    p: [0.25, 0.75, 1],
  });
  assert.deepEqual(empiricalCdf([5]), { x: [5], p: [1] });
  assert.deepEqual(empiricalCdf([]), { x: [], p: [] });
  // Values that are not finite are left out of the count.
  assert.deepEqual(empiricalCdf([NaN, 2, Infinity, 1, -Infinity]), {
    x: [1, 2],
    p: [0.5, 1],
  });
  // Typed arrays are accepted and left unsorted.
  const typed = new Float64Array([2, 1]);
  assert.deepEqual(empiricalCdf(typed).x, [1, 2]);
  assert.deepEqual([...typed], [2, 1]);
});

Deno.test("empiricalCdf() thins huge inputs, monotone, with exact min, max and fractions", () => {
  const next = random(7);
  // Integers with many ties, plus one far outlier on each side.
  const values = Array.from(
    { length: 200_000 },
    () => Math.floor(next() * 5000),
  );
  values.push(-1e6, 1e9);
  const cdf = empiricalCdf(values);
  assert.ok(cdf.x.length <= 400 && cdf.x.length > 300, `${cdf.x.length}`);
  assert.equal(cdf.x.length, cdf.p.length);
  assert.equal(cdf.x[0], -1e6);
  assert.equal(cdf.x.at(-1), 1e9);
  assert.equal(cdf.p.at(-1), 1);
  for (let i = 1; i < cdf.x.length; i++) {
    assert.ok(cdf.x[i] > cdf.x[i - 1], `x not ascending at ${i}`);
    assert.ok(cdf.p[i] > cdf.p[i - 1], `p not ascending at ${i}`);
  }
  // Every point kept is exact, not interpolated.
  for (const i of [0, 1, 50, 200, cdf.x.length - 2]) {
    assert.equal(cdf.p[i], fractionAtOrBelow(values, cdf.x[i]));
  }
  // The points are spread over the ranks: no gap in p much above 1/400.
  const gaps = cdf.p.slice(1).map((p, i) => p - cdf.p[i]);
  assert.ok(Math.max(...gaps) < 3 / 400, `largest gap ${Math.max(...gaps)}`);
});

Deno.test("empiricalCdf() honours maxPoints and rejects too few", () => {
  const values = Array.from({ length: 1000 }, (_, i) => i);
  const cdf = empiricalCdf(values, { maxPoints: 5 });
  assert.deepEqual(cdf.x, [0, 250, 500, 749, 999]);
  assert.deepEqual(cdf.p, [0.001, 0.251, 0.501, 0.75, 1]);
  assert.throws(() => empiricalCdf(values, { maxPoints: 1 }), RangeError);
  assert.throws(() => empiricalCdf(values, { maxPoints: 2.5 }), RangeError);
});

Deno.test("paretoFront() keeps the points no other point beats", () => {
  const p = (x: number, y: number, label?: string): ScatterPoint => ({
    x,
    y,
    label,
  });
  const points = [
    p(4, 9, "d"),
    p(1, 2, "a"),
    p(2, 2, "dominated: same y, larger x"),
    p(2, 5, "b"),
    p(3, 4, "dominated by b"),
    p(3, 5, "dominated: same y as b, larger x"),
    p(2, 5, "duplicate of b"),
    p(5, 9, "dominated by d"),
    p(6, 10, "e"),
    p(NaN, 100, "ignored"),
    p(0.5, Infinity, "ignored"),
  ];
  // By hand: smaller x and larger y are better.
  const max = paretoFront(points);
  assert.deepEqual(max.map((q) => q.label), ["a", "b", "d", "e"]);
  assert.equal(max[1], points[3], "returns the same objects");
  assert.deepEqual(paretoFront(points, "max"), max);
  // By hand: smaller x and smaller y are better; (1, 2) beats all but the
  // point with the smallest x.
  const min = paretoFront([p(3, 1, "c"), ...points.slice(0, 9)], "min");
  assert.deepEqual(min.map((q) => q.label), ["a", "c"]);
  assert.deepEqual(paretoFront([], "min"), []);
  assert.throws(
    () => paretoFront(points, "best" as "max"),
    TypeError,
  );
});

Deno.test("paretoFront() matches a brute-force front on random points", () => {
  const next = random(11);
  const points = Array.from(
    { length: 300 },
    () => ({ x: Math.round(next() * 50), y: Math.round(next() * 50) }),
  );
  for (const front of ["max", "min"] as const) {
    const sign = front === "max" ? 1 : -1;
    const beats = (a: ScatterPoint, b: ScatterPoint) =>
      a.x <= b.x && sign * a.y >= sign * b.y && (a.x < b.x || a.y !== b.y);
    const expected = points
      .filter((b, i) =>
        !points.some((a) => beats(a, b)) &&
        // Of equal points only the first is kept.
        points.findIndex((a) => a.x === b.x && a.y === b.y) === i
      )
      .sort((a, b) => a.x - b.x);
    assert.deepEqual(paretoFront(points, front), expected, front);
  }
});

Deno.test("renderCdfChart() PNG has the requested size and each series' colour", async () => {
  const next = random(1);
  const png = await renderCdfChart({
    title: "TTFT distribution",
    xLabel: "TTFT (s)",
    series: [
      { label: "fcfs", values: Array.from({ length: 50_000 }, () => next()) },
      { label: "sjf", values: Array.from({ length: 500 }, () => next() / 2) },
    ],
  }, SIZE);
  await assertChart(png, SERIES_COLORS.slice(0, 2));
});

Deno.test("renderCdfChart() draws a log x axis even with non-positive samples", async () => {
  const next = random(2);
  const values = Array.from({ length: 5000 }, () => -Math.log(next()));
  values.push(0, -1);
  const png = await renderCdfChart({
    title: "",
    xLabel: "TTFT (s)",
    series: [{ label: "fcfs", values: new Float64Array(values) }],
    logX: true,
  }, SIZE);
  await assertChart(png, [SERIES_COLORS[0]]);
});

Deno.test("renderCdfChart() defaults to a 900 x 560 PNG", async () => {
  const img = await decodePng(
    await renderCdfChart({
      title: "t",
      xLabel: "x",
      series: [{ label: "a", values: [1, 2, 3] }],
    }),
  );
  assert.deepEqual([img.width, img.height], [900, 560]);
});

Deno.test("renderStackedBarChart() draws every stack's colour", async () => {
  const stacks = [
    "prefill wait",
    "prefill compute",
    "kv transfer",
    "decode wait",
    "first decode",
  ].map((label, i) => ({
    label,
    values: [i === 2 ? null : 0.1 + 0.02 * i, 0.05 + 0.01 * i],
  }));
  const png = await renderStackedBarChart({
    title: "TTFT breakdown",
    yLabel: "Mean time (s)",
    categories: ["mono", "disagg"],
    stacks,
  }, SIZE);
  await assertChart(png, SERIES_COLORS.slice(0, 5));
});

Deno.test("renderStackedBarChart() rejects a stack without one value per category", async () => {
  await assert.rejects(
    renderStackedBarChart({
      title: "t",
      yLabel: "y",
      categories: ["a", "b"],
      stacks: [{ label: "s", values: [1] }],
    }, SIZE),
    RangeError,
  );
});

Deno.test("renderParetoChart() draws each group and the front", async () => {
  const spec = {
    title: "Goodput vs latency",
    xLabel: "p99 TTFT (s)",
    yLabel: "Goodput (req/s)",
    groups: [
      {
        label: "colocated",
        points: [
          { x: 0.8, y: 10, label: "tp2" },
          { x: 1.2, y: 14, label: "tp4" },
          { x: 0.5, y: 6 },
        ],
      },
      {
        label: "disaggregated",
        points: [
          { x: 0.4, y: 12, label: "1P1D" },
          { x: 0.9, y: 16, label: "2P1D" },
          { x: 1.5, y: 15 },
        ],
      },
    ],
  };
  const withFront = await assertChart(
    await renderParetoChart(spec, SIZE),
    SERIES_COLORS.slice(0, 2),
  );
  // A "min" front runs through other points, so the image changes.
  const minFront = await decodePng(
    await renderParetoChart({ ...spec, front: "min" }, SIZE),
  );
  let differing = 0;
  for (let i = 0; i < withFront.data.length; i++) {
    if (withFront.data[i] !== minFront.data[i]) differing++;
  }
  assert.ok(differing > 200, `fronts differ in ${differing} bytes`);
});

Deno.test("renderTimeSeriesChart() draws long series quickly and gaps at NaN", async () => {
  const t = Array.from({ length: 100_000 }, (_, i) => i * 0.01);
  const y = t.map((ti) => Math.sin(ti / 50) * 100);
  y[500] = NaN;
  const start = performance.now();
  const png = await renderTimeSeriesChart({
    title: "KV cache use",
    xLabel: "Time (s)",
    yLabel: "Blocks",
    series: [
      { label: "replica 0", t, y },
      { label: "replica 1", t: [0, 300, 600, 1000], y: [10, 50, NaN, 20] },
    ],
  }, SIZE);
  const elapsed = performance.now() - start;
  await assertChart(png, SERIES_COLORS.slice(0, 2));
  assert.ok(elapsed < 5000, `took ${elapsed} ms`);
  await assert.rejects(
    renderTimeSeriesChart({
      title: "t",
      xLabel: "x",
      yLabel: "y",
      series: [{ label: "a", t: [1, 2], y: [1] }],
    }),
    RangeError,
  );
});

Deno.test("every chart renders SVG of the requested size", async () => {
  const options = { ...SIZE, format: "svg" as const };
  assertSvg(
    await renderCdfChart({
      title: "CDF",
      xLabel: "x",
      series: [{ label: "a", values: [1, 2, 2, 5] }],
      logX: true,
    }, options),
  );
  assertSvg(
    await renderStackedBarChart({
      title: "Bars",
      yLabel: "y",
      categories: ["a", "b"],
      stacks: [{ label: "s", values: [1, 2] }, {
        label: "u",
        values: [2, null],
      }],
    }, options),
  );
  assertSvg(
    await renderParetoChart({
      title: "Pareto",
      xLabel: "x",
      yLabel: "y",
      groups: [{
        label: "g",
        points: [{ x: 1, y: 1, label: "p" }, { x: 2, y: 3 }],
      }],
    }, options),
  );
  assertSvg(
    await renderTimeSeriesChart({
      title: "Series",
      xLabel: "t",
      yLabel: "y",
      series: [{ label: "a", t: [0, 1, 2], y: [3, 1, 2] }],
    }, options),
  );
});

Deno.test("every chart rejects bad sizes and formats", async () => {
  const cdf = { title: "t", xLabel: "x", series: [] };
  await assert.rejects(renderCdfChart(cdf, { width: 0 }), RangeError);
  await assert.rejects(renderCdfChart(cdf, { height: 1.5 }), RangeError);
  await assert.rejects(
    renderCdfChart(cdf, { format: "gif" as "png" }),
    TypeError,
  );
  await assert.rejects(
    renderStackedBarChart(
      { title: "", yLabel: "", categories: [], stacks: [] },
      {
        width: 20000,
      },
    ),
    RangeError,
  );
  await assert.rejects(
    renderParetoChart({ title: "", xLabel: "", yLabel: "", groups: [] }, {
      width: -1,
    }),
    RangeError,
  );
  await assert.rejects(
    renderTimeSeriesChart({ title: "", xLabel: "", yLabel: "", series: [] }, {
      height: 0,
    }),
    RangeError,
  );
});
