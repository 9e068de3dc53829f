// Recomputes every llmsim figure and error in docs/validation.md, so the
// page can never drift from the code: each table row (cells compared after
// trimming, so table padding does not matter) and each summary line (after
// collapsing whitespace, so prose wrapping does not matter) must be in it.
import { decode, prefill } from "./_shapes.ts";
import assert from "node:assert/strict";
import {
  activeParameterCount,
  type DType,
  DTYPE_BYTES,
  ENGINE_PRESETS,
  engineIterationS,
  GPUS,
  kvBytesPerToken,
  kvCapacity,
  MODELS,
  parameterBreakdown,
  parameterCount,
  rooflineStepTime,
  simulate,
  type StepTimeModel,
  validateScenario,
  withEngine,
} from "../mod.ts";

const page = await Deno.readTextFile(
  new URL("../docs/validation.md", import.meta.url),
);
const pageRows = new Set(
  page.split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("|"))
    .map((line) =>
      line.split("|").slice(1, -1).map((cell) => cell.trim()).join(" | ")
    ),
);
const pageText = page.replace(/\s+/g, " ");

/** Fails listing every row and line the page lacks, as the page should print them. */
function assertPage(rows: string[][], lines: string[] = []): void {
  const missing = [
    ...rows.map((r) => r.join(" | ")).filter((r) => !pageRows.has(r))
      .map((r) => `| ${r} |`),
    ...lines.filter((l) => !pageText.includes(l)),
  ];
  assert.deepEqual(missing, [], "not in docs/validation.md");
}

// Formats, exactly as the page prints them.
const f2 = (x: number) => x.toFixed(2);
/** A signed percentage with one decimal, "+10.6%", "-2.4%", "0.0%". */
function pct(x: number): string {
  const r = (100 * x).toFixed(1);
  if (Number(r) === 0) return "0.0%";
  return r.startsWith("-") ? `${r}%` : `+${r}%`;
}
const err = (llmsim: number, measured: number) =>
  (llmsim - measured) / measured;
/** Median absolute error, "16.1%". */
function medianAbs(errors: number[]): string {
  const a = errors.map(Math.abs).sort((x, y) => x - y);
  const m = a.length % 2
    ? a[(a.length - 1) / 2]
    : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  return `${(100 * m).toFixed(1)}%`;
}
/** Seconds as milliseconds, shortest exact form: 4e-3 -> "4", 0.58e-3 -> "0.58". */
const ms = (s: number) => String(Number((s * 1000).toPrecision(6)));
/** Seconds as microseconds, the same way. */
const us = (s: number) => String(Number((s * 1e6).toPrecision(6)));

/** The roofline at a preset's kernel efficiencies, alone and with its engine time. */
function models(
  preset: string,
  gpu: string,
  model: string,
  tp: number,
  weightDtype: DType,
  kvDtype: DType,
): { gpu: StepTimeModel; engine: StepTimeModel } {
  const p = ENGINE_PRESETS.get(preset).params;
  const roofline = rooflineStepTime(GPUS[gpu], MODELS[model], {
    tp,
    weightDtype,
    kvDtype,
    computeEfficiency: p.compute_efficiency[weightDtype],
    memoryEfficiency: p.memory_efficiency,
  });
  return {
    gpu: roofline,
    engine: withEngine(roofline, p, {
      tp,
      layers: MODELS[model].num_layers,
    }),
  };
}

/**
 * A `benchmark_latency` run: one prefill of batch x prompt tokens, then
 * output - 1 decode steps (step i reads prompt + i tokens); seconds per
 * output token.
 */
function perTokenS(
  m: StepTimeModel,
  batch: number,
  prompt: number,
  output: number,
): number {
  let s = m.iterationTimeS(prefill(batch, prompt));
  for (let i = 1; i < output; i++) {
    s += m.iterationTimeS(decode(batch, prompt + i));
  }
  return s / output;
}

const GiB = 2 ** 30;
const v0 = ENGINE_PRESETS.get("vllm-v0").params;
const v1 = ENGINE_PRESETS.get("vllm-v1").params;
const sg = ENGINE_PRESETS.get("sglang").params;
const trt = ENGINE_PRESETS.get("trtllm").params;
// The scenario's default memory outside PyTorch (hardware.reserved_bytes).
const reservedBytes = validateScenario({
  batching: "continuous",
  step_time: { kind: "roofline" },
  hardware: { gpu: "H100-SXM", model: "Llama-3.1-8B" },
}).hardware!.reserved_bytes;

