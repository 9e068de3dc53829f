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
    if (
      scenario.mode === "disagg" && given(tree, ["cluster_disagg", "ttft_at"])
    ) {
      warnings.push(
        "cluster_disagg.ttft_at: has no effect with batching: none (the first token comes with the first decode step)",
      );
    }
  } else {
    checkStepTimeKeys(tree, scenario, warnings);
    checkPrefixSource(scenario, warnings);
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

// Which step-time kind reads each step_time key.
const STEP_TIME_KEY_KIND: Readonly<Record<string, string>> = {
  table_file: "table",
  compute_efficiency: "roofline",
  memory_efficiency: "roofline",
  interconnect_efficiency: "roofline",
  all_reduce_latency_s: "roofline",
};

// A step_time key for a kind that no pool of the mode runs (a pool's own
// section is judged by that pool's kind).
function checkStepTimeKeys(
  tree: Record<string, unknown>,
  scenario: Scenario,
  warnings: string[],
): void {
  const pools: PoolName[] = scenario.mode === "mono"
    ? ["gpu"]
    : ["prefill", "decode"];
  const kinds = new Map(
    pools.map((p) => [p, poolSettings(scenario, p).step_time.kind]),
  );
  const sections: [string[], PoolName[]][] = [[["step_time"], pools]];
  if (scenario.mode === "disagg") {
    for (const p of ["prefill", "decode"] as const) {
      sections.push([["cluster_disagg", p, "step_time"], [p]]);
    }
  }
  for (const [path, users] of sections) {
    for (const [key, kind] of Object.entries(STEP_TIME_KEY_KIND)) {
      if (!given(tree, [...path, key])) continue;
      // A pool with its own value for the key does not read the top level's.
      const readers = users.filter((p) =>
        path.length > 1 ||
        scenario.mode === "mono" ||
        !given(tree, ["cluster_disagg", p, "step_time", key])
      );
      if (readers.some((p) => kinds.get(p) === kind)) continue;
      warnings.push(
        `${path.join(".")}.${key}: has no effect with step_time.kind ${
          [...new Set(readers.map((p) => kinds.get(p)))].join(" / ") ||
          "(every pool sets its own)"
        } (it is read by kind ${kind})`,
      );
    }
  }
}

// Prefix caching needs prompts that name their prefix blocks: a trace's
// hash ids or a class's shared prefix.
function checkPrefixSource(scenario: Scenario, warnings: string[]): void {
  if (!scenario.kv_cache.prefix_caching) return;
  const trace = scenario.trace;
  const noIds = trace
    ? trace.format === "azure" || trace.format === "burstgpt" ||
      ((trace.format === "csv" || trace.format === "jsonl") &&
        !(trace.columns as Record<string, unknown> | undefined)?.hash_ids)
    : !(scenario.classes ?? []).some((c) => c.shared_prefix_tokens >= 512);
  if (noIds) {
    warnings.push(
      `kv_cache.prefix_caching: has no effect: ${
        trace
          ? `the ${trace.format} trace has no hash_ids`
          : "no class has a shared_prefix_tokens of a whole 512-token block"
      }, so no prompt names a cached prefix`,
    );
  }
}
