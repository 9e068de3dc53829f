/**
 * `sglang`: SGLang 0.4 and later, whose overlap ("zero-overhead") scheduler
 * prepares the next batch on the CPU while the GPU runs the current one:
 * Nsight shows "no single idle time on the GPU" across decode batches
 * (SGLang v0.4 blog, lmsys.org, 2024-12-04), so host time per iteration is
 * hidden as long as it stays below the GPU step. The price is one step's
 * delay on the first token: turning overlap on moved SGLang's CI median
 * TTFT from 80 to 86 ms (sgl-project/sglang PR #2067).
 *
 * @module
 */

import type { EnginePreset } from "../engine.ts";
import { KERNEL_EFFICIENCY, KERNEL_SOURCES } from "./_kernels.ts";

/** SGLang with the overlap scheduler (module doc). */
export const SGLANG: EnginePreset = {
  name: "sglang",
  doc: "SGLang 0.4+ (overlap scheduler)",
  params: {
    iteration_s: 0, // v0.4 blog: no GPU idle time between decode batches
    per_seq_s: 0, // hidden by the overlap (same measurement)
    per_prefill_seq_s: 0,
    // SGLang's all-reduce (4.5 / 4.8 / 7.8 us for 32 KB at TP 2 / 4 / 8,
    // PR #2904) is below the roofline's 10 us: nothing to add.
    per_collective_s: 0,
    tp_sync_s: 0, // hidden by the overlap
    tp_sync_per_seq_s: 0,
    // HTTP + ZMQ to the scheduler process, as vLLM V1's path (+4 ms,
    // tt-inference-server #190), plus the overlap's first-token delay
    // (+6 ms median TTFT, PR #2067).
    request_s: 10e-3,
    finish_s: 0,
    ...KERNEL_EFFICIENCY,
  },
  // SGLang's server defaults (python/sglang/srt/server_args.py):
  // chunked_prefill_size 8192 with enable_mixed_chunk off, so prefill
  // batches run apart from decode batches, and a request pool of at least
  // 2048.
  scheduler: () => ({
    policy: "prefill_first",
    max_num_seqs: 2048,
    max_num_batched_tokens: 8192,
  }),
  schedulerSource:
    "SGLang server_args.py: chunked_prefill_size 8192, mixed chunks off, at least 2048 running requests",
  sources: {
    iteration_s: "SGLang v0.4 blog: no idle GPU time between decode batches",
    per_seq_s: "hidden by the overlap scheduler (v0.4 blog)",
    per_prefill_seq_s: "not measured apart",
    per_collective_s: "0: SGLang all-reduce 4.5-7.8 us < the roofline's 10 us",
    tp_sync_s: "hidden by the overlap scheduler",
    tp_sync_per_seq_s: "hidden by the overlap scheduler",
    request_s:
      "4 ms HTTP + ZMQ (tt-inference-server #190) + 6 ms overlap delay (SGLang PR #2067)",
    finish_s: "not measured apart",
    ...KERNEL_SOURCES,
  },
};
