/**
 * `simulate --format vllm-bench` and `--save-result`: the block and the
 * JSON of `vllm bench serve` (vllm/benchmarks/serve.py at commit 009e6d4a),
 * their flags, the reader of such files, and the summary's token rates.
 */

import assert from "node:assert/strict";
import { simulate } from "../lib/analysis/simulate.ts";
import { readMeasuredRun } from "../lib/calibrate/measured.ts";
import { RequestRecords } from "../lib/metrics/records.ts";
import type { Summary } from "../lib/metrics/summary_types.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import {
  renderVllmBench,
  vllmBenchJson,
  vllmBenchResult,
  vllmBenchSettings,
} from "../lib/report/vllm_bench.ts";
import {
  numpyPercentile,
  vllmBenchFigures,
} from "../lib/report/vllm_bench_figures.ts";
import { expectInputError, runCli } from "./_cli.ts";

// Four measured requests (arrival, prompt, output, first token, finish)
// after one warm-up request; the expected figures below were computed
// with numpy 2 (np.mean, np.median, np.std, np.percentile) from these rows
// and vLLM's bucketing of token times, not by the code under test.
const ROWS: [number, number, number, number, number][] = [
  [0.5, 10, 5, 0.7, 1.2], // warm-up: arrives before warmup_seconds = 1
  [1.0, 100, 11, 1.25, 2.25],
  [1.5, 200, 1, 1.9, 1.9],
  [2.0, 50, 21, 2.12, 5.12],
  [3.0, 300, 6, 3.55, 4.05],
];

function handRun() {
  const scenario = validateScenario({
    sim_seconds: 4,
    warmup_seconds: 1,
    arrival: { process: "poisson", rate_per_s: 2 },
  });
  const records = new RequestRecords();
  for (const [a, p, o, f, e] of ROWS) {
    const i = records.add(a, p, o);
    records.firstTokenS[i] = f;
    records.finishS[i] = e;
  }
  const summary = {
    elapsed_s: 5.12,
    num_samples: 4,
    num_requests: 5,
    arrival_rate_per_s: 2,
  } as Summary;
  return { scenario, summary, records, warnings: [] };
}

const EXPECTED_BLOCK = [
  "============ Serving Benchmark Result ============",
  "Successful requests:                     4         ",
  "Failed requests:                         0         ",
  "Maximum request concurrency:             8         ",
  "Request rate configured (RPS):           2.00      ",
  "Benchmark duration (s):                  4.12      ",
  "Total input tokens:                      650       ",
  "Total generated tokens:                  39        ",
  "Request throughput (req/s):              0.97      ",
  "Output token throughput (tok/s):         9.47      ",
  "Peak output token throughput (tok/s):    12.00     ",
  "Peak concurrent requests:                2.00      ",
  "Total token throughput (tok/s):          167.23    ",
  "---------------Time to First Token----------------",
  "Mean TTFT (ms):                          330.00    ",
  "Median TTFT (ms):                        325.00    ",
  "P25 TTFT (ms):                           217.50    ",
  "P99 TTFT (ms):                           545.50    ",
  "-----Time per Output Token (excl. 1st token)------",
  "Mean TPOT (ms):                          116.67    ",
  "Median TPOT (ms):                        100.00    ",
  "P25 TPOT (ms):                           100.00    ",
  "P99 TPOT (ms):                           149.00    ",
  "---------------Inter-token Latency----------------",
  "Mean ITL (ms):                           128.57    ",
  "Median ITL (ms):                         150.00    ",
  "P25 ITL (ms):                            100.00    ",
  "P99 ITL (ms):                            150.00    ",
  "----------------End-to-end Latency----------------",
  "Mean E2EL (ms):                          1455.00   ",
  "Median E2EL (ms):                        1150.00   ",
  "P25 E2EL (ms):                           887.50    ",
  "P99 E2EL (ms):                           3063.90   ",
  "==================================================",
  "",
].join("\n");

