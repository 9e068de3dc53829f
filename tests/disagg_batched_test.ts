import assert from "node:assert/strict";
import { cappedSource } from "./_workload.ts";
import { simulate } from "../lib/analysis/simulate.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import { loadScenarioFile } from "../lib/scenario/load.ts";
import type { Summary } from "../lib/metrics/summary.ts";
import { summaryRecord } from "../lib/metrics/metric_names.ts";

// Four GPUs at 4 req/s of ~1k-token prompts and ~256-token replies; decode
// steps of 25 ms. Both architectures are stable here.
function scenario(overrides: Record<string, unknown>) {
  return validateScenario({
    sim_seconds: 400,
    warmup_seconds: 40,
    batching: "continuous",
    arrival: { rate_per_s: 4 },
    prompt_tokens: {
      mode: "real_mean_std",
      mean: 1024,
      std: 512,
      min_value: 8,
    },
    output_tokens: {
      mode: "real_mean_std",
      mean: 256,
      std: 128,
      min_value: 16,
    },
    cluster_mono: {
      num_gpus: 4,
      prefill_tokens_per_s: 8000,
      decode_tokens_per_s: 40,
    },
    cluster_disagg: {
      prefill_gpus: 1,
      decode_gpus: 3,
      prefill_tokens_per_s: 8000,
      decode_tokens_per_s: 40,
    },
    ...overrides,
  });
}

const num = (s: Summary, k: string) => summaryRecord(s)[k] as number;

Deno.test("the DistServe effect: colocated prefill-first has a higher TPOT p90 than disagg", () => {
  // With the additive rate model a chunk costs the same in any iteration, so
  // chunked prefill cannot narrow this gap here; the roofline test below,
  // where prefill tokens ride on memory-bound decode steps, shows it does.
  const disagg = simulate(scenario({ mode: "disagg" })).summary;
  const prefillFirst = simulate(
    scenario({
      mode: "mono",
      scheduler: { policy: "prefill_first", max_num_batched_tokens: 8192 },
    }),
  ).summary;
  assert.equal(disagg.stable, true);
  assert.equal(prefillFirst.stable, true);
  const d = num(disagg, "p90_tpot_s");
  const pf = num(prefillFirst, "p90_tpot_s");
  // Decode steps are 25 ms; colocated prefills stall them by whole prompts.
  assert.ok(pf > d * 1.1, `prefill-first TPOT p90 ${pf} vs disagg ${d}`);
  // The price of disaggregation at this load: a longer TTFT (one prefill GPU).
  assert.ok(num(disagg, "p90_ttft_s") > num(prefillFirst, "p90_ttft_s"));
});

Deno.test("the DistServe effect on H100s (roofline): chunked prefill narrows the TPOT gap", async () => {
  // The shipped Llama-3.1-8B example: 8 H100s colocated (8 instances) or
  // split 3 prefill + 5 decode, at 80 req/s where all three are stable.
  const load = (file: string, extra: [string, unknown][] = []) =>
    loadScenarioFile(`examples/${file}`, {
      overrides: [
        ["arrival.rate_per_s", 80],
        ["sim_seconds", 120],
        ["warmup_seconds", 20],
        ...extra,
      ].map(([path, value]) => ({ path: path as string, value })),
    });
  const disagg = simulate(await load("llama3_8b_h100_disagg.yaml")).summary;
  const prefillFirst = simulate(
    await load("llama3_8b_h100_mono.yaml", [
      ["scheduler.policy", "prefill_first"],
      ["scheduler.max_num_batched_tokens", 8192],
    ]),
  ).summary;
  const chunked = simulate(await load("llama3_8b_h100_mono.yaml")).summary;
  for (const s of [disagg, prefillFirst, chunked]) {
    assert.equal(s.stable, true);
  }
  const d = num(disagg, "p90_tpot_s");
  const pf = num(prefillFirst, "p90_tpot_s");
  const ch = num(chunked, "p90_tpot_s");
  // Whole prompts stall every decode on the instance; disaggregated decode
  // instances never prefill.
  assert.ok(pf > d * 1.2, `prefill-first ${pf} vs disagg ${d}`);
  // Chunks of at most 2,048 tokens ride on the decode steps: the gap shrinks.
  assert.ok(ch < pf && ch - d < (pf - d) / 2, `chunked ${ch}, ${pf}, ${d}`);
});

