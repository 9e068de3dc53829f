/**
 * Speculative decoding: the accepted-token draws against their formulas,
 * the instance's accounting (tokens, KV, finishes) under random tokens per
 * step, the two regimes the roofline must show (faster per token at batch
 * 1, slower near compute saturation), the scenario keys' errors, and that
 * a run without the key is untouched. Statistical tolerances are 4
 * standard errors from the sample size.
 *
 * @module
 */

import assert from "node:assert/strict";
import { AcceptanceSampler } from "../lib/serving/speculative.ts";
import { RandomStream } from "../lib/engine/random.ts";
import {
  acceptanceRates,
  draftModelSpec,
  expectedTokensPerStep,
} from "../lib/perf/speculative.ts";
import { Instance } from "../lib/serving/instance.ts";
import { RequestRecords } from "../lib/metrics/records.ts";
import { decodeShape, rateStepTime } from "../lib/perf/step_time.ts";
import { planCluster } from "../lib/analysis/pools.ts";
import { simulate } from "../lib/analysis/simulate.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import { rooflineStepTime } from "../lib/perf/roofline.ts";
import { GPUS, MODELS } from "../lib/perf/catalog.ts";
import { expectInputError } from "./_cli.ts";
import { parseScenario } from "../lib/scenario/load.ts";
import { scenarioWarnings } from "../lib/scenario/no_ops.ts";
import { poolKvCapacity, poolProposer } from "../lib/scenario/pool_settings.ts";
import { draftMemory } from "../lib/perf/speculative.ts";

const K = 4;

// Mean and variance of tokens per step: P(N >= i + 1) = prod_{j<=i} a_j.
function moments(rates: readonly number[]): { mean: number; variance: number } {
  let survive = 1, mean = 0, second = 0;
  const p: number[] = [];
  for (let i = 0; i <= rates.length; i++) {
    const stop = i < rates.length ? survive * (1 - rates[i]) : survive;
    p.push(stop);
    if (i < rates.length) survive *= rates[i];
  }
  p.forEach((q, i) => {
    mean += (i + 1) * q;
    second += (i + 1) ** 2 * q;
  });
  return { mean, variance: second - mean * mean };
}

Deno.test("theory: mean tokens per step is (1 - alpha^(k+1)) / (1 - alpha)", () => {
  for (const [alpha, k] of [[0.8, 4], [0.6, 2], [0.9, 7]] as const) {
    const rates = acceptanceRates(alpha, k);
    const closed = (1 - alpha ** (k + 1)) / (1 - alpha);
    assert.ok(Math.abs(expectedTokensPerStep(rates) - closed) < 1e-12);
    const n = 200_000;
    const s = new AcceptanceSampler(rates, new RandomStream(11, "t"));
    let sum = 0;
    for (let i = 0; i < n; i++) sum += s.draw();
    const { variance } = moments(rates);
    const tol = K * Math.sqrt(variance / n);
    assert.ok(
      Math.abs(sum / n - closed) <= tol,
      `alpha ${alpha} k ${k}: ${sum / n} vs ${closed} (tol ${tol})`,
    );
  }
});

Deno.test("theory: per-position rates give P(tokens > i) = prod_{j<=i} a_j", () => {
  const rates = [0.9, 0.75, 0.5, 0.3];
  const n = 200_000;
  const s = new AcceptanceSampler(rates, new RandomStream(5, "p"));
  const atLeast = new Array(rates.length + 2).fill(0);
  for (let i = 0; i < n; i++) {
    const t = s.draw();
    assert.ok(t >= 1 && t <= rates.length + 1);
    for (let m = 1; m <= t; m++) atLeast[m]++;
  }
  let product = 1;
  for (let i = 1; i <= rates.length; i++) {
    product *= rates[i - 1];
    const seen = atLeast[i + 1] / n;
    const tol = K * Math.sqrt(product * (1 - product) / n);
    assert.ok(
      Math.abs(seen - product) <= tol,
      `P(tokens > ${i}) ${seen} vs ${product}`,
    );
  }
  const { mean, variance } = moments(rates);
  assert.ok(Math.abs(mean - expectedTokensPerStep(rates)) < 1e-12);
  assert.ok(variance > 0);
});

