/**
 * One model replica with iteration-level (continuous) batching and a paged
 * KV cache, as vLLM-style engines run it. Each iteration's batch holds one
 * decode token per running request and prefill tokens of new ones, within
 * `maxNumSeqs` and `maxNumBatchedTokens`; a request is admitted only when
 * its KV blocks fit, and when decode growth runs out of blocks the most
 * recently admitted request is preempted and later recomputed.
 *
 * This module is the batch loop: it plans and applies iterations, keeps
 * the running requests in typed-array slots, and records tokens, ITL and
 * the timeline. What fills a batch is the batch policy's
 * (./batch_policies/), KV blocks and the preemption victim are the
 * {@linkcode KvCache}'s, cached prompt prefixes the {@linkcode PrefixCache}'s.
 *
 * Cost: iterations are the events, and an iteration costs O(1) for its
 * decodes plus O(1) per request that starts, ends or changes phase in it,
 * never O(batch). Every decoding request gains one token per decode
 * iteration, so its progress is (its state on entering decode) + (decode
 * iterations since); its finish iteration is known on entry (a heap), the
 * requests that need a new KV block in an iteration are counted per residue
 * class (see ./kv_cache.ts), and the gaps between tokens of requests that decoded in the
 * previous decode iteration are all equal (one weighted histogram add).
 *
 * @module
 */

import { EventQueue } from "../engine/event_queue.ts";
import { IntFifo } from "../engine/fifo.ts";
import { RandomStream } from "../engine/random.ts";
import { Outcome, type RequestRecords } from "../metrics/records.ts";
import type { IterationShape, StepTimeModel } from "../perf/step_time.ts";
import type {
  LogHistogram,
  LogHistogramCursor,
} from "../metrics/log_histogram.ts";
import type { Timeline } from "../metrics/timeline.ts";
import {
  emptyInstanceStats,
  type InstanceStats,
} from "../metrics/instance_stats.ts";
import {
  BATCH_POLICIES,
  type BatchBuilder,
  type BatchPolicy,
  type BatchPolicyName,
} from "./batch_policies/mod.ts";
import {
  QUEUE_ORDERS,
  type QueueOrderContext,
  type QueueOrderName,
  type WaitingQueue,
} from "./queue_orders/mod.ts";
import { KvCache } from "./kv_cache.ts";
import { IntMap } from "./int_map.ts";
import { PrefixCache } from "./prefix_cache.ts";
import {
  choosesFetch,
  KvTiers,
  type KvTiersOptions,
  recomputeS,
} from "./kv_tiers.ts";
import { PREFIX_BLOCK_TOKENS } from "../workload/request_source.ts";
import { AcceptanceSampler, type SpeculativeConfig } from "./speculative.ts";

// Removes a slot from the first `count` entries of a list, keeping their
// order; returns the new count.
function removeSlot(list: Int32Array, count: number, s: number): number {
  const k = list.indexOf(s);
  if (k < 0 || k >= count) return count;
  list.copyWithin(k, k + 1, count);
  return count - 1;
}

/** An instance's configuration. */
export interface InstanceConfig {
  /** Batch composition policy (a name in `BATCH_POLICIES`). */
  policy: BatchPolicyName;
  /** Most requests in one batch. */
  maxNumSeqs: number;
  /** Most tokens (prefill plus decode) in one batch. */
  maxNumBatchedTokens: number;
  /** KV-cache capacity in blocks. */
  kvCapacityBlocks: number;
  /** Tokens per KV block. */
  blockSize: number;
  /** Iteration duration model. */
  stepTime: StepTimeModel;
  /**
   * The measured window [start, end), for windowed busy time; read at the
   * end of each iteration, so an end set while the run goes on applies.
   */
  windowS?: readonly [number, number];
  /**
   * `both` (default) prefills and decodes. `prefill` hands each request
   * off after its prefill, holding its KV until {@linkcode Instance.release};
   * `decode` takes prefilled requests through {@linkcode Instance.reserve}
   * and {@linkcode Instance.admitPrefilled}.
   */
  role?: "both" | "prefill" | "decode";
  /** Receives each iteration's queue, batch and KV occupancy (shared by a pool). */
  timeline?: Timeline;
  /** Decode role: the first decode step, not the prefill, is the first token. */
  firstTokenAtDecode?: boolean;
  /** Receives every inter-token gap of measured requests (shared). */
  itl?: LogHistogram;
  /**
   * Keep prompt prefix blocks (the records' prefix ids) in an LRU cache
   * inside the KV capacity; a prompt that starts with cached blocks skips
   * their prefill.
   */
  prefixCaching?: boolean;
  /** Tokens one prefix id covers (a multiple of the block size; default 512). */
  prefixBlockTokens?: number;
  /**
   * The engine's time from a request's last token to the end of its
   * response (detokenisation, closing the stream), seconds (default 0):
   * its finish time is that much after the iteration that ends it.
   */
  finishDelayS?: number;
  /**
   * Waiting-queue order (a name in `QUEUE_ORDERS`; default `fcfs`): which
   * waiting request is admitted first, where preempted ones rejoin, and
   * the preemption victim.
   */
  schedulingPolicy?: QueueOrderName;
  /**
   * What the order reads besides the records: class priorities, the `sjf`
   * key and its predictor (default: priorities 0, prompt length).
   */
  queueContext?: Omit<QueueOrderContext, "records">;
  /**
   * Timeouts by class index, seconds (Infinity: none): a request that has
   * not started its prefill by arrival + timeout is abandoned, never
   * served. Absent: no timeouts (and no check).
   */
  classTimeoutS?: readonly number[];
  /**
   * KV offload tiers below HBM (with `prefixCaching`): evicted prefix
   * entries are written to them, and a prefix found there is fetched or
   * recomputed (see ./kv_tiers.ts). Absent: HBM is the only tier.
   */
  offload?: Omit<KvTiersOptions, "entryTokens">;
  /**
   * Speculative decoding: each decode step verifies k + 1 tokens per
   * sequence and gives each a seeded random number of them (see
   * ./speculative.ts). Absent: one token per sequence per step.
   */
  speculative?: SpeculativeConfig;
}

