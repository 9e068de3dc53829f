/**
 * Charts that must not mislead (issue 10): the TTFT breakdown adds up to
 * the mean TTFT in every mode; sweep charts draw categorical axes, sort
 * their x values, keep every series' style apart, clamp bands at 0, write
 * readable ticks and mark unstable runs; Pareto labels do not overlap;
 * fonts are large enough for the report.
 */

import assert from "node:assert/strict";
import { countColor, countDifferentPixels, decodePng } from "./_image.ts";
import { simulate } from "../lib/analysis/simulate.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import {
  sweepChartSpec,
  ttftBreakdownStacks,
  ttftParts,
} from "../lib/report/study_charts.ts";
import type { LineChartSpec } from "../lib/report/line_chart.ts";
import type { Box, ParetoChartSpec } from "../lib/report/pareto_chart.ts";

// As in chart_test.ts: the charts rely on the bundled font only.
const previousFontSetting = Deno.env.get("DISABLE_SYSTEM_FONTS_LOAD");
Deno.env.set("DISABLE_SYSTEM_FONTS_LOAD", "1");
const {
  fontSizes,
  formatTick,
  SERIES_COLORS,
  UNSTABLE_LABEL,
  UNSTABLE_POINT_STYLE,
} = await import("../lib/report/chart_style.ts");
const { lineChartConfig, renderLineChart } = await import(
  "../lib/report/line_chart.ts"
);
const { cdfChartConfig } = await import("../lib/report/cdf_chart.ts");
const { paretoChartConfig, placeLabels } = await import(
  "../lib/report/pareto_chart.ts"
);
const { renderStackedBarChart, stackedBarChartConfig } = await import(
  "../lib/report/stacked_bar_chart.ts"
);
const { timeSeriesChartConfig } = await import(
  "../lib/report/time_series_chart.ts"
);
const { Chart } = await import("npm:chart.js@^4.5.0");
const { createCanvas } = await import("npm:@napi-rs/canvas@^1.1");
if (previousFontSetting === undefined) {
  Deno.env.delete("DISABLE_SYSTEM_FONTS_LOAD");
} else {
  Deno.env.set("DISABLE_SYSTEM_FONTS_LOAD", previousFontSetting);
}

const WIDTH = 900;
const HEIGHT = 560;

// Registers chart.js' parts and the font (the first render does).
await renderLineChart({ title: "", xLabel: "", yLabel: "", series: [] });

/** Lays a configuration out as chart.js would draw it, for its scales and legend. */
function laidOut<T>(
  config: unknown,
  read: (chart: InstanceType<typeof Chart>) => T,
): T {
  const canvas = createCanvas(WIDTH, HEIGHT);
  const chart = new Chart(
    canvas as unknown as ConstructorParameters<typeof Chart>[0],
    config as ConstructorParameters<typeof Chart>[1],
  );
  try {
    return read(chart);
  } finally {
    chart.destroy();
  }
}

function tickLabels(config: unknown, axis: "x" | "y"): string[] {
  return laidOut(
    config,
    (chart) =>
      chart.scales[axis].ticks.map((t) => String(t.label ?? "")).filter((l) =>
        l !== ""
      ),
  );
}

function legendTexts(config: unknown): string[] {
  return laidOut(
    config,
    (chart) => (chart.legend?.legendItems ?? []).map((item) => item.text),
  );
}

type AnyDataset = {
  label?: string;
  data: unknown[];
  borderColor?: unknown;
  borderDash?: number[];
  pointStyle?: unknown;
};

function datasets(config: { data: { datasets: unknown[] } }): AnyDataset[] {
  return config.data.datasets as AnyDataset[];
}

// ------------------------------------------------------------ TTFT parts

const MODES = [
  {
    name: "mono, batching none",
    scenario: { mode: "mono", batching: "none" },
    parts: ["queue_wait", "prefill_compute", "first_decode"],
  },
  {
    name: "mono, continuous",
    scenario: { mode: "mono", batching: "continuous" },
    parts: ["queue_wait", "prefill_compute"],
  },
  {
    name: "mono, continuous, sketch percentiles",
    scenario: {
      mode: "mono",
      batching: "continuous",
      metrics: { percentiles: "sketch" },
    },
    parts: ["queue_wait", "prefill_compute"],
  },
  {
    name: "disagg, batching none",
    scenario: { mode: "disagg", batching: "none" },
    parts: ["prefill_wait", "prefill_compute", "decode_wait", "first_decode"],
  },
  {
    name: "disagg, continuous, TTFT at decode",
    scenario: { mode: "disagg", batching: "continuous" },
    parts: [
      "prefill_wait",
      "prefill_compute",
      "decode_wait",
      "kv_transfer",
      "first_decode",
    ],
  },
  {
    name: "disagg, continuous, TTFT at prefill",
    scenario: {
      mode: "disagg",
      batching: "continuous",
      cluster_disagg: { ttft_at: "prefill" },
    },
    parts: ["prefill_wait", "prefill_compute"],
  },
  {
    // One-token replies finish at the prefill side and never reach decode.
    name: "disagg, continuous, with one-token replies",
    scenario: {
      mode: "disagg",
      batching: "continuous",
      output_tokens: { mode: "uniform", low: 1, high: 3 },
    },
    parts: [
      "prefill_wait",
      "prefill_compute",
      "decode_wait",
      "kv_transfer",
      "first_decode",
    ],
  },
] as const;

