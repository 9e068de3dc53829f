/**
 * An instance's prefix cache (vLLM's automatic prefix caching, SGLang's
 * radix cache, at the granularity of the records' prefix ids): each id names
 * {@linkcode PREFIX_BLOCK_TOKENS} prompt tokens whose KV can be shared. An
 * entry is held by the running requests that use it (a reference count);
 * entries no request holds sit in an LRU list, oldest first, and are evicted
 * when the KV cache needs their blocks.
 *
 * The cache counts entries, not blocks in use: the instance's
 * {@linkcode KvCache} adds the blocks of new entries and gets back those of
 * evicted ones.
 *
 * @module
 */

import type { InstanceStats } from "../metrics/instance_stats.ts";
import type { KvEvictor } from "./kv_cache.ts";

/** Options for {@linkcode PrefixCache}. */
export interface PrefixCacheOptions {
  /** Whether prompts are cached at all (when not, nothing ever matches). */
  enabled: boolean;
  /** Tokens one prefix id covers (a multiple of the block size). */
  blockTokens: number;
  /** Tokens per KV block. */
  blockSize: number;
}

/**
 * The prefix-cache entries of one instance.
 *
 * @example Hits, pins and LRU eviction
 * ```ts
 * import assert from "node:assert/strict";
 * import { PrefixCache } from "./prefix_cache.ts";
 * const stats = { prefixEvictions: 0 };
 * const cache = new PrefixCache({ enabled: true, blockTokens: 512, blockSize: 16 }, stats);
 * // A finished 1,100-token prompt caches its two whole prefix blocks.
 * assert.equal(cache.adopt([7, 8, 9], 0, 2), 2 * 32);
 * assert.equal(cache.cachedTokens([7, 8, 5]), 1024);
 * // A 1,025-token prompt may reuse both (one token is always computed).
 * assert.equal(cache.match([7, 8], 1025), 2);
 * // Unpinned, the entries become evictable; the root goes last.
 * cache.unpin([7, 8], 2);
 * assert.equal(cache.evictable, 2);
 * assert.equal(cache.evictOldest(), 32);
 * assert.equal(cache.cachedTokens([7, 8]), 512);
 * assert.equal(stats.prefixEvictions, 1);
 * ```
 */
export class PrefixCache implements KvEvictor {
  /** Whether prompts are cached. */
  readonly enabled: boolean;
  /** Tokens one entry covers. */
  readonly blockTokens: number;
  /** KV blocks one entry holds. */
  readonly entryBlocks: number;
  readonly #stats: Pick<InstanceStats, "prefixEvictions">;
  // Reference counts of cached ids; those at zero are also in #lru, oldest
  // first (a Map iterates in insertion order).
  readonly #refs = new Map<number, number>();
  readonly #lru = new Map<number, true>();
  // Where evicted entries go (the offload tiers), if anywhere.
  readonly #onEvict: ((id: number) => void) | undefined;

  /**
   * Creates an empty cache.
   *
   * @param options Whether it is on, and its granularity.
   * @param stats Where evictions are counted.
   * @param onEvict Told the id of every evicted entry (write-back to an
   * offload tier).
   */
  constructor(
    options: PrefixCacheOptions,
    stats: Pick<InstanceStats, "prefixEvictions">,
    onEvict?: (id: number) => void,
  ) {
    this.#onEvict = onEvict;
    this.enabled = options.enabled;
    this.blockTokens = options.blockTokens;
    this.entryBlocks = Math.ceil(options.blockTokens / options.blockSize);
    this.#stats = stats;
  }

  /** Entries cached (held or evictable). */
  get size(): number {
    return this.#refs.size;
  }

  /** KV blocks the entries hold. */
  get blocks(): number {
    return this.#refs.size * this.entryBlocks;
  }

  /** Entries no running request holds. */
  get evictable(): number {
    return this.#lru.size;
  }

  /**
   * Leading tokens of a prompt's prefix that are cached (what a prefix-aware
   * router compares).
   *
   * @param ids The prompt's prefix ids.
   * @returns Cached leading tokens, whole entries.
   */
  cachedTokens(ids: readonly number[] | undefined): number {
    if (!this.enabled || !ids) return 0;
    let j = 0;
    while (j < ids.length && this.#refs.has(ids[j])) j++;
    return j * this.blockTokens;
  }

  /**
   * Leading cached entries a waiting prompt can use: at least one prompt
   * token is always computed, to produce its logits.
   *
   * @param ids The prompt's prefix ids.
   * @param promptTokens The prompt's length.
   * @returns How many leading entries it may pin.
   */
  match(ids: readonly number[] | undefined, promptTokens: number): number {
    if (!this.enabled || !ids) return 0;
    const usable = Math.min(
      ids.length,
      Math.floor((promptTokens - 1) / this.blockTokens),
    );
    let j = 0;
    while (j < usable && this.#refs.has(ids[j])) j++;
    return j;
  }

  /**
   * Holds the first `count` entries of a prefix (they are cached).
   *
   * @param ids The prefix ids.
   * @param count How many leading entries.
   */
  pin(ids: readonly number[] | undefined, count: number): void {
    for (let k = 0; k < count; k++) {
      const id = ids![k];
      const refs = this.#refs.get(id)!;
      if (refs === 0) this.#lru.delete(id);
      this.#refs.set(id, refs + 1);
    }
  }

  /**
   * Lets go of the first `count` entries of a prefix, deepest first, so that
   * a prefix's root is the last of its chain evicted.
   *
   * @param ids The prefix ids.
   * @param count How many leading entries.
   */
  unpin(ids: readonly number[] | undefined, count: number): void {
    for (let k = count - 1; k >= 0; k--) {
      const id = ids![k];
      const refs = this.#refs.get(id)! - 1;
      this.#refs.set(id, refs);
      if (refs === 0) this.#lru.set(id, true);
    }
  }

  /**
   * A finished prompt's entries `from` to `to` (exclusive) become held by
   * it: new ones are cached, ones another request cached meanwhile are
   * pinned (its own copies are dropped).
   *
   * @param ids The prefix ids.
   * @param from The first entry not yet held.
   * @param to One past the last whole entry of the prompt.
   * @returns KV blocks the new entries take.
   */
  adopt(ids: readonly number[], from: number, to: number): number {
    let added = 0;
    for (let k = from; k < to; k++) {
      const refs = this.#refs.get(ids[k]);
      if (refs === undefined) {
        this.#refs.set(ids[k], 1);
        added += this.entryBlocks;
      } else {
        if (refs === 0) this.#lru.delete(ids[k]);
        this.#refs.set(ids[k], refs + 1);
      }
    }
    return added;
  }

  /**
   * Evicts the least recently released entry; call only when
   * {@linkcode PrefixCache.evictable} is positive.
   *
   * @returns KV blocks freed.
   */
  evictOldest(): number {
    const id = this.#lru.keys().next().value!;
    this.#lru.delete(id);
    this.#refs.delete(id);
    this.#stats.prefixEvictions++;
    this.#onEvict?.(id);
    return this.entryBlocks;
  }
}
