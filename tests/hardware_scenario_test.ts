import assert from "node:assert/strict";
import { cappedSource } from "./_workload.ts";
import { simulate } from "../lib/analysis/simulate.ts";
import { loadScenarioFile, parseScenario } from "../lib/scenario/load.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import { InputError } from "../lib/errors.ts";
import { GPUS, MODELS } from "../lib/perf/catalog.ts";
import { kvCapacity } from "../lib/perf/memory.ts";
import { RandomStream } from "../lib/engine/random.ts";
import type { Summary } from "../lib/metrics/summary.ts";
import { summaryRecord } from "../lib/metrics/metric_names.ts";
import { toJson } from "../lib/report/json.ts";
import { runCli } from "./_cli.ts";
import { planCluster } from "../lib/analysis/pools.ts";
import { parameterBreakdown } from "../lib/perf/catalog.ts";
import { runBatchedCluster } from "../lib/serving/batched.ts";
import { runDisaggBatched } from "../lib/serving/disagg_batched.ts";
import { scenarioWorkload } from "../lib/workload/workload.ts";

const num = (s: Summary, k: string) => summaryRecord(s)[k] as number;

const H100_8B = {
  batching: "continuous",
  sim_seconds: 40,
  warmup_seconds: 4,
  arrival: { rate_per_s: 20 },
  prompt_tokens: { mode: "real_mean_std", mean: 800, std: 400, min_value: 8 },
  output_tokens: { mode: "real_mean_std", mean: 128, std: 64, min_value: 2 },
  hardware: { gpu: "H100-SXM", model: "Llama-3.1-8B" },
  step_time: { kind: "roofline" },
};

Deno.test("an inline GPU and model equal to catalog entries give the same run", () => {
  const byName = simulate(validateScenario({ ...H100_8B, mode: "mono" }));
  const { name: _g, ...gpu } = GPUS["H100-SXM"];
  const m = MODELS["Llama-3.1-8B"];
  const inline = simulate(validateScenario({
    ...H100_8B,
    mode: "mono",
    hardware: {
      gpu: { ...gpu, flops_per_s: { ...gpu.flops_per_s } },
      model: {
        num_layers: m.num_layers,
        hidden_size: m.hidden_size,
        num_attention_heads: m.num_attention_heads,
        num_kv_heads: m.num_kv_heads,
        head_dim: m.head_dim,
        ffn_size: m.ffn_size,
        vocab_size: m.vocab_size,
        max_context: m.max_context,
      },
    },
  }));
  assert.equal(toJson(inline.summary, []), toJson(byName.summary, []));
  // The KV cache is sized from the hardware: what is left after weights.
  const want = kvCapacity(GPUS["H100-SXM"], m, {
    tp: 1,
    weightDtype: "bf16",
    kvDtype: "bf16",
    gpuMemoryUtilization: 0.9,
    reservedBytes: 1.79 * 2 ** 30,
    // vllm-v1's own limits on an H100 (the scenario gives none).
    maxNumBatchedTokens: 8192,
    maxNumSeqs: 1024,
  }).tokens;
  assert.equal(byName.summary.kv_capacity_tokens, want);
  assert.equal(byName.summary.step_time, "roofline");
});

Deno.test("batching: none ignores hardware and step time: the core model's results exactly", () => {
  const base = {
    mode: "mono",
    sim_seconds: 200,
    warmup_seconds: 20,
    arrival: { rate_per_s: 2 },
  };
  const plain = simulate(validateScenario(base));
  const withHardware = simulate(validateScenario({
    ...base,
    hardware: { gpu: "H100-SXM", model: "Llama-3.1-8B" },
    step_time: { kind: "roofline" },
  }));
  assert.equal(toJson(withHardware.summary, []), toJson(plain.summary, []));
});

