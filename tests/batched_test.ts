import assert from "node:assert/strict";
import { cappedSource } from "./_workload.ts";
import { RandomStream } from "../lib/engine/random.ts";
import { runBatchedCluster } from "../lib/serving/batched.ts";
import type { RouterName as RouterPolicy } from "../lib/serving/routers/mod.ts";
import type { BatchPolicyName as BatchPolicy } from "../lib/serving/batch_policies/mod.ts";
import {
  type IterationShape,
  rateStepTime,
  type StepTimeModel,
} from "../lib/perf/step_time.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import { scenarioWorkload } from "../lib/workload/workload.ts";

// Wraps a step-time model to check every iteration's shape.
function watched(
  inner: StepTimeModel,
  onShape: (s: IterationShape) => void,
): StepTimeModel {
  return {
    iterationTimeS(shape) {
      onShape(shape);
      return inner.iterationTimeS(shape);
    },
  };
}

const POLICIES: BatchPolicy[] = ["prefill_first", "decode_first", "chunked"];
const ROUTERS: RouterPolicy[] = [
  "round_robin",
  "least_outstanding",
  "least_kv",
  "power_of_two",
];

Deno.test("invariants hold on many random batched scenarios", () => {
  const rng = new RandomStream(2024, "scenarios");
  let totalPreemptions = 0;
  for (let trial = 0; trial < 40; trial++) {
    const policy = POLICIES[trial % 3];
    const maxNumSeqs = 4 + Math.floor(rng.next() * 60);
    const maxNumBatchedTokens = 256 + Math.floor(rng.next() * 4096);
    const blockSize = 16;
    // Small caches force preemptions; every prompt + output still fits.
    const kvCapacityBlocks = 200 + Math.floor(rng.next() * 800);
    const scenario = validateScenario({
      sim_seconds: 60,
      warmup_seconds: 0,
      random_seed: trial,
      arrival: { rate_per_s: 1 + rng.next() * 15 },
      prompt_tokens: { mode: "p50_p90", p50: 300, p90: 900, min_value: 8 },
      output_tokens: { mode: "p50_p90", p50: 100, p90: 400, min_value: 1 },
    });
    // Cap lengths so one request always fits in the cache alone.
    const cap = (kvCapacityBlocks * blockSize) / 2;
    const capped = cappedSource(scenarioWorkload(scenario), cap, cap - 1);
    const prefillRate = 5000 + rng.next() * 20000;
    let maxTokens = 0, maxSeqs = 0;
    const stepTime = watched(
      rateStepTime({
        prefillTokensPerS: prefillRate,
        decodeTokensPerS: 30,
      }),
      (s) => {
        maxTokens = Math.max(maxTokens, s.prefillTokens + s.decodeTokens);
        maxSeqs = Math.max(maxSeqs, s.decodeTokens);
      },
    );
    const run = runBatchedCluster(capped, {
      instances: 1 + (trial % 3),
      router: ROUTERS[trial % 4],
      seed: trial,
      instance: {
        policy,
        maxNumSeqs,
        maxNumBatchedTokens,
        kvCapacityBlocks,
        blockSize,
        stepTime,
      },
    });
    const rec = run.records;
    let outputSum = 0;
    for (let i = 0; i < rec.count; i++) {
      outputSum += rec.outputTokens[i];
      assert.ok(rec.finishS[i] >= rec.firstTokenS[i], `trial ${trial}`);
      assert.ok(rec.firstTokenS[i] >= rec.prefillStartS[i]);
      assert.ok(rec.prefillStartS[i] >= rec.arrivalS[i]);
      // TTFT is at least the prompt's compute time at the prefill rate.
      const ttft = rec.firstTokenS[i] - rec.arrivalS[i];
      assert.ok(
        ttft >= rec.promptTokens[i] / prefillRate - 1e-9,
        `trial ${trial}: TTFT ${ttft} below its compute bound`,
      );
    }
    let emitted = 0, preemptions = 0;
    for (const inst of run.instances) {
      assert.ok(
        inst.stats.peakKvBlocks <= kvCapacityBlocks,
        "KV over capacity",
      );
      assert.equal(inst.kvUsedBlocks, 0, "KV leaked");
      assert.ok(inst.stats.peakBatchSize <= maxNumSeqs);
      emitted += inst.stats.outputTokens;
      preemptions += inst.stats.preemptions;
    }
    assert.equal(emitted, outputSum, `trial ${trial}: tokens emitted`);
    assert.ok(maxSeqs <= maxNumSeqs);
    // A lone prompt (or a preempted request's recompute, prompt + output so
    // far) longer than the budget runs alone; otherwise the budget holds.
    assert.ok(maxTokens <= Math.max(maxNumBatchedTokens, 2 * cap));
    totalPreemptions += preemptions;
  }
  // The random cases must reach the preemption path, or they test too little.
  assert.ok(totalPreemptions > 0, "no trial preempted");
});

