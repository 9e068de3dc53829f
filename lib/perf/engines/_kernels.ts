/**
 * The kernel efficiencies the engines share: they run the same libraries
 * (cuBLAS / CUTLASS matrix multiplies, FlashAttention or FlashInfer), so
 * their share of the datasheet peaks is one set of figures.
 *
 * - bf16 / fp16 compute 0.6: llmsim's roofline at 0.6 is within 11-12% of
 *   TensorRT-LLM v0.5's measured first-token latency of 2,048-token
 *   prompts on A100 (Llama-2-7B 133 ms, Llama-2-70B TP 4 377 ms; docs/
 *   model.md "Fidelity").
 * - fp8 (and int8, fp4) compute 0.53: the bf16 figure times the ratio of
 *   the largest matrix-multiply throughput measured on an H100 SXM in each
 *   type, fp8 1,402.6 of 1,979 TFLOP/s (70.9%) against bf16 794.5 of 989
 *   (80.3%) (stas00/ml-engineering, compute/accelerator, "Maximum
 *   Achievable Matmul FLOPS"): 0.6 x 0.709 / 0.803 = 0.53. No measurement
 *   of fp4 or int8 was found; they take the fp8 figure.
 * - the small kernels' floor, 18 us per layer: Vidur's measured medians of
 *   vLLM's per-layer operators for Llama-2-70B on an H100 at TP 8 and one
 *   token (microsoft/vidur, data/profiling/compute/h100/meta-llama/
 *   Llama-2-70b-hf/mlp.csv, commit 683364e9): input_layernorm 6, attn_rope
 *   2, post_attention_layernorm 6, mlp_act 2 and two adds of 1 us. The
 *   medians of the matrix multiplies of the same row (13 + 9 + 43.5 + 22 =
 *   87.5 us) are what the roofline gives at 0.7 of the bandwidth (91.2 us),
 *   so these small kernels are what it leaves out. The other engines' kernels
 *   were not profiled; they take the same figure.
 * - memory 0.7: gpt-fast's Llama-2-7B decode at batch 1 on an A100-80G,
 *   9.53 ms per token, against llmsim's 9.30 ms at 0.7 (-2.4%).
 *
 * @module
 */

import type { EngineParams } from "../engine.ts";

/** What the engines' kernels reach and cost (module doc). */
export const KERNEL_EFFICIENCY: Pick<
  EngineParams,
  "compute_efficiency" | "memory_efficiency" | "per_layer_s"
> = {
  per_layer_s: 18e-6,
  compute_efficiency: {
    fp32: 0.6,
    bf16: 0.6,
    fp16: 0.6,
    fp8: 0.53,
    int8: 0.53,
    fp4: 0.53,
  },
  memory_efficiency: 0.7,
};

/** Where the kernel efficiencies come from (for the docs' table). */
export const KERNEL_SOURCES = {
  per_layer_s:
    "Vidur mlp.csv (Llama-2-70B, H100, TP 8, 1 token): norms 6 + 6, rope 2, activation 2, adds 2 x 1 us",
  compute_efficiency:
    "bf16 0.6: TensorRT-LLM v0.5 2,048-token first-token latency on A100 (+11-12%); fp8 0.53 = 0.6 x 70.9% / 80.3%, measured max matmul FLOP/s on H100 (stas00/ml-engineering)",
  memory_efficiency:
    "gpt-fast Llama-2-7B batch-1 decode on A100-80G: 9.53 ms measured, 9.30 ms at 0.7",
};