/** What one group of the page shows: table rows, summary lines, errors. */
interface Group {
  rows: string[][];
  lines: string[];
  errors: Record<string, number[]>;
}

/** Computes a group once, for its own test and for the summary's. */
function once(compute: () => Group): () => Group {
  let group: Group | undefined;
  return () => group ??= compute();
}

Deno.test("validation A1: vllm-v0's host time against Vidur's measured vLLM", () => {
  // [model, TP, batch, SCHEDULE, SAMPLER_E2E, PREPARE_INPUTS_E2E,
  //  PROCESS_MODEL_OUTPUTS (means), RAY_COMM_TIME (median, TP > 1)], ms
  const rows: [string, number, number, number[]][] = [
    ["Llama-2-7B", 1, 8, [0.1648, 0.8792, 0.3521, 1.5873]],
    ["Llama-2-7B", 1, 32, [0.5190, 1.0735, 0.8067, 5.4006]],
    ["Llama-2-7B", 1, 64, [0.8541, 1.3195, 1.3231, 9.0616]],
    ["Llama-2-7B", 2, 8, [0.1842, 1.1241, 0.4422, 1.6879, 3.0626]],
    ["Llama-2-7B", 2, 64, [0.9609, 1.6255, 1.4605, 9.5863, 6.4905]],
    ["Llama-2-7B", 4, 8, [0.2005, 1.1487, 0.4341, 1.7859, 3.1255]],
    ["Llama-2-7B", 4, 64, [1.0234, 1.8460, 1.5453, 9.9232, 8.3419]],
    ["Llama-2-70B", 4, 8, [0.1910, 1.1825, 0.4363, 1.8098, 3.0538]],
    ["Llama-2-70B", 4, 64, [1.0329, 1.8363, 1.5554, 10.2049, 8.4875]],
  ];
  const residuals: number[] = [];
  const table = rows.map(([model, tp, batch, parts]) => {
    const measured = parts.reduce((a, b) => a + b, 0);
    // Host time only: the per-layer kernel floor is GPU time.
    const llmsim = 1000 * engineIterationS({ ...v0, per_layer_s: 0 }, {
      tp,
      layers: MODELS[model].num_layers,
    }, decode(batch, 100));
    residuals.push(err(llmsim, measured));
    return [
      model,
      String(tp),
      String(batch),
      parts.map((x) => x.toFixed(4)).join(" + "),
      f2(measured),
      f2(llmsim),
      pct(err(llmsim, measured)),
    ];
  });
  assertPage(table, [
    `Median absolute residual: ${medianAbs(residuals)} (9 rows)`,
    `\`iteration_s\` = ${ms(v0.iteration_s)} ms, \`per_seq_s\` = ${
      ms(v0.per_seq_s)
    } ms, \`tp_sync_s\` = ${ms(v0.tp_sync_s)} ms, \`tp_sync_per_seq_s\` = ${
      ms(v0.tp_sync_per_seq_s)
    } ms`,
  ]);
});

Deno.test("validation A2: KV memory against vLLM's start-up log (PR #10511)", () => {
  const gpu = GPUS["H100-SXM"];
  const c = kvCapacity(gpu, MODELS["Llama-3.1-8B"], {
    tp: 1,
    weightDtype: "bf16",
    kvDtype: "bf16",
    gpuMemoryUtilization: 0.9,
    reservedBytes,
    maxNumBatchedTokens: 8192,
    maxNumSeqs: 256,
  });
  const rows: [string, number, number][] = [
    ["total memory (catalog `H100-SXM`)", 79.22, gpu.memory_bytes / GiB],
    ["usable at 0.90", 71.29, 0.9 * gpu.memory_bytes / GiB],
    ["model weights", 14.96, c.weightBytesPerGpu / GiB],
    ["activation peak", 1.26, c.activationPeakBytes / GiB],
    ["non-torch memory", 1.79, c.nonTorchBytes / GiB],
    ["KV cache", 53.29, c.kvBytesPerGpu / GiB],
  ];
  assertPage(
    rows.map(([what, log, llmsim]) => [
      what,
      f2(log),
      f2(llmsim),
      pct(err(llmsim, log)),
    ]),
  );
});