// What a waiting request's prefix match says besides a count of entries.
const FETCHING = -1; // it left the queue to wait for its blocks
const BLOCKED = -2; // no room to fetch into: stop admitting

/**
 * A batched model replica. Its {@linkcode BatchBuilder} methods are the
 * mechanisms its batch policy composes while
 * {@linkcode Instance.startIteration} plans; nothing else calls them.
 */
export class Instance implements BatchBuilder {
  /** The configuration it was made with. */
  readonly config: InstanceConfig;
  readonly #finishDelayS: number;
  // The configuration's hot fields, read once: configs of a disagg run's
  // pools have different shapes, and these are read at every iteration.
  readonly #window: readonly [number, number] | undefined;
  // Adds to the shared ITL histogram (its cursor caches this instance's
  // buckets: the pool's instances interleave).
  readonly #itl: LogHistogramCursor | undefined;
  readonly #timeline: Timeline | undefined;
  readonly #stepTime: StepTimeModel;
  readonly #maxNumSeqs: number;
  readonly #maxNumBatchedTokens: number;
  readonly #kvCapacityBlocks: number;
  readonly #prefillRole: boolean;
  readonly #firstTokenAtDecode: boolean;
  /** The instance's number in its pool (written to the records). */
  readonly index: number;
  #iterationStartS = 0;
  /** Its running totals, read by the metrics. */
  readonly stats: InstanceStats = emptyInstanceStats();

  /** Whether an iteration is in flight. */
  busy = false;

  #records: RequestRecords;
  // Chosen once: the loop calls through it, never looks a name up.
  readonly #policy: BatchPolicy;
  readonly #kv: KvCache;
  readonly #prefix: PrefixCache;
  // Offload tiers (null: none, and none of the fields below is used).
  readonly #tiers: KvTiers | null;
  // Requests waiting for prefix blocks to arrive, with when they arrive;
  // then (in order) the ones whose blocks are in, ahead of new arrivals;
  // and the entries each holds meanwhile.
  #fetchIds: number[] = [];
  #fetchReadyS: number[] = [];
  #fetched: number[] = [];
  #fetchedPins = new Map<number, number>();
  // Entries whose blocks are still on their way to HBM, and when they land.
  #arriving = new Map<number, number>();
  // Lower-tier tokens the last match chose to prefill again.
  #recomputeTokens = 0;
  // An IntFifo under fcfs (arrival order), else the order's heap.
  readonly #waiting: WaitingQueue;
  readonly #requeuePreempted: boolean;
  readonly #lowestPriorityVictim: boolean;
  readonly #classPriority: readonly number[];
  readonly #timeoutS: readonly number[] | null;
  // Preempted requests go back ahead of new arrivals (vLLM's recompute),
  // remembering the tokens they had produced and when the last one came.
  #resumed: number[] = [];
  #resume = new Map<number, { generated: number; lastTokenS: number }>();
  // Prefill role: requests whose prefill ended, and the KV blocks they hold.
  #handoffs: number[] = [];
  #held = new IntMap();
  #heldPins = new Map<number, number>();
  // Decode role: slots reserved for transfers under way, and requests whose
  // KV arrived during an iteration (they join at the next one).
  #reservedSlots = 0;
  #staged: Int32Array;
  #stagedCount = 0;
  // Requests waiting or running here, kept as a count: routers read it at
  // every arrival, and the sum of its parts costs more than the count.
  #outstanding = 0;

