import assert from "node:assert/strict";
import { rooflineStepTime } from "../lib/perf/roofline.ts";
import { GPUS, MODELS } from "../lib/perf/catalog.ts";
import { kvBytesPerToken, kvCapacity, kvShards } from "../lib/perf/memory.ts";
import type { IterationShape } from "../lib/perf/step_time.ts";

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

const prefill = (tokens: number) =>
  shape({
    prefillTokens: tokens,
    prefillSequences: 1,
    prefillAttendedTokens: tokens * (tokens + 1) / 2,
  });
const decode = (batch: number, context: number) =>
  shape({ decodeTokens: batch, decodeContextTokens: batch * context });

const relClose = (got: number, want: number, what: string) =>
  assert.ok(
    Math.abs(got - want) <= 1e-12 * Math.abs(want),
    `${what}: ${got} vs ${want}`,
  );

// The hand calculation of docs/model.md ("Roofline: a worked case"), written
// out from Llama-3.1-8B's config.json and the H100-SXM datasheet, not from
// the code under test.
Deno.test("roofline equals the documented hand calculation (Llama-3.1-8B, one H100)", () => {
  const L = 32, h = 4096, n = 32, k = 8, d = 128, f = 14336, V = 128256;
  const attention = h * n * d + 2 * h * k * d + n * d * h; // 41,943,040
  const ffn = 3 * h * f; // 176,160,768
  const layers = L * (attention + ffn); // 6,979,321,856
  const lmHead = V * h; // 525,336,576
  const flopsPerS = 989.5e12 * 0.6;
  const bytesPerS = 3.35e12 * 0.7;
  const weightBytes = 2 * (layers + lmHead); // 15,009,316,864
  const kvPerToken = 2 * L * k * d * 2; // 131,072
  const actPerToken = 2 * (L * (4 * h + 2 * (n + k) * d) + L * 3 * f);
  const pair = L * 2 * n * (d + d); // FLOPs per (query, key) pair

  const m = rooflineStepTime(GPUS["H100-SXM"], MODELS["Llama-3.1-8B"]);

  // A 2,048-token prefill: compute-bound.
  const p = 2048;
  const pFlops = p * 2 * layers + 2 * lmHead + (p * (p + 1) / 2) * pair;
  const pBytes = weightBytes + kvPerToken * p + actPerToken * p;
  const a = { ...m.cost(prefill(p)) };
  relClose(a.flops, pFlops, "prefill FLOPs");
  relClose(a.flops, 29_688_401_494_016, "prefill FLOPs (docs)");
  relClose(a.weightBytes + a.kvBytes + a.activationBytes, pBytes, "bytes");
  relClose(a.totalS, pFlops / flopsPerS, "prefill time");
  assert.ok(a.computeS > a.memoryS);
  assert.equal(a.totalS.toFixed(4), "0.0500");

  // Decode steps at context 1,024: memory-bound.
  for (const [b, docs] of [[1, "0.00646"], [64, "0.01019"]] as const) {
    const ctx = b * 1024;
    const flops = b * (2 * layers + 2 * lmHead) + ctx * pair;
    const bytes = weightBytes + kvPerToken * (ctx + b) + actPerToken * b;
    const c = { ...m.cost(decode(b, 1024)) };
    relClose(c.flops, flops, `decode ${b} FLOPs`);
    relClose(c.totalS, bytes / bytesPerS, `decode ${b} time`);
    assert.ok(c.memoryS > c.computeS);
    assert.equal(c.totalS.toFixed(5), docs);
  }
});

Deno.test("decode steps are nearly flat in batch size at small batches", () => {
  const m = rooflineStepTime(GPUS["H100-SXM"], MODELS["Llama-3.1-8B"]);
  const t1 = m.iterationTimeS(decode(1, 512));
  for (const b of [2, 4, 8, 16]) {
    const tb = m.iterationTimeS(decode(b, 512));
    // Each extra sequence adds only its KV (67 MB at 512 tokens) and
    // activations to the 15 GB of weights every step reads: < 0.5% each.
    assert.ok(tb / t1 < 1 + 0.005 * (b - 1), `batch ${b}: ${tb / t1}`);
  }
  // Per token, larger batches are far cheaper.
  assert.ok(m.iterationTimeS(decode(64, 512)) / 64 < t1 / 20);
});

