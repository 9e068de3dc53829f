// Issue 10's wrong numbers with exit 0: each case failed before the fix.
import assert from "node:assert/strict";
import { runCli } from "./_cli.ts";
import { simulate } from "../lib/analysis/simulate.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import { loadScenarioFile, parseScenario } from "../lib/scenario/load.ts";
import { scenarioWarnings } from "../lib/scenario/no_ops.ts";
import { tokenSampler } from "../lib/workload/tokens.ts";
import { RandomStream } from "../lib/engine/random.ts";
import { BacklogCurve, judgeSaturation } from "../lib/metrics/saturation.ts";
import { LengthStats } from "../lib/metrics/length_stats.ts";
import { quantileSorted } from "../lib/metrics/percentile.ts";
import type { Summary } from "../lib/metrics/summary.ts";
import { summaryRecord } from "../lib/metrics/metric_names.ts";

const AZURE = "examples/azure_conv_replay.yaml";

function num(s: Summary, key: string): number {
  const v = summaryRecord(s)[key];
  assert.equal(typeof v, "number", key);
  return v as number;
}

Deno.test("log mode: a mean meant in tokens is an input error that says what was meant", async () => {
  for (const mean of ["700", "1024"]) {
    const r = await runCli(["simulate", "--set", `prompt_tokens.mean=${mean}`]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      /prompt_tokens\.mean: is mu = the mean of ln\(tokens\)/,
    );
    assert.match(r.stderr, /mode: real_mean_std/);
  }
  // A plausible mu passes; one whose median is past the model's context not.
  validateScenario({ prompt_tokens: { mean: 7 } });
  assert.throws(
    () =>
      validateScenario({
        batching: "continuous",
        hardware: { gpu: "H100-SXM", model: "Llama-3.1-8B" },
        step_time: { kind: "roofline" },
        prompt_tokens: { mean: 12 }, // e^12 = 162,755 > 131,072
      }),
    /prompt_tokens: the median request .* exceeds the context limit max_model_len \(131072\)/,
  );
  assert.throws(
    () => validateScenario({ output_tokens: { mean: 6, sigma: 80 } }),
    /output_tokens\.sigma/,
  );
  // The sampler refuses a draw that is not a finite whole number.
  const draw = tokenSampler(
    { mode: "log", mean: 800, sigma: 1, min_value: 1 },
    new RandomStream(1, "t"),
  );
  assert.throws(draw, /not a finite whole number/);
});

Deno.test("trace replay: rates are measured over the replayed span, and a cut is reported", async () => {
  const base = await loadScenarioFile(AZURE);
  const full = simulate(base);
  assert.equal(full.summary.trace_rows, 2000);
  assert.equal(full.summary.trace_cut_at_s, null);
  const span = num(full.summary, "trace_replayed_span_s");
  // time_scale 6: 2,000 rows in about 70 s, so about 28 req/s arriving.
  const fast = await loadScenarioFile(AZURE, {
    overrides: [{ path: "trace.time_scale", value: 6 }],
  });
  const f = simulate(fast).summary;
  const window = num(f, "measured_window_s");
  assert.ok(Math.abs(window - (span / 3 - fast.warmup_seconds)) < 1e-6);
  const measured = num(f, "num_samples");
  assert.ok(Math.abs(num(f, "arrival_rate_per_s") - measured / window) < 1e-9);
  assert.ok(num(f, "arrival_rate_per_s") > 25);
  // Throughput counts finishes inside that window: near the arrival rate.
  assert.ok(num(f, "throughput_rps") > 0.9 * num(f, "arrival_rate_per_s"));
  // A horizon far past the trace changes nothing.
  const long = await loadScenarioFile(AZURE, {
    overrides: [{ path: "sim_seconds", value: 100000 }],
  });
  const l = simulate(long).summary;
  assert.equal(l.arrival_rate_per_s, full.summary.arrival_rate_per_s);
  assert.equal(l.throughput_rps, full.summary.throughput_rps);
  assert.equal(l.stable, true);
  // A horizon that cuts the trace says so.
  const cut = simulate(
    await loadScenarioFile(AZURE, {
      overrides: [{ path: "sim_seconds", value: 100 }],
    }),
  );
  assert.ok(num(cut.summary, "trace_cut_at_s") >= 100);
  assert.ok((cut.summary.trace_rows as number) < 2000);
  assert.match(
    cut.warnings.join("\n"),
    /sim_seconds \(100 s\) ends the replay/,
  );
  // target_rate_per_s is the rate the summary then reports.
  const target = simulate(
    parseScenario(
      "mode: mono\nsim_seconds: 1000\nwarmup_seconds: 0\ntrace: {file: examples/traces/azure_conv_slice.csv, format: azure, target_rate_per_s: 12}\n",
    ),
  ).summary;
  assert.ok(Math.abs(num(target, "arrival_rate_per_s") - 12) < 1e-9);
});

