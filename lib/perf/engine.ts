/**
 * The serving engine's own time: what a real engine spends per iteration
 * and per request beyond the GPU work a step-time model (rate, roofline,
 * measured table) accounts for. Measured against real deployments, a
 * roofline alone is optimistic; this is the part it leaves out.
 *
 * Per iteration of an instance of TP degree t running a model of L layers:
 *
 *     engine_s = iteration_s + L x per_layer_s
 *              + per_seq_s x (decode sequences + prefill sequences)
 *              + per_prefill_seq_s x prefill sequences
 *              + [t > 1] (2 L x per_collective_s + tp_sync_s
 *                         + log2(t) x tp_sync_per_seq_s x sequences)
 *
 * - `iteration_s`: the step floor (scheduling, input preparation, sampling,
 *   kernel launches and the hand-off between the scheduler's process and
 *   the workers), which does not shrink with TP;
 * - `per_layer_s`: the small kernels of every layer (norms, rotary
 *   embedding, activation, residual adds) each take a few microseconds
 *   whatever their size: time the roofline counts only as bytes, and that
 *   TP does not divide;
 * - `per_seq_s`: what grows with the batch (per-sequence scheduling and
 *   block-table bookkeeping, sampling, detokenising and streaming a token);
 * - `per_prefill_seq_s`: a prompt's extra cost in the iteration that
 *   prefills it (its metadata, its first scheduling);
 * - `per_collective_s`: launch and synchronisation of each of the 2 L
 *   tensor-parallel all-reduces, beyond their wire time (which the roofline
 *   already has), so that steps stop shrinking with TP as measured;
 * - `tp_sync_s`: handing each step's inputs to the other TP workers and
 *   waiting for them (vLLM V0 did it over Ray), a cost TP adds whatever its
 *   degree; `tp_sync_per_seq_s` is its part that grows with the batch (the
 *   per-sequence metadata), by log2(t) as a broadcast tree does.
 *
 * Under pipeline (p stages, m micro-batches), expert (e) and data-parallel
 * attention (d) parallelism, with the instance's n = t p d GPUs and L_moe
 * MoE layers, the kernel floors and collective launches fall on each of
 * the m + p - 1 stage slots of an iteration, each of L / p layers:
 *
 *     engine_s = iteration_s + (m + p - 1) x (L/p x per_layer_s
 *                  + ([t > 1] 2 L/p + [e > 1] 2 L_moe/p) x per_collective_s)
 *              + per_seq_s x sequences + per_prefill_seq_s x prefills
 *              + [n > 1] (tp_sync_s + log2(n) x tp_sync_per_seq_s x sequences)
 *
 * (per_collective_s is the launch of each all-reduce and each all-to-all
 * dispatch or combine; the hand-off reaches all n workers).
 *
 * Per request: `request_s` before its first scheduling (HTTP, tokenisation,
 * the hand-off into the engine) and `finish_s` after its last token
 * (detokenising and closing the response). A client sees both: the first in
 * TTFT, both in the end-to-end latency.
 *
 * The engine also sets the share of the datasheet peaks its kernels reach:
 * `compute_efficiency` per data type (fp8 matrix multiplies reach a smaller
 * share of their peak than bf16 ones) and `memory_efficiency`. The roofline
 * uses them unless `step_time` gives its own.
 *
 * @module
 */

import type { IterationShape, StepTimeModel } from "./step_time.ts";
import type { DType, GpuSpec } from "./catalog.ts";
import { isTpOnly, microbatchCount, type Parallelism } from "./parallel.ts";

/** The engine's cost terms and kernel efficiencies (formula in the module doc). */
export interface EngineParams {
  /** Fixed cost of every iteration, seconds. */
  iteration_s: number;
  /** Per layer and iteration: the small kernels' floor, seconds. */
  per_layer_s: number;
  /** Cost per sequence in the iteration's batch (decoding or prefilling), seconds. */
  per_seq_s: number;
  /** Extra cost per prompt (or prompt chunk) in the iteration, seconds. */
  per_prefill_seq_s: number;
  /** Launch and synchronisation of one TP all-reduce (2 per layer when tp > 1), seconds. */
  per_collective_s: number;
  /** Per iteration under TP (t > 1): handing inputs to the workers, seconds. */
  tp_sync_s: number;
  /** Per iteration under TP, per sequence and per log2(t), seconds. */
  tp_sync_per_seq_s: number;
  /** Per request, from arrival to its reaching the scheduler, seconds. */
  request_s: number;
  /** Per request, from its last token to the end of the response, seconds. */
  finish_s: number;
  /** Share of the GPU's dense FLOP/s reached, per weight data type. */
  compute_efficiency: Record<DType, number>;
  /** Share of the memory bandwidth reached. */
  memory_efficiency: number;
}

/** An engine's scheduler limits when a scenario gives none. */
export interface EngineSchedulerDefaults {
  /** Batch composition policy. */
  policy: "prefill_first" | "decode_first" | "chunked";
  /** Most requests per batch. */
  max_num_seqs: number;
  /** Most tokens per batch. */
  max_num_batched_tokens: number;
}

/** What an engine's scheduler defaults depend on. */
export interface EngineSchedulerContext {
  /** The GPU, when the scenario names one. */
  gpu?: GpuSpec;
  /** The context limit, when known. */
  maxModelLen?: number;
}

