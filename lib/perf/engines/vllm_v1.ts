/**
 * `vllm-v1`: vLLM's V1 engine (0.8 and later, 2025-): an engine-core
 * process running scheduler and workers in a busy loop, tokenisation,
 * detokenisation and streaming in the API process, a persistent batch, and
 * only request diffs sent to TP workers (vLLM V1 blog, 2025-01-27).
 *
 * The gap between two decode steps of early V1 at batch 256 (Llama-2-7B,
 * ShareGPT) was 5-6 ms, and 150-170 us with scheduling made asynchronous
 * (vLLM issue #10634 and PR #11133): the 160 us that remains is the step
 * floor, the rest (5.34 ms / 256 = 21 us) grows with the batch.
 *
 * @module
 */

import type { EnginePreset } from "../engine.ts";
import { KERNEL_EFFICIENCY, KERNEL_SOURCES } from "./_kernels.ts";

/** vLLM V1 (module doc). */
export const VLLM_V1: EnginePreset = {
  name: "vllm-v1",
  doc: "vLLM V1 engine (0.8+, 2025-)",
  params: {
    iteration_s: 0.16e-3, // PR #11133: 150-170 us gap at batch 256, async
    per_seq_s: 21e-6, // #10634: (5.5 ms - 0.16 ms) / 256
    per_prefill_seq_s: 0, // not measured apart
    per_collective_s: 0, // custom all-reduce = the roofline's 10 us (as V0)
    // Not measured: V1 sends only diffs to the workers over shared memory.
    tp_sync_s: 0,
    tp_sync_per_seq_s: 0,
    request_s: 4e-3, // tt-inference-server #190: +4 ms HTTP + ZMQ
    finish_s: 0, // not measured apart
    ...KERNEL_EFFICIENCY,
  },
  // vLLM V1 always chunks prefills; its API server's limits depend on the
  // GPU (vllm/engine/arg_utils.py, get_batch_defaults): 8192 tokens and
  // 1024 sequences on cards of 70 GiB or more except the A100 ("Setting
  // large max_num_batched_tokens for A100 reduces throughput", PR #17885),
  // else 2048 and 256.
  scheduler: ({ gpu }) => {
    const big = gpu !== undefined && gpu.memory_bytes >= 70 * 2 ** 30 &&
      !gpu.name.startsWith("A100");
    return {
      policy: "chunked",
      max_num_seqs: big ? 1024 : 256,
      max_num_batched_tokens: big ? 8192 : 2048,
    };
  },
  schedulerSource:
    "vLLM vllm/engine/arg_utils.py get_batch_defaults (API server): chunked; 8192 tokens and 1024 sequences on 70 GiB+ GPUs but the A100, else 2048 and 256",
  sources: {
    iteration_s: "vLLM PR #11133: 150-170 us decode gap, batch 256",
    per_seq_s: "vLLM issue #10634: 5-6 ms decode gap at batch 256",
    per_prefill_seq_s: "not measured apart",
    per_collective_s: "0: custom all-reduce = the roofline's 10 us",
    tp_sync_s: "not measured (V1 sends diffs over shared memory): 0",
    tp_sync_per_seq_s: "not measured: 0",
    request_s: "tt-inference-server #190: online minus offline TTFT, +4 ms",
    finish_s: "not measured apart",
    ...KERNEL_SOURCES,
  },
};