Deno.test("the backlog curve counts exactly at every bin edge, whatever the merges", () => {
  const rng = new RandomStream(3, "backlog");
  const curve = new BacklogCurve(1e-3);
  const spans: [number, number][] = [];
  for (let i = 0; i < 5000; i++) {
    const a = rng.next() * 900;
    const f = a + rng.exponential(20);
    spans.push([a, f]);
    curve.add(a, f);
  }
  const w = curve.widthS;
  assert.ok(w > 1e-3, "the bins merged");
  for (const edge of [0, 7, 64, 128, 200, 255]) {
    const t = edge * w;
    const brute = spans.filter(([a, f]) => a < t && !(f < t)).length;
    assert.equal(curve.inSystemAt(t + w / 2), brute, `edge ${edge}`);
  }
});

Deno.test("more requests in flight because more arrive is not a backlog; a growing time in system is", () => {
  const quarter = (n: number, rate: number) => ({ n, rate });
  const judge = (qs: { n: number; rate: number }[]) =>
    judgeSaturation({ gpu: 0.5 }, {
      window: [0, 400],
      arrivals: qs.reduce((a, q) => a + q.rate * 100, 0),
      finishes: 0,
      quarters: qs.map((q) => q.n) as [number, number, number, number],
      quarterRates: qs.map((q) => q.rate) as [number, number, number, number],
      inSystemAtEnd: 0,
      waitingAtEnd: 0,
    }).verdict;
  // The rate doubles and so does N: the time in system (2 s) holds.
  assert.equal(
    judge([quarter(20, 10), quarter(20, 10), quarter(20, 10), quarter(40, 20)]),
    "stable",
  );
  // Same rate, N grows by 100 a quarter: T grows by 10 s, 10% of a quarter.
  assert.equal(
    judge([
      quarter(20, 10),
      quarter(120, 10),
      quarter(220, 10),
      quarter(320, 10),
    ]),
    "backlogged",
  );
  // Growth within noise: 3 sqrt(400) = 60 > 40.
  assert.equal(
    judge([
      quarter(400, 10),
      quarter(400, 10),
      quarter(400, 10),
      quarter(440, 10),
    ]),
    "stable",
  );
});

Deno.test("a diverging queue is backlogged, not stable, whatever the offered-load bound says", async () => {
  // The issue's repro: decode_first starves prefills at 100 req/s on 8
  // GPUs, which the load bound (prefill + full-batch decode < 1) cannot see.
  const example = "examples/llama3_8b_h100_mono.yaml";
  const at = (policy: string) =>
    loadScenarioFile(example, {
      overrides: [
        { path: "scheduler.policy", value: policy },
        { path: "sim_seconds", value: 60 },
      ],
    });
  const starved = simulate(await at("decode_first"));
  const s = starved.summary;
  const offered = s.offered_load as Record<string, number>;
  assert.ok(offered.prefill + offered.decode < 1);
  assert.equal(s.saturation, "backlogged");
  assert.equal(s.stable, false);
  const ev = s.saturation_evidence;
  assert.ok(ev.mean_in_system_q4 > ev.mean_in_system_q3);
  assert.ok(ev.waiting_at_end > 0);
  assert.ok(num(s, "throughput_rps") < 0.5 * num(s, "arrival_rate_per_s"));
  assert.match(
    starved.warnings.join("\n"),
    /the backlog kept growing over the window/,
  );
  // The same load with chunked prefill keeps up.
  const chunked = simulate(await at("chunked"));
  assert.equal(chunked.summary.saturation, "stable");
  assert.equal(chunked.summary.stable, true);
  // Far past the bound: overloaded.
  const over = simulate(validateScenario({
    mode: "mono",
    arrival: { rate_per_s: 40 },
    cluster_mono: { num_gpus: 1 },
    sim_seconds: 30,
    warmup_seconds: 3,
  }));
  assert.equal(over.summary.saturation, "overloaded");
});

