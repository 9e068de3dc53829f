/**
 * The roofline step-time model of an instance that uses pipeline (p),
 * expert (e) or data-parallel attention (d) parallelism besides TP (t);
 * lib/perf/parallel.ts says how the GPUs are split. A TP-only instance
 * keeps the exact formulas of lib/perf/roofline.ts, which this module
 * generalises (with p = e = d = 1 the terms below are those).
 *
 * An iteration of T tokens (a speculative verification's k + 1 query tokens
 * per decoding sequence counted in T, the logits and the pairs, as in
 * roofline.ts) is spread evenly over the d attention ranks
 * (T/d tokens, 1/d of the attended pairs, the logits and the KV each) and
 * cut into m = min(pp_microbatches, sequences) equal micro-batches. Per GPU
 * of a stage, for one micro-batch (T, the pairs A, the logits and the KV
 * read already divided by m), over the stage's 1/p share of every layer kind
 * (stages are taken as equal; the LM head and embedding are spread too),
 * with k routed experts of E per token, te = t d / e GPUs per expert and
 * imb = `expert_imbalance` when e > 1 (else 1):
 *
 * - FLOPs = (1/p) [2 (T/d) (L attn + dense layers x FFN + MoE layers x
 *   (shared x expert + router)) / t + 2 h V logits / (d t) + (A/d) L 2 n
 *   (d_qk + d_v) / t + MoE layers x 2 expert x T k imb / (e te)];
 * - weight bytes = (1/p) [(L attn + dense FFNs + MoE layers x (shared x
 *   expert + router) + LM head) / t + MoE layers x (E/e) (1 - (1 - k/E)^T)
 *   x expert / te] x weight bytes: each GPU reads the distinct experts of
 *   its E/e that the micro-batch touches, of a 1/te slice each;
 * - KV bytes = (1/p) (context + cached prefix + T) / d x KV bytes per token
 *   / KV shards(t); activations likewise, the experts' at T k imb / e;
 * - TP all-reduce: 2 per layer (L/p) of (T/d) h x 2 bytes, ring, when t >
 *   1, over NVLink, or over the NIC when t exceeds a node;
 * - EP all-to-all, when e > 1: a dispatch and a combine per MoE layer (L_moe
 *   / p). Each GPU sends its T/(t d) tokens' hidden vectors (dispatch at
 *   the weight type's bytes, at most 2, as DeepEP dispatches fp8; combine at
 *   2), x imb for the busiest receiver. Over NVLink go the k (e - 1)/e
 *   copies per token that leave the GPU; over the NIC, when the stage's
 *   t d GPUs span n = t d / N nodes of N GPUs, one copy per other node
 *   that the token's experts are on, (n - 1)(1 - (1 - 1/n)^k) expected for
 *   uniform routing (DeepSeek-V3's node-limited dispatch, DeepEP's
 *   internode kernels: across the network once per node, then NVLink).
 *   Time = max(NVLink bytes / NVLink, NIC bytes / NIC) + 2 latencies;
 * - stage = max(FLOPs / FLOP/s, bytes / bandwidth) + all-reduce + all-to-all.
 *
 * The iteration, synchronous micro-batches (GPipe-style):
 *
 *     time = (m + p - 1) x stage(T / m) + hops + iteration overhead
 *
 * with hops the p - 1 stage-to-stage transfers of one micro-batch, (T/(m d))
 * h x 2 bytes each over NVLink, or the NIC between nodes, plus the latency
 * (the other micro-batches' hops overlap their successors' compute). The
 * bubble is (p - 1)/(m + p - 1) of each stage's time. vLLM's asynchronous
 * virtual engines fill it across iterations instead; a large m approximates
 * them.
 *
 * @module
 */

import { attendedPairs, type IterationShape } from "./step_time.ts";
import {
  type DType,
  DTYPE_BYTES,
  type GpuSpec,
  type ModelSpec,
  parameterBreakdown,
} from "./catalog.ts";
import { kvBytesPerToken, kvShards } from "./memory.ts";
import {
  crossNodeHops,
  microbatchCount,
  type Parallelism,
  remoteNodes,
} from "./parallel.ts";
import type { IterationCost, RooflineStepTimeModel } from "./roofline.ts";

const ACTIVATION_BYTES = 2;

/** GPUs per node when the GPU's catalog entry does not say. */
export const DEFAULT_GPUS_PER_NODE = 8;

/** Scale-out bandwidth per GPU, one direction, when the catalog does not say: a 400 Gb/s NIC. */
export const DEFAULT_SCALE_OUT_BYTES_PER_S = 50e9;

