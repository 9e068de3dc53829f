/**
 * A pool's KV offload tiers from its `kv_cache.offload` settings, and the
 * summary's `kv_offload` block after a run.
 *
 * @module
 */

import type { PoolPlan } from "./pools.ts";
import { DEFAULT_KV_BYTES_PER_TOKEN } from "./pools.ts";
import type { Scenario } from "../scenario/types.ts";
import type { InstanceConfig } from "../serving/instance.ts";
import type { Instance } from "../serving/instance.ts";
import { KV_TIER_DEFAULTS, SharedKvStore } from "../serving/kv_tiers.ts";
import { resolveHardware } from "../scenario/hardware.ts";
import { kvBytesPerToken } from "../perf/memory.ts";
import { InputError } from "../errors.ts";
import { PREFIX_BLOCK_TOKENS } from "../workload/request_source.ts";
import type {
  KvOffloadSummary,
  KvTierSummary,
} from "../metrics/kv_offload_summary.ts";

const GIB = 2 ** 30;

// KV bytes per token of a pool's model (the default model's without one).
function poolKvBytesPerToken(pool: PoolPlan): number {
  const hw = pool.settings.hardware;
  return hw
    ? kvBytesPerToken(resolveHardware(hw).model, hw.kv_dtype)
    : DEFAULT_KV_BYTES_PER_TOKEN;
}

/**
 * The offload tiers of one instance of a pool: capacities and bandwidths
 * are per GPU in the scenario, so an instance of tp GPUs has tp times each.
 *
 * @param scenario The validated scenario.
 * @param pool The pool (decode pools cache no prefixes: none there).
 * @returns The instance's `offload` configuration, or undefined.
 * @throws {InputError} When a tier cannot hold one prefix entry.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { offloadConfig } from "./kv_offload.ts";
 * import { planCluster } from "./pools.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const s = validateScenario({
 *   batching: "continuous", step_time: { kind: "roofline" },
 *   hardware: { gpu: "H100-SXM", model: "Llama-3.1-8B" },
 *   kv_cache: { prefix_caching: true, offload: [{ tier: "dram", capacity_gib: 64 }] },
 * });
 * const c = offloadConfig(s, planCluster(s).pools[0])!;
 * // 512 tokens x 128 KiB = 64 MiB per entry: 1,024 entries in 64 GiB.
 * assert.equal(c.entryBytes, 64 * 2 ** 20);
 * assert.equal(c.tiers[0].capacityEntries, 1024);
 * assert.equal(c.tiers[0].bandwidthBytesPerS, 63e9);
 * ```
 */
export function offloadConfig(
  scenario: Scenario,
  pool: PoolPlan,
): InstanceConfig["offload"] {
  const tiers = pool.settings.kv_cache.offload;
  if (!tiers || pool.name === "decode" || !scenario.kv_cache.prefix_caching) {
    return undefined;
  }
  const entryBytes = poolKvBytesPerToken(pool) * PREFIX_BLOCK_TOKENS;
  const own = pool.name === "prefill" &&
    scenario.cluster_disagg.prefill?.kv_cache?.offload !== undefined;
  const path = own ? ["cluster_disagg", "prefill", "kv_cache"] : ["kv_cache"];
  return {
    entryBytes,
    policy: pool.settings.kv_cache.offload_policy ?? "fastest",
    tiers: tiers.map((t, k) => {
      // A pooled store's capacity is the whole pool's; a tier's is per GPU.
      const capacityEntries = Math.floor(
        t.capacity_gib * GIB * (t.shared ? 1 : pool.tp) / entryBytes,
      );
      if (capacityEntries < 1) {
        throw new InputError(
          t.shared
            ? `holds no ${PREFIX_BLOCK_TOKENS}-token prefix entry (${entryBytes} bytes), got ${t.capacity_gib}`
            : `holds no ${PREFIX_BLOCK_TOKENS}-token prefix entry (${entryBytes} bytes per instance of ${pool.tp} GPU(s)), got ${t.capacity_gib}`,
          [...path, "offload", k, "capacity_gib"],
        );
      }
      return {
        tier: t.tier,
        capacityEntries,
        bandwidthBytesPerS: pool.tp *
          (t.bandwidth_bytes_per_s ??
            KV_TIER_DEFAULTS[t.tier].bandwidthBytesPerS),
        latencyS: t.latency_s ?? 0,
        // One store for every instance of the pool in this run.
        ...(t.shared && { store: new SharedKvStore(capacityEntries) }),
      };
    }),
  };
}

/**
 * The `kv_offload` block: hits per tier (HBM's are the prefix hits no tier
 * supplied), bytes each tier's link moved, fetches and recomputed tokens,
 * summed over the instances that have tiers.
 *
 * @param instances Every instance of the run.
 * @returns The block, or undefined when no instance has tiers.
 */
export function offloadSummary(
  instances: readonly Instance[],
): KvOffloadSummary | undefined {
  let policy = "";
  let prompt = 0, hit = 0, fetches = 0, fetchS = 0, recomputed = 0;
  const tiers: Record<string, KvTierSummary> = {};
  for (const inst of instances) {
    const t = inst.kvTiers;
    if (!t) continue;
    policy = t.policy;
    prompt += inst.stats.prefixPromptTokens;
    hit += inst.stats.prefixHitTokens;
    fetches += t.fetches;
    fetchS += t.fetchTimeSumS;
    recomputed += t.recomputedTokens;
    const sizes = t.sizes;
    t.counts.forEach((c, k) => {
      const shared = k === t.sharedTier;
      const s = tiers[c.tier] ??= {
        hit_tokens: 0,
        hit_rate: 0,
        capacity_bytes: t.capacityEntries(k) * t.entryBytes,
        written_entries: 0,
        written_bytes: 0,
        fetched_entries: 0,
        fetched_bytes: 0,
        evicted_entries: 0,
        replaced_entries: 0,
        held_entries: 0,
        ...(shared && { shared: true, deduplicated_entries: 0 }),
      };
      s.hit_tokens += c.hitTokens;
      s.written_entries += c.writtenEntries;
      s.written_bytes += c.writtenEntries * t.entryBytes;
      s.fetched_entries += c.fetchedEntries;
      s.fetched_bytes += c.fetchedEntries * t.entryBytes;
      s.replaced_entries += c.replacedEntries;
      if (shared) {
        // One store for the pool: its own evictions and contents, once.
        s.evicted_entries = t.sharedStore!.evictedEntries;
        s.held_entries = sizes[k];
        s.deduplicated_entries! += c.deduplicatedEntries;
      } else {
        s.evicted_entries += c.evictedEntries;
        s.held_entries += sizes[k];
      }
    });
  }
  if (policy === "") return undefined;
  let lower = 0;
  for (const s of Object.values(tiers)) {
    lower += s.hit_tokens;
    s.hit_rate = prompt > 0 ? s.hit_tokens / prompt : NaN;
  }
  return {
    policy,
    hbm: {
      hit_tokens: hit - lower,
      hit_rate: prompt > 0 ? (hit - lower) / prompt : NaN,
    },
    tiers,
    fetches,
    mean_fetch_s: fetches > 0 ? fetchS / fetches : NaN,
    recomputed_tokens: recomputed,
  };
}