Deno.test("the block has vLLM's labels, order and layout, with numpy's figures", () => {
  const run = handRun();
  const f = vllmBenchFigures(run, { percentiles: [25, 99] });
  const settings = vllmBenchSettings(run.scenario, run.summary, {
    maxConcurrency: 8,
  });
  // The metrics in any order: vLLM prints them in its own.
  const text = renderVllmBench(f, settings, ["e2el", "itl", "ttft", "tpot"]);
  assert.equal(text, EXPECTED_BLOCK);
  // Standard deviations are saved, not printed (numpy's np.std, ddof 0).
  const tol = (x: number, y: number) => Math.abs(x - y) <= 1e-9 * Math.abs(y);
  assert.ok(tol(f.metrics.ttft.std, 161.09003693587002));
  assert.ok(tol(f.metrics.tpot.std, 23.57022603955158));
  assert.ok(tol(f.metrics.itl.std, 24.74358296526967));
  assert.ok(tol(f.metrics.e2el.std, 1011.348110197473));
  // Conservation: total = input + output throughput.
  assert.ok(
    tol(
      f.totalTokenThroughput,
      f.outputThroughput + f.totalInput / f.durationS,
    ),
  );
});

Deno.test("the block leaves out vLLM's conditional lines and unselected sections", () => {
  const run = handRun();
  const f = vllmBenchFigures(run, { percentiles: [99] });
  const settings = vllmBenchSettings(run.scenario, run.summary, {
    requestRate: Infinity,
  });
  const lines = renderVllmBench(f, settings, ["ttft"]).trimEnd().split("\n");
  const labels = lines.map((l) => l.slice(0, 40).trimEnd());
  assert.ok(!labels.includes("Maximum request concurrency:"));
  assert.ok(!labels.includes("Request rate configured (RPS):"));
  assert.ok(!labels.includes("Request goodput (req/s):"));
  assert.ok(!lines.some((l) => l.includes("TPOT") || l.includes("ITL")));
  // Title, ten lines of figures, the TTFT section (four), the closing rule.
  assert.equal(lines.length, 16);
  for (const l of lines.slice(1, -1)) {
    if (!l.startsWith("-")) assert.match(l, /^.{40} \S+ *$/);
  }
});

Deno.test("numpy's percentile: linear interpolation, from the upper neighbour past one half", () => {
  const v = Float64Array.of(1, 2, 4, 8, 16);
  // np.percentile([1, 2, 4, 8, 16], [0, 10, 50, 87.5, 100])
  assert.equal(numpyPercentile(v, 0), 1);
  assert.equal(numpyPercentile(v, 10), 1.4);
  assert.equal(numpyPercentile(v, 50), 4);
  assert.equal(numpyPercentile(v, 87.5), 12);
  assert.equal(numpyPercentile(v, 100), 16);
});

