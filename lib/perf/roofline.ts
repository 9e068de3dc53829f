/**
 * The roofline step-time model: an iteration's duration from the GPU's
 * datasheet figures and the model's architecture, at a tensor-parallel (TP)
 * degree t. Per GPU of the instance:
 *
 *     time = max(FLOPs / (peak FLOP/s x compute_efficiency),
 *                bytes / (HBM bandwidth x memory_efficiency))
 *          + all-reduce time + iteration overhead
 *
 * With T = prefill tokens + decode tokens of the iteration, A the attention
 * (query, key) pairs (each prefill token attends to its causal context, each
 * decode token to its sequence's KV), and the parameter groups of
 * {@linkcode parameterBreakdown}:
 *
 * - FLOPs = [2 T (L attn + dense layers x FFN + MoE layers x ((k + shared) x
 *   expert + router)) + 2 h V x logits + A x L x 2 n (d_qk + d_v)] / t, where
 *   logits = decode tokens + prefill sequences (one sampled position each).
 *   Under speculative decoding a decode verifies q / b query tokens (b
 *   sequences, `decodeQueryTokens` q): they count in T and the logits, and
 *   each attends to its sequence's context (A has the decodes' contexts x
 *   q / b), while that KV is read once per sequence.
 * - bytes = weights + KV + activations:
 *   weights read once per iteration, (L attn + dense FFNs + MoE layers x
 *   (E (1 - (1 - k/E)^T) + shared) x expert + routers + LM head) x weight
 *   bytes / t, where E (1 - (1 - k/E)^T) is the expected number of distinct
 *   routed experts that T tokens touch when each picks k of E uniformly;
 *   KV read (each decode's context, each chunk's cached prefix) and written
 *   (T new tokens), x KV bytes per token / KV shards;
 *   activations, 2 bytes x T x (L (4h + 2(n + k)d / t) + the FFN widths
 *   read and written / t), each linear layer reading its input and writing
 *   its output once.
 * - all-reduce: 2 per layer of T x h x 2 bytes when t > 1, ring algorithm:
 *   each GPU sends 2 (t - 1) / t of the message over one direction of its
 *   link (half the datasheet's bidirectional figure) x
 *   interconnect_efficiency, plus a fixed latency per all-reduce.
 *
 * Pipeline, expert and data-parallel attention (and a TP group larger than
 * a node, which rings over the NIC) are lib/perf/roofline_parallel.ts's
 * generalisation of these formulas.
 *
 * The efficiencies are what an engine achieves of the datasheet's peaks:
 * measured decode at batch 1 reaches 55-70% of HBM bandwidth and prefill
 * 40-70% of dense FLOP/s (sources in docs/model.md, "Fidelity").
 *
 * @module
 */

import {
  attendedPairs,
  type IterationShape,
  type StepTimeModel,
} from "./step_time.ts";
import {
  type DType,
  DTYPE_BYTES,
  type GpuSpec,
  type ModelSpec,
  parameterBreakdown,
} from "./catalog.ts";
import { kvBytesPerToken, kvShards } from "./memory.ts";
import { isTpOnly, type Parallelism } from "./parallel.ts";
import { parallelRoofline } from "./roofline_parallel.ts";

/** Activations move in 16-bit whatever the weight type. */
const ACTIVATION_BYTES = 2;

/** Options of {@linkcode rooflineStepTime}. */
export interface RooflineOptions {
  /** Tensor-parallel degree (default 1). */
  tp?: number;
  /** Weight data type; matrix multiplies run at its peak (default bf16). */
  weightDtype?: DType;
  /** KV-cache data type (default bf16). */
  kvDtype?: DType;
  /** Share of peak FLOP/s achieved (default 0.6). */
  computeEfficiency?: number;
  /** Share of HBM bandwidth achieved (default 0.7). */
  memoryEfficiency?: number;
  /** Share of interconnect bandwidth achieved (default 0.7). */
  interconnectEfficiency?: number;
  /** Fixed latency of one all-reduce, seconds (default 10e-6). */
  allReduceLatencyS?: number;
  /** Fixed cost of every iteration, seconds (default 0). */
  iterationOverheadS?: number;
  /**
   * Pipeline, expert and data-parallel attention degrees (and the TP degree,
   * which `tp` gives when this is absent). When pp, ep or dp_attention is
   * above 1 the model is lib/perf/roofline_parallel.ts's.
   */
  parallel?: Parallelism;
  /** GPUs per node (absent: the GPU's catalog figure, else 8). */
  gpusPerNode?: number;
  /** Scale-out NIC bandwidth per GPU, one direction, bytes/s (absent: the catalog's, else 50e9). */
  scaleOutBytesPerS?: number;
  /** Busiest expert GPU's load over the mean, under ep > 1 (default 1.18). */
  expertImbalance?: number;
}

