/**
 * GPU memory of a model replica: weight bytes per GPU, KV bytes per token,
 * and the KV-cache capacity that is left, as vLLM sizes it at start-up
 * (`determine_num_available_blocks`: the usable share of the card, minus
 * the weights, minus the peak of a profiling forward pass at the batching
 * limits, minus memory outside PyTorch's allocator).
 *
 * Capacity of one instance of TP degree t (all its GPUs hold the same
 * tokens, each a shard of their KV):
 *
 *     kv_tokens = floor((M u - W / t - A - R') / (K / s))
 *     A  = max(T x 2 B x (2 h + g F / t), S x V x 41 B)
 *     R' = R, or 2 R when t > 1
 *
 * with M the memory the card exposes, u `gpu_memory_utilization`, W the
 * weight bytes (parameters x bytes of the weight type); A the activation
 * peak of the profiling pass: T = max_num_batched_tokens tokens through the
 * widest layer (the residual stream and the FFN's input, 2 h, plus its g F /
 * t intermediate values, g = 3 gated), or the sampler's work on S =
 * max_num_seqs rows of V logits, whichever is larger; R the memory outside
 * PyTorch (CUDA context, cuBLAS and NCCL workspaces; `reserved_bytes`),
 * doubled under TP for the all-reduce buffers. Derivation: vLLM's log for
 * Meta-Llama-3-8B on an H100 at 0.9 (PR #10511) gives a 1.26 GiB activation
 * peak at both TP 1 and TP 2, so the sampler, not the FFN, sets it: 1.26 GiB
 * / (256 x 128256) = 41 bytes per logit (fp32 logits, probabilities,
 * log-probabilities, sorted values and their int64 indices: 4 x 4 + 8 ...
 * about 40); non-torch memory 1.79 GiB at TP 1 and 3.58 GiB at TP 2.
 * docs/validation.md checks the result against other logged block counts.
 * K the KV bytes per token
 * (2 x layers x KV heads x head dim x bytes; an MLA model caches its latent,
 * layers x (kv_lora_rank + rope dim) x bytes) and s the KV shards: min(t, KV
 * heads), since engines replicate KV heads when t exceeds them, and 1 for
 * MLA, whose latent every GPU keeps whole.
 *
 * Under pipeline (pp) and data-parallel attention (d ranks of TP t, experts
 * split over the stage's t d GPUs, lib/perf/parallel.ts) each GPU holds
 * 1/pp of the layers: W / t becomes (W - W_e) / (t pp) + W_e / (t d pp),
 * W_e the routed experts' weights (ep GPUs hold E/ep experts each, each
 * split t d / ep ways: t d GPUs share them whatever ep), K / s becomes
 * K / (s pp), R is doubled whenever the instance has more than one GPU, and
 * each attention rank has its own cache: the instance holds d x the tokens
 * one rank's GPU fits (`tokensPerRank`). Redundant expert copies (EPLB's)
 * are not counted.
 *
 * @module
 */

import {
  type DType,
  DTYPE_BYTES,
  type GpuSpec,
  type ModelSpec,
  parameterBreakdown,
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
 * import assert from "node:assert/strict";
 * import { kvBytesPerToken } from "./memory.ts";
 * import { MODELS } from "./catalog.ts";
 * // 2 x 32 layers x 8 KV heads x 128 x 2 bytes
 * assert.equal(kvBytesPerToken(MODELS["Llama-3.1-8B"], "bf16"), 131072);
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
 * import assert from "node:assert/strict";
 * import { kvShards } from "./memory.ts";
 * import { MODELS } from "./catalog.ts";
 * assert.equal(kvShards(MODELS["Llama-3.1-70B"], 16), 8);
 * assert.equal(kvShards(MODELS["DeepSeek-V3"], 8), 1);
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
  /** Bytes per GPU outside PyTorch's allocator at TP 1 (doubled under TP). */
  reservedBytes: number;
  /** Tokens of the profiling pass (the engine's max_num_batched_tokens). */
  maxNumBatchedTokens: number;
  /** Sequences of the profiling pass (the engine's max_num_seqs). */
  maxNumSeqs: number;
  /**
   * A second model the GPUs hold beside this one (a speculative proposer):
   * its weight bytes per GPU and KV bytes per token per GPU, added to the
   * model's (absent: none).
   */
  resident?: { weightBytesPerGpu: number; kvBytesPerTokenPerGpu: number };
  /** Pipeline stages (default 1). */
  pp?: number;
  /** Data-parallel attention ranks (default 1); experts are split over tp x dp. */
  dpAttention?: number;
}

