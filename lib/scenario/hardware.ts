/**
 * Turns a scenario's `hardware` section (catalog names or inline
 * definitions) into the GPU and model specifications the performance model
 * reads.
 *
 * @module
 */

import type { HardwareConfig } from "./types.ts";
import type { Path } from "../errors.ts";
import { readHfConfigModel } from "./hf_model_file.ts";
import {
  GPUS,
  type GpuSpec,
  MODELS,
  type ModelSpec,
  parameterCount,
} from "../perf/catalog.ts";

/** The GPU and model of a scenario's instances. */
export interface ResolvedHardware {
  /** The GPU. */
  gpu: GpuSpec;
  /** The model. */
  model: ModelSpec;
}

/**
 * Looks up catalog names, or completes inline definitions.
 *
 * @param hardware The scenario's validated `hardware` section.
 * @param path Where the section is, for errors (a disagg pool's own
 * `cluster_disagg.POOL.hardware`); default `hardware`.
 * @returns The GPU and model specifications.
 * @throws {InputError} When `model.hf_config` cannot be read (see
 * {@linkcode readHfConfigModel}).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveHardware } from "./hardware.ts";
 * const { gpu, model } = resolveHardware({
 *   gpu: "H100-SXM", model: "Llama-3.1-8B", weight_dtype: "bf16",
 *   kv_dtype: "bf16", gpu_memory_utilization: 0.9, reserved_bytes: 2e9,
 * });
 * assert.equal(gpu.memory_bytes, 79.22 * 2 ** 30);
 * assert.equal(model.num_layers, 32);
 * ```
 */
export function resolveHardware(
  hardware: HardwareConfig,
  path: Path = ["hardware"],
): ResolvedHardware {
  const gpu = typeof hardware.gpu === "string"
    ? GPUS[hardware.gpu]
    : { ...hardware.gpu };
  let model: ModelSpec;
  if (typeof hardware.model === "string") model = MODELS[hardware.model];
  else if ("hf_config" in hardware.model) {
    model = readHfConfigModel(hardware.model, path);
  } else {
    const m = hardware.model;
    const spec: ModelSpec = {
      ...m,
      num_experts: m.num_experts > 0 ? m.num_experts : undefined,
      params_reported: 0,
      max_context: m.max_context ?? Infinity,
    };
    spec.params_reported = parameterCount(spec);
    model = spec;
  }
  return { gpu, model };
}