Deno.test("validation A3-A5: kernel figures, V1's step gap, per-request and overlap figures", () => {
  // The engines share the kernel efficiencies; vllm-v0 stands for them.
  const p = v0;
  const gptFast = 1000 *
    models("vllm-v0", "A100-80G", "Llama-2-7B", 1, "bf16", "bf16")
      .gpu.iterationTimeS(decode(1, 105));
  const trt7 = 1000 *
    models("vllm-v0", "A100-80G", "Llama-2-7B", 1, "fp16", "fp16")
      .gpu.iterationTimeS(prefill(1, 2048));
  const trt70 = 1000 *
    models("vllm-v0", "A100-80G", "Llama-2-70B", 4, "fp16", "fp16")
      .gpu.iterationTimeS(prefill(1, 2048));
  const v1Gap = 1000 *
    engineIterationS({ ...v1, per_layer_s: 0 }, {
      tp: 1,
      layers: 32,
    }, decode(256, 100));
  // One layer of Llama-2-70B on an H100 at TP 8, one token: the roofline's
  // time to read its matrices, and the measured small kernels.
  const b = parameterBreakdown(MODELS["Llama-2-70B"]);
  const layerMatmulS = (b.attentionPerLayer + b.denseFfnPerLayer) *
    DTYPE_BYTES.bf16 / 8 /
    (GPUS["H100-SXM"].memory_bandwidth_bytes_per_s * p.memory_efficiency);
  const smallKernelsUs = 6 + 6 + 2 + 2 + 2 * 1;
  const mamf = 0.6 * 70.9 / 80.3;
  assert.equal(p.compute_efficiency.fp8, Number(mamf.toFixed(2)));
  for (const q of [v1, sg, trt]) {
    assert.deepEqual(q.compute_efficiency, p.compute_efficiency);
    assert.equal(q.memory_efficiency, p.memory_efficiency);
    assert.equal(q.per_layer_s, p.per_layer_s);
  }
  const same = [v0, v1, sg, trt].map((q) => q.per_collective_s);
  assert.deepEqual(same, [0, 0, 0, 0]);
  assertPage([
    [
      "[gpt-fast README](https://github.com/pytorch-labs/gpt-fast)",
      "Llama-2-7B bf16, 1 A100-80G, batch 1 decode (context 105)",
      "9.53 ms",
      `${f2(gptFast)} ms`,
      pct(err(gptFast, 9.53)),
      `\`memory_efficiency\` ${p.memory_efficiency}`,
    ],
    [
      "[TensorRT-LLM v0.5 performance](https://github.com/NVIDIA/TensorRT-LLM/blob/release/0.5.0/docs/source/performance.md)",
      "Llama-2-7B fp16, 1 A100-80G, first token of a 2,048-token prompt",
      "133 ms",
      `${f2(trt7)} ms`,
      pct(err(trt7, 133)),
      `\`compute_efficiency\` bf16 / fp16 ${p.compute_efficiency.bf16}`,
    ],
    [
      "same",
      "Llama-2-70B fp16, 4 A100-80G TP 4, 2,048-token prompt",
      "377 ms",
      `${f2(trt70)} ms`,
      pct(err(trt70, 377)),
      "same",
    ],
    [
      "[Vidur mlp.csv](https://github.com/microsoft/vidur/blob/683364e91288ede0309a60a00773d230e6aead44/data/profiling/compute/h100/meta-llama/Llama-2-70b-hf/mlp.csv)",
      "vLLM, Llama-2-70B, one H100 of TP 8, 1 token: one layer's 4 matrix multiplies (medians 13 + 9 + 43.5 + 22 us)",
      "87.5 us",
      `${(1e6 * layerMatmulS).toFixed(1)} us`,
      pct(err(1e6 * layerMatmulS, 87.5)),
      "a check of `memory_efficiency` on H100",
    ],
    [
      "same",
      "the same layer's small kernels (medians): norms 6 + 6, rotary 2, activation 2, adds 2 x 1 us",
      `${smallKernelsUs} us`,
      `${us(p.per_layer_s)} us`,
      pct(err(1e6 * p.per_layer_s, smallKernelsUs)),
      `\`per_layer_s\` ${us(p.per_layer_s)} us`,
    ],
    [
      "[vLLM issue #10634](https://github.com/vllm-project/vllm/issues/10634)",
      "early V1, Llama-2-7B, ShareGPT, batch 256: gap between two decode steps",
      "5-6 ms",
      `${f2(v1Gap)} ms`,
      `${pct(err(v1Gap, 5.5))} (against 5.5)`,
      `vllm-v1 host terms: \`iteration_s\` + 256 x \`per_seq_s\` (${
        ms(v1.per_seq_s)
      } ms)`,
    ],
    [
      "[vLLM PR #11133](https://github.com/vllm-project/vllm/pull/11133)",
      "the same with scheduling made asynchronous",
      "150-170 us",
      `${ms(v1.iteration_s)} ms`,
      `${pct(err(v1.iteration_s * 1e6, 160))} (against 160)`,
      "vllm-v1 `iteration_s`",
    ],
  ]);
  assertPage([
    [
      'vLLM online vs offline TTFT, same model and batch: +4 ms "from HTTP server + ZMQ latency"',
      "[tt-inference-server #190](https://github.com/tenstorrent/tt-inference-server/issues/190)",
      `vllm-v0, vllm-v1 \`request_s\` ${ms(v0.request_s)} / ${
        ms(v1.request_s)
      } ms; trtllm ${
        ms(trt.request_s)
      } ms (borrowed: not measured for TensorRT-LLM)`,
    ],
    [
      "SGLang's overlap scheduler on by default: CI median TTFT bound 80 -> 86 ms",
      "[SGLang PR #2067](https://github.com/sgl-project/sglang/pull/2067)",
      `sglang \`request_s\` ${
        ms(sg.request_s)
      } ms (4 ms HTTP + 6 ms overlap delay)`,
    ],
    [
      'SGLang v0.4 Nsight profile: "no single idle time on the GPU" across 5 decode batches',
      "[SGLang v0.4 blog](https://lmsys.org/blog/2024-12-04-sglang-v0-4/)",
      `sglang \`iteration_s\` ${ms(sg.iteration_s)}, \`per_seq_s\` ${
        ms(sg.per_seq_s)
      }, \`tp_sync_s\` ${ms(sg.tp_sync_s)}`,
    ],
    [
      "TensorRT-LLM PyTorch backend, Llama-3.1-8B fp8, B200, concurrency 64: ~580 us per iteration of exposed host time",
      "[TensorRT-LLM #13957](https://github.com/NVIDIA/TensorRT-LLM/issues/13957)",
      `trtllm \`iteration_s\` ${ms(trt.iteration_s)} ms`,
    ],
    [
      "32 KB all-reduce on H100 at TP 2 / 4 / 8: vLLM custom 8.7 / 9.2 / 11.8 us, SGLang 4.5 / 4.8 / 7.8 us",
      "[SGLang PR #2904](https://github.com/sgl-project/sglang/pull/2904)",
      `\`per_collective_s\` ${
        ms(v0.per_collective_s)
      } in every preset (the roofline's 10 us all-reduce latency covers it)`,
    ],
    [
      "largest matmul throughput on H100 SXM: bf16 794.5 of 989 TFLOP/s (80.3%), fp8 1,402.6 of 1,979 (70.9%)",
      "[stas00/ml-engineering, MAMF table](https://github.com/stas00/ml-engineering/tree/master/compute/accelerator#maximum-achievable-matmul-flops-comparison-table)",
      `\`compute_efficiency\` fp8 ${p.compute_efficiency.fp8} = ${p.compute_efficiency.bf16} x 70.9 / 80.3 (${
        mamf.toFixed(3)
      })`,
    ],
  ]);
});

