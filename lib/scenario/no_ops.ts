/**
 * Keys the user gave that the scenario does not use. A simulator that takes
 * a value and ignores it gives an answer to a question nobody asked, so each
 * is an error where it contradicts the scenario (a rate for a trace that
 * brings its own times) or a warning where it is harmless (an engine preset
 * under `batching: none`, which has no engine).
 *
 * The check reads the keys as given (the file with its overrides), before
 * defaults are filled: a filled scenario has every key.
 *
 * @module
 */

import { InputError } from "./errors.ts";
import type { Scenario } from "./types.ts";
import { type PoolName, poolSettings } from "./pool_settings.ts";

const warningsOf = new WeakMap<Scenario, string[]>();

/**
 * The warnings {@linkcode checkNoOps} found for a loaded scenario.
 *
 * @param scenario A scenario from `parseScenario` or `loadScenarioFile`.
 * @returns Its warnings (none for a scenario built another way).
 *
 * @example Usage
 * ```ts
 * import { scenarioWarnings } from "./no_ops.ts";
 * import { parseScenario } from "./load.ts";
 * import assert from "node:assert/strict";
 * const s = parseScenario("batching: none\nkv_cache: {block_size: 32}\n");
 * assert.match(scenarioWarnings(s)[0], /kv_cache: has no effect with batching: none/);
 * ```
 */
export function scenarioWarnings(scenario: Scenario): readonly string[] {
  return warningsOf.get(scenario) ?? [];
}

function given(tree: Record<string, unknown>, path: string[]): boolean {
  let node: unknown = tree;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return node !== undefined;
}

/**
 * Checks the given keys against the validated scenario: throws on a
 * contradiction, records warnings for harmless no-ops (read them with
 * {@linkcode scenarioWarnings}).
 *
 * @param tree The keys as given (parsed file plus overrides).
 * @param scenario The validated scenario.
 * @throws {InputError} Naming the key that contradicts the scenario.
 */
export function checkNoOps(
  tree: Record<string, unknown>,
  scenario: Scenario,
): void {
  const warnings: string[] = [];
  if (scenario.trace) {
    for (const key of ["arrival", "prompt_tokens", "output_tokens"]) {
      if (!given(tree, [key])) continue;
      // The first key given under it, so an override's flag is named.
      const inner = tree[key];
      const first = typeof inner === "object" && inner !== null
        ? Object.keys(inner)[0]
        : undefined;
      throw new InputError(
        key === "arrival"
          ? "has no effect with a trace, whose timestamps give the arrivals; to change the rate set trace.time_scale or trace.target_rate_per_s"
          : "has no effect with a trace, which replays its own lengths; remove it or the trace",
        first === undefined ? [key] : [key, first],
      );
    }
  }
  if (scenario.batching === "none") {
    // One request per GPU at the cluster's token rates: no engine, batch
    // scheduler, KV cache or step-time model.
    // (simulate itself warns of engine and scheduler.max_model_len.)
    const scheduler = tree.scheduler;
    const schedulerKeys = typeof scheduler === "object" && scheduler !== null
      ? Object.keys(scheduler).filter((k) => k !== "max_model_len")
      : [];
    for (
      const key of [
        "step_time",
        "scheduler",
        "kv_cache",
        "hardware",
        "kv_transfer",
      ]
    ) {
      if (key === "scheduler" ? schedulerKeys.length > 0 : given(tree, [key])) {
        warnings.push(
          `${key}: has no effect with batching: none (each GPU serves one request at cluster_${scenario.mode}'s token rates); set batching: continuous to use it`,
        );
      }
    }
  } else {
    const section = `cluster_${scenario.mode}`;
    const pools: [PoolName, string][] = scenario.mode === "mono"
      ? [["gpu", "prefill_tokens_per_s"], ["gpu", "decode_tokens_per_s"]]
      : [["prefill", "prefill_tokens_per_s"], [
        "decode",
        "decode_tokens_per_s",
      ]];
    for (const [pool, key] of pools) {
      const kind = poolSettings(scenario, pool).step_time.kind;
      if (kind !== "rate" && given(tree, [section, key])) {
        warnings.push(
          `${section}.${key}: has no effect with step_time.kind ${kind}${
            pool === "gpu" ? "" : ` (the ${pool} pool)`
          }, which gives iteration times itself`,
        );
      }
    }
  }
  warningsOf.set(scenario, warnings);
}
