/**
 * An instance's paged KV cache: blocks in use against the capacity, the
 * blocks decoding requests need at each decode iteration, and the choice of
 * preemption victim (vLLM's recompute preemption takes the most recently
 * admitted running request).
 *
 * A request holds ceil(kv tokens / block size) blocks, where kv tokens =
 * prompt tokens prefilled + output tokens generated - 1 (the newest token's
 * KV is written by the next decode step). Every decoding request gains one
 * token per decode iteration, so the requests that need a new block at a
 * decode iteration are those whose state on entering decode falls in one
 * residue class modulo the block size: a count per class makes that O(1).
 *
 * @module
 */

/** What can give blocks back when the cache is full (the prefix cache). */
export interface KvEvictor {
  /** Entries that can be evicted now. */
  readonly evictable: number;
  /**
   * Evicts one entry (only when {@linkcode KvEvictor.evictable} is positive).
   *
   * @returns KV blocks freed.
   */
  evictOldest(): number;
}

/** Options for {@linkcode KvCache}. */
export interface KvCacheOptions {
  /** Capacity in blocks. */
  capacityBlocks: number;
  /** Tokens per block. */
  blockSize: number;
  /** Batch slots (most running requests). */
  slots: number;
}

const NO_EVICTOR: KvEvictor = { evictable: 0, evictOldest: () => 0 };

/**
 * KV block accounting for one instance.
 *
 * @example Allocation, decode growth and the victim
 * ```ts
 * import assert from "node:assert/strict";
 * import { KvCache } from "./kv_cache.ts";
 * const kv = new KvCache({ capacityBlocks: 10, blockSize: 16, slots: 4 });
 * assert.equal(kv.blocksFor(33), 3);
 * assert.ok(kv.makeRoom(10));
 * assert.ok(!kv.makeRoom(11));
 * kv.usedBlocks += 3;
 * // Slots admitted in order 2, 0: the newest, 0, is the victim.
 * kv.track(2);
 * kv.track(0);
 * assert.equal(kv.victim(), 0);
 * kv.untrack(0);
 * assert.equal(kv.victim(), 2);
 * // A request entering decode at iteration 5 with 32 KV tokens needs a
 * // block at iteration 5 (32 is a multiple of 16), then at 21.
 * const r = kv.startGrowing(32, 5);
 * assert.equal(kv.blocksToGrow(5), 1);
 * assert.equal(kv.blocksToGrow(6), 0);
 * assert.equal(kv.blocksToGrow(21), 1);
 * kv.stopGrowing(r);
 * assert.equal(kv.blocksToGrow(5), 0);
 * ```
 */
export class KvCache {
  /** Capacity in blocks. */
  readonly capacityBlocks: number;
  /** Tokens per block. */
  readonly blockSize: number;
  /** Blocks in use (requests' and the evictor's). */
  usedBlocks = 0;
  readonly #evictor: KvEvictor;
  // Running slots in admission order, a doubly linked list over slots
  // (read from its newest end).
  readonly #prev: Int32Array;
  readonly #next: Int32Array;
  #tail = -1;
  // Decoding requests per residue class of (kv tokens - decode index).
  readonly #residueCount: Int32Array;

  /**
   * Creates an empty cache.
   *
   * @param options Capacity, block size and batch slots.
   * @param evictor What gives blocks back when full (default: nothing).
   */
  constructor(options: KvCacheOptions, evictor: KvEvictor = NO_EVICTOR) {
    this.capacityBlocks = options.capacityBlocks;
    this.blockSize = options.blockSize;
    this.#evictor = evictor;
    this.#prev = new Int32Array(options.slots);
    this.#next = new Int32Array(options.slots);
    this.#residueCount = new Int32Array(options.blockSize);
  }

  /**
   * Blocks that hold a number of KV tokens.
   *
   * @param tokens KV tokens.
   * @returns Blocks.
   */
  blocksFor(tokens: number): number {
    return Math.ceil(tokens / this.blockSize);
  }

  /**
   * Evicts until `need` more blocks fit, if they can.
   *
   * @param need Blocks wanted.
   * @returns Whether they fit (nothing is taken: the caller adds them).
   */
  makeRoom(need: number): boolean {
    const cap = this.capacityBlocks;
    const evictor = this.#evictor;
    while (this.usedBlocks + need > cap && evictor.evictable > 0) {
      this.usedBlocks -= evictor.evictOldest();
    }
    return this.usedBlocks + need <= cap;
  }

  /**
   * A slot's request was admitted: it is now the newest running one.
   *
   * @param s The slot.
   */
  track(s: number): void {
    this.#prev[s] = this.#tail;
    this.#next[s] = -1;
    if (this.#tail >= 0) this.#next[this.#tail] = s;
    this.#tail = s;
  }

  /**
   * A slot's request left (finished, handed off or preempted).
   *
   * @param s The slot.
   */
  untrack(s: number): void {
    const p = this.#prev[s], n = this.#next[s];
    if (p >= 0) this.#next[p] = n;
    if (n >= 0) this.#prev[n] = p;
    else this.#tail = p;
  }

  /**
   * The request to preempt when decode growth runs out of blocks: the most
   * recently admitted one (under `priority` scheduling the instance walks
   * from it with {@linkcode KvCache.older} instead).
   *
   * @returns Its slot, or -1 when none runs.
   */
  victim(): number {
    return this.#tail;
  }

  /**
   * The running slot admitted just before another (to walk the running
   * requests from the newest, {@linkcode KvCache.victim}, to the oldest).
   *
   * @param s A running slot.
   * @returns The slot admitted before it, or -1.
   */
  older(s: number): number {
    return this.#prev[s];
  }

  /**
   * A request starts decoding: it needs a new block at decode iteration d'
   * when its KV tokens then, kv + d' - d, are a multiple of the block size.
   *
   * @param kv Its KV tokens now.
   * @param d The index of the next decode iteration.
   * @returns Its residue class, to pass to {@linkcode KvCache.stopGrowing}.
   */
  startGrowing(kv: number, d: number): number {
    const bs = this.blockSize;
    let r = (kv - d) % bs;
    if (r < 0) r += bs;
    r |= 0; // not -0
    this.#residueCount[r]++;
    return r;
  }

  /**
   * A request stops decoding.
   *
   * @param r Its residue class.
   */
  stopGrowing(r: number): void {
    this.#residueCount[r]--;
  }

  /**
   * Blocks the decoding requests need at a decode iteration.
   *
   * @param d The decode iteration's index.
   * @returns New blocks, one per request whose KV fills its last block.
   */
  blocksToGrow(d: number): number {
    const m = d % this.blockSize;
    return this.#residueCount[m === 0 ? 0 : this.blockSize - m];
  }
}
