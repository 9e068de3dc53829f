import { strict as assert } from "node:assert";
import {
  calibrate,
  loadScenarioFile,
  measuredFromRecords,
  type MeasuredRun,
  parseScenario,
  type Scenario,
  simulate,
  validateScenario,
  withCalibration,
} from "../mod.ts";
import { runCli } from "./_cli.ts";

// A deployment whose real engine differs from the preset it names: a
// slower step floor, a longer request path, a lower bandwidth share.
const BASE = {
  mode: "mono",
  batching: "continuous",
  sim_seconds: 60,
  warmup_seconds: 0,
  prompt_tokens: { mode: "real_mean_std", mean: 600, std: 400, min_value: 8 },
  output_tokens: { mode: "real_mean_std", mean: 200, std: 150, min_value: 2 },
  hardware: { gpu: "H100-SXM", model: "Llama-3.1-8B" },
  step_time: { kind: "roofline" },
  cluster_mono: { num_gpus: 1 },
  engine: { preset: "vllm-v0" },
};
const TRUTH = {
  ...BASE,
  engine: {
    preset: "vllm-v0",
    iteration_s: 0.003,
    request_s: 0.012,
    memory_efficiency: 0.62,
  },
};

// What a benchmark of the true deployment measured at a rate.
function measure(rate: number, seed: number): MeasuredRun {
  const r = simulate(validateScenario({
    ...TRUTH,
    arrival: { rate_per_s: rate },
    random_seed: seed,
  })).records;
  return measuredFromRecords(r, `rate${rate}.csv`);
}

function at(s: Scenario, rate: number) {
  return simulate({ ...s, arrival: { ...s.arrival, rate_per_s: rate } })
    .summary;
}

Deno.test("calibrate: two light loads fit, and the fit predicts heavier loads", async () => {
  const base = validateScenario({ ...BASE, arrival: { rate_per_s: 4 } });
  const runs = [measure(4, 4), measure(8, 8)];
  const r = await calibrate(base, runs);
  assert.ok(
    r.objective.after < r.objective.before / 50,
    JSON.stringify(r.objective),
  );
  for (const f of r.files) {
    for (const [m, fit] of Object.entries(f.metrics)) {
      // The preset alone is 20-30% optimistic; calibrated, within 3%.
      assert.ok(fit.error_before < -0.1, `${f.file} ${m} before`);
      assert.ok(
        Math.abs(fit.error_after) < 0.03,
        `${f.file} ${m} after: ${fit.error_after}`,
      );
    }
  }
  assert.equal(r.simulations, r.evaluations * runs.length);
  // Predicting the true deployment at loads it was not fitted on.
  const fitted = withCalibration(base, r.fitted);
  const truth = validateScenario({ ...TRUTH, arrival: { rate_per_s: 4 } });
  for (const rate of [12, 14]) {
    const want = at(truth, rate), got = at(fitted, rate);
    for (const m of ["mean_ttft_s", "mean_tpot_s"] as const) {
      assert.ok(
        Math.abs(got[m] / want[m] - 1) < 0.06,
        `rate ${rate} ${m}: ${got[m]} vs ${want[m]}`,
      );
    }
  }
  // Overloaded, throughput is the service capacity: the saturating rate.
  const want = at(truth, 40).throughput_rps;
  const got = at(fitted, 40).throughput_rps;
  assert.ok(Math.abs(got / want - 1) < 0.03, `${got} vs ${want}`);
});

Deno.test("calibrate: the same answer on every run and whatever the workers", async () => {
  const base = validateScenario({ ...BASE, arrival: { rate_per_s: 4 } });
  const runs = [measure(4, 4)];
  const a = await calibrate(base, runs, { maxEvaluations: 60 });
  const b = await calibrate(base, runs, { maxEvaluations: 60 });
  assert.equal(JSON.stringify(a), JSON.stringify(b));
  assert.ok(a.evaluations <= 62);
});

function csvOf(run: MeasuredRun): string {
  return [
    "arrival_s,prompt_tokens,output_tokens,ttft_s,e2e_s",
    ...run.requests.map((q) =>
      `${
        1_700_000_000 + q.arrivalS
      },${q.promptTokens},${q.outputTokens},${q.ttftS},${q.e2eS}`
    ),
  ].join("\n") + "\n";
}