  // One slot per running request.
  #slotId: Int32Array;
  #slotTarget: Int32Array; // tokens to prefill (prompt, plus output on recompute)
  #slotPrefilled: Int32Array;
  #slotBlocks: Int32Array; // while prefilling
  #slotChunk: Int32Array; // prefill tokens planned in this iteration
  #slotGenerated0: Int32Array; // output tokens on entering decode (or before a recompute)
  #slotKv0: Int32Array; // KV tokens on entering decode
  #slotD0: Float64Array; // decode-iteration index on entering decode
  #slotResidue: Int32Array;
  #slotLastTokenS: Float64Array;
  #slotMeasured: Uint8Array;
  #slotDecoding: Uint8Array;
  #slotPending: Uint8Array;
  #slotStamp: Int32Array; // bumped when a slot leaves decode (stale finish entries)
  #slotPins: Int32Array; // leading prefix-cache entries the request holds
  #slotCachedTokens: Int32Array; // prompt tokens those entries hold
  #free: Int32Array;
  #freeCount: number;
  // Lists of slots as typed arrays with a count: setting a JS array's
  // length calls into the runtime, and these change at most iterations.
  #prefilling: Int32Array; // in admission order
  #prefillingCount = 0;
  // Decoding requests whose first decode since entry has not run yet: their
  // last token came at their own time, not at the previous decode iteration.
  #pending: Int32Array;
  #pendingCount = 0;
  #decodeCount = 0;
  #decodeMeasured = 0;
  #decodeKvSum = 0;
  #decodeIndex = 0; // index of the next decode iteration
  #lastDecodeEndS = 0;
  // Decoding requests by their last decode iteration (time), with their
  // slot (data) and stamp (kind): an entry whose stamp is old is stale.
  #finishes = new EventQueue(64);
  // The earliest entry's iteration (the heap's top, kept here: read at
  // every decode iteration).
  #nextFinish = Infinity;
  #decodeThis = false;
  // Speculative decoding (null without): the draws, the query tokens per
  // sequence (k + 1), slots past the highest one used, and the slots that
  // finish in the current step.
  readonly #spec: AcceptanceSampler | null;
  readonly #specQuery: number;
  #slotHigh = 0;
  #specDone: Int32Array;
  #specDoneCount = 0;
  #shape: IterationShape = {
    prefillTokens: 0,
    prefillSequences: 0,
    prefillAttendedTokens: 0,
    prefillPastTokens: 0,
    decodeTokens: 0,
    decodeContextTokens: 0,
  };

  /**
   * Creates an idle instance.
   *
   * @param config Batching limits, KV capacity and the step-time model.
   * @param records The run's request records (prompt and output lengths are read, timelines written).
   * @param index The instance's number in its pool, written to the records.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { Instance } from "./instance.ts";
   * import { rateStepTime } from "../perf/step_time.ts";
   * import { RequestRecords } from "../metrics/records.ts";
   * const records = new RequestRecords();
   * const inst = new Instance({
   *   policy: "chunked", maxNumSeqs: 8, maxNumBatchedTokens: 512,
   *   kvCapacityBlocks: 100, blockSize: 16,
   *   stepTime: rateStepTime({ prefillTokensPerS: 10000, decodeTokensPerS: 50 }),
   * }, records);
   * inst.enqueue(records.add(0, 100, 3));
   * let now = 0;
   * while (true) {
   *   const end = inst.startIteration(now);
   *   if (end < 0) break;
   *   now = end;
   *   inst.finishIteration(now);
   * }
   * // A 100-token prefill (0.01 s) yields the first token, two decode
   * // steps (0.02 s each) the others; then the KV is free again.
   * assert.equal(records.finishS[0], now);
   * assert.ok(Math.abs(now - 0.05) < 1e-12);
   * assert.equal(inst.kvUsedBlocks, 0);
   * ```
   */
  constructor(config: InstanceConfig, records: RequestRecords, index = 0) {
    this.index = index;
    this.config = config;
    this.#records = records;
    this.#policy = BATCH_POLICIES.get(config.policy);
    const order = QUEUE_ORDERS.get(config.schedulingPolicy ?? "fcfs");
    const context: QueueOrderContext = {
      classPriority: [],
      sjfKey: "prompt",
      sjfPredictionError: 0,
      rng: new RandomStream(0, "sjf_predictor"),
      ...config.queueContext,
      records,
    };
    this.#waiting = order.queue(context) ?? new IntFifo(256);
    this.#requeuePreempted = order.requeuePreempted;
    this.#lowestPriorityVictim = order.preemptLowestPriority;
    this.#classPriority = context.classPriority;
    this.#timeoutS = config.classTimeoutS ?? null;
    this.#finishDelayS = config.finishDelayS ?? 0;
    this.#window = config.windowS;
    this.#itl = config.itl?.cursor();
    this.#timeline = config.timeline;
    this.#stepTime = config.stepTime;
    this.#maxNumSeqs = config.maxNumSeqs;
    this.#maxNumBatchedTokens = config.maxNumBatchedTokens;
    this.#kvCapacityBlocks = config.kvCapacityBlocks;
    this.#prefillRole = config.role === "prefill";
    this.#firstTokenAtDecode = config.firstTokenAtDecode ?? false;
    const n = config.maxNumSeqs;
    this.#slotId = new Int32Array(n);
    this.#slotTarget = new Int32Array(n);
    this.#slotPrefilled = new Int32Array(n);
    this.#slotBlocks = new Int32Array(n);
    this.#slotChunk = new Int32Array(n);
    this.#slotGenerated0 = new Int32Array(n);
    this.#slotKv0 = new Int32Array(n);
    this.#slotD0 = new Float64Array(n);
    this.#slotResidue = new Int32Array(n);
    this.#slotLastTokenS = new Float64Array(n);
    this.#slotMeasured = new Uint8Array(n);
    this.#slotDecoding = new Uint8Array(n);
    this.#slotPending = new Uint8Array(n);
    this.#slotStamp = new Int32Array(n);
    this.#slotPins = new Int32Array(n);
    this.#slotCachedTokens = new Int32Array(n);
    const blockTokens = config.prefixBlockTokens ?? PREFIX_BLOCK_TOKENS;
    const tiers = config.offload && config.prefixCaching
      ? new KvTiers({ ...config.offload, entryTokens: blockTokens })
      : null;
    this.#tiers = tiers;
    this.#prefix = new PrefixCache(
      {
        enabled: config.prefixCaching ?? false,
        blockTokens,
        blockSize: config.blockSize,
      },
      this.stats,
      tiers ? (id) => tiers.store(id) : undefined,
    );
    this.#kv = new KvCache({
      capacityBlocks: config.kvCapacityBlocks,
      blockSize: config.blockSize,
      slots: n,
    }, this.#prefix);
    this.#free = new Int32Array(n);
    this.#staged = new Int32Array(n);
    this.#prefilling = new Int32Array(n);
    this.#pending = new Int32Array(n);
    for (let k = 0; k < n; k++) this.#free[k] = n - 1 - k;
    this.#freeCount = n;
    const spec = config.speculative;
    this.#spec = spec
      ? new AcceptanceSampler(
        spec.acceptance,
        new RandomStream(
          spec.seed,
          `speculative/${config.role ?? "both"}/${index}`,
        ),
      )
      : null;
    this.#specQuery = spec ? spec.numTokens + 1 : 1;
    this.#specDone = new Int32Array(spec ? n : 0);
  }

  /** KV blocks in use. */
  get kvUsedBlocks(): number {
    return this.#kv.usedBlocks;
  }

  /** Requests waiting or running here. */
  get outstanding(): number {
    return this.#outstanding;
  }

  /** KV blocks held by prefix-cache entries (in use or evictable). */
  get cachedPrefixBlocks(): number {
    return this.#prefix.blocks;
  }

  /**
   * Requests waiting to be scheduled here: new ones and preempted ones
   * (vLLM's `num_requests_waiting`).
   */
  get waiting(): number {
    return this.#waiting.size + this.#resumed.length +
      this.#fetchIds.length + this.#fetched.length;
  }

  /** The offload tiers and their counts (null without `offload`). */
  get kvTiers(): KvTiers | null {
    return this.#tiers;
  }

  /**
   * When the earliest prefix fetch under way ends (Infinity: none): an
   * idle instance must start an iteration then.
   */
  get nextFetchS(): number {
    let t = Infinity;
    for (const r of this.#fetchReadyS) if (r < t) t = r;
    return t;
  }

  /** Requests running (admitted, holding KV). */
  get running(): number {
    return this.#prefillingCount + this.#decodeCount + this.#stagedCount;
  }

  /**
   * Queues an arrived request.
   *
   * @param i The request's index in the records.
   */
  enqueue(i: number): void {
    this.#waiting.push(i);
    this.#outstanding++;
  }

  /**
   * Prefill role: takes the requests whose prefill ended since the last call.
   *
   * @returns Their indices, oldest first.
   */
  takeHandoffs(): number[] {
    const out = this.#handoffs;
    // Most iterations hand off nothing: no new array then.
    if (out.length === 0) return out;
    this.#handoffs = [];
    return out;
  }

  /**
   * Prefill role: frees the KV a handed-off request held (its transfer is
   * done).
   *
   * @param i The request.
   */
  release(i: number): void {
    const held = this.#held.get(i);
    if (Number.isNaN(held)) return;
    this.#kv.usedBlocks -= held;
    this.#held.delete(i);
    this.#outstanding--;
    // Only requests that pin cached prefix entries are in the pins map.
    if (this.#heldPins.size === 0) return;
    const pins = this.#heldPins.get(i);
    if (pins === undefined) return;
    this.#prefix.unpin(this.#records.prefixIds[i], pins);
    this.#heldPins.delete(i);
  }

  /**
   * Prompt tokens of a request's prefix that this instance has cached (for a
   * prefix-aware router), in HBM or, after those, in its offload tiers (a
   * fetch is cheaper than a prefill, and the tiers are this instance's own).
   *
   * @param ids The request's prefix block ids.
   * @returns Cached leading tokens (whole prefix blocks).
   */
  cachedPrefixTokens(ids: readonly number[] | undefined): number {
    const hbm = this.#prefix.cachedTokens(ids);
    if (this.#tiers === null || !ids) return hbm;
    const bt = this.#prefix.blockTokens;
    const j = hbm / bt;
    return hbm + this.#tiers.run(ids, j, ids.length) * bt;
  }

  // Leading cached entries a waiting request can use (or, with offload
  // tiers, FETCHING or BLOCKED).
  #prefixMatch(i: number, now: number): number {
    const rec = this.#records;
    if (this.#tiers === null) {
      return this.#prefix.match(rec.prefixIds[i], rec.promptTokens[i]);
    }
    return this.#matchTiers(i, now, this.#tiers);
  }

  // The head request's match across tiers: the HBM entries it may use, then
  // the run of entries lower tiers hold, fetched or prefilled again as the
  // policy says. A request that must wait for blocks (its fetch, or entries
  // another request's fetch is bringing) leaves the queue holding its
  // entries, and comes back ahead of new arrivals when they are in.
  #matchTiers(i: number, now: number, tiers: KvTiers): number {
    this.#recomputeTokens = 0;
    const held = this.#fetchedPins.get(i);
    if (held !== undefined) return held;
    const rec = this.#records;
    const prefix = this.#prefix;
    const ids = rec.prefixIds[i];
    const prompt = rec.promptTokens[i];
    const j = prefix.match(ids, prompt);
    if (!ids) return j;
    const bt = prefix.blockTokens;
    const usable = Math.min(ids.length, Math.floor((prompt - 1) / bt));
    const lower = tiers.run(ids, j, usable);
    let readyS = now;
    if (this.#arriving.size > 0) {
      for (let k = 0; k < j; k++) {
        const r = this.#arriving.get(ids[k]);
        if (r !== undefined && r > readyS) readyS = r;
      }
    }
    let fetch = 0;
    if (lower > 0) {
      const rest = this.#prefillTarget(i) - (j + lower) * bt;
      const fetchS = tiers.fetchS(ids, j, lower, now);
      const redoS = recomputeS(this.#stepTime, j * bt, lower * bt, rest);
      if (choosesFetch(tiers.policy, fetchS, redoS)) fetch = lower;
      else this.#recomputeTokens = lower * bt;
    }
    if (fetch === 0 && readyS <= now) return j;
    prefix.pin(ids, j);
    if (fetch > 0) {
      const kv = this.#kv;
      const need = fetch * prefix.entryBlocks;
      if (
        kv.usedBlocks + need >
          kv.capacityBlocks + prefix.evictable * prefix.entryBlocks
      ) {
        prefix.unpin(ids, j);
        return BLOCKED;
      }
      // Taken from the tiers first, so that the evictions making room for
      // them cannot push them further down.
      const endS = tiers.fetch(
        ids,
        j,
        fetch,
        now,
        Number.isNaN(rec.prefillStartS[i]),
      );
      kv.makeRoom(need);
      kv.usedBlocks += prefix.adopt(ids, j, j + fetch);
      for (let k = j; k < j + fetch; k++) this.#arriving.set(ids[k], endS);
      if (endS > readyS) readyS = endS;
    }
    this.#popWaiting();
    this.#fetchIds.push(i);
    this.#fetchReadyS.push(readyS);
    this.#fetchedPins.set(i, j + fetch);
    return FETCHING;
  }

  // Requests whose blocks have arrived rejoin, in the order they left.
  #collectFetches(now: number): void {
    const ids = this.#fetchIds, ready = this.#fetchReadyS;
    let w = 0;
    for (let k = 0; k < ids.length; k++) {
      if (ready[k] <= now) this.#fetched.push(ids[k]);
      else {
        ids[w] = ids[k];
        ready[w++] = ready[k];
      }
    }
    ids.length = w;
    ready.length = w;
    for (const [id, t] of this.#arriving) {
      if (t <= now) this.#arriving.delete(id);
    }
  }

  /**
   * Decode role: reserves KV blocks and a batch slot for a prefilled request
   * about to be transferred here.
   *
   * @param kvTokens The KV tokens it brings (its prompt).
   * @returns False when there is no room (backpressure).
   */
  reserve(kvTokens: number): boolean {
    const kv = this.#kv;
    const blocks = kv.blocksFor(kvTokens);
    if (
      this.running + this.#reservedSlots >= this.#maxNumSeqs ||
      this.#waiting.size + this.#resumed.length > 0 ||
      !kv.makeRoom(blocks)
    ) return false;
    kv.usedBlocks += blocks;
    this.#reservedSlots++;
    this.#outstanding++;
    return true;
  }

  /**
   * Decode role: a reserved request's KV has arrived; it joins the running
   * batch (at the next iteration) with its first token already produced.
   *
   * @param i The request.
   * @param now Arrival time of its KV.
   */
  admitPrefilled(i: number, now: number): void {
    this.#reservedSlots--;
    this.#staged[this.#stagedCount++] = i;
    this.#records.decodeStartS[i] = now;
    this.#records.decodeInstance[i] = this.index;
  }

  #allocSlot(i: number): number {
    const s = this.#free[--this.#freeCount];
    if (s >= this.#slotHigh) this.#slotHigh = s + 1;
    this.#slotId[s] = i;
    this.#slotPins[s] = 0;
    this.#slotCachedTokens[s] = 0;
    // The window's start is read live: a count run's opens mid-run.
    this.#slotMeasured[s] =
      this.#records.arrivalS[i] >= (this.#window?.[0] ?? -Infinity) ? 1 : 0;
    this.#kv.track(s);
    return s;
  }

  #freeSlot(s: number): void {
    this.#kv.untrack(s);
    this.#free[this.#freeCount++] = s;
  }

  // A request starts decoding: one token per decode iteration from now on.
  #enterDecode(s: number, generated: number, kv: number, lastTokenS: number) {
    const d = this.#decodeIndex;
    this.#slotGenerated0[s] = generated;
    this.#slotKv0[s] = kv;
    this.#slotD0[s] = d;
    this.#slotResidue[s] = this.#kv.startGrowing(kv, d);
    this.#slotLastTokenS[s] = lastTokenS;
    this.#slotDecoding[s] = 1;
    this.#slotPending[s] = 1;
    this.#pending[this.#pendingCount++] = s;
    this.#decodeKvSum += kv;
    this.#decodeCount++;
    this.#decodeMeasured += this.#slotMeasured[s];
    // Under speculation a request's finish is known only when it comes.
    if (this.#spec) return;
    const last = d + this.#records.outputTokens[this.#slotId[s]] - generated -
      1;
    this.#finishes.push(last, this.#slotStamp[s], s);
    if (last < this.#nextFinish) this.#nextFinish = last;
  }

  // A request leaves decode (finished or preempted); returns its KV blocks.
  #leaveDecode(s: number): number {
    const steps = this.#decodeIndex - this.#slotD0[s];
    const kv = this.#slotKv0[s] + steps;
    this.#kv.stopGrowing(this.#slotResidue[s]);
    this.#decodeKvSum -= kv;
    this.#decodeCount--;
    this.#decodeMeasured -= this.#slotMeasured[s];
    this.#slotDecoding[s] = 0;
    this.#slotStamp[s]++;
    if (this.#slotPending[s]) {
      this.#slotPending[s] = 0;
      this.#pendingCount = removeSlot(this.#pending, this.#pendingCount, s);
    }
    this.#prefix.unpin(
      this.#records.prefixIds[this.#slotId[s]],
      this.#slotPins[s],
    );
    return this.#kv.blocksFor(kv - this.#slotCachedTokens[s]);
  }

  // A decoding request's last token came at `now`.
  #finishDecode(s: number, now: number): void {
    const i = this.#slotId[s];
    this.#records.finishS[i] = now + this.#finishDelayS;
    this.#kv.usedBlocks -= this.#leaveDecode(s);
    this.#freeSlot(s);
    this.#outstanding--;
    this.#records.retire(i);
  }

  // Blocks the decodes of the next decode iteration need: one more token
  // each (the residue classes' count), or under speculation the k + 1 they
  // verify (a scan of the slots).
  #growNeed(): number {
    if (!this.#spec) return this.#kv.blocksToGrow(this.#decodeIndex);
    const kv = this.#kv;
    const q = this.#specQuery;
    const d = this.#decodeIndex;
    let need = 0;
    for (let s = 0; s < this.#slotHigh; s++) {
      if (!this.#slotDecoding[s]) continue;
      const own = this.#slotKv0[s] + d - this.#slotD0[s] -
        this.#slotCachedTokens[s];
      need += kv.blocksFor(own + q) - kv.blocksFor(own);
    }
    return need;
  }

  // Speculation, at the end of a decode iteration (before its index moves
  // on): each decode gets 1 + its accepted proposals, at most what it has
  // left; the blocks of rejected ones are freed, and those that are done
  // are listed to finish. Progress stays (state on entry) + (decode
  // iterations since) by moving each entry state on by the extra tokens.
  #acceptDrafts(): void {
    const kv = this.#kv;
    const spec = this.#spec!;
    const q = this.#specQuery;
    const d = this.#decodeIndex;
    const out = this.#records.outputTokens;
    let extra = 0, freed = 0, tokens = 0;
    for (let s = 0; s < this.#slotHigh; s++) {
      if (!this.#slotDecoding[s]) continue;
      const steps = d - this.#slotD0[s];
      const left = out[this.#slotId[s]] - this.#slotGenerated0[s] - steps;
      let n = spec.draw();
      if (n >= left) {
        n = left;
        this.#specDone[this.#specDoneCount++] = s;
      }
      const own = this.#slotKv0[s] + steps - this.#slotCachedTokens[s];
      freed += kv.blocksFor(own + q) - kv.blocksFor(own + n);
      this.#slotGenerated0[s] += n - 1;
      this.#slotKv0[s] += n - 1;
      extra += n - 1;
      tokens += n;
    }
    kv.usedBlocks -= freed;
    this.#decodeKvSum += extra;
    const st = this.stats;
    st.outputTokens += extra;
    st.speculativeSteps += this.#decodeCount;
    st.speculativeTokens += tokens;
  }

  #nextWaiting(now: number): number {
    if (this.#resumed.length > 0) return this.#resumed[0];
    if (this.#fetched.length > 0) return this.#fetched[0];
    return this.#timeoutS === null ? this.#waiting.peek() : this.#liveHead(now);
  }

  // The first waiting request, after dropping those at the head whose
  // deadline has passed before they started (a preempted request has
  // started: it stays). Checking only at the head is enough: a request is
  // served if and only if it is admitted by its deadline, and it is
  // admitted only from the head.
  #liveHead(now: number): number {
    const rec = this.#records;
    const timeouts = this.#timeoutS!;
    for (;;) {
      const i = this.#waiting.peek();
      if (i < 0) return i;
      const deadline = rec.arrivalS[i] + timeouts[rec.classIndex[i]];
      if (!(now > deadline) || !Number.isNaN(rec.prefillStartS[i])) return i;
      this.#waiting.shift();
      rec.outcome[i] = Outcome.abandoned;
      rec.finishS[i] = deadline;
      this.#outstanding--;
      // Its retirement tells the client at once (see ../serving/clients.ts).
      rec.retire(i);
    }
  }

  // The running request to preempt: the newest (fcfs, sjf), or the one of
  // largest (priority, arrival) (priority; ties: the oldest admitted, the
  // first vLLM's max() meets in its running list).
  #victim(): number {
    const kv = this.#kv;
    if (!this.#lowestPriorityVictim) return kv.victim();
    const rec = this.#records;
    const prio = this.#classPriority;
    let best = -1, bestP = -Infinity, bestA = -Infinity;
    for (let s = kv.victim(); s >= 0; s = kv.older(s)) {
      const i = this.#slotId[s];
      const p = prio[rec.classIndex[i]] ?? 0;
      const a = rec.arrivalS[i];
      if (p > bestP || (p === bestP && a >= bestA)) {
        best = s;
        bestP = p;
        bestA = a;
      }
    }
    return best;
  }

  #popWaiting(): number {
    if (this.#resumed.length > 0) return this.#resumed.shift()!;
    return this.#fetched.length > 0
      ? this.#fetched.shift()!
      : this.#waiting.shift();
  }

  // Frees a running request and puts it back in line, first.
  #preempt(s: number): void {
    const i = this.#slotId[s];
    let generated: number, lastTokenS: number, blocks: number;
    if (this.#slotDecoding[s]) {
      generated = this.#slotGenerated0[s] + this.#decodeIndex -
        this.#slotD0[s];
      lastTokenS = this.#slotPending[s]
        ? this.#slotLastTokenS[s]
        : this.#lastDecodeEndS;
      blocks = this.#leaveDecode(s);
    } else {
      generated = this.#slotGenerated0[s];
      lastTokenS = this.#slotLastTokenS[s];
      blocks = this.#slotBlocks[s];
      this.#prefillingCount = removeSlot(
        this.#prefilling,
        this.#prefillingCount,
        s,
      );
      this.#prefix.unpin(this.#records.prefixIds[i], this.#slotPins[s]);
    }
    this.#kv.usedBlocks -= blocks;
    this.#freeSlot(s);
    if (this.#requeuePreempted) this.#waiting.push(i);
    else this.#resumed.unshift(i);
    this.#resume.set(i, { generated, lastTokenS });
    this.stats.preemptions++;
    this.#records.preemptions[i]++;
  }

  // Admits a waiting request whose first `chunk` tokens after its `pins`
  // cached prefix entries are planned in this iteration.
  #admit(i: number, chunk: number, now: number, pins: number): boolean {
    const kv = this.#kv;
    const prefix = this.#prefix;
    const blocks = kv.blocksFor(chunk);
    const ids = this.#records.prefixIds[i];
    // A request back from a fetch holds its entries already.
    const held = this.#fetchedPins.size > 0 && this.#fetchedPins.has(i);
    // Pinned first, so that making room cannot evict the request's prefix.
    if (!held) prefix.pin(ids, pins);
    if (!kv.makeRoom(blocks)) {
      if (!held) prefix.unpin(ids, pins);
      return false;
    }
    if (held) this.#fetchedPins.delete(i);
    const cached = pins * prefix.blockTokens;
    // Most admissions are not resumes: skip the map then.
    const resume = this.#resume.size > 0 ? this.#resume.get(i) : undefined;
    if (resume) this.#resume.delete(i);
    const generated = resume?.generated ?? 0;
    const s = this.#allocSlot(i);
    this.#slotTarget[s] = this.#records.promptTokens[i] + generated;
    this.#slotPrefilled[s] = cached;
    this.#slotPins[s] = pins;
    this.#slotCachedTokens[s] = cached;
    this.#slotBlocks[s] = blocks;
    this.#slotChunk[s] = chunk;
    this.#slotGenerated0[s] = generated;
    this.#slotLastTokenS[s] = resume?.lastTokenS ?? NaN;
    this.#slotDecoding[s] = 0;
    this.#prefilling[this.#prefillingCount++] = s;
    kv.usedBlocks += blocks;
    if (Number.isNaN(this.#records.prefillStartS[i])) {
      this.#records.prefillStartS[i] = now;
      this.stats.prefixPromptTokens += this.#records.promptTokens[i];
      this.stats.prefixHitTokens += cached;
      if (this.#tiers) this.#tiers.recomputedTokens += this.#recomputeTokens;
      this.#records.prefillInstance[i] = this.index;
      this.#records.prefixHitTokens[i] = cached;
    }
    return true;
  }

  /**
   * Plans and starts the next iteration.
   *
   * @param now Current time.
   * @returns When the iteration ends, or -1 when there is nothing to run.
   */
  startIteration(now: number): number {
    const rec = this.#records;
    const staged = this.#staged;
    for (let k = 0; k < this.#stagedCount; k++) {
      const i = staged[k];
      // With the first token counted at the prefill, the gap to the first
      // decode token includes the transfer, as a client would see it.
      this.#enterDecode(
        this.#allocSlot(i),
        1,
        rec.promptTokens[i],
        rec.prefillEndS[i],
      );
    }
    this.#stagedCount = 0;
    if (this.#tiers !== null) {
      this.#tiers.now = now;
      if (this.#fetchIds.length > 0) this.#collectFetches(now);
    }
    const prefilling = this.#prefilling;
    const kv = this.#kv;
    let prefillTokens = 0, sequences = 0, attended = 0, past = 0;
    let need = 0;
    if (
      this.#prefillingCount === 0 && this.#decodeCount > 0 &&
      this.#waiting.size === 0 && this.#resumed.length === 0 &&
      this.#fetched.length === 0 &&
      ((need = this.#growNeed()) === 0 ||
        kv.makeRoom(need))
    ) {
      // Decode-only (most iterations): with nothing waiting or prefilling,
      // every policy's plan is scheduleDecodes, and its blocks fit; skipping
      // the plan saves its calls and loops. (When they do not fit, the plan
      // below preempts: makeRoom has already evicted what it could.)
      kv.usedBlocks += need;
      this.#decodeThis = true;
    } else {
      for (let k = 0; k < this.#prefillingCount; k++) {
        this.#slotChunk[prefilling[k]] = 0;
      }
      this.#decodeThis = false;
      this.#policy.plan(this, now, this.#maxNumBatchedTokens);
      for (let k = 0; k < this.#prefillingCount; k++) {
        const s = prefilling[k];
        const c = this.#slotChunk[s];
        if (c === 0) continue;
        const done = this.#slotPrefilled[s];
        prefillTokens += c;
        sequences++;
        past += done;
        attended += c * done + c * (c + 1) / 2;
      }
    }
    const decodes = this.#decodeThis ? this.#decodeCount : 0;
    const batch = decodes + sequences;
    if (batch === 0) return -1;
    const shape = this.#shape;
    shape.prefillTokens = prefillTokens;
    shape.prefillSequences = sequences;
    shape.prefillAttendedTokens = attended;
    shape.prefillPastTokens = past;
    shape.decodeTokens = decodes;
    // Each decode reads its KV plus the token it writes.
    shape.decodeContextTokens = decodes > 0 ? this.#decodeKvSum + decodes : 0;
    if (this.#spec) shape.decodeQueryTokens = decodes * this.#specQuery;
    const durationS = this.#stepTime.iterationTimeS(shape);
    const st = this.stats;
    st.iterations++;
    st.busyS += durationS;
    this.#iterationStartS = now;
    st.batchSizeSum += batch;
    if (batch > st.peakBatchSize) st.peakBatchSize = batch;
    const used = this.#kv.usedBlocks;
    if (used > st.peakKvBlocks) st.peakKvBlocks = used;
    st.kvBlocksSum += used;
    this.#timeline?.add(
      now,
      this.#waiting.size + this.#resumed.length,
      batch,
      used / this.#kvCapacityBlocks,
    );
    this.busy = true;
    return now + durationS;
  }

  /**
   * Every decoding request decodes one token (see {@linkcode BatchBuilder}).
   *
   * @returns Batch tokens the decodes take.
   */
  scheduleDecodes(): number {
    if (this.#decodeCount === 0) return 0;
    // Those whose KV fills its last block need a new one, and the victims
    // are preempted until they all fit.
    const kv = this.#kv;
    let need = this.#growNeed();
    while (need > 0 && !kv.makeRoom(need) && this.#decodeCount > 0) {
      this.#preempt(this.#victim());
      need = this.#growNeed();
    }
    if (this.#decodeCount === 0) return 0;
    kv.usedBlocks += need;
    this.#decodeThis = true;
    // A speculative decode verifies k + 1 tokens, all in the batch's budget.
    return this.#decodeCount * this.#specQuery;
  }

  /**
   * Admits waiting prompts whole, oldest first, within seqs, budget and KV
   * (see {@linkcode BatchBuilder}).
   *
   * @param now The iteration's start.
   * @param budget Batch tokens left.
   * @returns Requests admitted.
   */
  admitWhole(now: number, budget: number): number {
    const blockTokens = this.#prefix.blockTokens;
    let admitted = 0;
    while (this.running < this.#maxNumSeqs) {
      const i = this.#nextWaiting(now);
      if (i < 0) break;
      const pins = this.#prefixMatch(i, now);
      if (pins === FETCHING) continue;
      if (pins === BLOCKED) break;
      const prompt = this.#prefillTarget(i) - pins * blockTokens;
      // A prompt longer than the budget runs alone rather than never.
      const alone = prompt > this.#maxNumBatchedTokens &&
        budget === this.#maxNumBatchedTokens;
      if (prompt > budget && !alone) break;
      if (!this.#admit(i, prompt, now, pins)) break;
      this.#popWaiting();
      budget -= prompt;
      admitted++;
    }
    return admitted;
  }

  // Tokens to prefill for a waiting request (a resumed one recomputes its
  // generated tokens too).
  #prefillTarget(i: number): number {
    return this.#records.promptTokens[i] +
      (this.#resume.size > 0 ? this.#resume.get(i)?.generated ?? 0 : 0);
  }

  /**
   * Gives budget to the running partial prefills, oldest first (see
   * {@linkcode BatchBuilder}).
   *
   * @param budget Batch tokens left.
   * @returns Batch tokens still left.
   */
  continueChunks(budget: number): number {
    const kv = this.#kv;
    const prefilling = this.#prefilling;
    for (let k = 0; k < this.#prefillingCount; k++) {
      if (budget <= 0) break;
      const s = prefilling[k];
      const done = this.#slotPrefilled[s];
      const chunk = Math.min(this.#slotTarget[s] - done, budget);
      const need = kv.blocksFor(done + chunk - this.#slotCachedTokens[s]) -
        this.#slotBlocks[s];
      if (!kv.makeRoom(need)) continue;
      this.#slotBlocks[s] += need;
      kv.usedBlocks += need;
      this.#slotChunk[s] = chunk;
      budget -= chunk;
    }
    return budget;
  }

  /**
   * Admits waiting requests with their first prompt chunk, oldest first
   * (see {@linkcode BatchBuilder}).
   *
   * @param now The iteration's start.
   * @param budget Batch tokens left.
   */
  admitChunks(now: number, budget: number): void {
    const blockTokens = this.#prefix.blockTokens;
    while (budget > 0 && this.running < this.#maxNumSeqs) {
      const i = this.#nextWaiting(now);
      if (i < 0) break;
      const pins = this.#prefixMatch(i, now);
      if (pins === FETCHING) continue;
      if (pins === BLOCKED) break;
      const chunk = Math.min(
        this.#prefillTarget(i) - pins * blockTokens,
        budget,
      );
      if (!this.#admit(i, chunk, now, pins)) break;
      this.#popWaiting();
      budget -= chunk;
    }
  }

  // A finished prompt's whole prefix blocks become cache entries (or, when
  // another request cached them meanwhile, its copies are dropped); the
  // request holds them until it leaves.
  #cachePrompt(s: number, i: number, kvTokens: number): void {
    const ids = this.#records.prefixIds[i];
    if (!ids) return;
    const kv = this.#kv;
    const prefix = this.#prefix;
    const whole = Math.min(
      ids.length,
      Math.floor(this.#records.promptTokens[i] / prefix.blockTokens),
    );
    kv.usedBlocks += prefix.adopt(ids, this.#slotPins[s], whole);
    if (whole <= this.#slotPins[s]) return;
    const cached = whole * prefix.blockTokens;
    const own = kv.blocksFor(kvTokens - cached);
    kv.usedBlocks += own - this.#slotBlocks[s];
    this.#slotBlocks[s] = own;
    this.#slotPins[s] = whole;
    this.#slotCachedTokens[s] = cached;
  }

  /**
   * Applies the iteration that just ended: decode tokens, prefill progress,
   * first tokens, and finished requests (whose KV is freed).
   *
   * @param now The iteration's end time.
   * @returns How many requests finished (abandoned ones are retired when
   * they are found, in startIteration).
   */
  finishIteration(now: number): number {
    // Clipped at the end, when a window that ends early is known.
    const window = this.#window;
    let lo = this.#iterationStartS, hi = now;
    if (window !== undefined) {
      if (window[0] > lo) lo = window[0];
      if (window[1] < hi) hi = window[1];
    }
    if (hi > lo) this.stats.busyInWindowS += hi - lo;
    const rec = this.#records;
    const itl = this.#itl;
    let finished = 0;
    if (this.#decodeThis) {
      const index = this.#decodeIndex;
      const decodes = this.#decodeCount;
      this.stats.outputTokens += decodes;
      let pendingMeasured = 0;
      const pending = this.#pending;
      const n = this.#pendingCount;
      for (let k = 0; k < n; k++) {
        const s = pending[k];
        this.#slotPending[s] = 0;
        pendingMeasured += this.#slotMeasured[s];
        const i = this.#slotId[s];
        if (Number.isNaN(rec.firstTokenS[i])) rec.firstTokenS[i] = now;
        else if (itl && this.#slotMeasured[s]) {
          itl.add(now - this.#slotLastTokenS[s], 1);
        }
      }
      this.#pendingCount = 0;
      // The others decoded in the previous decode iteration too.
      itl?.add(
        now - this.#lastDecodeEndS,
        this.#decodeMeasured - pendingMeasured,
      );
      this.#lastDecodeEndS = now;
      this.#decodeKvSum += decodes;
      if (this.#spec) this.#acceptDrafts();
      this.#decodeIndex++;
      for (let k = 0; k < this.#specDoneCount; k++) {
        this.#finishDecode(this.#specDone[k], now);
        finished++;
      }
      this.#specDoneCount = 0;
      const finishes = this.#finishes;
      while (this.#nextFinish <= index) {
        finishes.pop();
        this.#nextFinish = finishes.peekTime;
        const s = finishes.data;
        if (finishes.kind !== this.#slotStamp[s]) continue; // stale
        this.#finishDecode(s, now);
        finished++;
      }
    }
    let w = 0;
    const prefilling = this.#prefilling;
    const n = this.#prefillingCount;
    for (let k = 0; k < n; k++) {
      const s = prefilling[k];
      const chunk = this.#slotChunk[s];
      const done = this.#slotPrefilled[s] + chunk;
      this.#slotPrefilled[s] = done;
      if (chunk === 0 || done < this.#slotTarget[s]) {
        prefilling[w++] = s;
        continue;
      }
      // The prefill's last chunk yields the next output token (the first,
      // unless this is a recompute after preemption).
      const i = this.#slotId[s];
      const generated = this.#slotGenerated0[s] + 1;
      this.stats.outputTokens++;
      if (Number.isNaN(rec.prefillEndS[i])) {
        rec.prefillEndS[i] = now;
        if (!this.#prefillRole) rec.decodeStartS[i] = now;
        if (!this.#firstTokenAtDecode) rec.firstTokenS[i] = now;
      } else if (itl && this.#slotMeasured[s]) {
        // A recompute's token: the client waited since the token before
        // the preemption.
        itl.add(now - this.#slotLastTokenS[s], 1);
      }
      if (this.#prefix.enabled) this.#cachePrompt(s, i, done);
      if (generated >= rec.outputTokens[i]) {
        rec.finishS[i] = now + this.#finishDelayS;
        if (Number.isNaN(rec.firstTokenS[i])) rec.firstTokenS[i] = now;
        this.#kv.usedBlocks -= this.#slotBlocks[s];
        this.#prefix.unpin(rec.prefixIds[i], this.#slotPins[s]);
        this.#freeSlot(s);
        this.#outstanding--;
        rec.retire(i);
        finished++;
      } else if (this.#prefillRole) {
        this.#handoffs.push(i);
        this.#held.set(i, this.#slotBlocks[s]);
        if (this.#slotPins[s] > 0) this.#heldPins.set(i, this.#slotPins[s]);
        this.#freeSlot(s);
      } else {
        this.#enterDecode(s, generated, done, now);
      }
    }
    this.#prefillingCount = w;
    this.busy = false;
    return finished;
  }
}
