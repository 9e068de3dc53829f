/**
 * The typed summary: every key a run writes is a key of `Summary`, every
 * numeric one is a `MetricName` (so `METRIC_NAMES` is complete), and the
 * accessors read what the JSON output holds.
 */
import assert from "node:assert/strict";
import {
  aggregateReplications,
  compare,
  isMetricName,
  METRIC_NAMES,
  type MetricName,
  metricValue,
  parseScenario,
  simulate,
  type Summary,
  summaryRecord,
} from "../mod.ts";

// The keys of a summary that are not numbers.
const OTHER_KEYS = new Set([
  "mode",
  "batching",
  "stable",
  "saturation",
  "saturation_evidence",
  "offered_load",
  "prompt_tokens_log",
  "prompt_tokens_real",
  "output_tokens_log",
  "output_tokens_real",
  "prompt_tokens_simulated",
  "output_tokens_simulated",
  "per_class",
  "utilization_per_instance",
  "step_time",
  "engine",
  "scheduler_policy",
  "prefill_step_time",
  "prefill_engine",
  "prefill_scheduler_policy",
  "decode_step_time",
  "decode_engine",
  "decode_scheduler_policy",
  "random_seeds",
  "trace_cut_at_s",
]);

function runs(): Summary[] {
  const short = "sim_seconds: 40\nwarmup_seconds: 4\n";
  return [
    // Exclusive service, both modes, with an SLO.
    ...["mono", "disagg"].map((mode) =>
      simulate(parseScenario(
        `${short}mode: ${mode}\nslo: { ttft_s: 1, tpot_s: 0.05 }\n`,
      )).summary
    ),
    // Batched, both modes, prefix caching and a context limit.
    ...["mono", "disagg"].map((mode) =>
      simulate(parseScenario(
        `${short}mode: ${mode}\nbatching: continuous\n` +
          "kv_cache: { prefix_caching: true }\n" +
          "scheduler: { max_model_len: 4096 }\n",
      )).summary
    ),
    // Two classes.
    simulate(parseScenario(
      `${short}classes:\n` +
        "  - { name: chat, weight: 1, slo: { ttft_s: 1, tpot_s: 0.1 } }\n" +
        "  - { name: batch, weight: 1 }\n",
    )).summary,
  ];
}

Deno.test("every key a run writes is typed, every number a MetricName", () => {
  const metrics = new Set<string>(METRIC_NAMES);
  for (const s of runs()) {
    for (const [key, value] of Object.entries(summaryRecord(s))) {
      if (typeof value === "number") {
        assert.ok(metrics.has(key), `${key} is not in METRIC_NAMES`);
        assert.ok(isMetricName(key));
      } else {
        assert.ok(OTHER_KEYS.has(key), `${key} (${typeof value}) is untyped`);
      }
    }
  }
});

Deno.test("typed keys need no cast, metricValue reads them by name", () => {
  const s = runs()[0];
  // Compile-time: these are numbers, a flag and a verdict.
  const ttft: number = s.mean_ttft_s;
  const stable: boolean = s.stable;
  assert.ok(ttft > 0);
  assert.equal(stable, s.saturation === "stable");
  for (const name of ["p90_ttft_s", "num_samples", "slo_attainment"] as const) {
    assert.equal(metricValue(s, name), s[name]);
  }
  // A key the run does not have is undefined, not NaN.
  assert.equal(metricValue(s, "mean_batch_size"), undefined);
  assert.equal(metricValue({ trace_cut_at_s: null }, "trace_cut_at_s"), NaN);
  assert.equal(isMetricName("mode"), false);
  assert.equal(isMetricName("no_such_key"), false);
  // A name picked at run time, as a sweep's chart or a capacity criterion.
  const picked: string = "p50_tpot_s";
  assert.ok(isMetricName(picked));
  const name: MetricName = picked;
  assert.equal(metricValue(s, name), s.p50_tpot_s);
});

Deno.test("compare's delta is typed by metric", () => {
  const c = compare(parseScenario("sim_seconds: 40\nwarmup_seconds: 4\n"));
  assert.equal(c.delta.mean_ttft_s, c.disagg.mean_ttft_s - c.mono.mean_ttft_s);
  for (const key of Object.keys(c.delta)) assert.ok(isMetricName(key), key);
});

Deno.test("replications average into a summary of the same shape", () => {
  const [a, b] = [1, 2].map((seed) =>
    simulate(parseScenario(
      `sim_seconds: 40\nwarmup_seconds: 4\nrandom_seed: ${seed}\n`,
    )).summary
  );
  const r = aggregateReplications([a, b]);
  assert.equal(r.summary.mean_ttft_s, (a.mean_ttft_s + b.mean_ttft_s) / 2);
  assert.equal(r.summary.random_seeds, "1..2");
  assert.equal(r.summary.replications, 2);
  assert.deepEqual(
    Object.keys(r.summary).slice(0, 3),
    Object.keys(a).slice(0, 3),
  );
});
