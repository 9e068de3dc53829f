/**
 * `none`: no engine time at all, the roofline's kernels at the shares of
 * peak llmsim used before it had an engine model. An upper bound on speed.
 *
 * @module
 */

import type { EnginePreset } from "../engine.ts";

/** The pure roofline (no engine time). */
export const NONE: EnginePreset = {
  name: "none",
  doc: "no engine time: the step-time model alone (an upper bound)",
  params: {
    iteration_s: 0,
    per_layer_s: 0,
    per_seq_s: 0,
    per_prefill_seq_s: 0,
    per_collective_s: 0,
    tp_sync_s: 0,
    tp_sync_per_seq_s: 0,
    request_s: 0,
    finish_s: 0,
    compute_efficiency: {
      fp32: 0.6,
      bf16: 0.6,
      fp16: 0.6,
      fp8: 0.6,
      int8: 0.6,
      fp4: 0.6,
    },
    memory_efficiency: 0.7,
  },
  // llmsim's generic limits (vLLM V1's on GPUs under 70 GiB).
  scheduler: () => ({
    policy: "chunked",
    max_num_seqs: 256,
    max_num_batched_tokens: 2048,
  }),
  schedulerSource:
    "llmsim's generic limits: chunked, 256 sequences, 2,048 tokens",
  sources: {
    compute_efficiency: "llmsim's pre-engine default (docs/model.md)",
    memory_efficiency: "llmsim's pre-engine default (docs/model.md)",
  },
};
