/**
 * Keys the user gave that the scenario does not use. A simulator that takes
 * a value and ignores it gives an answer to a question nobody asked, so each
 * is an error where it contradicts the scenario (a rate for a trace that
 * brings its own times) or a warning where it is harmless (an engine preset
 * under `batching: none`, which has no engine).
 *
 * One rule, {@linkcode keyEffect}, says which key paths a scenario does not
 * read; the load applies it to the keys as given (the file with its
 * overrides, before defaults fill every key), and the study commands to
 * their axes and overrides.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import type { PoolName, Scenario } from "./types.ts";
import { poolSettings } from "./pool_settings.ts";
import { poolSplit } from "./parallelism.ts";
import { PREFIX_BLOCK_TOKENS } from "../workload/request_source.ts";
import { stepTimeKeyKinds } from "./step_time_kinds/mod.ts";
import { hasPrefixIds } from "../workload/trace_formats/mod.ts";

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
 * assert.match(scenarioWarnings(s)[0], /kv_cache: has no effect under batching=none/);
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

/** Why a key has no effect, from {@linkcode keyEffect}. */
export interface NoEffect {
  /** The reason, as a phrase: `under batching=none (...)`. */
  reason: string;
  /**
   * The key belongs to the other mode (`cluster_disagg` in mono, say): a
   * scenario file may carry it for `compare`, which runs both modes.
   */
  otherMode?: boolean;
}

const BATCHED_ONLY = [
  "scheduler",
  "engine",
  "step_time",
  "kv_cache",
  "hardware",
  "kv_transfer",
  "speculative",
];

// Which step-time kind reads each step_time key.
const STEP_TIME_KEY_KIND = stepTimeKeyKinds();

/**
 * Why a key path has no effect on a run of the scenario, or undefined when
 * it may have one. The rules:
 *
 * - the other mode's cluster section (and `kv_transfer` in mono);
 * - under a trace, `arrival` and the length distributions (the trace gives
 *   both); under a dataset, the length distributions; `arrival` when every
 *   class has its own;
 * - under `batching: none`, the batched sections (`scheduler`, `engine`,
 *   `step_time`, `kv_cache`, `hardware`, `kv_transfer`, `speculative`, the disagg pools'
 *   own sections, `cluster_disagg.ttft_at`): one request per GPU at the
 *   cluster's token rates;
 * - under `batching: continuous`, a pool's `prefill_tokens_per_s` /
 *   `decode_tokens_per_s` when that pool does not step by `rate`, a
 *   `step_time` key of a kind no pool reading it runs, and
 *   `kv_cache.prefix_caching` when no prompt names a prefix block.
 *
 * @param s A validated scenario.
 * @param path A dotted key path.
 * @returns The reason, or undefined.
 *
 * @example Usage
 * ```ts
 * import { keyEffect } from "./no_ops.ts";
 * import { validateScenario } from "./validate.ts";
 * import assert from "node:assert/strict";
 * const s = validateScenario({ mode: "mono" });
 * assert.match(keyEffect(s, "kv_cache.block_size")!.reason, /under batching=none/);
 * assert.equal(keyEffect(s, "arrival.rate_per_s"), undefined);
 * ```
 */
