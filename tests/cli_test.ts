import assert from "node:assert/strict";
import { expectInputError, runCli } from "./_cli.ts";
import { decodePng, nonWhiteShare } from "./_image.ts";

const SHORT = ["--sim-seconds", "200", "--warmup-seconds", "20"];

async function withYaml(
  text: string,
  fn: (path: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/bad.yaml`;
  await Deno.writeTextFile(path, text);
  try {
    await fn(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("every shipped example runs and prints the prototype's keys", async () => {
  const common = [
    "num_samples",
    "mean_ttft_s",
    "p50_ttft_s",
    "p90_ttft_s",
    "p99_ttft_s",
    "elapsed_s",
    "mode",
    "throughput_rps",
    "arrival_rate_per_s",
    "prompt_tokens_simulated",
    "output_tokens_simulated",
    "saturation",
  ];
  // The prototype's distribution keys, where the distribution gave lengths
  // (not in a trace replay, nor under classes that give their own).
  const configured = [
    "prompt_tokens_log",
    "prompt_tokens_real",
    "output_tokens_log",
    "output_tokens_real",
  ];
  for await (const entry of Deno.readDir("examples")) {
    if (!entry.name.endsWith(".yaml")) continue;
    const r = await runCli(["simulate", "--config", `examples/${entry.name}`]);
    assert.equal(r.code, 0, `${entry.name}: ${r.stderr}`);
    const s = JSON.parse(r.stdout);
    for (const k of common) assert.ok(k in s, `${entry.name} lacks ${k}`);
    const own = /^(trace|classes|dataset):/m.test(
      await Deno.readTextFile(`examples/${entry.name}`),
    );
    for (const k of configured) {
      assert.equal(k in s, !own, `${entry.name}: ${k}`);
    }
    assert.equal(s.saturation, "stable", `${entry.name}: ${s.saturation}`);
    const extra = s.mode === "mono" ? ["utilization_gpu", "num_gpus"] : [
      "utilization_prefill",
      "utilization_decode",
      "prefill_gpus",
      "decode_gpus",
      "p99_prefill_wait_s",
      "p99_decode_wait_s",
    ];
    for (const k of extra) assert.ok(k in s, `${entry.name} lacks ${k}`);
    assert.ok(s.num_samples > 0, `${entry.name}: no samples`);
    assert.ok(s.throughput_rps > 0 && Number.isFinite(s.mean_ttft_s));
  }
});

Deno.test("mono reports real samples, throughput and utilisation", async () => {
  const r = await runCli(["simulate", "--mode", "mono", ...SHORT]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.mode, "mono");
  assert.ok(s.num_samples > 300);
  assert.ok(s.mean_ttft_s > 0);
  assert.ok(s.throughput_rps > 1.5 && s.throughput_rps < 2.5);
  assert.ok(s.utilization_gpu > 0);
});

Deno.test("same seed gives byte-identical stdout; another seed differs", async () => {
  const a = await runCli([
    "simulate",
    "--config",
    "examples/example_config.yaml",
  ]);
  const b = await runCli([
    "simulate",
    "--config",
    "examples/example_config.yaml",
  ]);
  const c = await runCli([
    "simulate",
    "--config",
    "examples/example_config.yaml",
    "--seed",
    "7",
  ]);
  assert.equal(a.code, 0);
  assert.equal(a.stdout, b.stdout);
  assert.notEqual(a.stdout, c.stdout);
});

Deno.test("flags override the file", async () => {
  const r = await runCli([
    "simulate",
    "--config",
    "examples/example_config.yaml",
    "--mode",
    "mono",
    "--rate",
    "1.5",
    "--set",
    "cluster_mono.num_gpus=3",
    ...SHORT,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.mode, "mono");
  assert.equal(s.arrival_rate_per_s, 1.5);
  assert.equal(s.num_gpus, 3);
  assert.equal(s.measured_window_s, 180);
  assert.equal(s.prompt_tokens_real.mean, 1024, "file values kept");
});

Deno.test("slo: attainment and goodput count requests meeting both limits", async () => {
  const dir = await Deno.makeTempDir();
  const r = await runCli([
    "simulate",
    "--mode",
    "mono",
    ...SHORT,
    "--set",
    "slo.ttft_s=0.1",
    "--set",
    "slo.tpot_s=1",
    "--dump-requests",
    `${dir}/r.csv`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  // TPOT is 0.5 ms here, so attainment is the share with TTFT <= 0.1 s,
  // recounted from the request timelines.
  const rows = (await Deno.readTextFile(`${dir}/r.csv`)).trim().split("\n")
    .slice(1).map((l) => l.split(","));
  const measured = rows.filter((c) => c[1] === "true");
  const met = measured.filter((c) => Number(c[8]) - Number(c[2]) <= 0.1);
  assert.ok(met.length > 0 && met.length < measured.length);
  assert.equal(s.slo_attainment, met.length / measured.length);
  assert.equal(s.goodput_rps, met.length / 180);
  assert.equal(s.goodput_rps_per_gpu, met.length / 180 / 4);
  const none = await runCli(["simulate", ...SHORT]);
  assert.ok(!("slo_attainment" in JSON.parse(none.stdout)));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--format table prints an aligned table", async () => {
  const r = await runCli(["simulate", "--format", "table", ...SHORT]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^metric\s+value\n-+\s+-+\n/);
  assert.match(r.stdout, /\np99_ttft_s\s+\d/);
});

Deno.test("--dump-ttft writes the measured TTFTs", async () => {
  const dir = await Deno.makeTempDir();
  const r = await runCli([
    "simulate",
    ...SHORT,
    "--dump-ttft",
    `${dir}/t.json`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  const ttfts: number[] = JSON.parse(await Deno.readTextFile(`${dir}/t.json`));
  assert.equal(ttfts.length, s.num_samples);
  const mean = ttfts.reduce((a, b) => a + b, 0) / ttfts.length;
  assert.ok(Math.abs(mean - s.mean_ttft_s) < 1e-9);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--dump-requests writes every request's timeline as CSV", async () => {
  const dir = await Deno.makeTempDir();
  const r = await runCli([
    "simulate",
    "--mode",
    "disagg",
    ...SHORT,
    "--dump-requests",
    `${dir}/r.csv`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  const lines = (await Deno.readTextFile(`${dir}/r.csv`)).trim().split("\n");
  assert.equal(
    lines[0],
    "request,measured,arrival_s,prompt_tokens,output_tokens,prefill_start_s," +
      "prefill_end_s,decode_start_s,first_token_s,finish_s,class," +
      "prefill_instance,decode_instance,preemptions,prefix_hit_tokens",
  );
  assert.equal(lines.length - 1, s.num_requests);
  const measured = lines.slice(1).filter((l) => l.split(",")[1] === "true");
  assert.equal(measured.length, s.num_samples);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("overload: stable false, a warning on stderr, nothing dropped", async () => {
  const r = await runCli([
    "simulate",
    "--mode",
    "mono",
    "--rate",
    "12",
    ...SHORT,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.stable, false);
  assert.ok(s.offered_load.gpu >= 1);
  assert.match(r.stderr, /warning: .*offered load/);
  // The backlog drains past the horizon and every late request is measured.
  assert.ok(s.elapsed_s > 200 + 10, `drained at ${s.elapsed_s}`);
  assert.ok(Number.isFinite(s.p99_e2e_s) && s.p99_e2e_s > 10);
});

Deno.test("no samples: null in JSON and a warning, never NaN", async () => {
  // Warmup just below the horizon at a low rate: no measured request.
  const r = await runCli([
    "simulate",
    "--rate",
    "0.001",
    "--sim-seconds",
    "10",
    "--warmup-seconds",
    "9.99",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /NaN|Infinity/);
  const s = JSON.parse(r.stdout);
  assert.equal(s.num_samples, 0);
  assert.equal(s.mean_ttft_s, null);
  assert.match(r.stderr, /warning: mean_ttft_s is undefined/);
});

Deno.test("compare: same requests in both modes, deltas are disagg - mono", async () => {
  const r = await runCli([
    "compare",
    "--config",
    "examples/example_config.yaml",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout);
  assert.equal(c.mono.num_requests, c.disagg.num_requests);
  assert.equal(c.mono.num_samples, c.disagg.num_samples);
  assert.ok(
    Math.abs(c.delta.p90_ttft_s - (c.disagg.p90_ttft_s - c.mono.p90_ttft_s)) <
      1e-12,
  );
  const t = await runCli(["compare", "--format", "table", ...SHORT]);
  assert.match(t.stdout, /^metric\s+mono\s+disagg\s+delta/);
});

Deno.test("sweep and sweep-prefill honour --config and write CSV, JSON and charts", async () => {
  const dir = await Deno.makeTempDir();
  const r = await runCli([
    "sweep",
    "--config",
    "examples/heavy_tailed.yaml",
    "--rates",
    "0.5,1,2",
    "--sim-seconds",
    "120",
    "--warmup-seconds",
    "12",
    "--out-dir",
    dir,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(await Deno.readTextFile(`${dir}/sweep.json`));
  assert.equal(rows.length, 6);
  // heavy_tailed.yaml has p50_p90 prompts: the sweep must use them.
  assert.equal(rows[0].prompt_tokens_log.mu, Math.log(64));
  const csv = (await Deno.readTextFile(`${dir}/sweep.csv`)).trim().split("\n");
  assert.equal(csv.length, 7);
  assert.match(csv[0], /sweep_mode,sweep_rate_per_s/);
  const png = await decodePng(await Deno.readFile(`${dir}/sweep_ttft.png`));
  assert.equal(png.width, 900);
  assert.equal(png.height, 560);
  assert.ok(nonWhiteShare(png) > 0.01);

  const p = await runCli([
    "sweep_prefill",
    "--rates",
    "1,2",
    "--prefill",
    "4000,8000",
    "--sim-seconds",
    "120",
    "--warmup-seconds",
    "12",
    "--out-dir",
    dir,
  ]);
  assert.equal(p.code, 0, p.stderr);
  const prow = JSON.parse(await Deno.readTextFile(`${dir}/sweep_prefill.json`));
  assert.deepEqual(
    prow.map((x: Record<string, number>) => x.sweep_prefill_tokens_per_s),
    [4000, 4000, 8000, 8000],
  );
  const ppng = await decodePng(
    await Deno.readFile(`${dir}/sweep_prefill_ttft.png`),
  );
  assert.equal(ppng.width, 900);
  assert.ok(nonWhiteShare(ppng) > 0.01);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("every command has --help", async () => {
  for (
    const cmd of [
      "simulate",
      "compare",
      "sweep",
      "sweep-prefill",
      "capacity",
      "plan",
      "merge",
      "report",
      "fit",
      "schema",
    ]
  ) {
    const r = await runCli([cmd, "--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: llmsim /);
  }
  const top = await runCli(["--help"]);
  assert.match(top.stdout, /Commands:/);
});

Deno.test("errors: unknown key with a did-you-mean, at file:line:col", async () => {
  await withYaml("arrival:\n  rate_per_sec: 3\n", async (f) => {
    await expectInputError(
      ["simulate", "--config", f],
      /bad\.yaml:2:3: arrival\.rate_per_sec: unknown key \(did you mean "rate_per_s"\?\)/,
    );
  });
});

Deno.test("errors: wrong types and out-of-range values name the key", async () => {
  const cases: [string, RegExp][] = [
    [
      "arrival:\n  rate_per_s: fast\n",
      /:2:15: arrival\.rate_per_s: must be a number or inf, got "fast"/,
    ],
    ["arrival:\n  rate_per_s: 0\n", /arrival\.rate_per_s: must be > 0, got 0/],
    [
      "cluster_mono:\n  num_gpus: 0\n",
      /cluster_mono\.num_gpus: must be >= 1, got 0/,
    ],
    [
      "cluster_disagg:\n  decode_gpus: 1.5\n",
      /cluster_disagg\.decode_gpus: must be an integer, got 1\.5/,
    ],
    [
      "warmup_seconds: 600\n",
      /warmup_seconds: must be < sim_seconds \(600\), got 600/,
    ],
    [
      "prompt_tokens:\n  mode: p50_p90\n  p50: 100\n  p90: 90\n",
      /prompt_tokens\.p90: must be > p50 \(100\), got 90/,
    ],
    [
      "output_tokens:\n  mode: real_mean_std\n  mean: 10\n  std: 0\n",
      /output_tokens\.std: must be > 0, got 0/,
    ],
    [
      "prompt_tokens:\n  min_value: 0\n",
      /prompt_tokens\.min_value: must be >= 1, got 0/,
    ],
    [
      "prompt_tokens:\n  mode: real_mean_std\n  mean: 10\n",
      /prompt_tokens\.std: is required with mode real_mean_std/,
    ],
    [
      "prompt_tokens:\n  std: 10\n",
      /prompt_tokens\.std: is not used with mode log/,
    ],
    [
      "mode: mon\n",
      /mode: must be one of mono, disagg, got "mon" \(did you mean "mono"\?\)/,
    ],
    ["- 1\n- 2\n", /the scenario must be a mapping/],
  ];
  for (const [text, pattern] of cases) {
    await withYaml(
      text,
      async (f) => {
        await expectInputError(["simulate", "--config", f], pattern);
      },
    );
  }
});

Deno.test("errors: YAML syntax error at file:line:col", async () => {
  await withYaml("mode: mono\narrival: [1,\n", async (f) => {
    await expectInputError(["simulate", "--config", f], /bad\.yaml:\d+:\d+: /);
  });
});

Deno.test("errors: missing file, bad flags, bad flag values, nothing written", async () => {
  const dir = await Deno.makeTempDir();
  await expectInputError(
    ["simulate", "--config", "nope/missing.yaml"],
    /nope\/missing\.yaml: file not found/,
  );
  await expectInputError(["simulate", "--bogus"], /Unknown option '--bogus'/);
  await expectInputError(["simulte"], /unknown command "simulte"/);
  await expectInputError(
    ["simulate", "--rate=-1", "--dump-ttft", `${dir}/t.json`],
    /arrival\.rate_per_s: must be > 0, got -1 \(from --rate\)/,
    [`${dir}/t.json`],
  );
  await expectInputError(
    ["simulate", "--num-gpus", "two"],
    /cluster_mono\.num_gpus: must be an integer, got "two" \(from --num-gpus\)/,
  );
  await expectInputError(
    ["simulate", "--format", "xml"],
    /--format: must be json, table or vllm-bench, got "xml"/,
  );
  // vllm-bench is simulate's alone.
  await expectInputError(
    ["compare", "--format", "vllm-bench"],
    /--format: must be json or table/,
  );
  await expectInputError(
    ["sweep", "--rates", "1,x", "--out-dir", `${dir}/o`],
    /--rates: expected positive numbers, got "x"/,
    [`${dir}/o/sweep.csv`],
  );
  await expectInputError(["sweep"], /--rates is required/);
  await expectInputError(
    ["simulate", "--set", "arrival.rate=3"],
    /arrival\.rate: unknown key \(did you mean "rate_per_s"\?\) \(from --set arrival\.rate\)/,
  );
  await expectInputError(
    [
      "simulate",
      "--mode",
      "mono",
      "--set",
      "batching=continuous",
      "--set",
      "kv_cache.capacity_tokens=64",
      ...SHORT,
    ],
    /kv_cache\.capacity_tokens: \d+ request\(s\) cannot be admitted/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("study and report errors are one line naming the flag", async () => {
  await expectInputError(["plan"], /--gpus is required/);
  await expectInputError(
    ["sweep", "--rates", "1", "--shard", "3/3"],
    /--shard: expected i\/n/,
  );
  await expectInputError(
    ["sweep", "--rates", "1", "--jobs", "0"],
    /--jobs: must be a whole number >= 1/,
  );
  await expectInputError(
    ["sweep", "--rates", "1", "--replications", "1.5"],
    /--replications/,
  );
  await expectInputError(
    ["capacity", "--mode", "mono"],
    /capacity needs an slo/,
  );
  await expectInputError(
    ["capacity", "--metric", "p90_ttft_s"],
    /--metric and --max go together/,
  );
  await expectInputError(
    ["plan", "--gpus", "2", "--set", "a=1,2"],
    /plan takes one list axis/,
  );
  await expectInputError(["merge"], /merge: give the shard files/);
  await expectInputError(["merge", "nope.json"], /nope\.json: file not found/);
  await expectInputError(
    ["report", "--out", "x.html"],
    /report: say what to report on/,
  );
  await expectInputError(["report", "simulate"], /--out FILE is required/);
});

Deno.test("report writes one self-contained page with tables and charts", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = `${dir}/r.html`;
    const r = await runCli([
      "report",
      "compare",
      "--config",
      "examples/continuous_batching.yaml",
      "--sim-seconds",
      "60",
      "--warmup-seconds",
      "6",
      "--out",
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const html = await Deno.readTextFile(out);
    assert.match(html, /^<!DOCTYPE html>/i);
    assert.doesNotMatch(html, /src="http|<link|<script/);
    // Headline table with both architectures, and every chart as an image.
    assert.match(html, /<th[^>]*>mono<\/th><th[^>]*>disagg<\/th>/);
    const images = html.match(/data:image\/png;base64,/g) ?? [];
    // 2 CDFs, the breakdown, and queue/batch and KV charts for 3 pools.
    assert.equal(images.length, 9);
    for (
      const t of [
        "TTFT distribution",
        "Mean TTFT breakdown",
        "KV occupancy (disagg decode)",
      ]
    ) {
      assert.ok(html.includes(t), t);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