Deno.test("prefill time grows linearly with tokens once compute-bound", () => {
  const m = rooflineStepTime(GPUS["H100-SXM"], MODELS["Llama-3.1-8B"]);
  // Short prefills ride on the weight reads: nearly free at first.
  assert.ok(
    m.iterationTimeS(prefill(32)) / m.iterationTimeS(prefill(1)) < 1.05,
  );
  // Past the ridge point the time per token settles: the linear layers'
  // FLOPs per token are fixed, attention adds a slowly growing share.
  const perToken = (p: number) => m.iterationTimeS(prefill(p)) / p;
  const linearS = 2 * 6_979_321_856 / (989.5e12 * 0.6);
  for (const p of [1024, 2048, 4096]) {
    assert.ok(perToken(p) >= linearS, `${p}`);
    assert.ok(perToken(p) < linearS * 1.1, `${p}: ${perToken(p) / linearS}`);
  }
  const slope1 = m.iterationTimeS(prefill(2048)) -
    m.iterationTimeS(prefill(1024));
  const slope2 = m.iterationTimeS(prefill(3072)) -
    m.iterationTimeS(prefill(2048));
  assert.ok(Math.abs(slope2 / slope1 - 1) < 0.05, `${slope2 / slope1}`);
});

Deno.test("tensor parallelism splits work and adds all-reduce time", () => {
  const g = GPUS["H100-SXM"], model = MODELS["Llama-3.1-70B"];
  const tp2 = rooflineStepTime(g, model, { tp: 2 });
  const tp4 = rooflineStepTime(g, model, { tp: 4 });
  const tp4free = rooflineStepTime(g, model, {
    tp: 4,
    interconnectEfficiency: 1,
    allReduceLatencyS: 0,
  });
  const c2 = { ...tp2.cost(decode(8, 1000)) };
  const c4 = { ...tp4.cost(decode(8, 1000)) };
  relClose(c4.weightBytes * 2, c2.weightBytes, "weights halve");
  relClose(c4.flops * 2, c2.flops, "FLOPs halve");
  // Two ring all-reduces per layer of 8 tokens x 8192 x 2 bytes, each GPU
  // sending 2 (t-1)/t of it over 450 GB/s x 0.7, plus 10 us latency each.
  const ar = 2 * 80 * (2 * 3 / 4 * 8 * 8192 * 2 / (450e9 * 0.7) + 10e-6);
  relClose(c4.communicationS, ar, "all-reduce");
  assert.ok(tp4free.cost(decode(8, 1000)).communicationS > 0);
  assert.ok(c4.totalS < c2.totalS);
});

Deno.test("MoE: a step reads the experts its tokens touch", () => {
  const m = rooflineStepTime(GPUS["H100-SXM"], MODELS["Mixtral-8x7B"], {
    tp: 2,
  });
  const one = { ...m.cost(decode(1, 100)) };
  const many = { ...m.cost(decode(256, 100)) };
  // One token touches 2 of 8 experts: 8 (1 - (6/8)^1) = 2.
  const expertBytes = 2 * 32 * 3 * 4096 * 14336 / 2;
  const fixed = one.weightBytes - 2 * expertBytes;
  // 256 tokens touch all 8 (within 1e-30).
  relClose(many.weightBytes, fixed + 8 * expertBytes, "all experts");
  assert.ok(fixed > 0 && fixed < 2 * expertBytes);
});

Deno.test("a GPU without the weight type's FLOP/s figure is refused", () => {
  assert.throws(
    () =>
      rooflineStepTime(GPUS["A100-80G"], MODELS["Llama-3.1-8B"], {
        weightDtype: "fp8",
      }),
    /A100-80G has no fp8 FLOP\/s figure/,
  );
});