Deno.test("validation A6: catalog and default memory figures", () => {
  const m = MODELS["Llama-3.1-8B"];
  const c = kvCapacity(GPUS["H100-SXM"], m, {
    tp: 1,
    weightDtype: "bf16",
    kvDtype: "bf16",
    gpuMemoryUtilization: 0.9,
    reservedBytes,
    maxNumBatchedTokens: 8192,
    maxNumSeqs: 256,
  });
  const perLogit = c.activationPeakBytes / (256 * m.vocab_size);
  assertPage([
    [
      '`GPUS["H100-SXM"].memory_bytes`',
      `${f2(GPUS["H100-SXM"].memory_bytes / GiB)} GiB`,
      'vLLM\'s start-up log on an H100-80G: "total_gpu_memory 79.22GiB"',
      "[vLLM PR #10511](https://github.com/vllm-project/vllm/pull/10511), [PR #12126](https://github.com/vllm-project/vllm/pull/12126)",
    ],
    [
      '`GPUS["A100-80G"].memory_bytes`',
      `${f2(GPUS["A100-80G"].memory_bytes / GiB)} GiB`,
      'PyTorch out-of-memory message on an A100 80GB: "79.25 GiB total capacity"',
      "[levihsu/OOTDiffusion #235](https://github.com/levihsu/OOTDiffusion/issues/235)",
    ],
    [
      "`hardware.reserved_bytes` default",
      `${f2(reservedBytes / GiB)} GiB`,
      '"non_torch_memory 1.79GiB" (Llama-3-8B, H100, TP 1)',
      "[vLLM PR #10511](https://github.com/vllm-project/vllm/pull/10511)",
    ],
    [
      "sampler bytes per logit in the activation peak",
      String(perLogit),
      `"PyTorch activation peak memory 1.26GiB" / (256 sequences x 128,256 logits) = ${
        (1.26 * GiB / (256 * 128256)).toFixed(1)
      }`,
      "[vLLM PR #10511](https://github.com/vllm-project/vllm/pull/10511)",
    ],
  ]);
});