Deno.test("--save-result: vLLM's keys in vLLM's order; the arrays only with --save-detailed", () => {
  const run = handRun();
  const f = vllmBenchFigures(run, { percentiles: [50, 99] });
  const settings = vllmBenchSettings(run.scenario, run.summary);
  const head = [
    "date",
    "endpoint_type",
    "backend",
    "label",
    "model_id",
    "tokenizer_id",
    "num_prompts",
    "request_rate",
    "burstiness",
    "max_concurrency",
    "duration",
    "completed",
    "failed",
    "total_input_tokens",
    "total_output_tokens",
    "request_throughput",
    "request_goodput",
    "output_throughput",
    "total_token_throughput",
  ];
  const tail = [
    "max_output_tokens_per_s",
    "max_concurrent_requests",
    "rtfx",
    ...["ttft", "tpot", "itl"].flatMap((m) =>
      ["mean", "median", "std", "p50", "p99"].map((s) => `${s}_${m}_ms`)
    ),
  ];
  const plain = JSON.parse(vllmBenchJson(
    vllmBenchResult(f, settings, {
      metrics: ["ttft", "tpot", "itl"],
      detailed: false,
    }),
  ));
  // Without --save-detailed vLLM keeps latencies and queue_times.
  assert.deepEqual(Object.keys(plain), [
    ...head,
    "latencies",
    "queue_times",
    ...tail,
  ]);
  const detailed = JSON.parse(vllmBenchJson(
    vllmBenchResult(f, settings, {
      metrics: ["ttft", "tpot", "itl"],
      detailed: true,
    }),
  ));
  assert.deepEqual(Object.keys(detailed), [
    ...head,
    "input_lens",
    "output_lens",
    "ttfts",
    "itls",
    "latencies",
    "start_times",
    "queue_times",
    "generated_texts",
    "errors",
    ...tail,
  ]);
  assert.equal(detailed.backend, "llmsim");
  assert.equal(detailed.num_prompts, 4);
  assert.equal(detailed.request_rate, 2);
  assert.equal(detailed.burstiness, 1);
  assert.equal(detailed.duration, 5.12 - 1);
  assert.deepEqual(detailed.input_lens, [100, 200, 50, 300]);
  // Each request's gaps add up to its latency less its TTFT.
  detailed.itls.forEach((gaps: number[], i: number) => {
    assert.equal(gaps.length, detailed.output_lens[i] - 1);
    const sum = gaps.reduce((a, b) => a + b, 0);
    assert.ok(
      Math.abs(sum - (detailed.latencies[i] - detailed.ttfts[i])) < 1e-12,
    );
  });
  // Past the gap limit itls is null, and the reader still reads the file
  // (from latencies).
  const capped = vllmBenchJson(
    vllmBenchResult(f, settings, {
      metrics: [],
      detailed: true,
      maxItlGaps: 34, // the run has 10 + 20 + 5 gaps
    }),
  );
  assert.equal(JSON.parse(capped).itls, null);
  const back = readMeasuredRun("capped.json", capped, "vllm-bench");
  assert.deepEqual(back.requests.map((q) => q.e2eS), detailed.latencies);
  assert.notEqual(
    JSON.parse(
      vllmBenchJson(
        vllmBenchResult(f, settings, {
          metrics: [],
          detailed: true,
          maxItlGaps: 35,
        }),
      ),
    ).itls,
    null,
  );
  // Python's json.dump layout.
  assert.match(
    vllmBenchJson(
      vllmBenchResult(f, settings, { metrics: [], detailed: false }),
    ),
    /^\{"date": null, "endpoint_type": "llmsim", /,
  );
});

Deno.test("--save-result round trip: the calibration reader reads back the run's requests and settings", () => {
  const scenario = validateScenario({
    mode: "mono",
    batching: "continuous",
    sim_seconds: 40,
    warmup_seconds: 5,
    arrival: { process: "gamma", rate_per_s: 3, cv: 2 },
  });
  const result = simulate(scenario);
  const f = vllmBenchFigures(result, { percentiles: [99], itl: result.itl });
  const settings = vllmBenchSettings(scenario, result.summary);
  const text = vllmBenchJson(
    vllmBenchResult(f, settings, {
      metrics: ["ttft", "tpot", "itl", "e2el"],
      detailed: true,
    }),
  );
  const back = readMeasuredRun("sim.json", text, "vllm-bench");
  const r = f.requests!;
  assert.equal(back.requests.length, result.summary.num_samples);
  assert.equal(back.failedRequests, 0);
  assert.ok(back.arrivalsKnown);
  assert.equal(back.durationS, f.durationS);
  assert.equal(back.requestRatePerS, 3);
  assert.equal(back.burstiness, 0.25);
  assert.equal(back.maxConcurrency, undefined);
  back.requests.forEach((q, i) => {
    assert.equal(q.arrivalS, r.startS[i] - r.startS[0]);
    assert.equal(q.promptTokens, r.inputLens[i]);
    assert.equal(q.outputTokens, r.outputLens[i]);
    assert.equal(q.ttftS, r.ttftS[i]);
    assert.equal(q.e2eS, r.latencyS[i]);
  });
  // The peaks, counted token by token and instant by instant.
  const buckets = new Map<number, number>();
  let inFlight = 0, peak = 0;
  const events: [number, number][] = [];
  for (let i = 0; i < r.startS.length; i++) {
    const t0 = r.startS[i] + r.ttftS[i], o = r.outputLens[i];
    const gap = o > 1 ? (r.latencyS[i] - r.ttftS[i]) / (o - 1) : 0;
    for (let j = 0; j < o; j++) {
      const b = Math.floor(t0 + j * gap - r.startS[0]);
      buckets.set(b, (buckets.get(b) ?? 0) + 1);
    }
    events.push([r.startS[i], 1], [r.startS[i] + r.latencyS[i], -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (const [, d] of events) peak = Math.max(peak, inFlight += d);
  assert.equal(f.maxOutputTokensPerS, Math.max(...buckets.values()));
  assert.equal(f.maxConcurrentRequests, peak);
  assert.ok(peak > 1);
  // The reader's requests give the saved statistics back.
  const ttfts = back.requests.map((q) => q.ttftS).sort((a, b) => a - b);
  const saved = JSON.parse(text);
  assert.equal(numpyPercentile(ttfts, 99) * 1000, saved.p99_ttft_ms);
  assert.equal(saved.completed, result.summary.num_samples);
  // The summary and the block agree where their definitions do.
  assert.ok(
    Math.abs(saved.mean_ttft_ms - result.summary.mean_ttft_s * 1000) < 1e-6,
  );
  assert.equal(saved.p99_ttft_ms, result.summary.p99_ttft_s * 1000);
  assert.ok(
    Math.abs(saved.mean_itl_ms - result.summary.mean_itl_s! * 1000) < 1e-9,
  );
});

Deno.test("summary: input and total token throughput beside output, conserved, per GPU and per class", () => {
  const scenario = validateScenario({
    mode: "mono",
    sim_seconds: 60,
    warmup_seconds: 6,
    cluster_mono: { num_gpus: 4 },
    classes: [
      { name: "chat", weight: 3 },
      {
        name: "batch",
        weight: 1,
        prompt_tokens: { mode: "uniform", low: 2000, high: 4000 },
      },
    ],
  });
  const { summary } = simulate(scenario);
  const keys = Object.keys(summary);
  const at = keys.indexOf("output_tokens_per_s");
  assert.deepEqual(keys.slice(at, at + 3), [
    "output_tokens_per_s",
    "input_tokens_per_s",
    "total_tokens_per_s",
  ]);
  assert.equal(
    summary.total_tokens_per_s,
    summary.input_tokens_per_s + summary.output_tokens_per_s,
  );
  assert.ok(summary.input_tokens_per_s > summary.output_tokens_per_s);
  const gpus = summary.num_gpus!;
  for (const k of ["input", "total", "output"] as const) {
    const perGpu = summary[`${k}_tokens_per_s_per_gpu`];
    assert.ok(
      Math.abs(perGpu - summary[`${k}_tokens_per_s`] / gpus) <=
        1e-12 * perGpu,
    );
  }
  const classes = Object.values(summary.per_class!);
  assert.equal(classes.length, 2);
  let input = 0;
  for (const c of classes) {
    assert.equal(
      c.total_tokens_per_s,
      c.input_tokens_per_s + c.output_tokens_per_s,
    );
    input += c.input_tokens_per_s;
  }
  assert.ok(Math.abs(input - summary.input_tokens_per_s) <= 1e-9 * input);
});

Deno.test("simulate --format vllm-bench prints the block; --save-result writes the file", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/out/result.json`;
  const r = await runCli([
    "simulate",
    "--sim-seconds",
    "30",
    "--warmup-seconds",
    "3",
    "--format",
    "vllm-bench",
    "--percentile-metrics",
    "ttft,e2el",
    "--metric-percentiles",
    "50,99.9",
    "--save-result",
    file,
    "--save-detailed",
    "--dump-requests",
    `${dir}/requests.csv`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.equal(lines[0], "============ Serving Benchmark Result ============");
  assert.ok(lines.some((l) => l.startsWith("P99.9 TTFT (ms):")));
  assert.ok(lines.some((l) => l.startsWith("Median E2EL (ms):")));
  assert.ok(!lines.some((l) => l.includes("TPOT")));
  const saved = JSON.parse(await Deno.readTextFile(file));
  assert.ok("p99.9_e2el_ms" in saved && !("mean_tpot_ms" in saved));
  assert.equal(
    lines.find((l) => l.startsWith("Successful requests:"))!.slice(41).trim(),
    String(saved.completed),
  );
  // Read back by calibrate's reader: the measured requests of the dump.
  const back = readMeasuredRun(
    file,
    await Deno.readTextFile(file),
    "vllm-bench",
  );
  const rows = (await Deno.readTextFile(`${dir}/requests.csv`)).trimEnd()
    .split("\n").slice(1).map((l) => l.split(","))
    .filter((c) => c[1] === "true");
  assert.equal(back.requests.length, rows.length);
  const t0 = Number(rows[0][2]);
  back.requests.forEach((q, i) => {
    const [arrival, prompt, output] = [2, 3, 4].map((k) => Number(rows[i][k]));
    assert.ok(Math.abs(q.arrivalS - (arrival - t0)) < 1e-9);
    assert.equal(q.promptTokens, prompt);
    assert.equal(q.outputTokens, output);
    assert.ok(Math.abs(q.ttftS - (Number(rows[i][8]) - arrival)) < 1e-12);
    assert.ok(Math.abs(q.e2eS - (Number(rows[i][9]) - arrival)) < 1e-12);
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("vllm-bench flags: bad values and flags that would do nothing are one-line errors, nothing written", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/r.json`;
  const base = ["simulate", "--format", "vllm-bench"];
  await expectInputError(
    [...base, "--metric-percentiles", "50,abc", "--save-result", file],
    /--metric-percentiles: expected percentiles in \[0, 100\], comma-separated, got "abc"/,
    [file],
  );
  await expectInputError(
    [...base, "--metric-percentiles", "101"],
    /--metric-percentiles: .*got "101"/,
  );
  await expectInputError(
    [...base, "--percentile-metrics", "ttft,latency"],
    /--percentile-metrics: unknown metric "latency"; use ttft, tpot, itl, e2el/,
  );
  await expectInputError(
    [...base, "--percentile-metrics", "client_queue_time"],
    /--percentile-metrics: client_queue_time needs a client-side concurrency limit/,
  );
  await expectInputError(
    ["simulate", "--metric-percentiles", "50"],
    /--metric-percentiles: only with --format vllm-bench or --save-result/,
  );
  await expectInputError(
    ["simulate", "--save-detailed"],
    /--save-detailed: only with --save-result FILE/,
  );
  await expectInputError(
    ["simulate", "--format", "vllm"],
    /--format: must be json, table or vllm-bench, got "vllm"/,
  );
  // Sketch percentiles keep no records to save, and only four percentiles.
  await expectInputError(
    ["simulate", "--set", "metrics.percentiles=sketch", "--save-result", file],
    /--save-result needs every request's record: metrics.percentiles is sketch/,
    [file],
  );
  await expectInputError(
    [
      ...base,
      "--set",
      "metrics.percentiles=sketch",
      "--metric-percentiles",
      "25",
    ],
    /--metric-percentiles 25: metrics.percentiles is sketch/,
  );
  // An unwritable path fails before the run (which would take minutes).
  await Deno.writeTextFile(`${dir}/plain`, "");
  await expectInputError(
    [
      ...base,
      "--sim-seconds",
      "1000000",
      "--save-result",
      `${dir}/plain/r.json`,
    ],
    /--save-result .*plain/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("vllm-bench with sketch percentiles says so on stderr and prints the summary's figures", async () => {
  const args = [
    "simulate",
    "--sim-seconds",
    "30",
    "--warmup-seconds",
    "3",
    "--format",
    "vllm-bench",
    "--metric-percentiles",
    "90",
  ];
  const sketch = await runCli([...args, "--set", "metrics.percentiles=sketch"]);
  assert.equal(sketch.code, 0, sketch.stderr);
  assert.match(sketch.stderr, /metrics.percentiles is sketch: the vllm-bench/);
  const exact = await runCli(args);
  assert.doesNotMatch(exact.stderr, /sketch/);
  const value = (out: string, label: string) =>
    Number(out.split("\n").find((l) => l.startsWith(label))!.slice(41));
  for (
    const label of ["Mean TTFT (ms):", "P90 TTFT (ms):", "Median TPOT (ms):"]
  ) {
    const a = value(sketch.stdout, label), b = value(exact.stdout, label);
    // The sketch's relative error is 0.5%, plus the printed rounding.
    assert.ok(Math.abs(a - b) <= 0.005 * b + 0.01, `${label} ${a} vs ${b}`);
  }
  assert.equal(
    value(sketch.stdout, "Successful requests:"),
    value(exact.stdout, "Successful requests:"),
  );
  assert.match(sketch.stdout, /Peak concurrent requests: +nan/);
});
