/**
 * A pool's parallel split as the scenario gives it (`cluster_mono.tp`,
 * `.pp`, `.ep`, `.dp_attention`; `cluster_disagg.prefill_*` / `decode_*`),
 * and the rules engines impose on it (lib/perf/parallel.ts says what each
 * degree means):
 *
 * - GPUs per instance, tp x pp x dp_attention, divide the pool's GPUs;
 * - ep divides tp x dp_attention (experts are split over the GPUs of one
 *   pipeline stage) and the model's routed experts;
 * - ep > 1 and dp_attention > 1 need an MoE model, pp at most its layers;
 * - pp, ep or dp_attention above 1 need `step_time.kind: roofline` (rate and
 *   table step times are per instance and cannot be split);
 * - under `batching: none` all degrees are 1.
 *
 * @module
 */

import { InputError, type Path } from "../errors.ts";
import type { Parallelism } from "../perf/parallel.ts";
import { resolveHardware } from "./hardware.ts";
import { poolSettings } from "./pool_settings.ts";
import type { PoolName, Scenario } from "./types.ts";

/** A pool's degrees, without the scheduler's micro-batch count. */
export type PoolSplit = Omit<Parallelism, "microbatches">;

/**
 * The degrees a pool's instances run with.
 *
 * @param scenario A validated scenario.
 * @param pool Which pool.
 * @returns tp, pp, ep and dp (dp_attention).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { poolSplit } from "./parallelism.ts";
 * import { validateScenario } from "./validate.ts";
 * const s = validateScenario({
 *   mode: "disagg", batching: "continuous", cluster_disagg: { decode_tp: 2 },
 * });
 * assert.deepEqual(poolSplit(s, "decode"), { tp: 2, pp: 1, ep: 1, dp: 1 });
 * ```
 */
export function poolSplit(scenario: Scenario, pool: PoolName): PoolSplit {
  if (pool === "gpu") {
    const c = scenario.cluster_mono;
    return { tp: c.tp, pp: c.pp, ep: c.ep, dp: c.dp_attention };
  }
  const c = scenario.cluster_disagg;
  return pool === "prefill"
    ? {
      tp: c.prefill_tp,
      pp: c.prefill_pp,
      ep: c.prefill_ep,
      dp: c.prefill_dp_attention,
    }
    : {
      tp: c.decode_tp,
      pp: c.decode_pp,
      ep: c.decode_ep,
      dp: c.decode_dp_attention,
    };
}

/**
 * Checks every pool's split against its GPUs, its model and its step-time
 * kind (the rules in the module doc); both modes' sections are checked,
 * model rules only for the mode that runs.
 *
 * @param scenario A validated scenario.
 * @throws {InputError} Naming the key at fault.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateScenario } from "./validate.ts";
 * assert.throws(
 *   () => validateScenario({
 *     mode: "disagg", batching: "continuous", step_time: { kind: "roofline" },
 *     hardware: { gpu: "H100-SXM", model: "DeepSeek-V3", weight_dtype: "fp8" },
 *     cluster_disagg: { decode_gpus: 56, decode_dp_attention: 7, decode_ep: 7 },
 *   }),
 *   /cluster_disagg\.decode_ep: 7 does not divide DeepSeek-V3's 256 experts/,
 * );
 * ```
 */
export function checkPoolParallelism(scenario: Scenario): void {
  const pools: [PoolName, string, string, number][] = [
    ["gpu", "cluster_mono", "", scenario.cluster_mono.num_gpus],
    [
      "prefill",
      "cluster_disagg",
      "prefill_",
      scenario.cluster_disagg.prefill_gpus,
    ],
    [
      "decode",
      "cluster_disagg",
      "decode_",
      scenario.cluster_disagg.decode_gpus,
    ],
  ];
  const running: PoolName[] = scenario.mode === "mono"
    ? ["gpu"]
    : ["prefill", "decode"];
  for (const [pool, section, prefix, gpus] of pools) {
    const split = poolSplit(scenario, pool);
    const at = (key: string): Path => [section, `${prefix}${key}`];
    const keys = [
      ["tp", split.tp],
      ["pp", split.pp],
      ["ep", split.ep],
      ["dp_attention", split.dp],
    ] as const;
    for (const [key, value] of keys) {
      if (value > 1 && scenario.batching === "none") {
        throw new InputError(
          "must be 1 with batching: none (each GPU serves one request)",
          at(key),
        );
      }
    }
    const perInstance = split.tp * split.pp * split.dp;
    if (gpus % perInstance !== 0) {
      const key = split.dp > 1 ? "dp_attention" : split.pp > 1 ? "pp" : "tp";
      throw new InputError(
        split.pp === 1 && split.dp === 1
          ? `must divide the pool's ${gpus} GPUs into whole instances, got ${split.tp}`
          : `${split.tp} x ${split.pp} x ${split.dp} = ${perInstance} GPUs per instance (tp x pp x dp_attention) must divide the pool's ${gpus} GPUs`,
        at(key),
      );
    }
    if ((split.tp * split.dp) % split.ep !== 0) {
      throw new InputError(
        `${split.ep} does not divide tp x dp_attention = ${
          split.tp * split.dp
        } (the experts are split over the GPUs of one pipeline stage)`,
        at("ep"),
      );
    }
    if (!running.includes(pool) || scenario.batching !== "continuous") continue;
    const split3 = split.pp > 1 || split.ep > 1 || split.dp > 1;
    if (!split3) continue;
    const settings = poolSettings(scenario, pool);
    const kind = settings.step_time.kind;
    if (kind !== "roofline") {
      const key = split.ep > 1 ? "ep" : split.dp > 1 ? "dp_attention" : "pp";
      throw new InputError(
        `needs step_time.kind: roofline (a ${kind} step time is per instance and cannot be split over pipeline stages, experts or attention ranks)`,
        at(key),
      );
    }
    if (!settings.hardware) continue; // the roofline kind's own check says so
    const { model } = resolveHardware(settings.hardware);
    const experts = model.num_experts ?? 0;
    if (split.pp > model.num_layers) {
      throw new InputError(
        `${split.pp} exceeds ${model.name}'s ${model.num_layers} layers`,
        at("pp"),
      );
    }
    if (experts === 0 && split.ep > 1) {
      throw new InputError(
        `${split.ep} needs an MoE model (${model.name} has no routed experts)`,
        at("ep"),
      );
    }
    if (experts === 0 && split.dp > 1) {
      throw new InputError(
        `${split.dp} needs an MoE model (${model.name} is dense: use more instances instead)`,
        at("dp_attention"),
      );
    }
    if (experts > 0 && experts % split.ep !== 0) {
      throw new InputError(
        `${split.ep} does not divide ${model.name}'s ${experts} experts`,
        at("ep"),
      );
    }
  }
}