Deno.test("a tight KV cache preempts and still finishes every request", () => {
  const scenario = validateScenario({
    sim_seconds: 30,
    warmup_seconds: 0,
    arrival: { rate_per_s: 20 },
    prompt_tokens: { mode: "constant", value: 200 },
    output_tokens: { mode: "constant", value: 300 },
  });
  const run = runBatchedCluster(scenarioWorkload(scenario), {
    instances: 1,
    instance: {
      policy: "prefill_first",
      maxNumSeqs: 64,
      maxNumBatchedTokens: 4096,
      kvCapacityBlocks: 100, // 1,600 tokens: about three requests at full length
      blockSize: 16,
      stepTime: rateStepTime({
        prefillTokensPerS: 20000,
        decodeTokensPerS: 50,
      }),
    },
  });
  const inst = run.instances[0];
  assert.ok(inst.stats.preemptions > 0, "expected preemptions");
  assert.ok(inst.stats.peakKvBlocks <= 100);
  for (let i = 0; i < run.records.count; i++) {
    assert.ok(Number.isFinite(run.records.finishS[i]));
  }
});

Deno.test("prefill-first stalls decodes; chunked prefill bounds the stall", () => {
  // Decode-heavy load with long prompts: under prefill-first a decoding
  // request waits out whole prefills, so its worst token gap is a whole
  // prompt's prefill; chunked prefill caps each iteration's prefill work.
  const tpotP90 = (policy: BatchPolicy) => {
    const scenario = validateScenario({
      sim_seconds: 120,
      warmup_seconds: 10,
      arrival: { rate_per_s: 3 },
      prompt_tokens: { mode: "constant", value: 4000 },
      output_tokens: { mode: "constant", value: 200 },
    });
    const run = runBatchedCluster(scenarioWorkload(scenario), {
      instances: 1,
      instance: {
        policy,
        maxNumSeqs: 128,
        maxNumBatchedTokens: policy === "chunked" ? 512 : 8192,
        kvCapacityBlocks: 100000,
        blockSize: 16,
        stepTime: rateStepTime({
          prefillTokensPerS: 40000,
          decodeTokensPerS: 40,
        }),
      },
    });
    const rec = run.records;
    const tpots: number[] = [];
    for (let i = 0; i < rec.count; i++) {
      if (rec.arrivalS[i] < 10) continue;
      tpots.push(
        (rec.finishS[i] - rec.firstTokenS[i]) / (rec.outputTokens[i] - 1),
      );
    }
    tpots.sort((a, b) => a - b);
    return tpots[Math.floor(0.9 * (tpots.length - 1))];
  };
  const prefillFirst = tpotP90("prefill_first");
  const chunked = tpotP90("chunked");
  // A decode step alone is 25 ms; prefill-first adds 100 ms prefills.
  assert.ok(prefillFirst > 0.025 * 1.05, `prefill-first TPOT ${prefillFirst}`);
  assert.ok(chunked < prefillFirst, `chunked ${chunked} vs ${prefillFirst}`);
});

Deno.test("a prompt larger than the KV cache is an error, not a hang", () => {
  const scenario = validateScenario({
    sim_seconds: 5,
    warmup_seconds: 0,
    prompt_tokens: { mode: "constant", value: 5000 },
  });
  assert.throws(
    () =>
      runBatchedCluster(scenarioWorkload(scenario), {
        instances: 1,
        instance: {
          policy: "decode_first",
          maxNumSeqs: 8,
          maxNumBatchedTokens: 8192,
          kvCapacityBlocks: 100,
          blockSize: 16,
          stepTime: rateStepTime({
            prefillTokensPerS: 8000,
            decodeTokensPerS: 50,
          }),
        },
      }),
    /cannot be admitted/,
  );
});
