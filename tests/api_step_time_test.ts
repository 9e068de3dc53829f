/**
 * `simulate` with a step-time model of the caller's own: it replaces the
 * scenario's model in every batched pool (the engine's time still added),
 * and without it nothing changes.
 */
import assert from "node:assert/strict";
import {
  ENGINE_PRESETS,
  parseScenario,
  rateStepTime,
  simulate,
  type StepTimeModel,
  summaryRecord,
} from "../mod.ts";

// Light load: requests rarely overlap.
const LIGHT = "sim_seconds: 200\nwarmup_seconds: 20\n" +
  "arrival: { rate_per_s: 0.2 }\nbatching: continuous\n";

Deno.test("a constant 10 ms iteration gives TPOT = 10 ms + the engine's per-iteration time", () => {
  const s = parseScenario(LIGHT + "mode: mono\nengine: { preset: none }\n");
  const calls: number[] = [];
  const model: StepTimeModel = {
    iterationTimeS: (shape) => {
      calls.push(shape.decodeTokens);
      return 0.01;
    },
  };
  const r = simulate(s, { stepTimeModel: model });
  // Every output token after the first is one iteration of the model.
  const expected = 0.01 + ENGINE_PRESETS.get("none").params.iteration_s;
  for (const q of ["mean", "p50", "p99"] as const) {
    const tpot = summaryRecord(r.summary)[`${q}_tpot_s`] as number;
    assert.ok(Math.abs(tpot - expected) < 1e-9, `${q} TPOT ${tpot}`);
  }
  assert.ok(calls.length > 0, "the model was used");
  assert.equal(r.summary.step_time, "custom");
  // The scenario's own model (rate) is far faster: the option replaced it.
  assert.ok(simulate(s).summary.mean_tpot_s < 0.005);
});

Deno.test("a model per pool: the decode pool's sets TPOT in disagg", () => {
  const s = parseScenario(LIGHT + "mode: disagg\nengine: { preset: none }\n");
  const asked: string[] = [];
  const r = simulate(s, {
    stepTimeModel: (pool) => {
      asked.push(pool);
      const t = pool === "decode" ? 0.02 : 0.005;
      return { iterationTimeS: () => t };
    },
  });
  assert.deepEqual(asked, ["prefill", "decode"]);
  // The first token comes from the decode pool's first iteration (ttft_at:
  // decode), which makes the second as well: a request of n tokens has
  // n - 2 more iterations of 20 ms after it, TPOT = 0.02 (n - 2) / (n - 1).
  const rec = r.records;
  let sum = 0, count = 0;
  for (let i = 0; i < rec.count; i++) {
    const n = rec.outputTokens[i];
    if (rec.arrivalS[i] < s.warmup_seconds || n < 2) continue;
    sum += 0.02 * (n - 2) / (n - 1);
    count++;
  }
  assert.equal(count, r.summary.num_tpot_samples);
  assert.ok(Math.abs(r.summary.mean_tpot_s - sum / count) < 1e-9);
  assert.equal(r.summary.prefill_step_time, "custom");
  assert.equal(r.summary.decode_step_time, "custom");
});

Deno.test("the scenario's own model passed as a custom one gives the same run", () => {
  const s = parseScenario(
    "sim_seconds: 100\nwarmup_seconds: 10\nbatching: continuous\n" +
      "mode: mono\narrival: { rate_per_s: 3 }\n",
  );
  const plain = simulate(s).summary;
  // No option, or an empty one: the default path.
  assert.deepEqual(simulate(s, {}).summary, plain);
  assert.deepEqual(simulate(s, { stepTimeModel: undefined }).summary, plain);
  const c = s.cluster_mono;
  const same = simulate(s, {
    stepTimeModel: rateStepTime({
      prefillTokensPerS: c.prefill_tokens_per_s,
      decodeTokensPerS: c.decode_tokens_per_s,
    }),
  }).summary;
  assert.deepEqual({ ...same, step_time: plain.step_time }, plain);
});
