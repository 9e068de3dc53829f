/**
 * Speculative decoding's arithmetic and cost: the expected tokens a
 * verification step yields, the draft that proposes them, and the step time
 * of one speculative iteration.
 *
 * A speculative step of k proposed tokens runs the draft k times (one token
 * per sequence each), then the target once over k + 1 query tokens per
 * sequence (the last accepted token and the k proposals), reading each
 * sequence's KV once. Token i is accepted with probability a_i when tokens
 * 1..i-1 were (conditional per-position rates; one rate alpha for all
 * positions is the geometric case), and the target's own token after the
 * last accepted one always comes, so a step yields
 *
 *     E[tokens] = 1 + sum_{i=1..k} prod_{j<=i} a_j
 *               = (1 - alpha^(k+1)) / (1 - alpha)     (a_j = alpha)
 *
 * (Leviathan et al., "Fast Inference from Transformers via Speculative
 * Decoding", https://arxiv.org/abs/2211.17192, eq. 1).
 *
 * @module
 */

import {
  decodeShape,
  type IterationShape,
  type StepTimeModel,
} from "./step_time.ts";
import {
  type DType,
  DTYPE_BYTES,
  type ModelSpec,
  parameterBreakdown,
  parameterCount,
} from "./catalog.ts";
import { kvBytesPerToken, kvShards } from "./memory.ts";

/** Where the proposals come from. */
export type SpeculativeMethod = "draft" | "eagle" | "mtp";

/**
 * The per-position conditional acceptance rates of k proposals: one rate
 * for every position, or one per position.
 *
 * @param acceptance A rate alpha, or the rates a_1..a_k.
 * @param k Proposed tokens per step.
 * @returns The k rates.
 * @throws {RangeError} When a list's length is not k.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { acceptanceRates } from "./speculative.ts";
 * assert.deepEqual(acceptanceRates(0.8, 3), [0.8, 0.8, 0.8]);
 * assert.deepEqual(acceptanceRates([0.9, 0.7], 2), [0.9, 0.7]);
 * ```
 */
export function acceptanceRates(
  acceptance: number | readonly number[],
  k: number,
): number[] {
  if (typeof acceptance === "number") return new Array(k).fill(acceptance);
  if (acceptance.length !== k) {
    throw new RangeError(
      `${acceptance.length} acceptance rates for ${k} proposed tokens`,
    );
  }
  return [...acceptance];
}

/**
 * Expected tokens one verification step yields per sequence:
 * 1 + sum_i prod_{j<=i} a_j (module doc).
 *
 * @param rates The per-position conditional acceptance rates.
 * @returns Tokens per step, between 1 and k + 1.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { expectedTokensPerStep } from "./speculative.ts";
 * // Geometric: (1 - 0.8^4) / (1 - 0.8) = 2.952.
 * assert.ok(Math.abs(expectedTokensPerStep([0.8, 0.8, 0.8]) - 2.952) < 1e-12);
 * assert.equal(expectedTokensPerStep([1, 1]), 3);
 * ```
 */
export function expectedTokensPerStep(rates: readonly number[]): number {
  let product = 1, sum = 1;
  for (const a of rates) {
    product *= a;
    sum += product;
  }
  return sum;
}

/** Options of {@linkcode draftModelSpec}. */
export interface DraftModelOptions {
  /** Method `draft`: the draft model. */
  draftModel?: ModelSpec;
  /**
   * Methods `eagle` and `mtp`: decoder layers of the head (default: eagle
   * 1, mtp the target's `mtp_layers`, else 1).
   */
  draftLayers?: number;
}

/**
 * The architecture whose decode steps propose the tokens:
 *
 * - `draft`: the draft model as given;
 * - `eagle`: `draftLayers` dense decoder layers of the target's width and
 *   attention (EAGLE's head is one such layer over the target's features,
 *   https://arxiv.org/abs/2401.15077), with the target's LM head;
 * - `mtp`: `draftLayers` (default the model's `mtp_layers`) layers of the
 *   target's own shape, MoE included, with its LM head (DeepSeek-V3's MTP
 *   module, https://arxiv.org/abs/2412.19437 section 2.2).
 *
 * The heads' small input projections (EAGLE's and MTP's 2h x h) are left
 * out: a few percent of a layer.
 *
 * @param method The method.
 * @param target The target model.
 * @param options The draft model or the head's layers.
 * @returns The proposer's architecture.
 * @throws {RangeError} For method `draft` without a draft model.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { draftModelSpec } from "./speculative.ts";
 * import { MODELS } from "./catalog.ts";
 * const head = draftModelSpec("eagle", MODELS["Llama-3.1-8B"]);
 * assert.equal(head.num_layers, 1);
 * assert.equal(head.hidden_size, 4096);
 * ```
 */
export function draftModelSpec(
  method: SpeculativeMethod,
  target: ModelSpec,
  options: DraftModelOptions = {},
): ModelSpec {
  if (method === "draft") {
    if (!options.draftModel) {
      throw new RangeError("method draft needs a draft model");
    }
    return options.draftModel;
  }
  if (method === "eagle") {
    return {
      ...target,
      name: `${target.name} EAGLE head`,
      num_layers: options.draftLayers ?? 1,
      num_experts: 0,
      active_experts: undefined,
      shared_experts: undefined,
      expert_ffn_size: undefined,
      dense_layers: undefined,
    };
  }
  return {
    ...target,
    name: `${target.name} MTP`,
    num_layers: options.draftLayers ?? target.mtp_layers ?? 1,
    // The MTP module's layer has the model's MoE FFN.
    dense_layers: target.num_experts ? 0 : target.dense_layers,
  };
}