Deno.test("hardware errors name the key", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [
      { hardware: { gpu: "H100", model: "Llama-3.1-8B" } },
      /hardware\.gpu: must be one of .* \(did you mean "H100-SXM"\?\)/,
    ],
    [{ hardware: { gpu: "H100-SXM" } }, /hardware\.model: is required/],
    [{ step_time: { kind: "roofline" } }, /step_time\.kind: roofline needs/],
    [
      { step_time: { kind: "table" } },
      /step_time\.table_file: is required with step_time\.kind: table/,
    ],
    [
      { batching: "continuous", cluster_mono: { num_gpus: 8, tp: 3 } },
      /cluster_mono\.tp: must divide the pool's 8 GPUs/,
    ],
    [
      { cluster_disagg: { prefill_gpus: 2, prefill_tp: 2 } },
      /cluster_disagg\.prefill_tp: must be 1 with batching: none/,
    ],
    [
      {
        mode: "mono",
        batching: "continuous",
        hardware: { gpu: "H100-SXM", model: "Llama-3.1-70B" },
      },
      /hardware: Llama-3\.1-70B does not fit on H100-SXM at tp 1: 131\.4 GiB of weights/,
    ],
    [
      {
        step_time: { kind: "roofline" },
        hardware: {
          gpu: "A100-80G",
          model: "Llama-3.1-8B",
          weight_dtype: "fp8",
        },
      },
      /hardware\.weight_dtype: A100-80G has no fp8 FLOP\/s figure/,
    ],
    [
      {
        hardware: {
          gpu: "H100-SXM",
          model: {
            num_layers: 2,
            hidden_size: 64,
            num_attention_heads: 4,
            num_kv_heads: 4,
            head_dim: 16,
            ffn_size: 128,
            vocab_size: 100,
            num_experts: 4,
          },
        },
      },
      /hardware\.model\.active_experts: is required when num_experts > 0/,
    ],
  ];
  for (const [raw, re] of cases) {
    assert.throws(() => validateScenario(raw), (e: Error) => {
      assert.ok(e instanceof InputError, String(e));
      assert.match(e.message, re);
      return true;
    });
  }
  // From YAML, the position of the offending key comes along.
  assert.throws(
    () => parseScenario("hardware:\n  gpu: H100\n  model: Llama-3.1-8B\n"),
    /<scenario>:2:8: hardware\.gpu: must be one of/,
  );
});