/** One iteration's cost, per GPU, term by term. */
export interface IterationCost {
  /** Floating-point operations. */
  flops: number;
  /** Weight bytes read. */
  weightBytes: number;
  /** KV bytes read and written. */
  kvBytes: number;
  /** Activation bytes read and written. */
  activationBytes: number;
  /** FLOPs over achievable FLOP/s. */
  computeS: number;
  /** All bytes over achievable bandwidth. */
  memoryS: number;
  /** Tensor-parallel all-reduce time. */
  communicationS: number;
  /** The iteration's duration. */
  totalS: number;
}

/** A roofline model that can also explain its figure. */
export interface RooflineStepTimeModel extends StepTimeModel {
  /**
   * The iteration's cost term by term.
   *
   * @param shape The iteration.
   * @returns Its cost per GPU (the same object each call: copy what you keep).
   */
  cost(shape: IterationShape): IterationCost;
}

/**
 * Builds the roofline step-time model (formulas in the module doc).
 *
 * @param gpu The GPU each instance runs on.
 * @param model The model architecture.
 * @param options TP degree, data types, efficiencies and overheads.
 * @returns The model.
 * @throws {RangeError} When the GPU has no FLOP/s figure for the weight type.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { rooflineStepTime } from "./roofline.ts";
 * import { GPUS, MODELS } from "./catalog.ts";
 * const m = rooflineStepTime(GPUS["H100-SXM"], MODELS["Llama-3.1-8B"]);
 * const decode = (b: number) => m.iterationTimeS({
 *   prefillTokens: 0, prefillSequences: 0, prefillAttendedTokens: 0,
 *   prefillPastTokens: 0, decodeTokens: b, decodeContextTokens: b * 1024,
 * });
 * // Memory-bound: 8 sequences cost barely more than one.
 * assert.ok(decode(8) / decode(1) <= 1.1);
 * ```
 */
