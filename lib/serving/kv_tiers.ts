/**
 * KV offload tiers behind an instance's HBM prefix cache (host DRAM, local
 * SSD, a pooled remote store), as LMCache, SGLang's HiCache and vLLM's
 * offloading connector keep them. A prefix entry evicted from HBM is written
 * to the first tier; an entry a full tier evicts (least recently stored
 * first) is written to the next, and the last tier drops it. Tiers are
 * exclusive: an entry lives in at most one of them, and a fetch moves it back
 * to HBM (it is written again if HBM evicts it again).
 *
 * A `remote` tier may instead be one store that every instance of the pool
 * shares ({@linkcode SharedKvStore}; Mooncake's store, LMCache's remote
 * backend): an entry any instance wrote there serves them all, a fetch
 * copies it (it stays in the store, its LRU place refreshed), and a write of
 * an entry the store already holds moves no bytes (the client asks first).
 * It is the last tier: what it evicts is dropped.
 *
 * Each tier has one link per instance, first in, first out, which its writes
 * and its fetches share: a transfer of b bytes starts when the link is free,
 * holds it for b / bandwidth, and a fetch arrives `latency` after that.
 * Writes are asynchronous (nothing waits for them) but they delay the
 * fetches queued behind them, as the engines' shared PCIe copy streams do.
 *
 * @module
 */

import type { IterationShape, StepTimeModel } from "../perf/step_time.ts";

/** The kinds of tier, fastest first. */
export const KV_TIER_NAMES = ["dram", "ssd", "remote"] as const;

/** A tier's kind. */
export type KvTierName = (typeof KV_TIER_NAMES)[number];

/** The fetch-or-recompute policies. */
export const KV_OFFLOAD_POLICIES = ["fastest", "fetch", "recompute"] as const;

/**
 * On a prefix hit found only in a lower tier: `fastest` fetches when the
 * fetch ends sooner than the prefill of those tokens would take, `fetch`
 * always fetches, `recompute` never does.
 */
export type KvOffloadPolicy = (typeof KV_OFFLOAD_POLICIES)[number];

/**
 * Default link bandwidth of each kind of tier, per GPU (each GPU of an
 * instance moves its own share of the KV over its own link, as on a DGX
 * H100 node: one PCIe Gen5 x16 host link, one NVMe drive and one 400 Gb/s
 * NIC per GPU). Peak figures: what an engine reaches is lower, so set
 * `bandwidth_bytes_per_s` from a measurement when there is one. Latency has
 * no default (0): a 512-token entry moves in milliseconds, against
 * microseconds of latency.
 */
export const KV_TIER_DEFAULTS: Readonly<
  Record<KvTierName, { bandwidthBytesPerS: number; doc: string }>
> = {
  // PCIe Gen5 x16, 32 GT/s x 16 lanes, 128b/130b: about 63 GB/s one way
  // (https://www.yobitel.com/knowledge-base/pcie-gen5).
  dram: { bandwidthBytesPerS: 63e9, doc: "PCIe Gen5 x16, one direction" },
  // A PCIe Gen4 x4 NVMe drive reads up to 7,000 MB/s
  // (https://nuvorix.com/glossary/nvme).
  ssd: { bandwidthBytesPerS: 7e9, doc: "a PCIe Gen4 x4 NVMe drive" },
  // A ConnectX-7 port runs at 400 Gb/s = 50 GB/s
  // (https://docs.nvidia.com/networking/display/ConnectX7VPI/Introduction).
  remote: { bandwidthBytesPerS: 50e9, doc: "a 400 Gb/s NIC" },
};