// Runs one instance to the end; returns it and its records.
function runInstance(
  requests: number,
  output: number,
  options: { kvBlocks?: number; seed?: number } = {},
) {
  const records = new RequestRecords();
  const rates = acceptanceRates(0.7, 4);
  const inst = new Instance({
    policy: "chunked",
    maxNumSeqs: 64,
    maxNumBatchedTokens: 2048,
    kvCapacityBlocks: options.kvBlocks ?? 100_000,
    blockSize: 16,
    stepTime: rateStepTime({ prefillTokensPerS: 1e5, decodeTokensPerS: 100 }),
    speculative: { numTokens: 4, acceptance: rates, seed: options.seed ?? 3 },
  }, records);
  for (let r = 0; r < requests; r++) inst.enqueue(records.add(0, 40, output));
  let now = 0;
  for (;;) {
    const end = inst.startIteration(now);
    if (end < 0) break;
    now = end;
    inst.finishIteration(now);
  }
  return { inst, records, rates };
}

Deno.test("instance: mean tokens per step matches theory; no request gets more than it has left", () => {
  const requests = 64, output = 3001;
  const { inst, records, rates } = runInstance(requests, output);
  for (let i = 0; i < requests; i++) assert.ok(records.finishS[i] > 0);
  assert.equal(inst.kvUsedBlocks, 0, "every block freed");
  const st = inst.stats;
  // The prefill yields the first token, the decode steps the rest, exactly.
  assert.equal(st.speculativeTokens, requests * (output - 1));
  assert.equal(st.outputTokens, requests * output);
  // Renewal: steps to deliver t tokens is t / mu plus at most one cut step
  // per request, with variance t sigma^2 / mu^3 per request.
  const { mean, variance } = moments(rates);
  const t = output - 1;
  const expected = requests * t / mean;
  const sd = Math.sqrt(requests * t * variance / mean ** 3);
  assert.ok(
    st.speculativeSteps >= expected - K * sd &&
      st.speculativeSteps <= expected + requests + K * sd,
    `steps ${st.speculativeSteps}, expected ${expected} (+ <= ${requests}), sd ${sd}`,
  );
});

Deno.test("instance: KV preemption under speculation keeps the accounting whole", () => {
  // 40 prompt + 500 output tokens each, 64 requests: far more than 600 blocks.
  const { inst, records } = runInstance(64, 500, { kvBlocks: 600 });
  assert.ok(inst.stats.preemptions > 0, "the cache is small enough to preempt");
  for (let i = 0; i < 64; i++) assert.ok(records.finishS[i] > 0);
  assert.equal(inst.kvUsedBlocks, 0);
  assert.ok(inst.stats.peakKvBlocks <= 600);
});

