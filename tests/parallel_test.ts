// Pipeline, expert and data-parallel attention: the pipeline bubble's
// theory, the rules engines impose on a split, the KV capacity that follows
// it, and the price of crossing nodes.
import assert from "node:assert/strict";
import { rooflineStepTime } from "../lib/perf/roofline.ts";
import { GPUS, type GpuSpec, MODELS } from "../lib/perf/catalog.ts";
import { kvBytesPerToken, kvCapacity } from "../lib/perf/memory.ts";
import { engineIterationS } from "../lib/perf/engine.ts";
import { ENGINE_PRESETS } from "../lib/perf/engines/mod.ts";
import {
  crossNodeHops,
  type Parallelism,
  pipelineBubble,
  remoteNodes,
} from "../lib/perf/parallel.ts";
import type { IterationShape } from "../lib/perf/step_time.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import { parseScenario } from "../lib/scenario/load.ts";
import { scenarioWarnings } from "../lib/scenario/no_ops.ts";
import { planCluster } from "../lib/analysis/pools.ts";
import { simulate } from "../lib/analysis/simulate.ts";
import { expectInputError } from "./_cli.ts";

const split = (p: Partial<Parallelism>): Parallelism => ({
  tp: 1,
  pp: 1,
  ep: 1,
  dp: 1,
  microbatches: p.pp ?? 1,
  ...p,
});

function shape(parts: Partial<IterationShape>): IterationShape {
  return {
    prefillTokens: 0,
    prefillSequences: 0,
    prefillAttendedTokens: 0,
    prefillPastTokens: 0,
    decodeTokens: 0,
    decodeContextTokens: 0,
    ...parts,
  };
}

// An H100 whose links cost nothing: stage-to-stage hops vanish, so the
// pipeline is its stages alone.
const FREE_LINKS: GpuSpec = {
  ...GPUS["H100-SXM"],
  interconnect_bytes_per_s: 1e30,
  scale_out_bytes_per_s: 1e30,
};

Deno.test("pipeline bubble: (p-1)/(m+p-1) of each stage's time, exactly, for equal stages", () => {
  // 8 prompts of 1024 tokens: compute-bound at every micro-batch size
  // here, so a stage's time is linear in its tokens and the stages equal.
  const batch = shape({
    prefillTokens: 8192,
    prefillSequences: 8,
    prefillAttendedTokens: 8 * 1024 * 1025 / 2,
  });
  const model = MODELS["Llama-3.1-8B"];
  const time = (p: Parallelism) =>
    rooflineStepTime(FREE_LINKS, model, {
      parallel: p,
      allReduceLatencyS: 0,
    }).cost(batch);
  const whole = time(split({}));
  assert.ok(whole.computeS > whole.memoryS, "compute-bound");
  for (const pp of [2, 4]) {
    for (const m of [1, 2, 4, 8]) {
      const c = time(split({ pp, microbatches: m }));
      // Each stage works W / p over the iteration; the rest is bubble.
      const busy = whole.totalS / pp;
      const bubble = 1 - busy / c.totalS;
      assert.ok(
        Math.abs(bubble - pipelineBubble(pp, m)) <= 1e-12,
        `pp ${pp}, m ${m}: ${bubble} vs ${pipelineBubble(pp, m)}`,
      );
      assert.ok(c.computeS > c.memoryS, `pp ${pp}, m ${m} compute-bound`);
    }
  }
});

Deno.test("pipeline: micro-batches are capped by the batch's sequences", () => {
  const model = MODELS["Llama-3.1-8B"];
  const two = shape({
    prefillTokens: 4096,
    prefillSequences: 2,
    prefillAttendedTokens: 2 * 2048 * 2049 / 2,
  });
  const m = (microbatches: number) =>
    rooflineStepTime(FREE_LINKS, model, {
      parallel: split({ pp: 4, microbatches }),
      allReduceLatencyS: 0,
    }).iterationTimeS(two);
  // Two sequences cannot make 8 micro-batches: the same as 2.
  assert.equal(m(8), m(2));
  assert.ok(m(2) < m(1));
});