function run(scenario: Record<string, unknown>) {
  return simulate(validateScenario({
    sim_seconds: 60,
    warmup_seconds: 5,
    random_seed: 7,
    arrival: { rate_per_s: 4 },
    ...scenario,
  })).summary;
}

Deno.test("mean TTFT by part adds up to mean TTFT in every mode", async () => {
  const summaries = MODES.map((m) => run(m.scenario));
  MODES.forEach((m, k) => {
    const s = summaries[k];
    const ttft = s.mean_ttft_s as number;
    assert.ok(ttft > 0, `${m.name}: mean TTFT ${ttft}`);
    const parts = ttftParts(s);
    assert.deepEqual(parts.map((p) => p.key), [...m.parts], m.name);
    for (const p of parts) {
      assert.ok(Number.isFinite(p.value), `${m.name}: ${p.key} = ${p.value}`);
    }
    const sum = parts.reduce((a, p) => a + p.value, 0);
    assert.ok(
      Math.abs(sum - ttft) <= 1e-9 * ttft,
      `${m.name}: parts add up to ${sum}, mean TTFT is ${ttft}`,
    );
    // A colocated batched run waits in the queue: the part is shown.
    if (m.scenario.mode === "mono") {
      assert.ok((s.mean_queue_wait_s as number) > 0, m.name);
    }
  });
  // The chart: one bar per run, exactly as tall as its mean TTFT.
  const stacks = ttftBreakdownStacks(summaries);
  assert.ok(!stacks.some((s) => s.label === "unaccounted"));
  const config = stackedBarChartConfig({
    title: "Mean TTFT, by part",
    yLabel: "seconds",
    categories: MODES.map((m) => m.name),
    stacks,
  });
  MODES.forEach((m, k) => {
    const bar = datasets(config).reduce(
      (a, d) => a + ((d.data[k] as number | null) ?? 0),
      0,
    );
    const ttft = summaries[k].mean_ttft_s as number;
    assert.ok(Math.abs(bar - ttft) <= 1e-9 * ttft, `${m.name}: bar ${bar}`);
  });
  const queue = datasets(config).find((d) => d.label === "queue wait");
  assert.ok(queue && (queue.data[1] as number) > 0, "mono queue wait drawn");
  // Every part big enough to see is drawn in its colour.
  const img = await decodePng(
    await renderStackedBarChart({
      title: "Mean TTFT, by part",
      yLabel: "seconds",
      categories: MODES.map((_, k) => `run ${k}`),
      stacks,
    }),
  );
  const tallest = Math.max(...summaries.map((s) => s.mean_ttft_s as number));
  stacks.forEach((stack, i) => {
    if (Math.max(...stack.values.map((v) => v ?? 0)) < 0.03 * tallest) return;
    const color = SERIES_COLORS[i % SERIES_COLORS.length];
    assert.ok(countColor(img, color) > 200, `${stack.label} not drawn`);
  });
});

Deno.test("ttftParts() shows what the parts miss instead of hiding it", () => {
  const parts = ttftParts({
    mode: "mono",
    mean_ttft_s: 0.041,
    mean_queue_wait_s: 0.001,
    mean_prefill_compute_s: 0.032,
  });
  const rest = parts.find((p) => p.key === "unaccounted");
  assert.ok(rest && Math.abs(rest.value - 0.008) < 1e-12);
});

// ------------------------------------------------------------ sweeps

function sweepRows(
  xs: unknown[],
  column: string,
  stable: (k: number) => boolean = () => true,
) {
  return xs.map((x, k) => ({
    [column]: x,
    p50_ttft_s: 0.1 + 0.01 * k,
    p90_ttft_s: 0.2 + 0.02 * k,
    p99_ttft_s: 0.3 + 0.03 * k,
    stable: stable(k),
  }));
}

