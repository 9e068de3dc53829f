import assert from "node:assert/strict";
import { LogHistogram } from "../lib/metrics/log_histogram.ts";
import { quantileSorted } from "../lib/metrics/percentile.ts";
import { RandomStream } from "../lib/engine/random.ts";
import { simulate } from "../lib/analysis/simulate.ts";
import { validateScenario } from "../lib/scenario/validate.ts";

Deno.test("log histogram quantiles are within 0.5% of the exact (interpolated) ones", () => {
  const rng = new RandomStream(11, "itl");
  const h = new LogHistogram();
  const values: number[] = [];
  for (let i = 0; i < 50_000; i++) {
    const v = Math.exp(-4 + 2 * rng.normal());
    values.push(v);
    h.add(v);
  }
  values.sort((a, b) => a - b);
  for (const q of [0.01, 0.5, 0.9, 0.99, 0.999]) {
    const exact = quantileSorted(values, q);
    const got = h.quantile(q);
    assert.ok(
      Math.abs(got - exact) / exact <= 0.005 + 1e-12,
      `q ${q}: ${got} vs ${exact}`,
    );
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  assert.ok(Math.abs(h.sum / h.count - mean) < 1e-12 * mean * 1e3);
});

Deno.test("ITL: every token gap of measured requests, at the decode step time", () => {
  const s = simulate(validateScenario({
    mode: "mono",
    batching: "continuous",
    sim_seconds: 300,
    warmup_seconds: 30,
    arrival: { rate_per_s: 0.5 },
    prompt_tokens: { mode: "constant", value: 100 },
    output_tokens: { mode: "constant", value: 20 },
    cluster_mono: {
      num_gpus: 2,
      prefill_tokens_per_s: 10000,
      decode_tokens_per_s: 40,
    },
    engine: { preset: "none" }, // the rates' step times alone
  }));
  const summary = s.summary;
  // One gap per output token after the first, for each measured request.
  assert.equal(summary.num_itl_samples, (summary.num_samples as number) * 19);
  // Gaps are decode steps (25 ms), longer only when a prefill shares the
  // iteration (10 ms for a 100-token prompt): p50 is the plain step.
  assert.ok(Math.abs((summary.p50_itl_s as number) - 0.025) <= 0.025 * 0.005);
  assert.ok((summary.p99_itl_s as number) <= 0.035 * 1.005);
  assert.ok(
    Math.abs((summary.mean_itl_s as number) - (summary.mean_tpot_s as number)) <
      1e-9,
  );
});