Deno.test("topology: hops and remote nodes follow the placement", () => {
  assert.equal(crossNodeHops(2, 4, 8), 0);
  assert.equal(crossNodeHops(8, 4, 8), 3);
  assert.equal(crossNodeHops(2, 16, 8), 1);
  assert.equal(remoteNodes(8, 8, 8), 0);
  // Two nodes, 8 experts: the token misses the other node only if all 8
  // experts are local, (1/2)^8.
  assert.ok(Math.abs(remoteNodes(8, 16, 8) - (1 - 2 ** -8)) <= 1e-15);
});

const DS = MODELS["DeepSeek-V3"];
const H100 = GPUS["H100-SXM"];
const decodeBatch = (perRank: number, ranks: number, context: number) =>
  shape({
    decodeTokens: perRank * ranks,
    decodeContextTokens: perRank * ranks * context,
  });

Deno.test("a placement that crosses nodes is slower than one within a node", () => {
  const step = (p: Parallelism, gpusPerNode: number) =>
    rooflineStepTime(H100, DS, {
      weightDtype: "fp8",
      parallel: p,
      gpusPerNode,
    }).iterationTimeS(decodeBatch(128, p.dp, 2000));
  // EP16 over two nodes of 8 against one NVLink domain of 16.
  const ep = split({ ep: 16, dp: 16 });
  assert.ok(step(ep, 8) > step(ep, 16), "all-to-all over the NIC");
  // A TP group of 16 rings over the NIC on nodes of 8.
  const tp = split({ tp: 16 });
  assert.ok(step(tp, 8) > step(tp, 16), "all-reduce over the NIC");
  // Two stages of 8: the hop crosses the NIC on nodes of 8.
  const pp = split({ tp: 8, pp: 2 });
  assert.ok(step(pp, 8) > step(pp, 16), "stage hop over the NIC");
  // The NIC's bandwidth is what the crossing costs.
  const nic = (bytesPerS: number) =>
    rooflineStepTime(H100, DS, {
      weightDtype: "fp8",
      parallel: ep,
      gpusPerNode: 8,
      scaleOutBytesPerS: bytesPerS,
    }).iterationTimeS(decodeBatch(128, 16, 2000));
  assert.ok(nic(25e9) > nic(100e9));
});

Deno.test("expert parallelism: imbalance slows the MoE work, and only under ep > 1", () => {
  const step = (p: Parallelism, expertImbalance: number) =>
    rooflineStepTime(H100, DS, {
      weightDtype: "fp8",
      parallel: p,
      expertImbalance,
    }).iterationTimeS(decodeBatch(256, p.dp, 1000));
  const ep = split({ ep: 8, dp: 8 });
  assert.ok(step(ep, 1.5) > step(ep, 1));
  const dpOnly = split({ dp: 8 });
  assert.equal(step(dpOnly, 1.5), step(dpOnly, 1));
});

Deno.test("KV capacity follows the split: DP attention multiplies ranks, pp divides each GPU's share", () => {
  const base = {
    weightDtype: "fp8" as const,
    kvDtype: "bf16" as const,
    gpuMemoryUtilization: 0.9,
    reservedBytes: 1.79 * 2 ** 30,
    maxNumBatchedTokens: 8192,
    maxNumSeqs: 256,
  };
  // DeepSeek-V3 fits 8 H200s at TP 8 or DP 8 (its fp8 weights are 671 GB).
  const H200 = GPUS["H200"];
  const tp8 = kvCapacity(H200, DS, { ...base, tp: 8 });
  const dp8 = kvCapacity(H200, DS, { ...base, tp: 1, dpAttention: 8 });
  assert.ok(tp8.tokens > 0);
  // MLA's latent is whole on every TP GPU: TP 8 keeps one copy per GPU,
  // DP 8 keeps 8 different ranks' tokens.
  assert.equal(dp8.tokens, 8 * dp8.tokensPerRank);
  assert.ok(dp8.tokens > 2 * tp8.tokens, `${dp8.tokens} vs ${tp8.tokens}`);
  // Each rank holds the attention weights whole, the experts an eighth.
  assert.ok(dp8.weightBytesPerGpu > tp8.weightBytesPerGpu);
  const pp2 = kvCapacity(H100, MODELS["Llama-3.1-70B"], {
    ...base,
    weightDtype: "bf16",
    tp: 4,
    pp: 2,
  });
  const tp8dense = kvCapacity(H100, MODELS["Llama-3.1-70B"], {
    ...base,
    weightDtype: "bf16",
    tp: 8,
  });
  // Llama-3.1-70B: 8 KV heads. TP 4 x PP 2 holds each token's KV over 4
  // shards and 2 stages, TP 8 over 8 shards: the same bytes per GPU.
  assert.equal(
    pp2.kvBytesPerTokenPerGpu,
    kvBytesPerToken(MODELS["Llama-3.1-70B"], "bf16") / 8,
  );
  assert.equal(pp2.kvBytesPerTokenPerGpu, tp8dense.kvBytesPerTokenPerGpu);
  assert.ok(Math.abs(pp2.weightBytesPerGpu - tp8dense.weightBytesPerGpu) < 1);
});