/** A named engine with its parameters and where each one comes from. */
export interface EnginePreset {
  /** The preset's name (`vllm-v0`, ...). */
  name: string;
  /** What engine and versions it stands for (one line, for help and docs). */
  doc: string;
  /** The parameters. */
  params: EngineParams;
  /** Per parameter, the measurement it is derived from (shown in docs). */
  sources: Partial<Record<keyof EngineParams, string>>;
  /** The engine's own scheduler limits, for a scenario that gives none. */
  scheduler: (context: EngineSchedulerContext) => EngineSchedulerDefaults;
  /** Where those defaults are read from. */
  schedulerSource: string;
}

/** What the engine cost depends on besides the iteration's shape. */
export interface EngineContext {
  /** Tensor-parallel degree of the instance. */
  tp: number;
  /** Transformer layers of the model (kernel floors; 2 all-reduces each under TP). */
  layers: number;
  /**
   * Pipeline, expert and data-parallel attention degrees (absent: TP only).
   * Their tp must equal `tp`.
   */
  parallel?: Parallelism;
  /** MoE layers of the model (2 all-to-alls each when ep > 1; default 0). */
  moeLayers?: number;
}

/**
 * The engine's time for one iteration (formula in the module doc).
 *
 * @param params The engine's parameters.
 * @param context TP degree and layer count.
 * @param shape The iteration.
 * @returns Seconds the engine adds to the step-time model's figure.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { engineIterationS } from "./engine.ts";
 * import { ENGINE_PRESETS } from "./engines/mod.ts";
 * const p = { ...ENGINE_PRESETS.get("none").params, iteration_s: 0.002, per_seq_s: 1e-5 };
 * const s = engineIterationS(p, { tp: 1, layers: 32 }, {
 *   prefillTokens: 0, prefillSequences: 0, prefillAttendedTokens: 0,
 *   prefillPastTokens: 0, decodeTokens: 10, decodeContextTokens: 5000,
 * });
 * assert.ok(Math.abs(s - 0.0021) <= 1e-12);
 * ```
 */
export function engineIterationS(
  params: EngineParams,
  context: EngineContext,
  shape: IterationShape,
): number {
  const seqs = shape.decodeTokens + shape.prefillSequences;
  const par = context.parallel;
  if (par && !isTpOnly(par)) {
    return parallelEngineS(params, context, par, shape, seqs);
  }
  let s = params.iteration_s + context.layers * params.per_layer_s +
    params.per_seq_s * seqs +
    params.per_prefill_seq_s * shape.prefillSequences;
  if (context.tp > 1) {
    s += 2 * context.layers * params.per_collective_s + params.tp_sync_s +
      Math.log2(context.tp) * params.tp_sync_per_seq_s * seqs;
  }
  return s;
}

// The engine's time under pp / ep / dp (module doc): per-layer floors and
// collective launches on each of the m + p - 1 stage slots of L / p layers,
// the worker hand-off over every GPU of the instance.
function parallelEngineS(
  params: EngineParams,
  context: EngineContext,
  par: Parallelism,
  shape: IterationShape,
  seqs: number,
): number {
  const slots = microbatchCount(par, seqs) + par.pp - 1;
  const layersPerStage = context.layers / par.pp;
  const collectives = (par.tp > 1 ? 2 * layersPerStage : 0) +
    (par.ep > 1 ? 2 * (context.moeLayers ?? 0) / par.pp : 0);
  const gpus = par.tp * par.pp * par.dp;
  let s = params.iteration_s +
    slots * (layersPerStage * params.per_layer_s +
        collectives * params.per_collective_s) +
    params.per_seq_s * seqs +
    params.per_prefill_seq_s * shape.prefillSequences;
  if (gpus > 1) {
    s += params.tp_sync_s + Math.log2(gpus) * params.tp_sync_per_seq_s * seqs;
  }
  return s;
}

/**
 * A step-time model with the engine's time added to every iteration.
 *
 * @param gpuWork The step-time model of the GPU's work.
 * @param params The engine's parameters.
 * @param context TP degree and layer count.
 * @returns The model of the engine's iterations.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { withEngine } from "./engine.ts";
 * import { ENGINE_PRESETS } from "./engines/mod.ts";
 * import { rateStepTime } from "./step_time.ts";
 * const gpu = rateStepTime({ prefillTokensPerS: 10000, decodeTokensPerS: 100 });
 * const p = { ...ENGINE_PRESETS.get("none").params, iteration_s: 0.003 };
 * const m = withEngine(gpu, p, { tp: 1, layers: 32 });
 * const shape = {
 *   prefillTokens: 0, prefillSequences: 0, prefillAttendedTokens: 0,
 *   prefillPastTokens: 0, decodeTokens: 4, decodeContextTokens: 400,
 * };
 * assert.ok(Math.abs(m.iterationTimeS(shape) - 0.013) <= 1e-12);
 * ```
 */
export function withEngine(
  gpuWork: StepTimeModel,
  params: EngineParams,
  context: EngineContext,
): StepTimeModel {
  const zero = params.iteration_s === 0 && params.per_layer_s === 0 &&
    params.per_seq_s === 0 &&
    params.per_prefill_seq_s === 0 &&
    (context.tp === 1 && (!context.parallel || isTpOnly(context.parallel)) ||
      (params.per_collective_s === 0 && params.tp_sync_s === 0 &&
        params.tp_sync_per_seq_s === 0));
  if (zero) return gpuWork;
  return {
    iterationTimeS: (shape) =>
      gpuWork.iterationTimeS(shape) + engineIterationS(params, context, shape),
  };
}