Deno.test("instance: the same seed gives the same run, another seed another", () => {
  const a = runInstance(8, 400, { seed: 1 }).records.finishS.slice(0, 8);
  const b = runInstance(8, 400, { seed: 1 }).records.finishS.slice(0, 8);
  const c = runInstance(8, 400, { seed: 2 }).records.finishS.slice(0, 8);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

// TPOT speed-up of speculation at a decode batch: step time without over
// step time with, times the expected tokens per step.
function speedUp(batch: number, context: number): number {
  const base = {
    mode: "mono",
    batching: "continuous",
    step_time: { kind: "roofline" },
    hardware: { gpu: "H100-SXM", model: "Llama-3.1-8B" },
    cluster_mono: { num_gpus: 1, tp: 1 },
  };
  const off = planCluster(validateScenario(base)).pools[0];
  const on = planCluster(validateScenario({
    ...base,
    speculative: { method: "eagle", num_tokens: 4, acceptance: 0.7 },
  })).pools[0];
  const shape = decodeShape(batch, context);
  const t0 = off.stepTime.iterationTimeS(shape);
  shape.decodeQueryTokens = batch * 5;
  const t1 = on.stepTime.iterationTimeS(shape);
  return t0 * on.speculative!.expectedTokensPerStep / t1;
}

Deno.test("roofline: speculation cuts TPOT at batch 1 and costs it near compute saturation", () => {
  // Llama-3.1-8B on an H100, EAGLE head, k = 4, alpha = 0.7 (2.77 tokens
  // per step), 512-token contexts (docs/model.md gives the figures).
  const one = speedUp(1, 512);
  const b256 = speedUp(256, 512);
  const b512 = speedUp(512, 512);
  assert.ok(one > 1.8, `batch 1: ${one}`);
  assert.ok(b256 < 1, `batch 256: ${b256}`);
  assert.ok(b512 < b256, `batch 512: ${b512}`);
});

Deno.test("roofline: k + 1 query tokens cost FLOPs and logits, the KV is read once", () => {
  const m = rooflineStepTime(GPUS["H100-SXM"], MODELS["Llama-3.1-8B"]);
  const one = { ...m.cost(decodeShape(4, 1000)) };
  const shape = decodeShape(4, 1000);
  shape.decodeQueryTokens = 20;
  const five = { ...m.cost(shape) };
  assert.equal(five.weightBytes, one.weightBytes);
  assert.ok(five.flops > 4.9 * one.flops && five.flops < 5.1 * one.flops);
  // Reads the same 4 x 1000 context tokens; writes 20 new ones, not 4.
  const perToken = one.kvBytes / (4000 + 4);
  assert.ok(Math.abs(five.kvBytes - perToken * (4000 + 20)) < 1e-6);
  // Absent, every figure is as before.
  const again = m.cost(decodeShape(4, 1000));
  assert.equal(again.totalS, one.totalS);
});

Deno.test("draft models: eagle is one dense layer of the target, mtp the model's shape", () => {
  const eagle = draftModelSpec("eagle", MODELS["DeepSeek-V3"]);
  assert.equal(eagle.num_layers, 1);
  assert.equal(eagle.num_experts, 0);
  const mtp = draftModelSpec("mtp", MODELS["DeepSeek-V3"], { draftLayers: 1 });
  assert.equal(mtp.num_layers, 1);
  assert.equal(mtp.num_experts, MODELS["DeepSeek-V3"].num_experts);
  assert.equal(mtp.dense_layers, 0);
  assert.throws(() => draftModelSpec("draft", MODELS["Llama-3.1-8B"]));
});

const SPEC_BASE = {
  mode: "mono",
  batching: "continuous",
  sim_seconds: 40,
  warmup_seconds: 4,
  step_time: { kind: "roofline" },
  hardware: { gpu: "H100-SXM", model: "Llama-3.1-8B" },
  cluster_mono: { num_gpus: 1, tp: 1 },
  arrival: { rate_per_s: 2 },
  prompt_tokens: { mode: "constant", value: 256 },
  output_tokens: { mode: "constant", value: 128 },
};

Deno.test("simulate: speculation changes decode only, reports tokens per step, and repeats", () => {
  const spec = { method: "eagle", num_tokens: 3, acceptance: [0.9, 0.8, 0.6] };
  const on = () =>
    simulate(validateScenario({ ...SPEC_BASE, speculative: spec }), {
      keepRecords: true,
    });
  const a = on();
  const b = on();
  assert.equal(JSON.stringify(a.summary), JSON.stringify(b.summary));
  const off = simulate(validateScenario(SPEC_BASE), { keepRecords: true });
  // The same requests arrive (speculation draws from its own stream).
  assert.equal(a.summary.num_samples, off.summary.num_samples);
  const n = a.records.count;
  assert.deepEqual(
    a.records.arrivalS.slice(0, n),
    off.records.arrivalS.slice(0, n),
  );
  assert.ok(a.summary.mean_tpot_s! < 0.7 * off.summary.mean_tpot_s!);
  const expected = 1 + 0.9 + 0.9 * 0.8 + 0.9 * 0.8 * 0.6;
  assert.equal(a.summary.speculative_expected_tokens_per_step, expected);
  assert.ok(
    Math.abs(a.summary.speculative_tokens_per_step! - expected) < 0.1,
    String(a.summary.speculative_tokens_per_step),
  );
  assert.equal(off.summary.speculative_tokens_per_step, undefined);
  // ITL counts one gap per step (a step's tokens arrive together).
  assert.ok(a.summary.mean_itl_s! > 1.5 * a.summary.mean_tpot_s!);
});

Deno.test("simulate: disagg speculates in the decode pool, its own section overriding", () => {
  const r = simulate(validateScenario({
    ...SPEC_BASE,
    mode: "disagg",
    cluster_disagg: {
      prefill_gpus: 1,
      decode_gpus: 1,
      decode: { speculative: { num_tokens: 2 } },
    },
    speculative: { method: "eagle", num_tokens: 4, acceptance: 0.5 },
  }));
  assert.equal(r.summary.speculative_expected_tokens_per_step, 1 + 0.5 + 0.25);
});

Deno.test("scenario: speculative keys fail with one line naming the key", async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [
      { cluster_disagg: { prefill: { speculative: { num_tokens: 2 } } } },
      /cluster_disagg\.prefill\.speculative: the prefill pool yields only/,
    ],
    [
      { speculative: { method: "eagle", num_tokens: 3, acceptance: [0.9] } },
      /speculative\.acceptance: needs num_tokens \(3\) rates, got 1/,
    ],
    [
      { speculative: { method: "draft", num_tokens: 3, acceptance: 0.8 } },
      /speculative\.draft_model: is required with method: draft/,
    ],
    [
      {
        speculative: {
          method: "eagle",
          num_tokens: 3,
          acceptance: 0.8,
          draft_model: "Llama-3.1-8B",
        },
      },
      /speculative\.draft_model: has no effect with method: eagle/,
    ],
    [
      { speculative: { method: "eagle", num_tokens: 3, acceptance: 1.5 } },
      /speculative\.acceptance/,
    ],
    [
      {
        step_time: { kind: "rate" },
        speculative: { method: "eagle", num_tokens: 3, acceptance: 0.8 },
      },
      /speculative: needs step_time\.kind: roofline \(got rate\)/,
    ],
  ];
  for (const [extra, pattern] of cases) {
    assert.throws(
      () => validateScenario({ ...SPEC_BASE, ...extra }),
      (e: Error) => pattern.test(e.message),
      JSON.stringify(extra),
    );
  }
  const dir = await Deno.makeTempDir();
  const file = `${dir}/s.yaml`;
  await Deno.writeTextFile(
    file,
    "batching: continuous\nmode: mono\nstep_time: {kind: roofline}\n" +
      "hardware: {gpu: H100-SXM, model: Llama-3.1-8B}\n" +
      "speculative: {method: mtp, num_tokens: 2, acceptance: [0.9, 0.8, 0.7]}\n",
  );
  await expectInputError(
    ["simulate", "--config", file],
    /speculative\.acceptance: needs num_tokens \(2\) rates, got 3/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("scenario: speculative under batching none warns; mtp without mtp_layers warns", () => {
  const none = parseScenario(
    "mode: mono\nspeculative: {method: eagle, num_tokens: 2, acceptance: 0.8}\n",
  );
  assert.ok(
    scenarioWarnings(none).some((w) =>
      /^speculative: has no effect under batching=none/.test(w)
    ),
    scenarioWarnings(none).join("; "),
  );
  const mtp = simulate(validateScenario({
    ...SPEC_BASE,
    speculative: { method: "mtp", num_tokens: 1, acceptance: 0.85 },
  }));
  assert.ok(mtp.warnings.some((w) => /has no mtp_layers/.test(w)));
});

Deno.test("speculative: the proposer's weights and KV come out of the KV capacity", () => {
  const base = {
    mode: "mono" as const,
    batching: "continuous" as const,
    step_time: { kind: "roofline" as const },
    hardware: { gpu: "H100-SXM", model: "Llama-3.1-70B" },
    cluster_mono: { num_gpus: 4, tp: 4 },
  };
  const plain = planCluster(validateScenario(base)).pools[0];
  const c0 = poolKvCapacity(plain.settings, 4)!;
  const cases = [
    // A draft model: whole (embedding and LM head included), at TP 4.
    { method: "draft" as const, draft_model: "Llama-3.1-8B" },
    // A head shares the target's embedding and LM head: its layer only.
    { method: "eagle" as const },
  ];
  for (const c of cases) {
    const s = validateScenario({
      ...base,
      speculative: { ...c, num_tokens: 3, acceptance: 0.7 },
    });
    const pool = planCluster(s).pools[0];
    const m = draftMemory(c.method, poolProposer(pool.settings)!, {
      weightDtype: "bf16",
      kvDtype: "bf16",
      tp: 4,
    });
    const want = Math.floor(
      (c0.kvBytesPerGpu - m.weightBytesPerGpu) /
        (c0.kvBytesPerTokenPerGpu + m.kvBytesPerTokenPerGpu),
    );
    assert.equal(pool.kvCapacityTokens, want, c.method);
    assert.ok(pool.kvCapacityTokens < plain.kvCapacityTokens);
  }
  // The 8B draft's 16 GB over 4 GPUs and its KV cost far more than a head.
  const draft = draftMemory("draft", MODELS["Llama-3.1-8B"], {
    weightDtype: "bf16",
    kvDtype: "bf16",
    tp: 4,
  });
  assert.ok(Math.abs(draft.weightBytesPerGpu / 1e9 - 8.03 * 2 / 4) < 0.1);
});
