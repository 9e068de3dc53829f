/**
 * Per-pool settings in disagg (`cluster_disagg.prefill` / `.decode`): each
 * pool's own hardware, scheduler limits, step-time model, engine and KV
 * capacity, merged over the top-level sections; their errors name the
 * pool's key path. Runs are short, with fixed seeds; comparisons between
 * runs use the same seed, so both see the same requests.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { simulate, type SimulationResult } from "../lib/analysis/simulate.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import { loadScenarioFile } from "../lib/scenario/load.ts";
import { poolSettings } from "../lib/scenario/pool_settings.ts";
import { InputError } from "../lib/errors.ts";
import { GPUS, MODELS } from "../lib/perf/catalog.ts";
import { kvCapacity } from "../lib/perf/memory.ts";
import type { Summary } from "../lib/metrics/summary.ts";
import { summaryRecord } from "../lib/metrics/metric_names.ts";

const num = (s: Summary, k: string) => summaryRecord(s)[k] as number;

// Llama-3.1-8B on one prefill and one decode GPU, light load (4 req/s of
// ~500-token prompts and ~128-token replies): no pool is near saturation.
const BASE = {
  mode: "disagg",
  batching: "continuous",
  sim_seconds: 30,
  warmup_seconds: 3,
  random_seed: 11,
  arrival: { rate_per_s: 4 },
  prompt_tokens: { mode: "real_mean_std", mean: 500, std: 200, min_value: 16 },
  output_tokens: { mode: "real_mean_std", mean: 128, std: 50, min_value: 8 },
  hardware: {
    gpu: "H100-SXM",
    model: "Llama-3.1-8B",
    gpu_memory_utilization: 0.85,
  },
  step_time: { kind: "roofline" },
  scheduler: { policy: "decode_first" },
};

function disagg(
  pools: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
) {
  return validateScenario({
    ...BASE,
    ...overrides,
    cluster_disagg: { prefill_gpus: 1, decode_gpus: 1, ...pools },
  });
}

// What `hardware` above gives kvCapacity, with a pool's batching limits.
function capacity(
  gpu: string,
  scheduler: { maxNumBatchedTokens: number; maxNumSeqs: number },
): number {
  return kvCapacity(GPUS[gpu], MODELS["Llama-3.1-8B"], {
    tp: 1,
    weightDtype: "bf16",
    kvDtype: "bf16",
    gpuMemoryUtilization: 0.85,
    reservedBytes: 1.79 * 2 ** 30,
    ...scheduler,
  }).tokens;
}

// Most requests decoding at once: intervals [decode start, finish), counted
// at every decode start (a request finishing then has left).
function peakDecoding(r: SimulationResult): number {
  const rec = r.records;
  let peak = 0;
  for (let i = 0; i < rec.count; i++) {
    const t = rec.decodeStartS[i];
    let n = 0;
    for (let j = 0; j < rec.count; j++) {
      if (rec.decodeStartS[j] <= t && t < rec.finishS[j]) n++;
    }
    peak = Math.max(peak, n);
  }
  return peak;
}

const A100_DECODE = { hardware: { gpu: "A100-80G" } };

Deno.test("per-pool hardware: each pool's KV cache is sized for its own GPU and scheduler", () => {
  const s = disagg({
    decode: {
      ...A100_DECODE,
      scheduler: { max_num_seqs: 8, max_num_batched_tokens: 4096 },
    },
  });
  const { summary } = simulate(s);
  // The prefill pool runs vllm-v1's own limits for an H100: 8192 tokens,
  // 1024 sequences.
  const prefill = capacity("H100-SXM", {
    maxNumBatchedTokens: 8192,
    maxNumSeqs: 1024,
  });
  const decode = capacity("A100-80G", {
    maxNumBatchedTokens: 4096,
    maxNumSeqs: 8,
  });
  assert.equal(summary.kv_capacity_tokens_prefill, prefill);
  assert.equal(summary.kv_capacity_tokens_decode, decode);
  // The decode pool's own token budget enters its profiling pass: with the
  // top-level limits the A100 would hold a different number of tokens.
  const topLevelLimits = capacity("A100-80G", {
    maxNumBatchedTokens: 2048,
    maxNumSeqs: 256,
  });
  assert.notEqual(decode, topLevelLimits);
  assert.notEqual(decode, prefill);
});

Deno.test("per-pool scheduler: the decode pool's max_num_seqs bounds its batch", () => {
  // 10 req/s of ~128-token replies need ~13 decoding at once on an A100
  // (~10 ms steps), more than the 8 the decode pool allows; the prefill
  // pool keeps the top-level 256. engine none: finish = the last step's end.
  const overrides = {
    sim_seconds: 15,
    warmup_seconds: 1,
    arrival: { rate_per_s: 10 },
    engine: { preset: "none" },
  };
  const limited = simulate(disagg({
    decode: { ...A100_DECODE, scheduler: { max_num_seqs: 8 } },
  }, overrides));
  const free = simulate(disagg({ decode: A100_DECODE }, overrides));
  assert.equal(peakDecoding(limited), 8);
  assert.ok(peakDecoding(free) > 8, `unlimited peak ${peakDecoding(free)}`);
  assert.equal(
    poolSettings(limited.scenario, "prefill").scheduler.max_num_seqs,
    256,
  );
});

Deno.test("per-pool hardware: an A100 decode pool slows TPOT; the prefill part of TTFT is unchanged", () => {
  // engine none: a decode step is its roofline time alone, memory-bound at
  // these batches, so TPOT scales with the HBM bandwidth ratio, plus a few
  // per cent because slower steps gather larger batches (more KV to read).
  const h100 = simulate(disagg({}, { engine: { preset: "none" } }));
  const a100 = simulate(
    disagg({ decode: A100_DECODE }, { engine: { preset: "none" } }),
  );
  const [rh, ra] = [h100.records, a100.records];
  assert.equal(rh.count, ra.count);
  for (let i = 0; i < rh.count; i++) {
    // Same requests (same seed), and at light load the decode pool never
    // holds the prefill pool back: prefill starts and ends are identical.
    assert.equal(ra.arrivalS[i], rh.arrivalS[i]);
    assert.equal(ra.prefillStartS[i], rh.prefillStartS[i]);
    assert.equal(ra.prefillEndS[i], rh.prefillEndS[i]);
    if (rh.outputTokens[i] > 1) {
      const tpot = (r: typeof rh) =>
        (r.finishS[i] - r.firstTokenS[i]) / (r.outputTokens[i] - 1);
      assert.ok(
        tpot(ra) > tpot(rh),
        `request ${i}: ${tpot(ra)} <= ${tpot(rh)}`,
      );
    }
  }
  const [sh, sa] = [h100.summary, a100.summary];
  assert.equal(num(sa, "mean_prefill_wait_s"), num(sh, "mean_prefill_wait_s"));
  assert.equal(
    num(sa, "mean_prefill_compute_s"),
    num(sh, "mean_prefill_compute_s"),
  );
  const bandwidth = GPUS["H100-SXM"].memory_bandwidth_bytes_per_s /
    GPUS["A100-80G"].memory_bandwidth_bytes_per_s;
  const ratio = num(sa, "mean_tpot_s") / num(sh, "mean_tpot_s");
  assert.ok(
    ratio > bandwidth * 0.99 && ratio < bandwidth * 1.1,
    `TPOT ratio ${ratio}, bandwidth ratio ${bandwidth}`,
  );
});

Deno.test("per-pool settings: keys a pool does not give come from the top level", () => {
  const s = disagg({
    decode: {
      ...A100_DECODE,
      scheduler: { max_num_seqs: 64 },
      kv_cache: { capacity_tokens: 50000 },
    },
  });
  const d = poolSettings(s, "decode");
  assert.equal(d.scheduler.policy, s.scheduler.policy);
  assert.equal(d.scheduler.policy, "decode_first");
  assert.equal(d.scheduler.max_num_seqs, 64);
  // Neither the pool nor the top level gives a token budget: the engine's
  // for the pool's own GPU (vllm-v1: 2048 on an A100, 8192 on an H100).
  assert.equal(s.scheduler.max_num_batched_tokens, undefined);
  assert.equal(d.scheduler.max_num_batched_tokens, 2048);
  // Hardware merges key by key: the GPU is replaced, the rest inherited.
  assert.equal(d.hardware?.gpu, "A100-80G");
  assert.equal(d.hardware?.model, "Llama-3.1-8B");
  assert.equal(d.hardware?.gpu_memory_utilization, 0.85);
  assert.equal(d.hardware?.weight_dtype, s.hardware?.weight_dtype);
  assert.deepEqual(d.step_time, s.step_time);
  assert.equal(d.engine.preset, "vllm-v1");
  assert.equal(d.kv_cache.capacity_tokens, 50000);
  assert.equal(d.kv_cache.block_size, s.kv_cache.block_size);
  // A pool without its own section runs the top-level ones.
  const p = poolSettings(s, "prefill");
  assert.deepEqual(p.hardware, s.hardware);
  assert.equal(p.scheduler.policy, s.scheduler.policy);
  assert.equal(p.scheduler.max_num_batched_tokens, 8192);
  assert.equal(p.scheduler.max_num_seqs, 1024);
  // A pool's own capacity replaces the sized one; the other is still sized.
  const { summary } = simulate(s);
  assert.equal(summary.kv_capacity_tokens_decode, 50000);
  assert.equal(
    summary.kv_capacity_tokens_prefill,
    capacity("H100-SXM", { maxNumBatchedTokens: 8192, maxNumSeqs: 1024 }),
  );
});

Deno.test("per-pool settings: errors name the pool's key path", () => {
  const fails = (pools: Record<string, unknown>, message: RegExp, top = {}) =>
    assert.throws(() => disagg(pools, top), (e: unknown) => {
      assert.ok(e instanceof InputError, String(e));
      assert.match(e.message, message);
      return true;
    });
  fails(
    { decode: { hardware: { gpu: "H1OO-SXM" } } },
    /^cluster_disagg\.decode\.hardware\.gpu: must be one of .*H100-SXM.*got "H1OO-SXM"/,
  );
  // The router spreads arrivals over the prefill pool: no pool has its own.
  fails(
    { prefill: { scheduler: { router: "round_robin" } } },
    /^cluster_disagg\.prefill\.scheduler\.router: unknown key/,
  );
  fails(
    { decode: { kv_cache: { block_size: 32 } } },
    /^cluster_disagg\.decode\.kv_cache\.block_size: unknown key/,
  );
  fails(
    { decode: { scheduler: { max_num_seqs: 0 } } },
    /^cluster_disagg\.decode\.scheduler\.max_num_seqs: /,
  );
  // Without top-level hardware a pool's hardware must be whole.
  const rateOnly = { hardware: undefined, step_time: { kind: "rate" } };
  fails(
    { decode: A100_DECODE },
    /^cluster_disagg\.decode\.hardware\.model: is required/,
    rateOnly,
  );
  fails(
    { decode: { hardware: { model: "Llama-3.1-8B" } } },
    /^cluster_disagg\.decode\.hardware\.gpu: is required/,
    rateOnly,
  );
  // A pool's table without its file is named at the pool's key.
  fails(
    { decode: { step_time: { kind: "table" } } },
    /^cluster_disagg\.decode\.step_time\.table_file: is required/,
    rateOnly,
  );
  // A pool's roofline without any hardware is named at the pool's key.
  fails(
    { decode: { step_time: { kind: "roofline" } } },
    /^cluster_disagg\.decode\.step_time\.kind: roofline needs the hardware/,
    rateOnly,
  );
});

Deno.test("per-pool settings: the summary reports each pool's engine and step-time model", () => {
  const { summary } = simulate(disagg({
    decode: { engine: { preset: "sglang" }, step_time: { kind: "rate" } },
  }, { sim_seconds: 10, warmup_seconds: 1 }));
  assert.equal(summary.prefill_engine, "vllm-v1");
  assert.equal(summary.decode_engine, "sglang");
  assert.equal(summary.prefill_step_time, "roofline");
  assert.equal(summary.decode_step_time, "rate");
});

Deno.test("per-pool step_time.table_file: loaded relative to the scenario file", async () => {
  // A flat table: every decode step takes 20 ms, whatever its batch and
  // context. With engine none on the decode pool, every token gap there is
  // 20 ms, and its tokens after the first come a whole number of steps later.
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "tables"));
    await Deno.writeTextFile(
      join(dir, "tables", "decode.csv"),
      [
        "# flat: 20 ms per iteration",
        "prefill_tokens,decode_batch,context_tokens,step_s",
        ...[0, 4096].flatMap((p) =>
          [0, 256].flatMap((b) => [0, 1e6].map((c) => `${p},${b},${c},0.02`))
        ),
      ].join("\n") + "\n",
    );
    await Deno.writeTextFile(
      join(dir, "scenario.yaml"),
      `mode: disagg
batching: continuous
sim_seconds: 10
warmup_seconds: 1
random_seed: 5
arrival: { rate_per_s: 4 }
prompt_tokens: { mode: real_mean_std, mean: 500, std: 200, min_value: 16 }
output_tokens: { mode: real_mean_std, mean: 64, std: 20, min_value: 8 }
hardware: { gpu: H100-SXM, model: Llama-3.1-8B }
step_time: { kind: roofline }
cluster_disagg:
  prefill_gpus: 1
  decode_gpus: 1
  decode:
    step_time: { kind: table, table_file: tables/decode.csv }
    engine: { preset: none }
`,
    );
    // Loaded from the repository root: the path is the file's, not the cwd's.
    const s = await loadScenarioFile(join(dir, "scenario.yaml"));
    assert.ok(s.cluster_disagg.decode?.step_time?.table);
    assert.equal(s.step_time.table, undefined);
    const r = simulate(s);
    assert.equal(r.summary.decode_step_time, "table");
    assert.equal(r.summary.prefill_step_time, "roofline");
    assert.equal(r.summary.decode_engine, "none");
    assert.equal(r.summary.prefill_engine, "vllm-v1");
    // The pool that owns the table named its engine: nothing to warn of.
    assert.deepEqual(r.warnings, [], r.warnings.join("; "));
    assert.ok(Math.abs(num(r.summary, "mean_itl_s") - 0.02) < 1e-12);
    assert.ok(num(r.summary, "num_itl_samples") > 500);
    const rec = r.records;
    for (let i = 0; i < rec.count; i++) {
      const steps = (rec.finishS[i] - rec.firstTokenS[i]) / 0.02;
      assert.ok(
        Math.abs(steps - Math.round(steps)) < 1e-6 &&
          Math.round(steps) >= rec.outputTokens[i] - 2,
        `request ${i}: ${steps} decode steps for ${rec.outputTokens[i]} tokens`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