Deno.test("llmsim calibrate: OUT.yaml is the base with the fitted values, JSON on stdout", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/base`);
    await Deno.mkdir(`${dir}/out`);
    const yaml = [
      "# the deployment as it ran",
      "mode: mono",
      "batching: continuous",
      "sim_seconds: 60",
      "warmup_seconds: 0",
      "prompt_tokens: {mode: real_mean_std, mean: 600, std: 400, min_value: 8}",
      "output_tokens: {mode: real_mean_std, mean: 200, std: 150, min_value: 2}",
      "hardware: {gpu: H100-SXM, model: Llama-3.1-8B}",
      "step_time: {kind: roofline}",
      "cluster_mono: {num_gpus: 1}",
      "scheduler:",
      "  iteration_overhead_s: 0.0015 # our old guess",
      "engine: {preset: vllm-v0}",
      "",
    ].join("\n");
    await Deno.writeTextFile(`${dir}/base/base.yaml`, yaml);
    await Deno.writeTextFile(`${dir}/m4.csv`, csvOf(measure(4, 4)));
    await Deno.writeTextFile(`${dir}/m8.csv`, csvOf(measure(8, 8)));
    const calibrateTo = (out: string, ...extra: string[]) =>
      runCli([
        "calibrate",
        "--config",
        `${dir}/base/base.yaml`,
        "--measured",
        `${dir}/m4.csv`,
        "--measured",
        `${dir}/m8.csv`,
        "--out",
        `${dir}/out/${out}`,
        "--max-evaluations",
        "150",
        ...extra,
      ]);
    const run = await calibrateTo("cal.yaml", "--jobs", "2");
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout);
    assert.equal(json.files.length, 2);
    assert.equal(json.files[0].num_requests, measure(4, 4).requests.length);
    const out = await Deno.readTextFile(`${dir}/out/cal.yaml`);
    assert.ok(out.includes("# the deployment as it ran"), out);
    assert.ok(out.includes("# our old guess"), "comments kept");
    // The step floor goes where the base put it: the scheduler's name.
    const s = await loadScenarioFile(`${dir}/out/cal.yaml`);
    assert.equal(
      s.scheduler.iteration_overhead_s,
      json.fitted["engine.iteration_s"],
    );
    assert.equal(s.engine.iteration_s, undefined);
    assert.equal(s.engine.request_s, json.fitted["engine.request_s"]);
    assert.equal(
      s.engine.memory_efficiency,
      json.fitted["engine.memory_efficiency"],
    );
    // The same fit in one thread.
    const one = await calibrateTo("cal1.yaml");
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(
      { ...JSON.parse(one.stdout), out: null },
      { ...json, out: null },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("llmsim calibrate: bad measured files are one-line errors, exit 2, nothing written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/base.yaml`,
      "batching: continuous\nengine: {preset: vllm-v0}\n",
    );
    const cases: [string, RegExp][] = [
      [
        "arrival_s,prompt_tokens,output_tokens,ttft_s\n0,10,5,0.1\n",
        /bad\.csv:1: .*e2e_s/,
      ],
      [
        "arrival_s,prompt_tokens,output_tokens,ttft_s,e2e_s\n0,10,5,0.5,0.2\n",
        /bad\.csv:2: .*ttft_s/,
      ],
      [
        "arrival_s,prompt_tokens,output_tokens,ttft_s,e2e_s\n0,10,5,-0.1,0.2\n",
        /bad\.csv:2: /,
      ],
      [
        "arrival_s,prompt_tokens,output_tokens,ttft_s,e2e_s\n0,ten,5,0.1,0.2\n",
        /bad\.csv:2: .*prompt_tokens/,
      ],
      ["arrival_s,prompt_tokens,output_tokens,ttft_s,e2e_s\n", /bad\.csv: /],
      ["", /bad\.csv: /],
    ];
    for (const [text, re] of cases) {
      await Deno.writeTextFile(`${dir}/bad.csv`, text);
      const run = await runCli([
        "calibrate",
        "--config",
        `${dir}/base.yaml`,
        "--measured",
        `${dir}/bad.csv`,
        "--out",
        `${dir}/out.yaml`,
      ]);
      assert.equal(run.code, 2, `${text}: ${run.stderr}`);
      assert.match(run.stderr, re);
      assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
      assert.ok(run.stderr.startsWith("llmsim: error: "), run.stderr);
      assert.equal(run.stdout, "");
      await assert.rejects(() => Deno.stat(`${dir}/out.yaml`));
    }
    const flags: [string[], RegExp][] = [
      [["--measured", `${dir}/bad.csv`, "--out", `${dir}/o.yaml`], /--config/],
      [
        ["--config", `${dir}/base.yaml`, "--out", `${dir}/o.yaml`],
        /--measured/,
      ],
      [
        ["--config", `${dir}/base.yaml`, "--measured", `${dir}/bad.csv`],
        /--out/,
      ],
      [
        [
          "--config",
          `${dir}/base.yaml`,
          "--measured",
          `${dir}/bad.csv`,
          "--out",
          `${dir}/o.yaml`,
          "--format",
          "genai-perf",
        ],
        /--format must be csv or vllm-bench/,
      ],
      [
        [
          "--config",
          `${dir}/base.yaml`,
          "--measured",
          `${dir}/missing.csv`,
          "--out",
          `${dir}/o.yaml`,
        ],
        /missing\.csv/,
      ],
    ];
    for (const [args, re] of flags) {
      const run = await runCli(["calibrate", ...args]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, re);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("llmsim calibrate: a vllm bench serve result with --max-concurrency replays closed-loop", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/base.yaml`,
      [
        "batching: continuous",
        "hardware: {gpu: H100-SXM, model: Llama-3.1-8B}",
        "step_time: {kind: roofline}",
        "cluster_mono: {num_gpus: 1}",
        "engine: {preset: vllm-v1}",
      ].join("\n") + "\n",
    );
    const run = await runCli([
      "calibrate",
      "--config",
      `${dir}/base.yaml`,
      "--measured",
      "tests/fixtures/calibrate/vllm_bench_small.json",
      "--out",
      `${dir}/out.yaml`,
      "--max-evaluations",
      "40",
    ]);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout);
    assert.equal(json.files[0].max_concurrency, 2);
    // The failed request is not replayed.
    assert.equal(json.files[0].num_requests, 4);
    // A base that does not batch cannot be calibrated.
    const none = parseScenario("engine: {preset: vllm-v1}\n");
    await assert.rejects(
      () => calibrate(none, []),
      /batching: calibrate needs batched instances/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the shipped calibrate example: fits its two runs and predicts the deployment that made them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const run = await runCli([
      "calibrate",
      "--config",
      "examples/calibrate/base.yaml",
      "--measured",
      "examples/calibrate/light_4rps.csv",
      "--measured",
      "examples/calibrate/light_8rps.csv",
      "--out",
      `${dir}/calibrated.yaml`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    for (const f of JSON.parse(run.stdout).files) {
      for (const [m, fit] of Object.entries(f.metrics)) {
        const e = (fit as { error_after: number }).error_after;
        assert.ok(Math.abs(e) < 0.03, `${f.file} ${m}: ${e}`);
      }
    }
    // The files' header states the engine that generated them.
    const calibrated = await loadScenarioFile(`${dir}/calibrated.yaml`);
    const hidden = withCalibration(
      await loadScenarioFile("examples/calibrate/base.yaml"),
      {
        "engine.iteration_s": 0.003,
        "engine.request_s": 0.012,
        "engine.memory_efficiency": 0.62,
      },
    );
    for (const rate of [10, 12]) {
      const want = at(hidden, rate), got = at(calibrated, rate);
      for (const m of ["mean_ttft_s", "mean_tpot_s"] as const) {
        assert.ok(
          Math.abs(got[m] / want[m] - 1) < 0.06,
          `rate ${rate} ${m}: ${got[m]} vs ${want[m]}`,
        );
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
