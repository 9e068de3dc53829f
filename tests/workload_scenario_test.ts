import assert from "node:assert/strict";
import { simulate } from "../lib/analysis/simulate.ts";
import { loadScenarioFile, parseScenario } from "../lib/scenario/load.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import { InputError } from "../lib/errors.ts";
import { buildWorkload } from "../lib/workload/workload.ts";
import type { Summary } from "../lib/metrics/summary.ts";
import { summaryRecord } from "../lib/metrics/metric_names.ts";
import { runCli } from "./_cli.ts";

const num = (s: Summary | Record<string, unknown>, k: string) =>
  (k in s ? summaryRecord(s)[k] : undefined) as number;

Deno.test("trace replay end to end: the simulated requests are the trace's rows", async () => {
  const s = await loadScenarioFile("examples/azure_conv_replay.yaml", {
    overrides: [{ path: "trace.time_scale", value: 1 }, {
      path: "sim_seconds",
      value: 1e6,
    }, { path: "warmup_seconds", value: 0 }],
  });
  const r = simulate(s);
  // An independent reading of the same file.
  const lines =
    (await Deno.readTextFile("examples/traces/azure_conv_slice.csv"))
      .trim().split("\n").slice(1);
  const seconds = (ts: string) => {
    const [date, time] = ts.split(" ");
    const [h, m, sec] = time.split(":");
    return Date.parse(`${date}T00:00:00Z`) / 1000 + Number(h) * 3600 +
      Number(m) * 60 + Number(sec);
  };
  const t0 = seconds(lines[0].split(",")[0]);
  assert.equal(r.records.count, lines.length);
  lines.forEach((line, i) => {
    const [ts, prompt, output] = line.split(",");
    assert.ok(Math.abs(r.records.arrivalS[i] - (seconds(ts) - t0)) < 1e-6);
    assert.equal(r.records.promptTokens[i], Number(prompt));
    assert.equal(r.records.outputTokens[i], Number(output));
  });
  assert.equal(r.summary.trace_rows, lines.length);
});

Deno.test("classes: per-class metrics add up to the overall ones, each with its SLO", () => {
  const s = validateScenario({
    mode: "mono",
    batching: "continuous",
    sim_seconds: 300,
    warmup_seconds: 30,
    arrival: { rate_per_s: 6 },
    classes: [
      {
        name: "chat",
        weight: 2,
        output_tokens: { mode: "constant", value: 50 },
        slo: { ttft_s: 10, tpot_s: 1 },
      },
      {
        name: "batch",
        arrival: { process: "deterministic", rate_per_s: 1 },
        prompt_tokens: { mode: "uniform", low: 100, high: 200 },
        slo: { ttft_s: 1e-6, tpot_s: 1e-6 },
      },
    ],
    cluster_mono: {
      num_gpus: 2,
      prefill_tokens_per_s: 20000,
      decode_tokens_per_s: 40,
    },
  });
  const r = simulate(s).summary;
  const per = r.per_class!;
  assert.deepEqual(Object.keys(per), ["chat", "batch"]);
  assert.equal(per.chat.num_samples + per.batch.num_samples, r.num_samples);
  // The deterministic class arrives exactly once a second in the window.
  assert.equal(per.batch.num_samples, 270);
  // A loose SLO is always met, an impossible one never.
  assert.equal(per.chat.slo_attainment, 1);
  assert.equal(per.batch.slo_attainment, 0);
  assert.ok(
    Math.abs(
      num(r, "slo_attainment") - per.chat.num_samples / num(r, "num_samples"),
    ) < 1e-12,
  );
  assert.ok(
    Math.abs(
      num(r, "throughput_rps") - per.chat.throughput_rps -
        per.batch.throughput_rps,
    ) < 1e-9,
  );
  // The overall mean TTFT is the sample-weighted mean of the classes'.
  const weighted = (per.chat.mean_ttft_s * per.chat.num_samples +
    per.batch.mean_ttft_s * per.batch.num_samples) / num(r, "num_samples");
  assert.ok(Math.abs(weighted - num(r, "mean_ttft_s")) < 1e-9);
  // Weighted classes split the top-level arrivals about 2:... only chat is weighted here.
  assert.ok(Math.abs(num(r, "arrival_rate_per_s") - 7) < 1e-12);
});