/**
 * A pooled store that every instance of a pool reaches over its own link:
 * one LRU of prefix entries for them all, with the pool's whole capacity.
 *
 * @example Shared by two instances' tiers
 * ```ts
 * import assert from "node:assert/strict";
 * import { KvTiers, SharedKvStore } from "./kv_tiers.ts";
 * const store = new SharedKvStore(2);
 * const spec = { tier: "remote" as const, capacityEntries: 2, bandwidthBytesPerS: 1e9, latencyS: 0, store };
 * const a = new KvTiers({ entryBytes: 1e9, entryTokens: 512, tiers: [spec] });
 * const b = new KvTiers({ entryBytes: 1e9, entryTokens: 512, tiers: [spec] });
 * a.store(7);
 * // b finds what a wrote, and a fetch leaves it in the store.
 * assert.equal(b.where(7), 0);
 * assert.equal(b.fetch([7], 0, 1, 0, true), 1);
 * assert.equal(a.where(7), 0);
 * // A second write of the same entry moves nothing.
 * b.store(7);
 * assert.equal(store.writtenEntries, 1);
 * assert.equal(b.counts[0].deduplicatedEntries, 1);
 * ```
 */
export class SharedKvStore {
  /** Prefix entries it holds when full. */
  readonly capacityEntries: number;
  /** Entries written into it (new ones only), by every instance. */
  writtenEntries = 0;
  /** Entries it dropped (least recently used first). */
  evictedEntries = 0;
  // Its entries, least recently used first.
  readonly #lru = new Map<number, true>();

  /**
   * Creates an empty store.
   *
   * @param capacityEntries Prefix entries it holds.
   */
  constructor(capacityEntries: number) {
    this.capacityEntries = capacityEntries;
  }

  /** Entries it holds now. */
  get size(): number {
    return this.#lru.size;
  }

  /**
   * Whether it holds an entry.
   *
   * @param id A prefix id.
   * @returns True when it does.
   */
  has(id: number): boolean {
    return this.#lru.has(id);
  }

  /**
   * Marks an entry used now (a fetch, or a write of one it holds).
   *
   * @param id A prefix id it holds.
   */
  touch(id: number): void {
    this.#lru.delete(id);
    this.#lru.set(id, true);
  }

  /**
   * Writes an entry it lacks, evicting the least recently used when full.
   *
   * @param id A prefix id.
   */
  put(id: number): void {
    if (this.#lru.size >= this.capacityEntries) {
      this.#lru.delete(this.#lru.keys().next().value!);
      this.evictedEntries++;
    }
    this.#lru.set(id, true);
    this.writtenEntries++;
  }
}

/** One tier of one instance. */
export interface KvTierSpec {
  /** Its kind (a name in {@linkcode KV_TIER_NAMES}). */
  tier: KvTierName;
  /** Prefix entries it holds. */
  capacityEntries: number;
  /** Its link's bandwidth, bytes per second. */
  bandwidthBytesPerS: number;
  /** Fixed latency of each fetch, seconds. */
  latencyS: number;
  /**
   * The pooled store this tier is, shared by the pool's instances (its
   * capacity is the store's; the link is still this instance's own).
   */
  store?: SharedKvStore;
}

/** Options for {@linkcode KvTiers}. */
export interface KvTiersOptions {
  /** The tiers, in order below HBM. */
  tiers: readonly KvTierSpec[];
  /** KV bytes of one prefix entry (all layers, the whole instance). */
  entryBytes: number;
  /** Prompt tokens one entry covers. */
  entryTokens: number;
  /** Fetch-or-recompute choice (default `fastest`). */
  policy?: KvOffloadPolicy;
}

/** What one tier of one instance did. */
export interface KvTierCounts {
  /** Its kind. */
  tier: KvTierName;
  /** Entries written into it (from HBM or the tier above). */
  writtenEntries: number;
  /** Entries fetched from it to HBM. */
  fetchedEntries: number;
  /** Entries it dropped (the last tier) or passed down (the others). */
  evictedEntries: number;
  /**
   * Stale copies it dropped: HBM evicted again a prefix that had been
   * prefilled again meanwhile, and the new copy replaced the old.
   */
  replacedEntries: number;
  /**
   * A pooled store: writes of entries it already held, which move nothing
   * (written = new entries; the store counts its own evictions).
   */
  deduplicatedEntries: number;
  /** Prompt tokens that requests' first prefills took from it. */
  hitTokens: number;
}