/**
 * The busiest expert GPU's load over the mean, when `step_time.expert_imbalance`
 * is not given: SGLang's DeepSeek-V3 prefill on 4 nodes (EP32) ran at 50,302
 * tokens/s per node with its default expert placement and 59,337 with a
 * simulated perfect EPLB, a ratio of 1.18 (LMSYS blog, 2025-05-05,
 * https://lmsys.org/blog/2025-05-05-large-scale-ep/, "Overall Throughput").
 */
export const DEFAULT_EXPERT_IMBALANCE = 1.18;

/** What the parallel roofline needs beyond the TP model's options. */
export interface ParallelRooflineOptions {
  /** The split. */
  parallel: Parallelism;
  /** Weight data type. */
  weightDtype: DType;
  /** KV-cache data type. */
  kvDtype: DType;
  /** Achieved FLOP/s. */
  flopsPerS: number;
  /** Achieved memory bandwidth, bytes/s. */
  bytesPerS: number;
  /** Share of the link bandwidths achieved. */
  interconnectEfficiency: number;
  /** Fixed latency of one collective (all-reduce, all-to-all, hop), seconds. */
  collectiveLatencyS: number;
  /** Fixed cost of every iteration, seconds. */
  iterationOverheadS: number;
  /** GPUs per node (absent: the GPU's catalog figure, else 8). */
  gpusPerNode?: number;
  /** NIC bandwidth per GPU, one direction (absent: the catalog's, else 50e9). */
  scaleOutBytesPerS?: number;
  /** Busiest expert GPU's load over the mean, >= 1 (used when ep > 1). */
  expertImbalance?: number;
}

/**
 * Builds the parallel roofline (formulas in the module doc).
 *
 * @param gpu The GPU.
 * @param model The model.
 * @param options The split, data types, achieved rates and links.
 * @returns The model.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parallelRoofline } from "./roofline_parallel.ts";
 * import { GPUS, MODELS } from "./catalog.ts";
 * const build = (pp: number) => parallelRoofline(GPUS["H100-SXM"], MODELS["Llama-3.1-8B"], {
 *   parallel: { tp: 1, pp, ep: 1, dp: 1, microbatches: pp }, weightDtype: "bf16",
 *   kvDtype: "bf16", flopsPerS: 6e14, bytesPerS: 2.3e12, interconnectEfficiency: 0.7,
 *   collectiveLatencyS: 0, iterationOverheadS: 0,
 * });
 * const shape = { prefillTokens: 8192, prefillSequences: 8, prefillAttendedTokens: 0,
 *   prefillPastTokens: 0, decodeTokens: 0, decodeContextTokens: 0 };
 * // Two stages with two micro-batches: 3 half-stage slots of half the layers.
 * assert.ok(build(2).iterationTimeS(shape) < build(1).iterationTimeS(shape));
 * ```
 */
