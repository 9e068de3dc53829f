/**
 * A pool's speculative decoding, built from its settings: the draft's
 * architecture and step time (through the same roofline, on the same GPU,
 * TP and data types as the target), the speculative iteration's duration
 * and what each instance needs to draw accepted tokens.
 *
 * The draft's engine time per proposal step (stated in docs/model.md):
 * the engine's per-layer floor for the draft's layers, `per_seq_s` per
 * sequence (each proposal is sampled) and, under TP, `per_collective_s`
 * per all-reduce of its layers. The step floor (`iteration_s`), the TP
 * hand-off and the per-prompt costs are paid once per iteration, with the
 * verification.
 *
 * @module
 */

import type { PoolSettings } from "../scenario/types.ts";
import type { StepTimeModel } from "../perf/step_time.ts";
import { type ModelSpec, parameterBreakdown } from "../perf/catalog.ts";
import type { Parallelism } from "../perf/parallel.ts";
import { withEngine } from "../perf/engine.ts";
import {
  acceptanceRates,
  expectedTokensPerStep,
  speculativeStepTime,
} from "../perf/speculative.ts";
import { resolveHardware } from "../scenario/hardware.ts";
import { poolProposer } from "../scenario/pool_settings.ts";
import { STEP_TIME_KINDS } from "../scenario/step_time_kinds/mod.ts";
import type { SpeculativeConfig } from "../serving/speculative.ts";

/** A pool's speculative decoding, ready to run. */
export interface SpeculativePool {
  /** The iteration model: the target's (engine included) plus k draft steps. */
  stepTime: StepTimeModel;
  /** What the pool's instances draw with. */
  instance: SpeculativeConfig;
  /** The proposer's architecture. */
  draft: ModelSpec;
  /** Expected tokens per step, 1 + sum_i prod_{j<=i} a_j. */
  expectedTokensPerStep: number;
}

/**
 * Builds a pool's speculative decoding (the scenario was validated: the
 * pool has hardware and a roofline step time).
 *
 * @param settings The pool's settings, with `speculative`.
 * @param options The pool's TP degree, its target iteration model (engine
 * included) and the scenario's seed.
 * @returns The pool's speculation.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { speculativePool } from "./speculative_pool.ts";
 * import { poolSettings } from "../scenario/pool_settings.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * import { rateStepTime } from "../perf/step_time.ts";
 * import { TP_ONLY } from "../perf/parallel.ts";
 * const s = validateScenario({
 *   mode: "mono", batching: "continuous", step_time: { kind: "roofline" },
 *   hardware: { gpu: "H100-SXM", model: "Llama-3.1-8B" },
 *   speculative: { method: "eagle", num_tokens: 3, acceptance: 0.8 },
 * });
 * const spec = speculativePool(poolSettings(s, "gpu"), {
 *   parallel: TP_ONLY, seed: 1,
 *   target: rateStepTime({ prefillTokensPerS: 1e4, decodeTokensPerS: 100 }),
 * });
 * assert.equal(spec.draft.num_layers, 1);
 * assert.ok(Math.abs(spec.expectedTokensPerStep - 2.952) < 1e-12);
 * ```
 */
export function speculativePool(
  settings: PoolSettings,
  options: { parallel: Parallelism; target: StepTimeModel; seed: number },
): SpeculativePool {
  const spec = settings.speculative!;
  const hw = settings.hardware!;
  const { gpu } = resolveHardware(hw);
  const draft = poolProposer(settings)!;
  // The proposer runs on the target's GPUs, split as the target's layers
  // are but whole on one pipeline stage (a head is a layer or two), and its
  // experts split only if it has any.
  const draftMoeLayers = parameterBreakdown(draft).moeLayers;
  const parallel: Parallelism = {
    ...options.parallel,
    pp: 1,
    microbatches: 1,
    ep: draftMoeLayers > 0 ? options.parallel.ep : 1,
  };
  const tp = parallel.tp;
  const draftWork = STEP_TIME_KINDS.get("roofline").build({
    settings: { ...settings, step_time: { ...settings.step_time } },
    tp,
    parallel,
    hardware: { gpu, model: draft },
    rates: { prefillTokensPerS: 1, decodeTokensPerS: 1 },
  });
  const e = settings.engine;
  const draftStep = withEngine(draftWork, {
    ...e,
    iteration_s: 0,
    per_prefill_seq_s: 0,
    tp_sync_s: 0,
    tp_sync_per_seq_s: 0,
  }, { tp, layers: draft.num_layers, parallel, moeLayers: draftMoeLayers });
  const rates = acceptanceRates(spec.acceptance, spec.num_tokens);
  return {
    stepTime: speculativeStepTime({
      target: options.target,
      draft: draftStep,
      numTokens: spec.num_tokens,
    }),
    instance: {
      numTokens: spec.num_tokens,
      acceptance: rates,
      seed: options.seed,
    },
    draft,
    expectedTokensPerStep: expectedTokensPerStep(rates),
  };
}
