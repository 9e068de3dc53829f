/**
 * Step-time kind `roofline`: from the GPU's datasheet and the model's
 * shapes, the larger of compute and memory time plus the all-reduces
 * (lib/perf/roofline.ts states the formulas).
 *
 * @module
 */

import type { Zod } from "../../schema/zod.ts";
import { InputError } from "../../errors.ts";
import { rooflineStepTime } from "../../perf/roofline.ts";
import { DEFAULT_EXPERT_IMBALANCE } from "../../perf/roofline_parallel.ts";
import type { StepTimeKindEntry } from "./_kind.ts";

const KEYS = {
  compute_efficiency: (z: Zod) =>
    z.number().positive().max(1).optional().describe(
      "`roofline`: share of the GPU's dense FLOP/s achieved. Default: " +
        "the engine's figure for the weight data type.",
    ),
  memory_efficiency: (z: Zod) =>
    z.number().positive().max(1).optional().describe(
      "`roofline`: share of the memory bandwidth achieved. Default: the " +
        "engine's figure.",
    ),
  interconnect_efficiency: (z: Zod) =>
    z.number().positive().max(1).default(0.7)
      .describe("`roofline`: share of the interconnect bandwidth achieved."),
  all_reduce_latency_s: (z: Zod) =>
    z.number().min(0).default(10e-6).describe(
      "`roofline`: fixed latency of one collective (all-reduce, " +
        "all-to-all, pipeline hop), seconds.",
    ),
  expert_imbalance: (z: Zod) =>
    z.number().min(1).default(DEFAULT_EXPERT_IMBALANCE).describe(
      "`roofline` with ep > 1: the busiest expert GPU's load over the " +
        "mean (its MoE compute and all-to-all traffic are scaled by it). " +
        "Default 1.18: SGLang's DeepSeek-V3 prefill at EP32, default " +
        "versus perfectly balanced expert placement (LMSYS blog " +
        "2025-05-05).",
    ),
};

/** Kind `roofline`. */
export const ROOFLINE: StepTimeKindEntry<typeof KEYS, "roofline"> = {
  name: "roofline",
  doc: "from `hardware` (max of compute and memory time, plus all-reduce)",
  keys: KEYS,
  check(settings, at) {
    const hw = settings.hardware;
    if (!hw) {
      throw new InputError(
        "roofline needs the hardware section (gpu and model)",
        at("step_time", "kind"),
      );
    }
  },
  build({ settings, tp, parallel, hardware }) {
    const st = settings.step_time;
    const hw = settings.hardware!;
    const engine = settings.engine;
    return rooflineStepTime(hardware!.gpu, hardware!.model, {
      tp,
      weightDtype: hw.weight_dtype,
      kvDtype: hw.kv_dtype,
      computeEfficiency: st.compute_efficiency ??
        engine.compute_efficiency[hw.weight_dtype],
      memoryEfficiency: st.memory_efficiency ?? engine.memory_efficiency,
      interconnectEfficiency: st.interconnect_efficiency,
      allReduceLatencyS: st.all_reduce_latency_s,
      parallel,
      gpusPerNode: hw.gpus_per_node,
      scaleOutBytesPerS: hw.scale_out_bytes_per_s,
      expertImbalance: st.expert_imbalance,
    });
  },
};