// A6, second table: the catalog's large models, their implied parameter
// counts against the reported ones, and KV bytes per token in bf16.
Deno.test("validation A6: catalog models' parameters and KV bytes per token", () => {
  const b = (x: number) => `${(x / 1e9).toFixed(2)}B`;
  const rows = [
    "DeepSeek-V3",
    "Qwen3-235B-A22B",
    "Qwen3-30B-A3B",
    "Llama-4-Scout-17B-16E",
    "Llama-4-Maverick-17B-128E",
    "gpt-oss-120b",
  ].map((name) => {
    const m = MODELS[name];
    const total = parameterCount(m);
    // gpt-oss's model card counts active parameters without the embedding.
    const active = activeParameterCount(m) -
      (name === "gpt-oss-120b" ? parameterBreakdown(m).embedding : 0);
    return [
      `\`${name}\``,
      `${b(total)} / ${b(m.params_reported)} (${
        pct(err(total, m.params_reported))
      })`,
      `${b(active)} / ${b(m.params_active_reported!)} (${
        pct(err(active, m.params_active_reported!))
      })`,
      String(kvBytesPerToken(m, "bf16")),
    ];
  });
  assertPage(rows);
});

// B1: vLLM CI, batch 8, 32 in / 128 out, mean end-to-end latency (ms).
const stepGroups = once(() => {
  const ci: [string, string, number, string, number][] = [
    ["A100-80G", "Llama-3.1-8B", 1, "9523", 1579.27],
    ["H100-SXM", "Llama-3.1-8B", 1, "9555", 997.542],
    ["H200", "Llama-3.1-8B", 1, "9513", 834.059],
    ["A100-80G", "Llama-3.1-70B", 4, "9523", 3990.59],
    ["H100-SXM", "Llama-3.1-70B", 4, "9555", 2444.47],
    ["H200", "Llama-3.1-70B", 4, "9513", 2075.08],
  ];
  const b1: number[] = [];
  const b1Alone: number[] = [];
  const b1Rows = ci.map(([gpu, model, tp, build, latencyMs]) => {
    const m = models("vllm-v0", gpu, model, tp, "bf16", "bf16");
    const measured = latencyMs / 128;
    const alone = 1000 * perTokenS(m.gpu, 8, 32, 128);
    const llmsim = 1000 * perTokenS(m.engine, 8, 32, 128);
    b1.push(err(llmsim, measured));
    b1Alone.push(err(alone, measured));
    return [
      `${model === "Llama-3.1-8B" ? "Llama-3.1-8B" : "Llama-3-70B"} TP ${tp}`,
      `${gpu} (build ${build})`,
      `${latencyMs} / 128 = ${f2(measured)}`,
      f2(alone),
      f2(llmsim),
      pct(err(llmsim, measured)),
    ];
  });

  // B2: QwQ-32B bf16 on A100-80G, vLLM 0.7.2 V0, input 1, output 200 (s).
  const qwq: [number, number, number][] = [
    [1, 2, 5.50],
    [1, 4, 3.91],
    [1, 8, 3.15],
    [16, 2, 6.07],
    [16, 4, 4.77],
    [16, 8, 4.25],
  ];
  const b2: number[] = [];
  const b2Rows = qwq.map(([batch, tp, latencyS]) => {
    const m = models("vllm-v0", "A100-80G", "QwQ-32B", tp, "bf16", "bf16");
    const measured = 1000 * latencyS / 200;
    const alone = 1000 * perTokenS(m.gpu, batch, 1, 200);
    const llmsim = 1000 * perTokenS(m.engine, batch, 1, 200);
    b2.push(err(llmsim, measured));
    return [
      String(batch),
      String(tp),
      `${latencyS.toFixed(2)} s / 200 = ${f2(measured)}`,
      f2(alone),
      f2(llmsim),
      pct(err(llmsim, measured)),
    ];
  });

  // B3: Llama-3-70B fp8 (KV bf16) on 4 H100, TPOT at 128 input tokens.
  const b3: number[] = [];
  const b3Rows = ([[1, 19], [32, 25]] as const).map(([batch, tpot]) => {
    const m = models("vllm-v0", "H100-SXM", "Llama-3.1-70B", 4, "fp8", "bf16");
    const alone = 1000 * m.gpu.iterationTimeS(decode(batch, 228));
    const llmsim = 1000 * m.engine.iterationTimeS(decode(batch, 228));
    b3.push(err(llmsim, tpot));
    return [
      String(batch),
      String(tpot),
      f2(alone),
      f2(llmsim),
      pct(err(llmsim, tpot)),
    ];
  });

  return {
    rows: [...b1Rows, ...b2Rows, ...b3Rows],
    lines: [
      `B1 median absolute error: ${medianAbs(b1)} (6 rows)`,
      `B2 median absolute error: ${medianAbs(b2)} (6 rows)`,
      `B3 median absolute error: ${medianAbs(b3)} (2 rows)`,
    ],
    errors: { B1: b1, "B1 roofline alone": b1Alone, B2: b2, B3: b3 },
  };
});