export function keyEffect(s: Scenario, path: string): NoEffect | undefined {
  const keys = path.split(".");
  const [head, key] = keys;
  if (head === "cluster_mono" && s.mode === "disagg") {
    return {
      reason: "under mode=disagg (which runs cluster_disagg)",
      otherMode: true,
    };
  }
  if (head === "cluster_disagg" && s.mode === "mono") {
    return {
      reason: "under mode=mono (which runs cluster_mono)",
      otherMode: true,
    };
  }
  if (head === "kv_transfer" && s.mode === "mono") {
    return {
      reason: "under mode=mono (no KV cache moves between pools)",
      otherMode: true,
    };
  }
  if (s.trace && head === "arrival") {
    return { reason: "under a trace (its timestamps give the arrivals)" };
  }
  if (s.trace && (head === "prompt_tokens" || head === "output_tokens")) {
    return { reason: "under a trace (it replays its own lengths)" };
  }
  if (s.dataset && (head === "prompt_tokens" || head === "output_tokens")) {
    return { reason: "under a dataset (it gives the lengths)" };
  }
  if (head === "arrival" && s.classes?.every((c) => c.arrival)) {
    return { reason: "when every class has its own arrival" };
  }
  const poolSection = head === "cluster_disagg" &&
    (key === "prefill" || key === "decode" || key === "ttft_at");
  if (s.batching === "none") {
    return BATCHED_ONLY.includes(head) || poolSection
      ? {
        reason:
          "under batching=none (each GPU serves one request at the cluster's token rates; set batching: continuous)",
      }
      : undefined;
  }
  const pools: PoolName[] = s.mode === "mono" ? ["gpu"] : ["prefill", "decode"];
  const kindOf = (p: PoolName) => poolSettings(s, p).step_time.kind;
  if (
    (head === "cluster_mono" || head === "cluster_disagg") &&
    keys.length === 2 && /^(prefill|decode)_tokens_per_s$/.test(key)
  ) {
    // Colocated, one pool reads both; disaggregated, each pool its own.
    const readers: PoolName[] = s.mode === "mono"
      ? ["gpu"]
      : [key.startsWith("prefill") ? "prefill" : "decode"];
    const kinds = [...new Set(readers.map(kindOf))];
    if (kinds.includes("rate")) return undefined;
    return {
      reason: `under step_time.kind=${kinds.join("/")} (${
        kinds.includes("roofline")
          ? "step times come from the hardware and model: sweep hardware.gpu or step_time.compute_efficiency instead"
          : "step times come from the measured table: sweep scheduler or engine keys instead, or use step_time.kind: rate"
      })`,
    };
  }
  const parallelIdle = parallelKeyEffect(s, pools, path);
  if (parallelIdle) return parallelIdle;
  // A step_time key: the top level's is read by every pool without its own
  // value; a disagg pool's own by that pool.
  const own = head === "cluster_disagg" &&
    (key === "prefill" || key === "decode") &&
    keys[2] === "step_time";
  const stepKey = head === "step_time" ? key : own ? keys[3] : undefined;
  if (stepKey !== undefined && STEP_TIME_KEY_KIND[stepKey]) {
    const readers = own ? [key as PoolName] : pools.filter((p) =>
      p === "gpu" ||
      (s.cluster_disagg[p as "prefill" | "decode"]?.step_time as
          | Record<string, unknown>
          | undefined)?.[stepKey] === undefined
    );
    const kinds = [...new Set(readers.map(kindOf))];
    if (kinds.includes(STEP_TIME_KEY_KIND[stepKey] as typeof kinds[number])) {
      return undefined;
    }
    return {
      reason: `under step_time.kind=${
        kinds.join("/") || "(every pool sets its own)"
      } (only the ${STEP_TIME_KEY_KIND[stepKey]} kind reads it)`,
    };
  }
  const order = s.scheduler.scheduling_policy ?? "fcfs";
  if (
    path === "scheduler.scheduling_policy" && order === "priority" &&
    !(s.classes ?? []).some((c) => c.priority !== undefined)
  ) {
    return {
      reason:
        "when no class sets a priority (every request has priority 0: the order is fcfs)",
    };
  }
  if (
    (path === "scheduler.sjf_key" ||
      path === "scheduler.sjf_prediction_error") &&
    order !== "sjf"
  ) {
    return { reason: `under scheduler.scheduling_policy=${order}` };
  }
  if (
    path === "scheduler.sjf_prediction_error" &&
    (s.scheduler.sjf_key ?? "prompt") === "prompt"
  ) {
    return { reason: "under scheduler.sjf_key=prompt (nothing is predicted)" };
  }
  // Offload tiers hold prefix entries, which only prefilling pools cache.
  const offloadKey = keys[keys.length - 1];
  if (
    (offloadKey === "offload" || offloadKey === "offload_policy") &&
    keys[keys.length - 2] === "kv_cache"
  ) {
    if (head === "cluster_disagg" && key === "decode") {
      return {
        reason:
          "on the decode pool (prefixes are cached where prompts are prefilled; set it on the prefill pool)",
      };
    }
    const pool: PoolName = head === "cluster_disagg"
      ? key as PoolName
      : pools[0];
    if (
      offloadKey === "offload_policy" &&
      poolSettings(s, pool).kv_cache.offload === undefined
    ) {
      return { reason: "without kv_cache.offload (there is no lower tier)" };
    }
  }
  if (path === "kv_cache.prefix_caching") {
    const trace = s.trace;
    // Sessions' turns name their context's blocks.
    const noIds = trace
      ? !hasPrefixIds(trace)
      : !s.sessions && !(s.classes ?? []).some((c) =>
        c.shared_prefix_tokens >= PREFIX_BLOCK_TOKENS
      ) && !(s.dataset?.name === "random" &&
        s.dataset.prefix_len >= PREFIX_BLOCK_TOKENS);
    if (noIds) {
      return {
        reason: trace
          ? `under a ${trace.format} trace, which has no hash_ids (no prompt names a cached prefix)`
          : "when no class has a shared_prefix_tokens (nor dataset a prefix_len) of a whole 512-token block (no prompt names a cached prefix)",
      };
    }
  }
  return undefined;
}

