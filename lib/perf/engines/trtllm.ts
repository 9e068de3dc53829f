/**
 * `trtllm`: TensorRT-LLM with in-flight batching and its overlap scheduler
 * (the runtime "launches GPU computation for step n+1 without waiting for
 * CPU tasks" of step n, TensorRT-LLM docs). What host time stays exposed
 * was measured at about 580 us per iteration (NVIDIA/TensorRT-LLM issue
 * #13957: PyTorch backend, Llama-3.1-8B fp8 on B200 at concurrency 64).
 *
 * @module
 */

import type { EnginePreset } from "../engine.ts";
import { KERNEL_EFFICIENCY, KERNEL_SOURCES } from "./_kernels.ts";

/** TensorRT-LLM (module doc). */
export const TRTLLM: EnginePreset = {
  name: "trtllm",
  doc: "TensorRT-LLM (in-flight batching, overlap scheduler)",
  params: {
    iteration_s: 0.58e-3, // TensorRT-LLM #13957: ~580 us exposed host time
    per_seq_s: 0, // not measured apart (in the figure above, at 64)
    per_prefill_seq_s: 0,
    // Its custom all-reduce is the kernel SGLang adopted (4.5-7.8 us,
    // SGLang PR #2904): below the roofline's 10 us.
    per_collective_s: 0,
    tp_sync_s: 0, // one process drives all GPUs (MPI/NCCL): not measured
    tp_sync_per_seq_s: 0,
    // Not measured for trtllm-serve; the HTTP path of the other engines.
    request_s: 4e-3,
    finish_s: 0,
    ...KERNEL_EFFICIENCY,
  },
  // Not read from TensorRT-LLM (its limits come from the engine build):
  // llmsim's generic ones.
  scheduler: () => ({
    policy: "chunked",
    max_num_seqs: 256,
    max_num_batched_tokens: 2048,
  }),
  schedulerSource:
    "not read from TensorRT-LLM: llmsim's generic chunked, 256, 2,048",
  sources: {
    iteration_s:
      "TensorRT-LLM issue #13957: ~580 us exposed host time per iteration",
    per_seq_s: "not measured apart",
    per_prefill_seq_s: "not measured apart",
    per_collective_s:
      "0: TRT-LLM-derived all-reduce 4.5-7.8 us (SGLang PR #2904)",
    tp_sync_s: "not measured: 0",
    tp_sync_per_seq_s: "not measured: 0",
    request_s: "not measured for TensorRT-LLM: the HTTP path of vLLM (+4 ms)",
    finish_s: "not measured apart",
    ...KERNEL_SOURCES,
  },
};