// B4: GPU blocks vLLM logged at start-up (PR #2031), fp16, block size 16.
const blockGroup = once(() => {
  const cases: [string, string, number, number][] = [
    ["Llama-2-7B", "1 A100-80G", 1, 7351],
    ["Llama-2-70B", "4 A100-80G, TP 4", 4, 20865],
  ];
  const b4: number[] = [];
  const rows = cases.map(([model, where, tp, blocks]) => {
    const c = kvCapacity(GPUS["A100-80G"], MODELS[model], {
      tp,
      weightDtype: "fp16",
      kvDtype: "fp16",
      gpuMemoryUtilization: 0.9,
      reservedBytes,
      maxNumBatchedTokens: 4096,
      maxNumSeqs: 256,
    });
    const llmsim = Math.floor(c.tokens / 16);
    b4.push(err(llmsim, blocks));
    return [
      `${model} fp16, ${where}`,
      String(blocks),
      String(llmsim),
      pct(err(llmsim, blocks)),
    ];
  });
  return {
    rows,
    lines: [
      `B4 median absolute error: ${medianAbs(b4)} (2 rows)`,
      `where llmsim keeps 2 x ${f2(reservedBytes / GiB)} GiB`,
    ],
    errors: { B4: b4 },
  };
});

type Engine = "sglang" | "vllm-v0";