/**
 * The offload tiers of one instance: where each offloaded prefix entry is,
 * each tier's LRU order, and each tier's link.
 *
 * @example Write-back, LRU demotion and a fetch
 * ```ts
 * import assert from "node:assert/strict";
 * import { KvTiers } from "./kv_tiers.ts";
 * const tiers = new KvTiers({
 *   entryBytes: 1e9, entryTokens: 512,
 *   tiers: [
 *     { tier: "dram", capacityEntries: 2, bandwidthBytesPerS: 1e9, latencyS: 0 },
 *     { tier: "ssd", capacityEntries: 1, bandwidthBytesPerS: 1e8, latencyS: 0 },
 *   ],
 * });
 * // Three entries leave HBM: the oldest goes on down to the SSD.
 * for (const id of [1, 2, 3]) tiers.store(id);
 * assert.deepEqual([tiers.where(1), tiers.where(2), tiers.where(3)], [1, 0, 0]);
 * // The DRAM link is busy with the writes until 3 s; a fetch queues behind.
 * assert.equal(tiers.fetch([2, 3], 0, 2, 0, true), 5);
 * assert.equal(tiers.where(2), -1);
 * assert.equal(tiers.counts[0].hitTokens, 1024);
 * ```
 */
export class KvTiers {
  /** The fetch-or-recompute choice. */
  readonly policy: KvOffloadPolicy;
  /** KV bytes of one entry. */
  readonly entryBytes: number;
  /** Prompt tokens of one entry. */
  readonly entryTokens: number;
  /** Counts per tier, in order. */
  readonly counts: readonly KvTierCounts[];
  /** Fetches started (one per request that waited for lower tiers). */
  fetches = 0;
  /** Sum over fetches of their time from the request to the last byte, s. */
  fetchTimeSumS = 0;
  /** Prompt tokens found in a lower tier and prefilled again instead. */
  recomputedTokens = 0;
  /**
   * The time writes are queued at (the instance sets it as it plans: every
   * HBM eviction happens while an iteration is planned).
   */
  now = 0;
  readonly #specs: readonly KvTierSpec[];
  // Each tier's entries, least recently stored first.
  readonly #lru: Map<number, true>[];
  // The tier of every offloaded entry.
  readonly #where = new Map<number, number>();
  // When each tier's link has moved everything queued on it.
  readonly #freeAtS: Float64Array;
  // The pooled store's tier (the last), or -1, and the store.
  readonly #shared: number;
  readonly #store: SharedKvStore | null;

  /**
   * Creates empty tiers.
   *
   * @param options The tiers, the entry size and the policy.
   */
  constructor(options: KvTiersOptions) {
    this.#specs = options.tiers;
    this.entryBytes = options.entryBytes;
    this.entryTokens = options.entryTokens;
    this.policy = options.policy ?? "fastest";
    this.#lru = options.tiers.map(() => new Map());
    this.#freeAtS = new Float64Array(options.tiers.length);
    this.counts = options.tiers.map((t) => ({
      tier: t.tier,
      writtenEntries: 0,
      fetchedEntries: 0,
      evictedEntries: 0,
      replacedEntries: 0,
      deduplicatedEntries: 0,
      hitTokens: 0,
    }));
    this.#shared = options.tiers.findIndex((t) => t.store !== undefined);
    this.#store = this.#shared < 0 ? null : options.tiers[this.#shared].store!;
  }

  /**
   * The tier that holds an entry.
   *
   * @param id A prefix id.
   * @returns Its tier's index, or -1 when no tier has it.
   */
  where(id: number): number {
    const t = this.#where.get(id);
    if (t !== undefined) return t;
    return this.#store?.has(id) ? this.#shared : -1;
  }