Deno.test("a categorical sweep axis draws every value", async () => {
  const policies = ["chunked", "prefill_first"];
  const spec = sweepChartSpec({
    name: "sweep",
    axes: [{ path: "scheduler.policy", values: policies }],
    replications: 3,
    rows: sweepRows(policies, "sweep_scheduler.policy"),
    cis: policies.map(() => ({ p50_ttft_s: 0.01, p90_ttft_s: 0.02 })),
    column: (p) => `sweep_${p}`,
  });
  assert.deepEqual(spec.series.map((s) => s.x), [policies, policies, policies]);
  const config = lineChartConfig(spec);
  const lines = datasets(config).filter((d) => d.data.length > 0);
  assert.equal(lines.length, 3);
  for (const d of lines) {
    for (const p of d.data as { x: number; y: number | null }[]) {
      assert.ok(Number.isFinite(p.x) && p.y !== null, JSON.stringify(p));
    }
  }
  assert.deepEqual(tickLabels(config, "x"), policies);
  const img = await decodePng(await renderLineChart(spec));
  for (const color of SERIES_COLORS.slice(0, 3)) {
    assert.ok(countColor(img, color) > 50, `${color} not drawn`);
  }
});

Deno.test("unsorted rates draw every point on an axis covering them all", async () => {
  const column = (p: string) =>
    p === "arrival.rate_per_s" ? "sweep_rate_per_s" : `sweep_${p}`;
  const make = (rates: number[]) =>
    sweepChartSpec({
      name: "sweep",
      axes: [{ path: "arrival.rate_per_s", values: rates }],
      replications: 1,
      rows: rates.map((r) => ({
        sweep_rate_per_s: r,
        p50_ttft_s: r / 10,
        p90_ttft_s: r / 5,
        p99_ttft_s: r / 2,
        stable: true,
      })),
      cis: rates.map(() => ({})),
      column,
    });
  const unsorted = make([3, 1, 2]);
  const config = lineChartConfig(unsorted);
  const xs = (datasets(config)[0].data as { x: number }[]).map((p) => p.x);
  assert.deepEqual(xs, [1, 2, 3]);
  const [min, max] = laidOut(
    config,
    (chart) => [chart.scales.x.min, chart.scales.x.max],
  );
  assert.ok(min <= 1 && max >= 3, `x axis ${min}..${max}`);
  const a = await decodePng(await renderLineChart(unsorted));
  const b = await decodePng(await renderLineChart(make([1, 2, 3])));
  assert.equal(countDifferentPixels(a, b), 0);
});

Deno.test("every series keeps a style of its own, however many there are", () => {
  for (const n of [9, 16, 17, 41, 100]) {
    const series = Array.from({ length: n }, (_, i) => ({
      label: `s${i}`,
      x: [1, 2],
      y: [i, i + 1],
      dashed: i % 3 === 1,
    }));
    const line = lineChartConfig({ title: "", xLabel: "", yLabel: "", series });
    const key = (d: AnyDataset) =>
      `${d.borderColor}|${(d.borderDash ?? []).join()}|${
        (d.pointStyle as string[])[0]
      }`;
    assert.equal(new Set(datasets(line).map(key)).size, n, `line, ${n}`);
    const cdf = cdfChartConfig({
      title: "",
      xLabel: "",
      series: series.map((s) => ({ label: s.label, values: s.y })),
    });
    const time = timeSeriesChartConfig({
      title: "",
      xLabel: "",
      yLabel: "",
      series: series.map((s) => ({ label: s.label, t: s.x, y: s.y })),
    });
    for (const config of [cdf, time]) {
      const lineKey = (d: AnyDataset) =>
        `${d.borderColor}|${(d.borderDash ?? []).join()}`;
      assert.equal(new Set(datasets(config).map(lineKey)).size, n);
    }
    const pareto = paretoChartConfig({
      title: "",
      xLabel: "",
      yLabel: "",
      groups: series.map((s) => ({
        label: s.label,
        points: [{ x: s.y[0], y: s.y[1] }],
      })),
    });
    // Scatter groups have no lines: colour, marker and fill, for 80 groups.
    const groups = datasets(pareto).filter((d) => d.label !== "Pareto front")
      .slice(0, 80) as (AnyDataset & { backgroundColor: unknown })[];
    const dotKey = (d: AnyDataset & { backgroundColor: unknown }) =>
      `${d.borderColor}|${(d.pointStyle as string[])[0]}|${d.backgroundColor}`;
    assert.equal(new Set(groups.map(dotKey)).size, Math.min(n, 80));
  }
});