/** A ShareGPT serving run as the SGLang benchmark ran it (docs/validation.md, B5). */
function serving(
  engine: Engine,
  gpu: string,
  model: string,
  tp: number,
  ratePerS: number | null,
) {
  const sglang = engine === "sglang";
  return simulate(validateScenario({
    mode: "mono",
    batching: "continuous",
    // At a rate: 300 s, the benchmark's 1,200 / 2,400 prompts at 4 / 8 req/s.
    // Saturated: 5,000 requests, one every microsecond.
    sim_seconds: ratePerS === null ? 0.0050005 : 300,
    warmup_seconds: 0,
    random_seed: 1,
    arrival: ratePerS === null
      ? { process: "deterministic", rate_per_s: 1e6 }
      : { rate_per_s: ratePerS },
    prompt_tokens: { mode: "real_mean_std", mean: 202, std: 202, min_value: 4 },
    output_tokens: { mode: "real_mean_std", mean: 179, std: 179, min_value: 1 },
    hardware: { gpu, model, gpu_memory_utilization: sglang ? 0.88 : 0.9 },
    step_time: { kind: "roofline" },
    cluster_mono: { num_gpus: tp, tp },
    scheduler: sglang
      ? {
        policy: "prefill_first",
        max_num_batched_tokens: 8192,
        max_num_seqs: 2048,
      }
      : {
        policy: "prefill_first",
        max_num_batched_tokens: 4096,
        max_num_seqs: 256,
        max_model_len: 4096,
      },
    engine: { preset: engine },
  })).summary;
}

const label = (e: Engine) =>
  e === "sglang" ? "SGLang v0.3.0 (`sglang`)" : "vLLM 0.6.0 (`vllm-v0`)";

// B5: SGLang's benchmark/benchmark_vllm_060 README, medians in ms.
const servingGroup = once(() => {
  const a100 = [
    "Llama-3.1-8B, 1 A100-80G",
    "A100-80G",
    "Llama-3.1-8B",
    1,
  ] as const;
  const h100 = [
    "Llama-3.1-70B, 4 H100 TP 4",
    "H100-SXM",
    "Llama-3.1-70B",
    4,
  ] as const;
  // [setup, engine, rate, median TTFT, median TPOT]
  const rated: [typeof a100 | typeof h100, Engine, number, number, number][] = [
    [a100, "sglang", 4, 31.98, 13.17],
    [a100, "sglang", 8, 35.68, 17.85],
    [a100, "vllm-v0", 4, 100.48, 14.14],
    [a100, "vllm-v0", 8, 120.39, 17.09],
    [h100, "sglang", 4, 53.94, 25.03],
    [h100, "sglang", 8, 58.11, 33.07],
    [h100, "vllm-v0", 4, 179.15, 23.58],
    [h100, "vllm-v0", 8, 207.12, 29.15],
  ];
  // [setup, engine, requests/s at rate inf, 5,000 prompts]
  const saturated: [typeof a100 | typeof h100, Engine, number][] = [
    [a100, "sglang", 22.03],
    [a100, "vllm-v0", 21.27],
    [h100, "sglang", 19.84],
    [h100, "vllm-v0", 19.04],
  ];
  const errors: Record<Engine, Record<string, number[]>> = {
    sglang: { ttft: [], tpot: [], rate: [] },
    "vllm-v0": { ttft: [], tpot: [], rate: [] },
  };
  const rows: string[][] = [];
  for (const [[setup, gpu, model, tp], engine, rate, ttft, tpot] of rated) {
    const s = serving(engine, gpu, model, tp, rate);
    const ttftMs = 1000 * (s.p50_ttft_s as number);
    const tpotMs = 1000 * (s.p50_tpot_s as number);
    errors[engine].ttft.push(err(ttftMs, ttft));
    errors[engine].tpot.push(err(tpotMs, tpot));
    rows.push([
      setup,
      label(engine),
      String(rate),
      f2(ttft),
      f2(ttftMs),
      pct(err(ttftMs, ttft)),
      f2(tpot),
      f2(tpotMs),
      pct(err(tpotMs, tpot)),
    ]);
  }
  for (const [[setup, gpu, model, tp], engine, measured] of saturated) {
    const s = serving(engine, gpu, model, tp, null);
    // What the benchmark reports: completed requests / duration.
    assert.equal(s.num_samples, 5000);
    const rps = 5000 / (s.elapsed_s as number);
    errors[engine].rate.push(err(rps, measured));
    rows.push([
      setup,
      label(engine),
      f2(measured),
      f2(rps),
      pct(err(rps, measured)),
    ]);
  }
  const all = (e: Engine) => [
    ...errors[e].ttft,
    ...errors[e].tpot,
    ...errors[e].rate,
  ];
  return {
    rows,
    lines: (["sglang", "vllm-v0"] as const).map((e) =>
      `${label(e)} median absolute error: TTFT ${
        medianAbs(errors[e].ttft)
      }, TPOT ${medianAbs(errors[e].tpot)}, saturating rate ${
        medianAbs(errors[e].rate)
      }; all 10 figures ${medianAbs(all(e))}`
    ),
    errors: {
      "B5 sglang": all("sglang"),
      "B5 vllm-v0": all("vllm-v0"),
      ...Object.fromEntries(
        (["sglang", "vllm-v0"] as const).flatMap((e) =>
          Object.entries(errors[e]).map(([k, v]) => [`${e} ${k}`, v])
        ),
      ),
    },
  };
});

