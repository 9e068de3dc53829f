/**
 * `vllm-v0`: vLLM before its V1 rewrite (0.2-0.5, 2023-24), synchronous:
 * each step schedules, prepares inputs, runs the model, samples and
 * processes outputs in turn on one Python thread, and hands inputs to the
 * other TP workers over Ray.
 *
 * The per-iteration terms are a least-squares fit (36 rows, rms relative
 * residual 3.3%) of the host times that Vidur measured on vLLM for
 * Llama-2-7B (TP 1, 2, 4) and Llama-2-70B (TP 2, 4) on A100s at decode
 * batches 8 to 64 (microsoft/vidur, data/profiling/a100/cpu_overheads.csv,
 * commit 0633efae: SCHEDULE + SAMPLER_E2E + PREPARE_INPUTS_E2E +
 * PROCESS_MODEL_OUTPUTS means, plus RAY_COMM_TIME under TP). At TP 1 they
 * run from 2.98 ms at batch 8 to 12.56 ms at batch 64; TP adds 3.5 ms at
 * batch 8 and 7.6-10.1 ms at batch 64 whatever the model.
 *
 * @module
 */

import type { EnginePreset } from "../engine.ts";
import { KERNEL_EFFICIENCY, KERNEL_SOURCES } from "./_kernels.ts";

/** vLLM V0 (module doc). */
export const VLLM_V0: EnginePreset = {
  name: "vllm-v0",
  doc: "vLLM 0.2-0.5 (V0 engine, synchronous, Ray TP workers)",
  params: {
    iteration_s: 1.50e-3, // Vidur fit: intercept
    per_seq_s: 0.186e-3, // Vidur fit: slope in the batch (mostly output processing)
    // Not measured apart: Vidur profiles decode steps, and a prompt's
    // sequence costs are already in per_seq_s.
    per_prefill_seq_s: 0,
    // The roofline's all_reduce_latency_s (10 us) already matches vLLM's
    // custom all-reduce, 8.7 / 9.2 / 11.8 us for 32 KB at TP 2 / 4 / 8 on
    // H100 (sgl-project/sglang PR #2904 benchmark).
    per_collective_s: 0,
    tp_sync_s: 2.93e-3, // Vidur fit: TP > 1 step (Ray hand-off)
    tp_sync_per_seq_s: 0.0585e-3, // Vidur fit: per sequence per log2(tp)
    // vLLM online vs offline, same model and batch: +4 ms TTFT "from HTTP
    // server + ZMQ latency" (tenstorrent/tt-inference-server issue #190).
    request_s: 4e-3,
    // Not measured apart: the last token's output processing is per_seq_s.
    finish_s: 0,
    ...KERNEL_EFFICIENCY,
  },
  // vLLM V0's SchedulerConfig (vllm/config.py, 0.6.x __post_init__):
  // chunked prefill off by default, so prompts run whole ahead of decodes,
  // max_num_batched_tokens = max(max_model_len, 2048) "for higher
  // throughput", max_num_seqs 256.
  scheduler: ({ maxModelLen }) => ({
    policy: "prefill_first",
    max_num_seqs: 256,
    max_num_batched_tokens: Math.max(maxModelLen ?? 2048, 2048),
  }),
  schedulerSource:
    "vLLM 0.6 vllm/config.py SchedulerConfig: no chunked prefill, max(max_model_len, 2048) tokens, 256 sequences",
  sources: {
    iteration_s:
      "Vidur cpu_overheads.csv (vLLM V0, A100): least-squares intercept",
    per_seq_s: "Vidur cpu_overheads.csv: slope per sequence in the batch",
    per_prefill_seq_s: "not measured apart (in per_seq_s)",
    per_collective_s:
      "0: vLLM custom all-reduce 8.7-11.8 us (SGLang PR #2904) = the roofline's 10 us",
    tp_sync_s:
      "Vidur cpu_overheads.csv: TP > 1 step (RAY_COMM_TIME and driver)",
    tp_sync_per_seq_s: "Vidur cpu_overheads.csv: TP growth with the batch",
    request_s: "tt-inference-server #190: online minus offline TTFT, +4 ms",
    finish_s: "not measured apart (in per_seq_s)",
    ...KERNEL_SOURCES,
  },
};