/** Bytes the sampler holds per logit at its peak (module doc). */
export const SAMPLER_BYTES_PER_LOGIT = 41;

/** An instance's memory budget. */
export interface KvCapacity {
  /** Weight bytes on each GPU. */
  weightBytesPerGpu: number;
  /** KV bytes per token on each GPU. */
  kvBytesPerTokenPerGpu: number;
  /** Peak activation bytes of the profiling pass, per GPU. */
  activationPeakBytes: number;
  /** Memory outside PyTorch's allocator, per GPU. */
  nonTorchBytes: number;
  /** Bytes per GPU left for the KV cache (negative when the weights do not fit). */
  kvBytesPerGpu: number;
  /** KV-cache capacity of the instance, tokens (0 when nothing is left). */
  tokens: number;
  /** KV-cache capacity of one attention rank, tokens (= tokens without DP attention). */
  tokensPerRank: number;
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
 * import assert from "node:assert/strict";
 * import { kvCapacity } from "./memory.ts";
 * import { GPUS, MODELS } from "./catalog.ts";
 * const c = kvCapacity(GPUS["H100-SXM"], MODELS["Llama-3.1-8B"], {
 *   tp: 1, weightDtype: "bf16", kvDtype: "bf16", gpuMemoryUtilization: 0.9,
 *   reservedBytes: 1.79 * 2 ** 30, maxNumBatchedTokens: 8192, maxNumSeqs: 256,
 * });
 * // vLLM's log (PR #10511): 53.29 GiB for the KV cache, 436,551 tokens.
 * assert.ok(Math.abs(c.kvBytesPerGpu / 2 ** 30 - 53.29) <= 0.02);
 * ```
 */
export function kvCapacity(
  gpu: GpuSpec,
  model: ModelSpec,
  options: KvCapacityOptions,
): KvCapacity {
  const pp = options.pp ?? 1;
  const dp = options.dpAttention ?? 1;
  const split = pp > 1 || dp > 1;
  // A speculative proposer's weights and KV sit beside the target's.
  const extra = options.resident;
  const weightBytesPerGpu =
    (split
      ? splitWeightBytesPerGpu(model, options.weightDtype, options.tp, pp, dp)
      : parameterCount(model) * DTYPE_BYTES[options.weightDtype] / options.tp) +
    (extra?.weightBytesPerGpu ?? 0);
  const kvBytesPerTokenPerGpu = kvBytesPerToken(model, options.kvDtype) /
      kvShards(model, options.tp) / pp +
    (extra?.kvBytesPerTokenPerGpu ?? 0);
  const g = model.gated_ffn ? 3 : 2;
  const activationPeakBytes = Math.max(
    options.maxNumBatchedTokens * 2 *
      (2 * model.hidden_size + g * model.ffn_size / options.tp),
    options.maxNumSeqs * model.vocab_size * SAMPLER_BYTES_PER_LOGIT,
  );
  const nonTorchBytes = options.reservedBytes *
    (options.tp * pp * dp > 1 ? 2 : 1);
  const kvBytesPerGpu = gpu.memory_bytes * options.gpuMemoryUtilization -
    weightBytesPerGpu - activationPeakBytes - nonTorchBytes;
  const tokensPerRank = Math.max(
    0,
    Math.floor(kvBytesPerGpu / kvBytesPerTokenPerGpu),
  );
  return {
    weightBytesPerGpu,
    activationPeakBytes,
    nonTorchBytes,
    kvBytesPerTokenPerGpu,
    kvBytesPerGpu,
    tokens: tokensPerRank * dp,
    tokensPerRank,
  };
}

// Weights per GPU under pipeline and DP attention: the attention, dense,
// shared-expert, router and embedding weights over t x pp (each attention
// rank holds them whole at TP t), the routed experts over all t x dp GPUs
// of a stage (ep of them hold E/ep experts each, every expert split
// tp x dp / ep ways) and pp.
function splitWeightBytesPerGpu(
  model: ModelSpec,
  dtype: DType,
  tp: number,
  pp: number,
  dp: number,
): number {
  const b = parameterBreakdown(model);
  const routed = b.moeLayers * b.experts * b.expertParams;
  const rest = parameterCount(model) - routed;
  return (rest / (tp * pp) + routed / (tp * dp * pp)) * DTYPE_BYTES[dtype];
}