Deno.test("KV capacity: memory share minus weights, activation peak and non-torch memory", () => {
  const gpu = GPUS["H100-SXM"], model = MODELS["Llama-3.1-8B"];
  const base = {
    tp: 1,
    weightDtype: "bf16",
    kvDtype: "bf16",
    gpuMemoryUtilization: 0.9,
    reservedBytes: 1.79 * 2 ** 30,
    maxNumBatchedTokens: 8192,
    maxNumSeqs: 256,
  } as const;
  const c = kvCapacity(gpu, model, base);
  // Embedding, 32 layers and LM head (norm weights ignored) x 2 bytes.
  const weights = 2 * (2 * 525_336_576 + 6_979_321_856);
  assert.equal(c.weightBytesPerGpu, weights);
  // The sampler's 256 x 128256 logits set the peak (41 bytes each), not
  // the FFN's 8192 x 2 x (2 x 4096 + 3 x 14336) bytes.
  assert.equal(c.activationPeakBytes, 256 * 128256 * 41);
  assert.ok(8192 * 2 * (2 * 4096 + 3 * 14336) < c.activationPeakBytes);
  assert.equal(
    c.tokens,
    Math.floor(
      (79.22 * 2 ** 30 * 0.9 - weights - 256 * 128256 * 41 -
        1.79 * 2 ** 30) / 131072,
    ),
  );
  // vLLM's log for Meta-Llama-3-8B on an H100 at 0.9 (PR #10511): weights
  // 14.96 GiB, activation peak 1.26 GiB, KV cache 53.29 GiB.
  const gib = (x: number) => x / 2 ** 30;
  assert.ok(Math.abs(gib(c.weightBytesPerGpu) - 14.96) < 0.01);
  assert.ok(Math.abs(gib(c.activationPeakBytes) - 1.26) < 0.01);
  assert.ok(Math.abs(gib(c.kvBytesPerGpu) - 53.29) < 0.02);
  // TP 2 doubles the non-torch memory (3.58 GiB in the same log).
  const tp2 = kvCapacity(gpu, model, { ...base, tp: 2 });
  assert.ok(Math.abs(gib(tp2.nonTorchBytes) - 3.58) < 0.01);
  // fp8 KV doubles the tokens that fit in the same bytes.
  const fp8 = kvCapacity(gpu, model, { ...base, kvDtype: "fp8" });
  assert.ok(Math.abs(fp8.tokens - 2 * c.tokens) <= 1);
  // 70B has 8 KV heads: TP 8 splits them, TP 16 replicates each twice.
  const m70 = MODELS["Llama-3.1-70B"];
  assert.equal(kvShards(m70, 8), 8);
  assert.equal(kvShards(m70, 16), 8);
  assert.equal(kvBytesPerToken(m70, "bf16"), 2 * 80 * 8 * 128 * 2);
  // DeepSeek-V3 caches its MLA latent: 61 x 576 elements per token.
  assert.equal(kvBytesPerToken(MODELS["DeepSeek-V3"], "bf16"), 61 * 576 * 2);
  // 70B in bf16 does not fit on one H100.
  assert.equal(kvCapacity(gpu, m70, base).tokens, 0);
});

Deno.test("KV capacity against a logged block count it was not derived from", () => {
  // vLLM PR #2031: Llama-2-7B on one A100-80GB at 0.9 reports "# GPU
  // blocks: 7351" (16-token blocks); V0's profile ran max_num_batched_tokens
  // = max_model_len = 4096 and 256 sequences.
  const c = kvCapacity(GPUS["A100-80G"], MODELS["Llama-2-7B"], {
    tp: 1,
    weightDtype: "fp16",
    kvDtype: "fp16",
    gpuMemoryUtilization: 0.9,
    reservedBytes: 1.79 * 2 ** 30,
    maxNumBatchedTokens: 4096,
    maxNumSeqs: 256,
  });
  const blocks = Math.floor(c.tokens / 16);
  assert.ok(Math.abs(blocks - 7351) / 7351 < 0.02, String(blocks));
});