/** What a proposer keeps in each GPU's memory beside the target. */
export interface DraftMemory {
  /** Its weight bytes on each GPU. */
  weightBytesPerGpu: number;
  /** Its KV bytes per token of a sequence on each GPU. */
  kvBytesPerTokenPerGpu: number;
}

/**
 * The proposer's memory on each GPU of the target's instance. A draft model
 * is held whole at TP t (its weights / t, its KV sharded as the target's
 * rule shards it); a head (`eagle`, `mtp`) shares the target's embedding and
 * LM head, so only its layers count. The proposer lives on one pipeline
 * stage and in every attention rank: the GPUs that hold it are the fullest,
 * so their budget is the instance's.
 *
 * @param method The method.
 * @param draft The proposer's architecture ({@linkcode draftModelSpec}).
 * @param options The weight and KV data types and the TP degree.
 * @returns Bytes per GPU.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { draftMemory, draftModelSpec } from "./speculative.ts";
 * import { MODELS } from "./catalog.ts";
 * const target = MODELS["Llama-3.1-8B"];
 * const m = draftMemory("eagle", draftModelSpec("eagle", target), {
 *   weightDtype: "bf16", kvDtype: "bf16", tp: 1,
 * });
 * // One layer, no embedding: 4 h^2 (attention with GQA) + 3 h F, in bf16.
 * assert.equal(m.weightBytesPerGpu, 2 * (2 * 4096 * 4096 + 2 * 4096 * 1024 + 3 * 4096 * 14336));
 * // One layer's K and V: 2 x 8 heads x 128 x 2 bytes.
 * assert.equal(m.kvBytesPerTokenPerGpu, 4096);
 * ```
 */
export function draftMemory(
  method: SpeculativeMethod,
  draft: ModelSpec,
  options: { weightDtype: DType; kvDtype: DType; tp: number },
): DraftMemory {
  const p = parameterBreakdown(draft);
  const shared = method === "draft" ? 0 : p.embedding + p.lmHead;
  return {
    weightBytesPerGpu: (parameterCount(draft) - shared) *
      DTYPE_BYTES[options.weightDtype] / options.tp,
    kvBytesPerTokenPerGpu: kvBytesPerToken(draft, options.kvDtype) /
      kvShards(draft, options.tp),
  };
}

/** Options of {@linkcode speculativeStepTime}. */
export interface SpeculativeStepOptions {
  /** The target's iteration model (verification of k + 1 tokens included). */
  target: StepTimeModel;
  /** The draft's iteration model (one proposal step). */
  draft: StepTimeModel;
  /** Proposed tokens per step, k. */
  numTokens: number;
}

/**
 * A speculative iteration's duration: the target's iteration as shaped
 * (decodes with `decodeQueryTokens` = k + 1 per sequence) plus k draft
 * steps of one token per decoding sequence. The first draft step also runs
 * the iteration's prompt tokens (the draft keeps its own KV and features
 * for them); each reads its sequences' contexts, whose growth by up to k
 * tokens within the step is left out.
 *
 * @param options The target, the draft and k.
 * @returns The model.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { speculativeStepTime } from "./speculative.ts";
 * import { rateStepTime } from "./step_time.ts";
 * const m = speculativeStepTime({
 *   target: rateStepTime({ prefillTokensPerS: 1e4, decodeTokensPerS: 50 }),
 *   draft: rateStepTime({ prefillTokensPerS: 1e5, decodeTokensPerS: 1000 }),
 *   numTokens: 3,
 * });
 * const t = m.iterationTimeS({
 *   prefillTokens: 0, prefillSequences: 0, prefillAttendedTokens: 0,
 *   prefillPastTokens: 0, decodeTokens: 2, decodeContextTokens: 200,
 *   decodeQueryTokens: 8,
 * });
 * // One target step (20 ms) and three draft steps (1 ms each).
 * assert.ok(Math.abs(t - 0.023) < 1e-12);
 * ```
 */
export function speculativeStepTime(
  options: SpeculativeStepOptions,
): StepTimeModel {
  const { target, draft, numTokens: k } = options;
  // Reused (empty to start): iterationTimeS runs at every iteration.
  const first: IterationShape = decodeShape(0, 0);
  const rest: IterationShape = decodeShape(0, 0);
  return {
    iterationTimeS(shape: IterationShape): number {
      let s = target.iterationTimeS(shape);
      first.prefillTokens = shape.prefillTokens;
      first.prefillSequences = shape.prefillSequences;
      first.prefillAttendedTokens = shape.prefillAttendedTokens;
      first.prefillPastTokens = shape.prefillPastTokens;
      first.decodeTokens = shape.decodeTokens;
      first.decodeContextTokens = shape.decodeContextTokens;
      s += draft.iterationTimeS(first);
      if (shape.decodeTokens > 0 && k > 1) {
        rest.decodeTokens = shape.decodeTokens;
        rest.decodeContextTokens = shape.decodeContextTokens;
        s += (k - 1) * draft.iterationTimeS(rest);
      }
      return s;
    },
  };
}