Deno.test("the summary describes the lengths simulated, and the configured ones only where used", () => {
  const stats = new LengthStats();
  const values: number[] = [];
  const rng = new RandomStream(5, "lengths");
  for (let i = 0; i < 2001; i++) {
    const v = Math.floor(rng.exponential(300));
    values.push(v);
    stats.add(v);
  }
  values.sort((a, b) => a - b);
  const got = stats.summary()!;
  assert.equal(got.p50, quantileSorted(values, 0.5));
  assert.equal(got.p90, quantileSorted(values, 0.9));
  assert.equal(got.max, values[values.length - 1]);

  const replay = simulate(
    parseScenario(
      "mode: mono\nsim_seconds: 1000\nwarmup_seconds: 0\ntrace: {file: examples/traces/azure_conv_slice.csv, format: azure}\n",
    ),
  );
  const r = replay.summary;
  assert.equal("prompt_tokens_log" in r, false);
  assert.equal("output_tokens_real" in r, false);
  // The slice's own mean prompt, over every replayed row.
  const rows = Deno.readTextFileSync("examples/traces/azure_conv_slice.csv")
    .trim().split("\n").slice(1).map((l) => Number(l.split(",")[1]));
  const mean = rows.reduce((a, b) => a + b, 0) / rows.length;
  const sim = r.prompt_tokens_simulated!;
  assert.ok(Math.abs(sim.mean - mean) < 1e-9 * mean, `${sim.mean} vs ${mean}`);
  // A generated run keeps the prototype's keys.
  const gen = simulate(
    validateScenario({ sim_seconds: 60, warmup_seconds: 6 }),
  );
  assert.ok("prompt_tokens_log" in gen.summary);
  assert.ok("prompt_tokens_simulated" in gen.summary);
});

Deno.test("keys that do nothing: an error where they contradict, a warning where harmless", async () => {
  const rate = await runCli(["simulate", "--config", AZURE, "--rate", "50"]);
  assert.equal(rate.code, 2);
  assert.equal(rate.stdout, "");
  assert.match(
    rate.stderr,
    /arrival\.rate_per_s: has no effect with a trace,.*\(from --rate\)/,
  );
  const roofline = await loadScenarioFile("examples/llama3_8b_h100_mono.yaml", {
    overrides: [{ path: "cluster_mono.prefill_tokens_per_s", value: 5 }],
  });
  assert.match(
    scenarioWarnings(roofline).join("\n"),
    /cluster_mono\.prefill_tokens_per_s: has no effect under step_time\.kind=roofline/,
  );
  const none = parseScenario("batching: none\nstep_time: {kind: rate}\n");
  assert.match(
    scenarioWarnings(none)[0],
    /step_time: has no effect under batching=none/,
  );
  assert.deepEqual(scenarioWarnings(parseScenario("mode: mono\n")), []);
  const efficiency = parseScenario(
    "batching: continuous\nstep_time: {compute_efficiency: 0.5}\n",
  );
  assert.match(
    scenarioWarnings(efficiency)[0],
    /step_time\.compute_efficiency: has no effect under step_time\.kind=rate/,
  );
  const prefix = parseScenario(
    "batching: continuous\nkv_cache: {prefix_caching: true}\n",
  );
  assert.match(scenarioWarnings(prefix)[0], /prefix_caching: has no effect/);
  const ttftAt = parseScenario(
    "mode: disagg\ncluster_disagg: {ttft_at: decode}\n",
  );
  assert.match(
    scenarioWarnings(ttftAt)[0],
    /ttft_at: has no effect under batching=none/,
  );
  // Each shipped example uses every key it gives.
  for await (const entry of Deno.readDir("examples")) {
    if (!entry.name.endsWith(".yaml")) continue;
    const s = await loadScenarioFile(`examples/${entry.name}`);
    assert.deepEqual(scenarioWarnings(s), [], entry.name);
  }
});