Deno.test("classes: a shared prefix is prepended and reused by the prefix cache", () => {
  const w = buildWorkload(validateScenario({
    sim_seconds: 50,
    warmup_seconds: 0,
    classes: [{
      name: "chat",
      weight: 1,
      shared_prefix_tokens: 1100,
      prompt_tokens: { mode: "constant", value: 40 },
    }],
  }));
  let n = 0;
  while (w.source.next()) {
    n++;
    assert.equal(w.source.promptTokens, 1140);
    // Two whole 512-token blocks of the 1,100 shared tokens.
    assert.deepEqual(w.source.prefixIds, [-1, -2]);
  }
  assert.ok(n > 0);
});

Deno.test("max_tokens caps lengths: the pile-up real traces show", () => {
  const w = buildWorkload(validateScenario({
    sim_seconds: 5000,
    warmup_seconds: 0,
    output_tokens: { mode: "p50_p90", p50: 300, p90: 1500, max_tokens: 1000 },
  }));
  let n = 0, atCap = 0, over = 0;
  while (w.source.next()) {
    n++;
    if (w.source.outputTokens === 1000) atCap++;
    if (w.source.outputTokens > 1000) over++;
  }
  assert.equal(over, 0);
  // P(X >= 1000) for the lognormal: 1 - Phi(ln(1000/300) / (ln 5 / 1.2816)).
  const z = Math.log(1000 / 300) / (Math.log(5) / 1.2815515655446004);
  const p = 0.5 * (1 - erf(z / Math.SQRT2));
  const se = Math.sqrt(p * (1 - p) / n);
  assert.ok(Math.abs(atCap / n - p) < 4 * se, `${atCap / n} vs ${p}`);
});

// Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7).
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 +
                t * (-1.453152027 + t * 1.061405429)))) *
      Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

Deno.test("empirical lengths drawn from a trace file are the trace's lengths", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.copyFile(
      "examples/traces/azure_code_slice.csv",
      `${dir}/code.csv`,
    );
    await Deno.writeTextFile(
      `${dir}/s.yaml`,
      "sim_seconds: 2000\nwarmup_seconds: 0\nprompt_tokens: {mode: empirical, trace_file: code.csv, trace_format: azure}\n",
    );
    const s = await loadScenarioFile(`${dir}/s.yaml`);
    assert.equal(s.prompt_tokens.mode, "empirical");
    const values = s.prompt_tokens.mode === "empirical"
      ? s.prompt_tokens.values!
      : [];
    const observed = new Set(values);
    assert.equal(values.length, 1000);
    const w = buildWorkload(s);
    let n = 0;
    while (w.source.next()) {
      n++;
      assert.ok(observed.has(w.source.promptTokens));
    }
    assert.ok(n > 100);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sketch percentiles: within 0.5% of the exact ones, same counts", () => {
  const base = {
    mode: "mono",
    batching: "continuous",
    sim_seconds: 400,
    warmup_seconds: 40,
    arrival: { process: "gamma", rate_per_s: 5, cv: 2 },
    cluster_mono: {
      num_gpus: 2,
      prefill_tokens_per_s: 20000,
      decode_tokens_per_s: 40,
    },
  };
  const exact = simulate(validateScenario(base)).summary;
  const sketch =
    simulate(validateScenario({ ...base, metrics: { percentiles: "sketch" } }))
      .summary;
  for (const k of Object.keys(exact)) {
    const a = summaryRecord(exact)[k], b = summaryRecord(sketch)[k];
    if (typeof a !== "number" || !Number.isFinite(a)) continue;
    if (/^p\d+_/.test(k)) {
      assert.ok(
        Math.abs(a - (b as number)) <= 0.005 * Math.abs(a) + 1e-12,
        `${k}: ${a} vs ${b}`,
      );
    } else {
      assert.ok(
        Math.abs(a - (b as number)) <= 1e-9 * Math.max(1, Math.abs(a)),
        `${k}: ${a} vs ${b}`,
      );
    }
  }
});