Deno.test("95% bands of latencies stop at 0", () => {
  const rates = [1, 2];
  const spec = sweepChartSpec({
    name: "sweep",
    axes: [{ path: "arrival.rate_per_s", values: rates }],
    replications: 3,
    rows: sweepRows(rates, "sweep_rate_per_s"),
    // Half-widths wider than the values.
    cis: rates.map(() => ({ p50_ttft_s: 1, p90_ttft_s: 1, p99_ttft_s: 1 })),
    column: () => "sweep_rate_per_s",
  });
  assert.equal(spec.nonNegative, true);
  assert.ok(spec.series[0].yLow!.some((v) => v !== null && v < 0));
  const config = lineChartConfig(spec);
  const low = datasets(config).filter((d) => d.label?.endsWith("(low)"));
  assert.equal(low.length, 3);
  for (const d of low) {
    for (const p of d.data as { y: number }[]) assert.ok(p.y >= 0, `${p.y}`);
  }
  const min = laidOut(config, (chart) => chart.scales.y.min);
  assert.ok(min >= 0, `y axis starts at ${min}`);
});

Deno.test("tick labels have a sensible number of digits", () => {
  const ticks = (values: number[]) => values.map((value) => ({ value }));
  const t = ticks([0.0003, 0.0004, 0.0004999999999990, 0.0006]);
  assert.equal(formatTick(t[2].value, 2, t), "0.0005");
  const q = ticks([0, 0.25, 0.5, 0.75000000000001]);
  assert.deepEqual(
    q.map((x, i) => formatTick(x.value, i, q)),
    ["0.00", "0.25", "0.50", "0.75"],
  );
  // A TPOT that is the same for every request but for float noise, as the
  // exclusive model gives.
  const noisy = Array.from(
    { length: 200 },
    (_, i) => 0.0005 + (i % 7 - 3) * 1e-18,
  );
  const readable = (labels: string[]) => {
    assert.ok(labels.length >= 2, labels.join(" "));
    for (const label of labels) {
      assert.match(label, /^-?[\d,]+(\.\d{1,6})?$|^-?\d(\.\d+)?e[-+]\d+$/);
      assert.doesNotMatch(label, /99999|00000\d/, label);
    }
    assert.equal(new Set(labels).size, labels.length, labels.join(" "));
  };
  readable(tickLabels(
    cdfChartConfig({
      title: "",
      xLabel: "TPOT (s)",
      series: [{ label: "a", values: noisy }],
    }),
    "x",
  ));
  const line: LineChartSpec = {
    title: "",
    xLabel: "",
    yLabel: "",
    series: [{ label: "a", x: noisy.map((_, i) => i), y: noisy }],
  };
  readable(tickLabels(lineChartConfig(line), "y"));
  readable(tickLabels(
    timeSeriesChartConfig({
      title: "",
      xLabel: "",
      yLabel: "",
      series: [{ label: "a", t: noisy.map((_, i) => i), y: noisy }],
    }),
    "y",
  ));
});

// ------------------------------------------------------------ Pareto labels

Deno.test("placeLabels() never lets labels overlap each other or the markers", () => {
  // A plan's column: many placements at the same GPU count.
  const points = Array.from({ length: 60 }, (_, i) => ({
    x: 100 + 80 * (i % 6),
    y: 60 + 7 * Math.floor(i / 6) + (i % 3),
  }));
  const obstacles: Box[] = points.map((p) => ({
    x: p.x - 5,
    y: p.y - 5,
    width: 10,
    height: 10,
  }));
  const area = { x: 0, y: 0, width: 640, height: 400 };
  const placed = placeLabels(
    points.map((p) => ({ anchorX: p.x, anchorY: p.y, width: 90, height: 14 })),
    obstacles,
    area,
    8,
  );
  const boxes = placed.filter((b): b is NonNullable<typeof b> => b !== null);
  assert.ok(boxes.length >= 6, `only ${boxes.length} labels placed`);
  assert.ok(placed[0] !== null, "the first (most important) label is placed");
  const overlap = (a: Box, b: Box) =>
    a.x < b.x + b.width && b.x < a.x + a.width &&
    a.y < b.y + b.height && b.y < a.y + a.height;
  boxes.forEach((a, i) => {
    assert.ok(a.x >= 0 && a.y >= 0 && a.x + a.width <= 640);
    for (const o of obstacles) assert.ok(!overlap(a, o));
    for (const b of boxes.slice(i + 1)) assert.ok(!overlap(a, b));
  });
  // Labels limited to their point's side are placed there or not at all.
  const near = placeLabels(
    points.map((p) => ({
      anchorX: p.x,
      anchorY: p.y,
      width: 90,
      height: 14,
      maxRing: 1,
    })),
    obstacles,
    area,
    8,
  );
  assert.ok(near.every((b) => b === null || !b.leader));
});