Deno.test("a trace with nothing to replay is an input error naming the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const header = "TIMESTAMP,ContextTokens,GeneratedTokens\n";
    const cases: [string, string, RegExp][] = [
      ["empty.csv", header, /empty\.csv: no request to replay .*no data rows/],
      [
        "bad.csv",
        header + "x,1,1\ny,2,2\n",
        /bad\.csv: no request to replay .*2 bad row\(s\) skipped/,
      ],
      [
        "early.csv",
        header + "2023-11-16 18:15:46.0,10,5\n2023-11-16 18:15:47.0,10,5\n",
        /early\.csv: every replayed request arrives before warmup_seconds/,
      ],
    ];
    for (const [name, text, expected] of cases) {
      await Deno.writeTextFile(`${dir}/${name}`, text);
      await Deno.writeTextFile(
        `${dir}/s.yaml`,
        `mode: mono\nsim_seconds: 100\nwarmup_seconds: 10\ntrace: {file: ${name}, format: azure, on_bad_row: skip}\n`,
      );
      const r = await runCli(["simulate", "--config", `${dir}/s.yaml`]);
      assert.equal(r.code, 2, name);
      assert.equal(r.stdout, "", name);
      assert.match(r.stderr, expected, name);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--dump-requests gives each request's class, instance, preemptions and prefix hits", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const csv = `${dir}/requests.csv`;
    const r = await runCli([
      "simulate",
      "--config",
      "examples/mooncake_prefix_cache.yaml",
      "--sim-seconds",
      "120",
      "--dump-requests",
      csv,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    const [header, ...lines] = (await Deno.readTextFile(csv)).trim().split(
      "\n",
    );
    const cols = header.split(",");
    for (
      const c of ["class", "instance", "preemptions", "prefix_hit_tokens"]
    ) {
      assert.ok(cols.includes(c), `no ${c} column`);
    }
    const col = (row: string[], name: string) => row[cols.indexOf(name)];
    const rows = lines.map((l) => l.split(","));
    const hits = rows.reduce(
      (a, row) => a + Number(col(row, "prefix_hit_tokens")),
      0,
    );
    assert.equal(hits, summary.prefix_cache_hit_tokens);
    assert.ok(hits > 0);
    const preempted = rows.reduce(
      (a, row) => a + Number(col(row, "preemptions")),
      0,
    );
    assert.equal(preempted, summary.preemptions);
    const used = new Set(rows.map((row) => col(row, "instance")));
    assert.deepEqual(
      [...used].sort(),
      Array.from({ length: summary.num_instances }, (_, k) => String(k)),
    );
    assert.ok(rows.every((row) => col(row, "class") === "default"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a key set twice on the command line is an error, not the last one winning", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["--set", "sim_seconds=10", "--set", "sim_seconds=20"],
      /--set sim_seconds given twice/,
    ],
    [
      ["--rate", "3", "--set", "arrival.rate_per_s=4"],
      /--rate and --set arrival\.rate_per_s both set/,
    ],
    [
      ["--set", "arrival={rate_per_s: 2}", "--set", "arrival.rate_per_s=4"],
      /both set arrival/,
    ],
  ];
  for (const [args, expected] of cases) {
    const r = await runCli(["simulate", ...args]);
    assert.equal(r.code, 2, args.join(" "));
    assert.equal(r.stdout, "");
    assert.match(r.stderr, expected);
  }
});

Deno.test("an empty scenario file is an error, not a silent run of the defaults", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const text of ["", "# only a comment\n", "{}\n"]) {
      await Deno.writeTextFile(`${dir}/s.yaml`, text);
      const r = await runCli(["simulate", "--config", `${dir}/s.yaml`]);
      assert.equal(r.code, 2, JSON.stringify(text));
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /s\.yaml: the file holds no keys/);
    }
    // Without --config the defaults are asked for, and run.
    const defaults = await runCli([
      "simulate",
      "--sim-seconds",
      "20",
      "--warmup-seconds",
      "2",
    ]);
    assert.equal(defaults.code, 0, defaults.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report compare refuses a mode, calibrate names a missing measured file", async () => {
  const report = await runCli([
    "report",
    "compare",
    "--config",
    "examples/light_load.yaml",
    "--mode",
    "mono",
    "--out",
    "/tmp/llmsim-never-written.html",
  ]);
  assert.equal(report.code, 2);
  assert.match(report.stderr, /report compare: --mode has no effect/);
  const calibrate = await runCli([
    "calibrate",
    "--config",
    "examples/calibrate/base.yaml",
    "--measured",
    "no/such/run.csv",
    "--out",
    "/tmp/llmsim-never-written.yaml",
  ]);
  assert.equal(calibrate.code, 2);
  assert.match(calibrate.stderr, /no\/such\/run\.csv: file not found\n$/);
});

Deno.test("per-request dumps refuse sketch percentiles, which keep no per-request records", async () => {
  for (const flag of ["--dump-requests", "--dump-ttft"]) {
    const r = await runCli([
      "simulate",
      "--set",
      "metrics.percentiles=sketch",
      flag,
      "/tmp/llmsim-never-written.out",
    ]);
    assert.equal(r.code, 2, flag);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      /needs every request's record: metrics\.percentiles is sketch/,
    );
  }
});