export function rooflineStepTime(
  gpu: GpuSpec,
  model: ModelSpec,
  options: RooflineOptions = {},
): RooflineStepTimeModel {
  const t = options.parallel?.tp ?? options.tp ?? 1;
  const weightDtype = options.weightDtype ?? "bf16";
  const kvDtype = options.kvDtype ?? "bf16";
  const peak = gpu.flops_per_s[weightDtype];
  if (peak === undefined) {
    throw new RangeError(
      `${gpu.name} has no ${weightDtype} FLOP/s figure (it has ${
        Object.keys(gpu.flops_per_s).join(", ")
      })`,
    );
  }
  const flopsPerS = peak * (options.computeEfficiency ?? 0.6);
  const bytesPerS = gpu.memory_bandwidth_bytes_per_s *
    (options.memoryEfficiency ?? 0.7);
  const par = options.parallel;
  // A TP group larger than a node crosses the NIC: the parallel model's.
  const nodeGpus = options.gpusPerNode ?? gpu.gpus_per_node ?? 8;
  if ((par && !isTpOnly(par)) || t > nodeGpus) {
    return parallelRoofline(gpu, model, {
      parallel: par ?? { tp: t, pp: 1, ep: 1, dp: 1, microbatches: 1 },
      weightDtype,
      kvDtype,
      flopsPerS,
      bytesPerS,
      interconnectEfficiency: options.interconnectEfficiency ?? 0.7,
      collectiveLatencyS: options.allReduceLatencyS ?? 10e-6,
      iterationOverheadS: options.iterationOverheadS ?? 0,
      gpusPerNode: nodeGpus,
      scaleOutBytesPerS: options.scaleOutBytesPerS,
      expertImbalance: options.expertImbalance,
    });
  }
  const linkBytesPerS = gpu.interconnect_bytes_per_s / 2 *
    (options.interconnectEfficiency ?? 0.7);
  const allReduceLatencyS = options.allReduceLatencyS ?? 10e-6;
  const overheadS = options.iterationOverheadS ?? 0;

  const p = parameterBreakdown(model);
  const L = model.num_layers;
  const h = model.hidden_size;
  const n = model.num_attention_heads;
  const k = model.num_kv_heads;
  const d = model.head_dim;
  const wb = DTYPE_BYTES[weightDtype];
  const g = model.gated_ffn ? 3 : 2;
  const expertWidth = model.expert_ffn_size ?? model.ffn_size;

  // Per token: 2 FLOPs per weight the token passes through.
  const linearFlopsPerToken = 2 * (L * p.attentionPerLayer +
    p.denseLayers * p.denseFfnPerLayer +
    p.moeLayers *
      ((p.activeExperts + p.sharedExperts) * p.expertParams + p.router));
  const logitFlops = 2 * h * model.vocab_size;
  const dv = model.mla?.v_head_dim ?? d;
  const pairFlops = L * 2 * n * (d + dv);
  // Weights every iteration reads whatever its tokens; routed experts apart.
  const fixedWeightBytes = wb * (L * p.attentionPerLayer +
    p.denseLayers * p.denseFfnPerLayer +
    p.moeLayers * (p.sharedExperts * p.expertParams + p.router) +
    (p.lmHead > 0 ? p.lmHead : p.embedding));
  const expertBytes = wb * p.moeLayers * p.expertParams;
  const missShare = p.experts > 0 ? 1 - p.activeExperts / p.experts : 0;
  const kvBytes = kvBytesPerToken(model, kvDtype) / kvShards(model, t);
  const activationBytesPerToken = ACTIVATION_BYTES * (
    L * (4 * h + 2 * (n + k) * d / t) +
    p.denseLayers * g * model.ffn_size / t +
    p.moeLayers * g * (p.activeExperts + p.sharedExperts) * expertWidth / t
  );
  const allReduceBytes = 2 * (t - 1) / t * h * ACTIVATION_BYTES;

  const out: IterationCost = {
    flops: 0,
    weightBytes: 0,
    kvBytes: 0,
    activationBytes: 0,
    computeS: 0,
    memoryS: 0,
    communicationS: 0,
    totalS: 0,
  };
  const cost = (shape: IterationShape): IterationCost => {
    // Speculative verification: q query tokens over the decodes' contexts.
    const q = shape.decodeQueryTokens ?? shape.decodeTokens;
    const tokens = shape.prefillTokens + q;
    const logits = q + shape.prefillSequences;
    const pairs = attendedPairs(shape, q);
    out.flops = (tokens * linearFlopsPerToken + logits * logitFlops +
      pairs * pairFlops) / t;
    const touched = p.experts > 0
      ? p.experts * (1 - Math.pow(missShare, tokens))
      : 0;
    out.weightBytes = (fixedWeightBytes + touched * expertBytes) / t;
    out.kvBytes = kvBytes *
      (shape.decodeContextTokens + shape.prefillPastTokens + tokens);
    out.activationBytes = activationBytesPerToken * tokens;
    out.computeS = out.flops / flopsPerS;
    out.memoryS = (out.weightBytes + out.kvBytes + out.activationBytes) /
      bytesPerS;
    out.communicationS = t > 1
      ? 2 * L * (tokens * allReduceBytes / linkBytesPerS + allReduceLatencyS)
      : 0;
    out.totalS = Math.max(out.computeS, out.memoryS) + out.communicationS +
      overheadS;
    return out;
  };
  const experts = p.experts;
  // cost(shape).totalS with the same arithmetic in locals: it runs at every
  // iteration, and the stores into `out` are not needed for the time alone.
  const iterationTimeS = (shape: IterationShape): number => {
    // Speculative verification: q query tokens over the decodes' contexts.
    const q = shape.decodeQueryTokens ?? shape.decodeTokens;
    const tokens = shape.prefillTokens + q;
    const logits = q + shape.prefillSequences;
    const pairs = attendedPairs(shape, q);
    const flops = (tokens * linearFlopsPerToken + logits * logitFlops +
      pairs * pairFlops) / t;
    const touched = experts > 0
      ? experts * (1 - Math.pow(missShare, tokens))
      : 0;
    const weightBytes = (fixedWeightBytes + touched * expertBytes) / t;
    const kv = kvBytes *
      (shape.decodeContextTokens + shape.prefillPastTokens + tokens);
    const activation = activationBytesPerToken * tokens;
    const computeS = flops / flopsPerS;
    const memoryS = (weightBytes + kv + activation) / bytesPerS;
    const communicationS = t > 1
      ? 2 * L * (tokens * allReduceBytes / linkBytesPerS + allReduceLatencyS)
      : 0;
    return Math.max(computeS, memoryS) + communicationS + overheadS;
  };
  return { cost, iterationTimeS };
}