const EP_SCENARIO = {
  mode: "disagg",
  batching: "continuous",
  step_time: { kind: "roofline" },
  hardware: { gpu: "H100-SXM", model: "DeepSeek-V3", weight_dtype: "fp8" },
  engine: { preset: "sglang" },
};

Deno.test("the scheduler limits are per attention rank; the pool counts GPUs per instance", () => {
  const s = validateScenario({
    ...EP_SCENARIO,
    cluster_disagg: {
      prefill_gpus: 16,
      prefill_dp_attention: 16,
      prefill_ep: 16,
      decode_gpus: 32,
      decode_dp_attention: 16,
      decode_ep: 16,
      decode: { scheduler: { max_num_seqs: 64 } },
    },
  });
  const plan = planCluster(s);
  assert.deepEqual(plan.pools.map((p) => p.instances), [1, 2]);
  assert.equal(plan.pools[1].parallel.dp, 16);
  const run = simulate({
    ...s,
    num_requests: 200,
    sim_seconds: Infinity,
    warmup_seconds: 0,
  });
  assert.equal(run.summary.decode_max_num_seqs, 64 * 16);
  assert.equal(run.records.count, 200);
  // The summary names each pool's layout.
  assert.equal(run.summary.decode_ep, 16);
  assert.equal(run.summary.decode_dp_attention, 16);
  assert.equal(run.summary.decode_pp, 1);
  assert.equal(run.summary.prefill_ep, 16);
  // A TP-only run's summary has no such keys.
  const tpOnly = simulate({
    ...s,
    cluster_disagg: {
      ...s.cluster_disagg,
      prefill_ep: 1,
      prefill_dp_attention: 1,
      decode_ep: 1,
      decode_dp_attention: 1,
      prefill_tp: 16,
      decode_tp: 16,
    },
    num_requests: 50,
    sim_seconds: Infinity,
    warmup_seconds: 0,
  });
  assert.equal(tpOnly.summary.decode_tp, 16);
  assert.equal("decode_ep" in tpOnly.summary, false);
  assert.equal("prefill_pp" in tpOnly.summary, false);
});

Deno.test("engine time: kernel floors per stage slot, a launch per all-to-all", () => {
  const p = {
    ...ENGINE_PRESETS.get("none").params,
    per_layer_s: 1e-5,
    per_collective_s: 2e-6,
  };
  const decode = shape({ decodeTokens: 64, decodeContextTokens: 64000 });
  // EP 8 over 8 DP ranks, no pipeline: L floors, 2 all-to-alls per MoE layer.
  const ep = engineIterationS(p, {
    tp: 1,
    layers: 61,
    moeLayers: 58,
    parallel: split({ ep: 8, dp: 8 }),
  }, decode);
  assert.ok(Math.abs(ep - (61 * 1e-5 + 2 * 58 * 2e-6)) <= 1e-15);
  // Two stages, 4 micro-batches: 5 slots of half the layers.
  const pp = engineIterationS(p, {
    tp: 1,
    layers: 32,
    parallel: split({ pp: 2, microbatches: 4 }),
  }, decode);
  assert.ok(Math.abs(pp - 5 * 16 * 1e-5) <= 1e-15);
});