  /**
   * A tier's capacity.
   *
   * @param t The tier's index.
   * @returns Prefix entries it holds when full.
   */
  capacityEntries(t: number): number {
    return this.#specs[t].store?.capacityEntries ??
      this.#specs[t].capacityEntries;
  }

  /** The pooled store this instance shares with its pool, if it has one. */
  get sharedStore(): SharedKvStore | null {
    return this.#store;
  }

  /** The pooled store's tier index, or -1. */
  get sharedTier(): number {
    return this.#shared;
  }

  /** Entries each tier holds now, in order (a pooled store: all of them). */
  get sizes(): number[] {
    return this.#lru.map((m, t) =>
      t === this.#shared ? this.#store!.size : m.size
    );
  }

  /**
   * An entry HBM evicted is written to the first tier (one that holds
   * nothing passes it on).
   *
   * @param id Its prefix id.
   */
  store(id: number): void {
    const old = this.#where.get(id);
    if (old !== undefined) {
      // A stale copy (the prefix was recomputed meanwhile): replaced.
      this.#lru[old].delete(id);
      this.#where.delete(id);
      this.counts[old].replacedEntries++;
    }
    this.#put(id, 0);
  }

  #put(id: number, t: number): void {
    const specs = this.#specs;
    for (; t < specs.length; t++) {
      if (this.capacityEntries(t) >= 1) break;
    }
    if (t >= specs.length) return;
    if (t === this.#shared) {
      const store = this.#store!;
      if (store.has(id)) {
        store.touch(id);
        this.counts[t].deduplicatedEntries++;
        return;
      }
      store.put(id);
      this.counts[t].writtenEntries++;
      const at = Math.max(this.now, this.#freeAtS[t]);
      this.#freeAtS[t] = at + this.entryBytes / specs[t].bandwidthBytesPerS;
      return;
    }
    const lru = this.#lru[t];
    if (lru.size >= specs[t].capacityEntries) {
      const oldest = lru.keys().next().value!;
      lru.delete(oldest);
      this.#where.delete(oldest);
      this.counts[t].evictedEntries++;
      this.#put(oldest, t + 1);
    }
    lru.set(id, true);
    this.#where.set(id, t);
    this.counts[t].writtenEntries++;
    const start = Math.max(this.now, this.#freeAtS[t]);
    this.#freeAtS[t] = start + this.entryBytes / specs[t].bandwidthBytesPerS;
  }

  /**
   * Entries of a prefix, from `from`, that lower tiers hold one after
   * another (a fetch takes them all).
   *
   * @param ids The prefix ids.
   * @param from The first entry HBM lacks.
   * @param limit One past the last entry the prompt may use.
   * @returns How many.
   */
  run(ids: readonly number[], from: number, limit: number): number {
    let k = from;
    const store = this.#store;
    while (
      k < limit && (this.#where.has(ids[k]) || store?.has(ids[k]) === true)
    ) k++;
    return k - from;
  }

  // When a fetch asked for at `now` would end, per tier it reads; commits
  // the links when asked to.
  #arrival(
    ids: readonly number[],
    from: number,
    count: number,
    now: number,
    commit: boolean,
  ): number {
    let end = now;
    for (let t = 0; t < this.#specs.length; t++) {
      let n = 0;
      for (let k = from; k < from + count; k++) {
        if (this.where(ids[k]) === t) n++;
      }
      if (n === 0) continue;
      const spec = this.#specs[t];
      const start = Math.max(now, this.#freeAtS[t]);
      const free = start + n * this.entryBytes / spec.bandwidthBytesPerS;
      if (commit) this.#freeAtS[t] = free;
      end = Math.max(end, free + spec.latencyS);
    }
    return end;
  }

  /**
   * How long a fetch asked for now would take (queueing included), without
   * starting it.
   *
   * @param ids The prefix ids.
   * @param from The first entry to fetch.
   * @param count How many (all held by lower tiers).
   * @param now The time.
   * @returns Seconds until its last byte is in HBM.
   */
  fetchS(
    ids: readonly number[],
    from: number,
    count: number,
    now: number,
  ): number {
    return this.#arrival(ids, from, count, now, false) - now;
  }

  /**
   * Starts a fetch: the entries leave their tiers (they go to HBM), and each
   * tier's link carries its share, the tiers in parallel.
   *
   * @param ids The prefix ids.
   * @param from The first entry to fetch.
   * @param count How many (all held by lower tiers).
   * @param now The time.
   * @param firstPrefill Whether it serves a request's first prefill (its
   * tokens count as hits).
   * @returns When the last byte is in HBM.
   */
  fetch(
    ids: readonly number[],
    from: number,
    count: number,
    now: number,
    firstPrefill: boolean,
  ): number {
    const end = this.#arrival(ids, from, count, now, true);
    for (let k = from; k < from + count; k++) {
      const t = this.where(ids[k]);
      // A pooled store keeps what it serves; the instance's own tiers move it.
      if (t === this.#shared) this.#store!.touch(ids[k]);
      else {
        this.#lru[t].delete(ids[k]);
        this.#where.delete(ids[k]);
      }
      this.counts[t].fetchedEntries++;
      if (firstPrefill) this.counts[t].hitTokens += this.entryTokens;
    }
    this.fetches++;
    this.fetchTimeSumS += end - now;
    return end;
  }
}

/**
 * Marginal prefill time of `tokens` prompt tokens after `past` cached ones,
 * when `rest` more follow them: T(tokens + rest after past) - T(rest after
 * past + tokens), each T the step-time model's time of an iteration holding
 * that one chunk alone (chunking and batching with others are left out).
 *
 * @param stepTime The pool's step-time model.
 * @param past Tokens cached before them.
 * @param tokens Tokens that would be recomputed.
 * @param rest Prompt tokens after them (at least one is always computed).
 * @returns Seconds.
 *
 * @example With a rate model, tokens / rate
 * ```ts
 * import assert from "node:assert/strict";
 * import { recomputeS } from "./kv_tiers.ts";
 * import { rateStepTime } from "../perf/step_time.ts";
 * const st = rateStepTime({ prefillTokensPerS: 10000, decodeTokensPerS: 50 });
 * assert.ok(Math.abs(recomputeS(st, 0, 1000, 24) - 0.1) < 1e-12);
 * ```
 */
export function recomputeS(
  stepTime: StepTimeModel,
  past: number,
  tokens: number,
  rest: number,
): number {
  return stepTime.iterationTimeS(chunk(past, tokens + rest)) -
    stepTime.iterationTimeS(chunk(past + tokens, rest));
}

function chunk(past: number, n: number): IterationShape {
  return {
    prefillTokens: n,
    prefillSequences: 1,
    prefillAttendedTokens: n * past + n * (n + 1) / 2,
    prefillPastTokens: past,
    decodeTokens: 0,
    decodeContextTokens: 0,
  };
}

/**
 * Whether a policy fetches, given the fetch's and the recompute's times.
 *
 * @param policy The policy.
 * @param fetchS The fetch's time, queueing included, seconds.
 * @param recomputeS The marginal prefill time of those tokens, seconds.
 * @returns True to fetch.
 *
 * @example The crossover
 * ```ts
 * import assert from "node:assert/strict";
 * import { choosesFetch } from "./kv_tiers.ts";
 * assert.ok(choosesFetch("fastest", 0.1, 0.2));
 * assert.ok(!choosesFetch("fastest", 0.3, 0.2));
 * assert.ok(choosesFetch("fetch", 0.3, 0.2));
 * assert.ok(!choosesFetch("recompute", 0.1, 0.2));
 * ```
 */
export function choosesFetch(
  policy: KvOffloadPolicy,
  fetchS: number,
  recomputeS: number,
): boolean {
  if (policy === "fetch") return true;
  if (policy === "recompute") return false;
  return fetchS < recomputeS;
}