Deno.test("workload errors name the key", async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [
      { arrival: { process: "gamma" } },
      /arrival\.cv: is required with process gamma/,
    ],
    [
      { arrival: { process: "poisson", cv: 2 } },
      /arrival\.cv: is not used with process poisson/,
    ],
    [{
      arrival: {
        process: "schedule",
        schedule: [{ duration_s: 10, rate_per_s: 0 }],
      },
    }, /arrival\.schedule: needs a step with a rate above 0/],
    [
      { arrival: { process: "diurnal", rate_per_s: 1, amplitude: 1.5 } },
      /arrival\.amplitude: must be <= 1/,
    ],
    [
      { classes: [{ name: "a", weight: 1 }, { name: "a", weight: 2 }] },
      /classes\[1\]\.name: "a" is used twice/,
    ],
    [{ classes: [{ name: "a" }] }, /classes\[0\]: give a weight/],
    [
      { classes: [{ name: "a", weight: 1, arrival: { rate_per_s: 1 } }] },
      /classes\[0\]: give a weight/,
    ],
    [
      { trace: { file: "x.csv", format: "csv" } },
      /trace\.columns: is required with format csv/,
    ],
    [{
      trace: {
        file: "x.csv",
        format: "azure",
        time_scale: 2,
        target_rate_per_s: 3,
      },
    }, /trace\.target_rate_per_s: give time_scale or target_rate_per_s/],
    [
      { prompt_tokens: { mode: "uniform", low: 10, high: 5 } },
      /prompt_tokens\.high: must be >= low/,
    ],
    [
      { prompt_tokens: { mode: "empirical" } },
      /prompt_tokens: mode empirical needs/,
    ],
    [
      { kv_cache: { prefix_caching: true, block_size: 24 } },
      /kv_cache\.block_size: must divide 512/,
    ],
  ];
  for (const [raw, re] of cases) {
    assert.throws(() => validateScenario(raw), (e: Error) => {
      assert.ok(e instanceof InputError, String(e));
      assert.match(e.message, re);
      return true;
    });
  }
  // A bad trace row stops the run with the file and line; nothing on stdout.
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/t.csv`,
      "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,374,44\n2023-11-16 18:15:47.0000000,abc,5\n2023-11-16 18:15:48.0000000,120,7\n",
    );
    await Deno.writeTextFile(
      `${dir}/s.yaml`,
      "mode: mono\nsim_seconds: 100\nwarmup_seconds: 0\ntrace: {file: t.csv, format: azure}\n",
    );
    const run = await runCli(["simulate", "--config", `${dir}/s.yaml`]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /t\.csv:3: /);
    // With on_bad_row: skip the row is counted instead.
    const ok = parseScenario(
      `mode: mono\nsim_seconds: 100\nwarmup_seconds: 0\ntrace: {file: t.csv, format: azure, on_bad_row: skip}\n`,
      { baseDir: dir },
    );
    const r = simulate(ok).summary;
    assert.equal(r.trace_rows, 2);
    assert.equal(r.trace_skipped_rows, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fit on the command line prints a scenario that validates", async () => {
  const run = await runCli([
    "fit",
    "--trace",
    "examples/traces/azure_conv_slice.csv",
    "--trace-format",
    "azure",
  ]);
  assert.equal(run.code, 2 * 0);
  const s = parseScenario(run.stdout);
  assert.equal(s.arrival.process, "gamma");
  assert.ok(Math.abs(s.arrival.rate_per_s! - 1999 / 424.259) < 0.01);
  assert.match(run.stdout, /# prompt p50 +1032 +1032/);
});