const rejects = (raw: Record<string, unknown>, pattern: RegExp) =>
  assert.throws(() => validateScenario(raw), pattern);

Deno.test("constraint errors name the key and the value", () => {
  const disagg = (c: Record<string, unknown>) => ({
    ...EP_SCENARIO,
    cluster_disagg: { prefill_gpus: 8, decode_gpus: 8, ...c },
  });
  rejects(
    disagg({ decode_gpus: 56, decode_dp_attention: 7, decode_ep: 7 }),
    /^InputError: cluster_disagg\.decode_ep: 7 does not divide DeepSeek-V3's 256 experts$/m,
  );
  rejects(
    disagg({ decode_dp_attention: 4, decode_ep: 8 }),
    /cluster_disagg\.decode_ep: 8 does not divide tp x dp_attention = 4/,
  );
  rejects(
    disagg({ prefill_tp: 2, prefill_pp: 3 }),
    /cluster_disagg\.prefill_pp: 2 x 3 x 1 = 6 GPUs per instance \(tp x pp x dp_attention\) must divide the pool's 8 GPUs/,
  );
  rejects(
    disagg({ prefill_gpus: 64, prefill_pp: 64 }),
    /cluster_disagg\.prefill_pp: 64 exceeds DeepSeek-V3's 61 layers/,
  );
  const dense = {
    ...EP_SCENARIO,
    mode: "mono",
    hardware: { gpu: "H100-SXM", model: "Llama-3.1-8B" },
  };
  rejects(
    { ...dense, cluster_mono: { num_gpus: 8, ep: 8, dp_attention: 8 } },
    /cluster_mono\.ep: 8 needs an MoE model \(Llama-3\.1-8B has no routed experts\)/,
  );
  rejects(
    { ...dense, cluster_mono: { num_gpus: 8, dp_attention: 8 } },
    /cluster_mono\.dp_attention: 8 needs an MoE model/,
  );
  rejects(
    {
      ...dense,
      step_time: { kind: "rate" },
      cluster_mono: { num_gpus: 8, pp: 2 },
    },
    /cluster_mono\.pp: needs step_time\.kind: roofline \(a rate step time/,
  );
  rejects(
    { cluster_mono: { num_gpus: 4, pp: 2 } },
    /cluster_mono\.pp: must be 1 with batching: none/,
  );
});

Deno.test("a parallelism key that does nothing is a warning", () => {
  const s = parseScenario(
    [
      "mode: mono",
      "batching: continuous",
      "step_time: {kind: roofline, expert_imbalance: 1.5}",
      "hardware: {gpu: H100-SXM, model: Llama-3.1-8B}",
      "scheduler: {pp_microbatches: 4}",
      "cluster_mono: {num_gpus: 8}",
    ].join("\n"),
  );
  const w = scenarioWarnings(s).join("\n");
  assert.match(
    w,
    /step_time\.expert_imbalance: has no effect without expert parallelism/,
  );
  assert.match(
    w,
    /scheduler\.pp_microbatches: has no effect without pipeline parallelism/,
  );
  const rate = parseScenario(
    "mode: mono\nbatching: continuous\nhardware: {gpu: H100-SXM, model: Llama-3.1-8B, gpus_per_node: 4}\n",
  );
  assert.match(
    scenarioWarnings(rate).join("\n"),
    /hardware\.gpus_per_node: has no effect under step_time\.kind=rate/,
  );
});

Deno.test("CLI: a bad split is one error line and exit code 2", async () => {
  await expectInputError(
    [
      "simulate",
      "--config",
      "examples/deepseek_v3_ep_disagg.yaml",
      "--set",
      "cluster_disagg.decode_ep=7",
    ],
    /cluster_disagg\.decode_ep: 7 does not divide tp x dp_attention = 32/,
  );
});