Deno.test("disagg: every request finishes; TTFT breakdown adds up", () => {
  const r = simulate(scenario({ mode: "disagg" }));
  const rec = r.records;
  for (let i = 0; i < rec.count; i++) {
    assert.ok(rec.prefillEndS[i] >= rec.prefillStartS[i]);
    assert.ok(rec.kvTransferStartS[i] >= rec.prefillEndS[i]);
    assert.ok(rec.decodeStartS[i] >= rec.kvTransferStartS[i]);
    assert.ok(rec.firstTokenS[i] > rec.decodeStartS[i]);
    assert.ok(rec.finishS[i] >= rec.firstTokenS[i]);
  }
  const s = r.summary;
  const parts = num(s, "mean_prefill_wait_s") +
    num(s, "mean_prefill_compute_s") + num(s, "mean_decode_wait_s") +
    num(s, "mean_kv_transfer_s") + num(s, "mean_first_decode_s");
  assert.ok(Math.abs(parts - num(s, "mean_ttft_s")) < 1e-9);
  assert.equal(
    (s.utilization_per_instance as Record<string, number>).prefill_0,
    s.utilization_prefill,
  );
});

Deno.test("disagg: transfer time is at least bytes / bandwidth; a slow link contends", () => {
  const slow = simulate(scenario({
    mode: "disagg",
    kv_transfer: {
      bytes_per_token: 131072,
      bandwidth_bytes_per_s: 1e9,
      latency_s: 0,
    },
  }));
  const rec = slow.records;
  let queued = 0;
  for (let i = 0; i < rec.count; i++) {
    const bound = rec.promptTokens[i] * 131072 / 1e9;
    const took = rec.decodeStartS[i] - rec.kvTransferStartS[i];
    assert.ok(took >= bound - 1e-9, `transfer ${took} < ${bound}`);
    if (took > bound + 1e-9) queued++;
  }
  // At ~0.5 s of link time per second of arrivals, some transfers queue.
  assert.ok(queued > 0, "no transfer waited for the link");
});

Deno.test("disagg: a small decode pool holds KV on prefill (backpressure)", () => {
  const r = simulate(scenario({
    mode: "disagg",
    sim_seconds: 200,
    warmup_seconds: 20,
    arrival: { rate_per_s: 6 },
    scheduler: { max_num_seqs: 8 },
    cluster_disagg: {
      prefill_gpus: 3,
      decode_gpus: 1,
      prefill_tokens_per_s: 8000,
      decode_tokens_per_s: 40,
    },
  }));
  const s = r.summary;
  assert.equal(s.stable, false);
  assert.ok(num(s, "p90_decode_wait_s") > 1, "decodes should back up");
  for (let i = 0; i < r.records.count; i++) {
    assert.ok(Number.isFinite(r.records.finishS[i]));
  }
  assert.ok(r.warnings.some((w) => w.includes("offered load")));
});

Deno.test("ttft_at prefill counts the prefill's first token (DistServe)", () => {
  const atDecode = simulate(scenario({ mode: "disagg" })).records;
  const atPrefill = simulate(scenario({
    mode: "disagg",
    cluster_disagg: {
      prefill_gpus: 1,
      decode_gpus: 3,
      prefill_tokens_per_s: 8000,
      decode_tokens_per_s: 40,
      ttft_at: "prefill",
    },
  })).records;
  assert.equal(atDecode.count, atPrefill.count);
  for (let i = 0; i < atPrefill.count; i++) {
    assert.equal(atPrefill.firstTokenS[i], atPrefill.prefillEndS[i]);
    assert.ok(atDecode.firstTokenS[i] > atDecode.prefillEndS[i]);
    // Same schedule either way: only the measuring point moves.
    assert.equal(atDecode.finishS[i], atPrefill.finishS[i]);
  }
});