Deno.test("a measured step table is read relative to the scenario and drives iterations", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A decode step of 20 ms at batch 1 rising to 30 ms at batch 64; a
    // prefill costs 10 ms per 1,000 tokens on top.
    const rows = ["prefill_tokens,decode_batch,context_tokens,step_s"];
    for (const p of [0, 1000, 4000]) {
      for (const b of [0, 1, 64]) {
        const decodeS = b === 0 ? 0.02 : 0.02 + (b - 1) * 0.01 / 63;
        rows.push(`${p},${b},0,${decodeS + p * 1e-5}`);
      }
    }
    await Deno.writeTextFile(`${dir}/steps.csv`, rows.join("\n") + "\n");
    await Deno.writeTextFile(
      `${dir}/s.yaml`,
      [
        "mode: mono",
        "batching: continuous",
        "sim_seconds: 60",
        "warmup_seconds: 6",
        "arrival: {rate_per_s: 1}",
        "prompt_tokens: {mode: constant, value: 500}",
        "output_tokens: {mode: constant, value: 11}",
        "cluster_mono: {num_gpus: 1}",
        "step_time: {kind: table, table_file: steps.csv}",
        "engine: {preset: none}", // the table's times alone
      ].join("\n"),
    );
    const s = await loadScenarioFile(`${dir}/s.yaml`);
    const r = simulate(s);
    // Light load: mostly one request at a time; a lone decode step is 20 ms.
    assert.ok(Math.abs(num(r.summary, "p50_itl_s") - 0.02) < 0.02 * 0.006);
    assert.deepEqual(r.warnings, [], r.warnings.join("; "));

    // A bad row names the CSV file and line; a missing table names its path.
    await Deno.writeTextFile(
      `${dir}/steps.csv`,
      rows.slice(0, 3).join("\n") + "\n0,64,0,fast\n",
    );
    await assert.rejects(
      () => loadScenarioFile(`${dir}/s.yaml`),
      /steps\.csv:4: /,
    );
    await Deno.remove(`${dir}/steps.csv`);
    const run = await runCli(["simulate", "--config", `${dir}/s.yaml`]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, "");
    assert.match(
      run.stderr,
      /^llmsim: error: .*steps\.csv: file not found \(step_time\.table_file\)\n$/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("roofline invariants on random scenarios: KV within capacity, exact tokens, TTFT above its compute bound", () => {
  const rng = new RandomStream(77, "roofline-scenarios");
  const gpu = GPUS["H100-SXM"];
  const cases: [string, number, number][] = [
    ["Llama-3.1-8B", 1, 2],
    ["Llama-3.1-70B", 4, 8],
    ["Mixtral-8x7B", 2, 4],
  ];
  let preemptions = 0;
  for (let trial = 0; trial < 9; trial++) {
    const [model, tp, gpus] = cases[trial % 3];
    const disagg = trial % 2 === 1;
    const s = validateScenario({
      mode: disagg ? "disagg" : "mono",
      batching: "continuous",
      sim_seconds: 30,
      warmup_seconds: 3,
      random_seed: trial,
      arrival: { rate_per_s: 5 + rng.next() * 30 },
      prompt_tokens: { mode: "p50_p90", p50: 600, p90: 3000, min_value: 4 },
      output_tokens: { mode: "p50_p90", p50: 100, p90: 500, min_value: 1 },
      hardware: { gpu: "H100-SXM", model },
      step_time: { kind: "roofline" },
      // Small caches force preemptions (every request still fits alone).
      kv_cache: { capacity_tokens: 40000 + Math.floor(rng.next() * 20000) },
      cluster_mono: { num_gpus: gpus, tp },
      cluster_disagg: {
        prefill_gpus: gpus / 2,
        decode_gpus: gpus / 2,
        prefill_tp: gpus / 2,
        decode_tp: gpus / 2,
      },
      scheduler: {
        policy: ["chunked", "prefill_first", "decode_first"][trial % 3],
        max_num_seqs: 16 + Math.floor(rng.next() * 200),
        max_num_batched_tokens: 4096,
      },
    });
    const plan = planCluster(s);
    const capacityBlocks = Math.floor(40000 / 16);
    const config = (i: number) => ({
      policy: plan.pools[i].settings.scheduler.policy,
      maxNumSeqs: plan.pools[i].settings.scheduler.max_num_seqs,
      maxNumBatchedTokens:
        plan.pools[i].settings.scheduler.max_num_batched_tokens,
      kvCapacityBlocks: Math.floor(plan.pools[i].kvCapacityTokens / 16),
      blockSize: 16,
      stepTime: plan.pools[i].stepTime,
    });
    // Cap prompts so that each fits the smallest cache alone.
    const capped = cappedSource(
      scenarioWorkload(s),
      capacityBlocks * 8,
      capacityBlocks * 8,
    );
    const run = disagg
      ? runDisaggBatched(capped, {
        prefillInstances: plan.pools[0].instances,
        decodeInstances: plan.pools[1].instances,
        prefill: config(0),
        decode: config(1),
        link: {
          bytesPerToken: plan.kvTransferBytesPerToken,
          bandwidthBytesPerS: 50e9,
          latencyS: 1e-4,
        },
        firstTokenAtDecode: true,
      })
      : runBatchedCluster(capped, {
        instances: plan.pools[0].instances,
        instance: config(0),
      });
    const instances = "instances" in run
      ? run.instances
      : [...run.prefill, ...run.decode];
    const rec = run.records;
    // No prefill runs faster than its linear layers' FLOPs at the achievable
    // FLOP/s of its tp GPUs (MoE: the active experts only).
    const p = parameterBreakdown(MODELS[model]);
    const active = MODELS[model].num_layers * (p.attentionPerLayer +
      (p.moeLayers > 0
        ? p.activeExperts * p.expertParams
        : p.denseFfnPerLayer));
    const perTokenS = 2 * active /
      (gpu.flops_per_s.bf16! * 0.6 * (disagg ? gpus / 2 : tp));
    let outputs = 0;
    for (let i = 0; i < rec.count; i++) {
      outputs += rec.outputTokens[i];
      assert.ok(rec.finishS[i] >= rec.firstTokenS[i], `trial ${trial}`);
      const prefillS = rec.prefillEndS[i] - rec.arrivalS[i];
      assert.ok(
        prefillS >= rec.promptTokens[i] * perTokenS * (1 - 1e-9),
        `trial ${trial}: prefill ${prefillS} below its compute bound`,
      );
    }
    let emitted = 0;
    for (const inst of instances) {
      assert.ok(inst.stats.peakKvBlocks <= inst.config.kvCapacityBlocks);
      assert.equal(inst.kvUsedBlocks, 0, "KV leaked");
      emitted += inst.stats.outputTokens;
      preemptions += inst.stats.preemptions;
    }
    // Every request finishes with exactly its output tokens (a recompute
    // after preemption rebuilds the KV of the tokens it had, emitting only
    // the next one).
    assert.equal(emitted, outputs, `trial ${trial}`);
  }
  assert.ok(preemptions > 0, "no trial preempted");
});