const every = (xs: number[], ok: (x: number) => boolean) => xs.every(ok);

Deno.test("validation B1-B3: vllm-v0 step times against vLLM latency benchmarks", () => {
  const g = stepGroups();
  assertPage(g.rows, g.lines);
  // What the page says of them.
  assert.ok(every(g.errors.B1, (e) => e > 0), "B1: too slow on every GPU");
  assert.ok(every(g.errors["B1 roofline alone"], (e) => e < 0), "B1 alone");
  const [tp2, , tp8, tp2b16, , tp8b16] = g.errors.B2;
  assert.ok(tp2 > 0 && tp2b16 > 0, "B2: too slow at TP 2");
  assert.ok(tp8 < 0 && tp8b16 < 0, "B2: too fast at TP 8");
});

Deno.test("validation B4: KV blocks against vLLM's log (PR #2031)", () => {
  const g = blockGroup();
  assertPage(g.rows, g.lines);
  const [one, four] = g.errors.B4;
  assert.ok(
    Math.abs(one) < 0.05 && four > 0.2,
    "B4: close on one GPU, over at TP 4",
  );
});

Deno.test("validation B5: ShareGPT serving against SGLang's benchmark_vllm_060", () => {
  const g = servingGroup();
  assertPage(g.rows, g.lines);
  const e = g.errors;
  assert.ok(every([...e["sglang ttft"], ...e["sglang tpot"]], (x) => x < 0));
  assert.ok(every(e["sglang rate"], (x) => Math.abs(x) < 0.1));
  assert.ok(every(e["vllm-v0 ttft"], (x) => x < -0.5));
  assert.ok(every(e["vllm-v0 tpot"], (x) => x > 0));
  assert.ok(every(e["vllm-v0 rate"], (x) => x < 0));
});

Deno.test("validation: the summary table of B groups", () => {
  const errors = {
    ...stepGroups().errors,
    ...blockGroup().errors,
    ...servingGroup().errors,
  };
  const names: [string, string][] = [
    ["B1", "B1. vLLM CI latency, batch 8 (`vllm-v0`)"],
    ["B2", "B2. QwQ-32B across TP (`vllm-v0`)"],
    ["B3", "B3. Llama-3-70B fp8 TPOT (`vllm-v0`)"],
    ["B4", "B4. KV blocks at start-up"],
    ["B5 sglang", "B5. ShareGPT serving, SGLang v0.3.0 (`sglang`)"],
    ["B5 vllm-v0", "B5. ShareGPT serving, vLLM 0.6.0 (`vllm-v0`)"],
  ];
  assertPage(names.map(([key, name]) => {
    const e = errors[key as keyof typeof errors];
    return [name, String(e.length), medianAbs(e)];
  }));
});

Deno.test("the README's fidelity sentence quotes docs/validation.md's summary", async () => {
  const page = await Deno.readTextFile(
    new URL("../docs/validation.md", import.meta.url),
  );
  const readme = (await Deno.readTextFile(
    new URL("../README.md", import.meta.url),
  )).replace(/\s+/g, " ");
  const summary = page.slice(page.indexOf("### Summary"));
  const rows = summary.split("\n").filter((l) => /^\| B[0-9]/.test(l));
  assert.ok(rows.length >= 5);
  for (const row of rows) {
    if (row.includes("KV blocks")) continue; // not quoted
    const figure = row.split("|").slice(1, -1).map((c) => c.trim())[2];
    assert.ok(
      new RegExp(`[ (]${figure.replace(".", "\\.")}`).test(readme),
      `README lacks ${figure} (${row})`,
    );
  }
});