Deno.test("disagg invariants on random scenarios: KV within capacity, exact tokens", async () => {
  const { runDisaggBatched } = await import("../lib/serving/disagg_batched.ts");
  const { rateStepTime } = await import("../lib/perf/step_time.ts");
  const { scenarioWorkload } = await import("../lib/workload/workload.ts");
  const { RandomStream } = await import("../lib/engine/random.ts");
  const rng = new RandomStream(77, "disagg-scenarios");
  let preemptions = 0;
  for (let trial = 0; trial < 24; trial++) {
    const s = validateScenario({
      sim_seconds: 40,
      warmup_seconds: 0,
      random_seed: trial,
      arrival: { rate_per_s: 2 + rng.next() * 10 },
      prompt_tokens: { mode: "p50_p90", p50: 300, p90: 900, min_value: 8 },
      output_tokens: { mode: "p50_p90", p50: 100, p90: 300, min_value: 1 },
    });
    const capacity = 400 + Math.floor(rng.next() * 600); // blocks of 16
    const cap = capacity * 16 / 3;
    const capped = cappedSource(scenarioWorkload(s), cap, cap);
    const config = {
      policy:
        (["prefill_first", "decode_first", "chunked"] as const)[trial % 3],
      maxNumSeqs: 4 + Math.floor(rng.next() * 40),
      maxNumBatchedTokens: 512 + Math.floor(rng.next() * 2048),
      kvCapacityBlocks: capacity,
      blockSize: 16,
      stepTime: rateStepTime({
        prefillTokensPerS: 10000,
        decodeTokensPerS: 40,
      }),
    };
    const run = runDisaggBatched(capped, {
      prefillInstances: 1 + (trial % 2),
      decodeInstances: 1 + (trial % 3),
      prefill: config,
      decode: config,
      link: { bytesPerToken: 131072, bandwidthBytesPerS: 5e9, latencyS: 1e-3 },
      firstTokenAtDecode: trial % 2 === 0,
    });
    let outputs = 0;
    for (let i = 0; i < run.records.count; i++) {
      outputs += run.records.outputTokens[i];
      assert.ok(Number.isFinite(run.records.finishS[i]), `trial ${trial}`);
    }
    let emitted = 0;
    for (const inst of [...run.prefill, ...run.decode]) {
      assert.ok(inst.stats.peakKvBlocks <= capacity, "KV over capacity");
      assert.equal(inst.kvUsedBlocks, 0, "KV leaked");
      emitted += inst.stats.outputTokens;
      preemptions += inst.stats.preemptions;
    }
    assert.equal(emitted, outputs, `trial ${trial}: tokens emitted`);
  }
  assert.ok(preemptions > 0, "no trial reached the preemption path");
});

Deno.test("a fixed request overhead delays every request by exactly that much", () => {
  for (const mode of ["mono", "disagg"] as const) {
    // Without an engine's own per-request time, so the shift is all d.
    const base = scenario({
      mode,
      sim_seconds: 120,
      warmup_seconds: 12,
      engine: { preset: "none" },
    });
    const d = 0.037;
    const plain = simulate(base);
    const late = simulate({
      ...base,
      scheduler: { ...base.scheduler, request_overhead_s: d },
    });
    const a = plain.records, b = late.records;
    assert.equal(a.count, b.count);
    for (let i = 0; i < a.count; i++) {
      // Every event moves by d: the same schedule, later.
      const ttftA = a.firstTokenS[i] - a.arrivalS[i];
      const ttftB = b.firstTokenS[i] - b.arrivalS[i];
      assert.ok(Math.abs(ttftB - ttftA - d) < 1e-9, `${mode} request ${i}`);
      assert.ok(
        Math.abs(
          (b.finishS[i] - b.firstTokenS[i]) - (a.finishS[i] - a.firstTokenS[i]),
        ) < 1e-9,
      );
    }
  }
});