// ------------------------------------------------------------ fonts

Deno.test("chart fonts are large enough for the report and scale with width", () => {
  const sizes = fontSizes(WIDTH);
  assert.ok(sizes.title >= 20 && sizes.axis >= 16 && sizes.tick >= 15);
  assert.ok(sizes.legend >= 15 && sizes.label >= 13);
  assert.equal(fontSizes(2 * WIDTH).tick, 2 * sizes.tick);
  const configs = [
    lineChartConfig({
      title: "t",
      xLabel: "x",
      yLabel: "y",
      series: [{ label: "a", x: [1], y: [1] }],
    }),
    cdfChartConfig({ title: "t", xLabel: "x", series: [] }),
    stackedBarChartConfig({
      title: "t",
      yLabel: "y",
      categories: ["a"],
      stacks: [{ label: "s", values: [1] }],
    }),
    paretoChartConfig({ title: "t", xLabel: "x", yLabel: "y", groups: [] }),
    timeSeriesChartConfig({ title: "t", xLabel: "x", yLabel: "y", series: [] }),
  ];
  for (const config of configs) {
    const o = config.options as {
      plugins: {
        title: { font: { size: number } };
        legend: { labels: { font: { size: number } } };
      };
      scales: Record<string, { ticks: { font: { size: number } } }>;
    };
    assert.equal(o.plugins.title.font.size, sizes.title);
    assert.equal(o.plugins.legend.labels.font.size, sizes.legend);
    for (const axis of Object.values(o.scales)) {
      assert.equal(axis.ticks.font.size, sizes.tick);
    }
  }
});

// ------------------------------------------------------------ unstable runs

Deno.test("unstable sweep points are marked, with a legend entry", async () => {
  const rates = [4, 1, 2];
  const spec = sweepChartSpec({
    name: "sweep",
    axes: [
      { path: "mode", values: ["mono"] },
      { path: "arrival.rate_per_s", values: rates },
    ],
    replications: 1,
    rows: rates.map((r, k) => ({
      sweep_mode: "mono",
      sweep_rate_per_s: r,
      p50_ttft_s: r,
      p90_ttft_s: 2 * r,
      p99_ttft_s: 3 * r,
      stable: k !== 0, // the run at rate 4 did not reach a steady state
    })),
    cis: rates.map(() => ({})),
    column: (p) => p === "mode" ? "sweep_mode" : "sweep_rate_per_s",
  });
  assert.deepEqual(spec.series[0].unstable, [true, false, false]);
  const config = lineChartConfig(spec);
  for (const d of datasets(config).slice(0, 3)) {
    // Sorted by rate: the unstable point (rate 4) is the last.
    assert.deepEqual(
      (d.pointStyle as string[]).map((s) => s === UNSTABLE_POINT_STYLE),
      [false, false, true],
    );
  }
  assert.ok(legendTexts(config).includes(UNSTABLE_LABEL));
  const stable = lineChartConfig({
    ...spec,
    series: spec.series.map((s) => ({ ...s, unstable: undefined })),
  });
  assert.ok(!legendTexts(stable).includes(UNSTABLE_LABEL));
  const marked = await decodePng(await renderLineChart(spec));
  const plain = await decodePng(
    await renderLineChart({
      ...spec,
      series: spec.series.map((s) => ({ ...s, unstable: undefined })),
    }),
  );
  assert.ok(countDifferentPixels(marked, plain) > 200);
});

Deno.test("unstable plan points are marked, with a legend entry", () => {
  const spec: ParetoChartSpec = {
    title: "",
    xLabel: "GPUs",
    yLabel: "capacity",
    groups: [
      {
        label: "colocated",
        points: [
          { x: 1, y: 10, label: "a" },
          { x: 2, y: 25, label: "b", stable: false },
        ],
      },
      { label: "disaggregated", points: [{ x: 2, y: 20, label: "c" }] },
    ],
  };
  const config = paretoChartConfig(spec);
  assert.deepEqual(datasets(config)[0].pointStyle, [
    "circle",
    UNSTABLE_POINT_STYLE,
  ]);
  assert.deepEqual(datasets(config)[1].pointStyle, ["circle"]);
  assert.ok(legendTexts(config).includes(UNSTABLE_LABEL));
  const none = paretoChartConfig({
    ...spec,
    groups: spec.groups.map((g) => ({
      ...g,
      points: g.points.map((p) => ({ ...p, stable: true })),
    })),
  });
  assert.ok(!legendTexts(none).includes(UNSTABLE_LABEL));
});