export function parallelRoofline(
  gpu: GpuSpec,
  model: ModelSpec,
  options: ParallelRooflineOptions,
): RooflineStepTimeModel {
  const par = options.parallel;
  const { tp: t, pp: p, ep: e, dp: d } = par;
  const te = (t * d) / e;
  const imb = e > 1 ? options.expertImbalance ?? DEFAULT_EXPERT_IMBALANCE : 1;
  const nodeGpus = options.gpusPerNode ?? gpu.gpus_per_node ??
    DEFAULT_GPUS_PER_NODE;
  const eff = options.interconnectEfficiency;
  const nvlink = gpu.interconnect_bytes_per_s / 2 * eff;
  const nic = (options.scaleOutBytesPerS ?? gpu.scale_out_bytes_per_s ??
    DEFAULT_SCALE_OUT_BYTES_PER_S) * eff;
  const latency = options.collectiveLatencyS;

  const pb = parameterBreakdown(model);
  const L = model.num_layers;
  const h = model.hidden_size;
  const n = model.num_attention_heads;
  const kvh = model.num_kv_heads;
  const hd = model.head_dim;
  const wb = DTYPE_BYTES[options.weightDtype];
  const g = model.gated_ffn ? 3 : 2;
  const expertWidth = model.expert_ffn_size ?? model.ffn_size;
  const k = pb.activeExperts;
  const E = pb.experts;

  // Per token of an attention rank, at TP t, over the whole model.
  const rankFlopsPerToken = 2 * (L * pb.attentionPerLayer +
    pb.denseLayers * pb.denseFfnPerLayer +
    pb.moeLayers * (pb.sharedExperts * pb.expertParams + pb.router)) /
    t;
  // Per routed assignment landing on a GPU (a 1/te slice of one expert).
  const expertFlopsPerAssignment = 2 * pb.moeLayers * pb.expertParams / te;
  const logitFlops = 2 * h * model.vocab_size / t;
  const dv = model.mla?.v_head_dim ?? hd;
  const pairFlops = L * 2 * n * (hd + dv) / t;
  const fixedWeightBytes = wb * (L * pb.attentionPerLayer +
    pb.denseLayers * pb.denseFfnPerLayer +
    pb.moeLayers * (pb.sharedExperts * pb.expertParams + pb.router) +
    (pb.lmHead > 0 ? pb.lmHead : pb.embedding)) /
    t;
  const expertSliceBytes = wb * pb.moeLayers * pb.expertParams / te;
  const missShare = E > 0 ? 1 - k / E : 0;
  const kvPerToken = kvBytesPerToken(model, options.kvDtype) /
    kvShards(model, t);
  const rankActivationPerToken = ACTIVATION_BYTES * (
    L * (4 * h + 2 * (n + kvh) * hd / t) +
    pb.denseLayers * g * model.ffn_size / t +
    pb.moeLayers * g * pb.sharedExperts * expertWidth / t
  );
  const expertActivationPerAssignment = ACTIVATION_BYTES * pb.moeLayers * g *
    expertWidth / te;

  // Links: a TP group larger than a node rings over the NIC.
  const tpLink = t > nodeGpus ? nic : nvlink;
  const allReducePerToken = 2 * (t - 1) / t * h * ACTIVATION_BYTES / tpLink;
  const stageGpus = t * d;
  // Hidden vectors per token: its k copies that leave the GPU ride NVLink
  // (directly, or forwarded inside the destination node); over the NIC
  // each token goes once to each other node its experts are on.
  const nvlinkVectors = e > 1 ? k * (e - 1) / e : 0;
  const nicVectors = e > 1 ? remoteNodes(k, stageGpus, nodeGpus) : 0;
  const a2aBytesPerVector = h *
    (Math.min(ACTIVATION_BYTES, wb) + ACTIVATION_BYTES) * imb;
  // Seconds per token of a GPU's share, dispatch and combine together.
  const a2aPerToken = Math.max(nvlinkVectors / nvlink, nicVectors / nic) *
    a2aBytesPerVector;
  const nicHops = crossNodeHops(p, stageGpus, nodeGpus);
  const hopPerToken = ((p - 1 - nicHops) / nvlink + nicHops / nic) * h *
    ACTIVATION_BYTES;
  const layersPerStage = L / p;
  const moePerStage = pb.moeLayers / p;

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
    const seqs = shape.decodeTokens + shape.prefillSequences;
    const m = microbatchCount(par, seqs);
    // Speculative verification: q query tokens over the decodes' contexts
    // (as in roofline.ts).
    const q = shape.decodeQueryTokens ?? shape.decodeTokens;
    // One micro-batch, over the whole stage group.
    const tokens = (shape.prefillTokens + q) / m;
    const logits = (q + shape.prefillSequences) / m;
    const pairs = attendedPairs(shape, q) / m;
    const kvTokens = (shape.decodeContextTokens + shape.prefillPastTokens) / m +
      tokens;
    const rankTokens = tokens / d;
    const assignments = tokens * k * imb / e;
    const flops = (rankTokens * rankFlopsPerToken +
      (logits / d) * logitFlops + (pairs / d) * pairFlops +
      assignments * expertFlopsPerAssignment) / p;
    const touched = E > 0 ? (E / e) * (1 - Math.pow(missShare, tokens)) : 0;
    const weightBytes = (fixedWeightBytes + touched * expertSliceBytes) / p;
    const kvBytes = kvPerToken * kvTokens / d / p;
    const activationBytes = (rankTokens * rankActivationPerToken +
      assignments * expertActivationPerAssignment) / p;
    const computeS = flops / options.flopsPerS;
    const memoryS = (weightBytes + kvBytes + activationBytes) /
      options.bytesPerS;
    const allReduceS = t > 1
      ? 2 * layersPerStage * (rankTokens * allReducePerToken + latency)
      : 0;
    const allToAllS = e > 1
      ? moePerStage * (tokens / stageGpus * a2aPerToken + 2 * latency)
      : 0;
    const stageS = Math.max(computeS, memoryS) + allReduceS + allToAllS;
    const slots = m + p - 1;
    const hopsS = p > 1 ? rankTokens * hopPerToken + (p - 1) * latency : 0;
    out.flops = flops * m;
    out.weightBytes = weightBytes * m;
    out.kvBytes = kvBytes * m;
    out.activationBytes = activationBytes * m;
    out.computeS = computeS * slots;
    out.memoryS = memoryS * slots;
    out.communicationS = (allReduceS + allToAllS) * slots + hopsS;
    out.totalS = stageS * slots + hopsS + options.iterationOverheadS;
    return out;
  };
  return {
    cost,
    iterationTimeS: (shape) => cost(shape).totalS,
  };
}
