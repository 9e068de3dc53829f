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
 * - memory 0.7: gpt-fast's Llama-2-7B decode at batch 1 on an A100-80G,
 *   9.53 ms per token, against llmsim's 9.30 ms at 0.7 (-2.4%).
 *
 * @module
 */

import type { EngineParams } from "../engine.ts";

/** Shares of peak FLOP/s and bandwidth the engines' kernels reach (module doc). */
export const KERNEL_EFFICIENCY: Pick<
  EngineParams,
  "compute_efficiency" | "memory_efficiency"
> = {
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
  compute_efficiency:
    "bf16 0.6: TensorRT-LLM v0.5 2,048-token first-token latency on A100 (+11-12%); fp8 0.53 = 0.6 x 70.9% / 80.3%, measured max matmul FLOP/s on H100 (stas00/ml-engineering)",
  memory_efficiency:
    "gpt-fast Llama-2-7B batch-1 decode on A100-80G: 9.53 ms measured, 9.30 ms at 0.7",
};
