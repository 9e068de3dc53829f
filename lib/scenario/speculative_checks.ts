/**
 * The rules of the `speculative` section that span sections: where it may
 * be set, which of its keys its method reads, and what it needs (hardware
 * and a roofline step time, which cost the draft and the verification).
 *
 * @module
 */

import { InputError, type Path } from "../errors.ts";
import { resolveHardware } from "./hardware.ts";
import { poolSettings } from "./pool_settings.ts";
import type { PoolName, Scenario } from "./types.ts";

/**
 * Checks the scenario's speculative decoding.
 *
 * @param scenario A scenario its schema has parsed.
 * @throws {InputError} Naming the key at fault.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateScenario } from "./validate.ts";
 * assert.throws(() => validateScenario({
 *   mode: "mono", batching: "continuous", step_time: { kind: "roofline" },
 *   hardware: { gpu: "H100-SXM", model: "Llama-3.1-8B" },
 *   speculative: { method: "eagle", num_tokens: 3, acceptance: [0.9, 0.8] },
 * }), { message: "speculative.acceptance: needs num_tokens (3) rates, got 2" });
 * ```
 */
export function checkSpeculative(scenario: Scenario): void {
  if (scenario.cluster_disagg.prefill?.speculative !== undefined) {
    throw new InputError(
      "the prefill pool yields only each request's first token, so nothing to speculate; set speculative at the top level or under cluster_disagg.decode",
      ["cluster_disagg", "prefill", "speculative"],
    );
  }
  if (scenario.batching === "none") return; // a no-op warning (no_ops.ts)
  const pool: PoolName = scenario.mode === "mono" ? "gpu" : "decode";
  const settings = poolSettings(scenario, pool);
  const spec = settings.speculative;
  if (!spec) return;
  const base: Path = pool === "decode" &&
      scenario.cluster_disagg.decode?.speculative !== undefined
    ? ["cluster_disagg", "decode", "speculative"]
    : ["speculative"];
  const k = spec.num_tokens;
  if (Array.isArray(spec.acceptance) && spec.acceptance.length !== k) {
    throw new InputError(
      `needs num_tokens (${k}) rates, got ${spec.acceptance.length}`,
      [...base, "acceptance"],
    );
  }
  if (spec.method === "draft" && spec.draft_model === undefined) {
    throw new InputError("is required with method: draft", [
      ...base,
      "draft_model",
    ]);
  }
  if (spec.method !== "draft" && spec.draft_model !== undefined) {
    throw new InputError(
      `has no effect with method: ${spec.method} (only method: draft runs a draft model)`,
      [...base, "draft_model"],
    );
  }
  if (spec.method === "draft" && spec.draft_layers !== undefined) {
    throw new InputError(
      "has no effect with method: draft (the draft model has its own layers)",
      [...base, "draft_layers"],
    );
  }
  if (!settings.hardware) {
    throw new InputError(
      "needs the hardware section (gpu and model): the draft's and the verification's costs come from them",
      base,
    );
  }
  if (settings.step_time.kind !== "roofline") {
    throw new InputError(
      `needs step_time.kind: roofline (got ${settings.step_time.kind}): the draft and the verification of k + 1 tokens are costed from the architecture`,
      base,
    );
  }
}

/**
 * What speculative decoding assumes where the scenario leaves it open: an
 * `mtp` head for a model whose `mtp_layers` the catalog does not give.
 *
 * @param scenario A validated scenario.
 * @returns Warnings, one line each.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { speculativeWarnings } from "./speculative_checks.ts";
 * import { validateScenario } from "./validate.ts";
 * const s = validateScenario({
 *   mode: "mono", batching: "continuous", step_time: { kind: "roofline" },
 *   hardware: { gpu: "H100-SXM", model: "Llama-3.1-8B" },
 *   speculative: { method: "mtp", num_tokens: 1, acceptance: 0.8 },
 * });
 * assert.match(speculativeWarnings(s)[0], /has no mtp_layers/);
 * ```
 */
export function speculativeWarnings(scenario: Scenario): string[] {
  if (scenario.batching === "none") return [];
  const pool: PoolName = scenario.mode === "mono" ? "gpu" : "decode";
  const settings = poolSettings(scenario, pool);
  const spec = settings.speculative;
  if (spec?.method !== "mtp" || spec.draft_layers !== undefined) return [];
  const model = resolveHardware(settings.hardware!).model;
  return model.mtp_layers === undefined
    ? [
      `speculative: ${model.name} has no mtp_layers in the catalog; assuming 1 MTP layer of its shape (set speculative.draft_layers)`,
    ]
    : [];
}