// The parallelism keys that only some splits read: the micro-batch count
// without pipeline stages, the expert imbalance without expert parallelism,
// the node size and NIC without the roofline (the only kind with links).
function parallelKeyEffect(
  s: Scenario,
  pools: PoolName[],
  path: string,
): NoEffect | undefined {
  const keys = path.split(".");
  const own = keys[0] === "cluster_disagg" &&
    (keys[1] === "prefill" || keys[1] === "decode");
  const rest = own ? keys.slice(2) : keys;
  const readers = own ? [keys[1] as PoolName] : pools;
  const tail = rest.join(".");
  if (tail === "scheduler.pp_microbatches") {
    if (readers.some((p) => poolSplit(s, p).pp > 1)) return undefined;
    return { reason: "without pipeline parallelism (every pool has pp 1)" };
  }
  if (tail === "step_time.expert_imbalance") {
    if (readers.some((p) => poolSplit(s, p).ep > 1)) return undefined;
    return { reason: "without expert parallelism (every pool has ep 1)" };
  }
  if (
    tail === "hardware.gpus_per_node" ||
    tail === "hardware.scale_out_bytes_per_s"
  ) {
    const kinds = readers.map((p) => poolSettings(s, p).step_time.kind);
    if (kinds.includes("roofline")) return undefined;
    return {
      reason: `under step_time.kind=${
        [...new Set(kinds)].join("/")
      } (only the roofline kind models the links)`,
    };
  }
  return undefined;
}

// A section's path with the first key given under it, so that an
// override's flag is named.
function firstKeyPath(tree: Record<string, unknown>, key: string): string[] {
  const inner = tree[key];
  const first = typeof inner === "object" && inner !== null
    ? Object.keys(inner)[0]
    : undefined;
  return first === undefined ? [key] : [key, first];
}

/**
 * Checks the given keys against the validated scenario: throws on a
 * contradiction (a rate or lengths for a trace, which brings its own), and
 * records a warning for each other key {@linkcode keyEffect} finds idle
 * (read them with {@linkcode scenarioWarnings}). The other mode's sections
 * are left alone (`compare` reads them), and so are `engine` and
 * `scheduler.max_model_len` under `batching: none`, of which `simulate`
 * warns itself.
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
      throw new InputError(
        key === "arrival"
          ? "has no effect with a trace, whose timestamps give the arrivals; to change the rate set trace.time_scale or trace.target_rate_per_s"
          : "has no effect with a trace, which replays its own lengths; remove it or the trace",
        firstKeyPath(tree, key),
      );
    }
  }
  if (scenario.dataset) {
    for (const key of ["prompt_tokens", "output_tokens"]) {
      if (!given(tree, [key])) continue;
      throw new InputError(
        "has no effect with a dataset, which gives the lengths; remove it or the dataset",
        firstKeyPath(tree, key),
      );
    }
    const d = scenario.dataset;
    if (d.name === "sharegpt" && d.tokenizer === undefined) {
      warnings.push(
        "dataset: no tokenizer given, so token counts are estimated as ceil(characters / 4) (OpenAI's rule of thumb for English text); give dataset.tokenizer: a tokenizer.json for exact counts",
      );
    }
  }
  // Top down: a section with no effect is one warning, not one per key.
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(node)) {
      if (v === undefined) continue;
      const path = prefix ? `${prefix}.${k}` : k;
      if (
        scenario.batching === "none" &&
        (path === "engine" || path === "scheduler.max_model_len")
      ) continue;
      // Under batching=none the scheduler key by key, so that max_model_len
      // (which simulate warns of) is not named twice.
      if (scenario.batching === "none" && path === "scheduler") {
        if (typeof v === "object" && v !== null) {
          walk(v as Record<string, unknown>, path);
        }
        continue;
      }
      const idle = keyEffect(scenario, path);
      if (idle?.otherMode) continue;
      if (idle) {
        // A prefix cache switched off does nothing, as asked.
        if (path === "kv_cache.prefix_caching" && v === false) continue;
        warnings.push(`${path}: has no effect ${idle.reason}`);
        continue;
      }
      if (typeof v === "object" && v !== null && !Array.isArray(v)) {
        walk(v as Record<string, unknown>, path);
      }
    }
  };
  walk(tree, "");
  // Class keys (an array, which the walk does not enter).
  const order = scenario.scheduler.scheduling_policy ?? "fcfs";
  scenario.classes?.forEach((c, k) => {
    if (c.priority !== undefined && order !== "priority") {
      warnings.push(
        `classes[${k}].priority: has no effect under scheduler.scheduling_policy=${order}${
          scenario.batching === "none"
            ? " and batching=none"
            : " (set scheduling_policy: priority)"
        }`,
      );
    }
  });
  warningsOf.set(scenario, warnings);
}
