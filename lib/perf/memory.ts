/**
 * GPU memory of a model replica: weight bytes per GPU, KV bytes per token,
 * and the KV-cache capacity that is left, as vLLM sizes it at start-up.
 *
 * Capacity of one instance of TP degree t (all its GPUs hold the same
 * tokens, each a shard of their KV):
 *
 *     kv_tokens = floor((M u - W / t - R) / (K / s))
 *
 * with M the GPU memory, u `gpu_memory_utilization`, W the weight bytes
 * (parameters x bytes of the weight type), R a reserve per GPU (activation
 * workspace, CUDA graphs, communication buffers), K the KV bytes per token
 * (2 x layers x KV heads x head dim x bytes; an MLA model caches its latent,
 * layers x (kv_lora_rank + rope dim) x bytes) and s the KV shards: min(t, KV
 * heads), since engines replicate KV heads when t exceeds them, and 1 for
 * MLA, whose latent every GPU keeps whole.
 *
 * @module
 */

import {
  type DType,
  DTYPE_BYTES,
  type GpuSpec,
  type ModelSpec,
  parameterCount,
} from "./catalog.ts";

/**
 * KV-cache bytes one token occupies across a whole replica.
 *
 * @param model The architecture.
 * @param kvDtype The KV-cache data type.
 * @returns Bytes per token.
 *
 * @example Usage
 * ```ts
 * import { kvBytesPerToken } from "./memory.ts";
 * import { MODELS } from "./catalog.ts";
 * // 2 x 32 layers x 8 KV heads x 128 x 2 bytes
 * if (kvBytesPerToken(MODELS["Llama-3.1-8B"], "bf16") !== 131072) throw new Error();
 * ```
 */
export function kvBytesPerToken(model: ModelSpec, kvDtype: DType): number {
  const perLayer = model.kv_cache_dim_per_layer ??
    2 * model.num_kv_heads * model.head_dim;
  return model.num_layers * perLayer * DTYPE_BYTES[kvDtype];
}

/**
 * Into how many GPUs a replica's KV cache is split at a TP degree.
 *
 * @param model The architecture.
 * @param tp Tensor-parallel degree.
 * @returns The shard count (each GPU holds 1/shards of every token's KV).
 *
 * @example Usage
 * ```ts
 * import { kvShards } from "./memory.ts";
 * import { MODELS } from "./catalog.ts";
 * if (kvShards(MODELS["Llama-3.1-70B"], 16) !== 8) throw new Error();
 * if (kvShards(MODELS["DeepSeek-V3"], 8) !== 1) throw new Error();
 * ```
 */
export function kvShards(model: ModelSpec, tp: number): number {
  if (model.kv_cache_dim_per_layer !== undefined) return 1;
  return Math.min(tp, model.num_kv_heads);
}

/** What {@linkcode kvCapacity} needs. */
export interface KvCapacityOptions {
  /** Tensor-parallel degree (GPUs per instance). */
  tp: number;
  /** Weight data type. */
  weightDtype: DType;
  /** KV-cache data type. */
  kvDtype: DType;
  /** Share of GPU memory the engine may use (vLLM's default is 0.9). */
  gpuMemoryUtilization: number;
  /** Bytes per GPU kept back for activations, CUDA graphs and buffers. */
  reservedBytes: number;
}

/** An instance's memory budget. */
export interface KvCapacity {
  /** Weight bytes on each GPU. */
  weightBytesPerGpu: number;
  /** KV bytes per token on each GPU. */
  kvBytesPerTokenPerGpu: number;
  /** Bytes per GPU left for the KV cache (negative when the weights do not fit). */
  kvBytesPerGpu: number;
  /** KV-cache capacity of the instance, tokens (0 when nothing is left). */
  tokens: number;
}

/**
 * The KV-cache capacity of one instance (formula in the module doc).
 *
 * @param gpu The GPU.
 * @param model The model.
 * @param options TP degree, data types, memory share and reserve.
 * @returns Weight and KV bytes per GPU and the capacity in tokens.
 *
 * @example Usage
 * ```ts
 * import { kvCapacity } from "./memory.ts";
 * import { GPUS, MODELS } from "./catalog.ts";
 * const c = kvCapacity(GPUS["H100-SXM"], MODELS["Llama-3.1-8B"], {
 *   tp: 1, weightDtype: "bf16", kvDtype: "bf16",
 *   gpuMemoryUtilization: 0.9, reservedBytes: 2e9,
 * });
 * // (72 GB - 16.06 GB - 2 GB) / 131072 B: about 411,000 tokens.
 * if (c.tokens < 400_000 || c.tokens > 420_000) throw new Error(String(c.tokens));
 * ```
 */
export function kvCapacity(
  gpu: GpuSpec,
  model: ModelSpec,
  options: KvCapacityOptions,
): KvCapacity {
  const weightBytesPerGpu = parameterCount(model) *
    DTYPE_BYTES[options.weightDtype] / options.tp;
  const kvBytesPerTokenPerGpu = kvBytesPerToken(model, options.kvDtype) /
    kvShards(model, options.tp);
  const kvBytesPerGpu = gpu.memory_bytes * options.gpuMemoryUtilization -
    weightBytesPerGpu - options.reservedBytes;
  return {
    weightBytesPerGpu,
    kvBytesPerTokenPerGpu,
    kvBytesPerGpu,
    tokens: Math.max(0, Math.floor(kvBytesPerGpu / kvBytesPerTokenPerGpu)),
  };
}
