/**
 * Disaggregated batched serving (xPyD): P prefill instances and D decode
 * instances. A finished prefill holds its KV on the prefill instance until a
 * decode instance has room for it (backpressure), then the KV moves over the
 * KV link ({@linkcode KvLink}; by default one per prefill instance,
 * transfers on it one after another, each taking latency + bytes /
 * bandwidth). When the KV has arrived the prefill instance frees it and the
 * request decodes. Both choices of instance go through routers: the prefill
 * side's at arrival, the decode side's when a prefill ends, over the decode
 * instances that have not refused the request's KV.
 *
 * @module
 */

import { EventQueue } from "../engine/event_queue.ts";
import { IntFifo } from "../engine/fifo.ts";
import { RequestRecords } from "../metrics/records.ts";
import type { RequestSource } from "../workload/request_source.ts";
import { KvCapacityError } from "./batched.ts";
import { RandomStream } from "../engine/random.ts";
import { type RoutedInstance, router, type RouterName } from "./routers/mod.ts";
import { Instance, type InstanceConfig } from "./instance.ts";
import { type Clients, type ClientSpec, makeClients } from "./clients.ts";
import type { SessionCounts } from "../metrics/session_summary.ts";
import { WaitingLimit } from "./waiting_limit.ts";
import { FifoKvLinks, type KvLink, type KvLinkSpec } from "./kv_link.ts";

export type { KvLink, KvLinkSpec } from "./kv_link.ts";

/** Options for {@linkcode runDisaggBatched}. */
export interface DisaggBatchedOptions {
  /** Prefill instances. */
  prefillInstances: number;
  /** Decode instances. */
  decodeInstances: number;
  /** Prefill instances' configuration (role is set here). */
  prefill: InstanceConfig;
  /** Decode instances' configuration (role is set here). */
  decode: InstanceConfig;
  /** The link each prefill instance sends KV over. */
  link: KvLinkSpec;
  /**
   * The network model (default: {@linkcode FifoKvLinks} built from `link`,
   * whose `bytesPerToken` sizes every transfer either way).
   */
  kvLink?: KvLink;
  /** Whether TTFT ends at the decode instance's first token (a proxy's view). */
  firstTokenAtDecode: boolean;
  /** Expected number of requests (sizes the records). */
  expectedRequests?: number;
  /** The records to fill (default: new ones). */
  records?: RequestRecords;
  /**
   * Fixed time from a request's arrival to its reaching the router (API
   * server, tokenisation), seconds (default 0).
   */
  requestOverheadS?: number;
  /** Most requests in flight, as for {@linkcode runBatchedCluster}. */
  maxConcurrency?: number;
  /** What the users do (closed loops, sessions; replaces `maxConcurrency`). */
  client?: ClientSpec;
  /** Router over the prefill instances (default `least_outstanding`). */
  router?: RouterName;
  /**
   * Router over the decode instances that have room (default
   * `least_outstanding`).
   */
  decodeRouter?: RouterName;
  /** Seed for the power-of-two router's choices. */
  seed?: number;
  /**
   * Most requests waiting over the prefill pool (`admission.max_waiting_requests`):
   * an arrival that finds this many is refused (default: no limit).
   */
  maxWaitingRequests?: number;
}

/** What a disaggregated batched run produced. */
export interface DisaggBatchedRun {
  /** Per-request timelines. */
  records: RequestRecords;
  /** Prefill instances. */
  prefill: Instance[];
  /** Decode instances. */
  decode: Instance[];
  /** When the last request finished. */
  endS: number;
  /** Multi-turn sessions' figures (runs with sessions). */
  sessions?: SessionCounts;
}

const ARRIVAL = 0;
const PREFILL_END = 1;
const DECODE_END = 2;
// A transfer's end: kind TRANSFER_END + from * decode instances + to, so
// that its ends need no per-request map.
const TRANSFER_END = 3;
// An idle prefill instance's prefix fetch (KV offload tiers) has ended
// (below the transfer kinds, which take every value from TRANSFER_END).
const FETCH_END = -1;

// A decode instance as the decode-side router sees it: one that has refused
// the request's KV in this dispatch looks infinitely loaded and uncached, so
// the router picks among the others, exactly as if they were the pool.
class DecodeCandidate implements RoutedInstance {
  readonly instance: Instance;
  refused = false;

  constructor(instance: Instance) {
    this.instance = instance;
  }

  get outstanding(): number {
    return this.refused ? Infinity : this.instance.outstanding;
  }

  get kvUsedBlocks(): number {
    return this.refused ? Infinity : this.instance.kvUsedBlocks;
  }

  cachedPrefixTokens(ids: readonly number[] | undefined): number {
    return this.refused ? 0 : this.instance.cachedPrefixTokens(ids);
  }
}

/**
 * Runs requests through prefill and decode pools until all finish.
 *
 * @param source The requests, in arrival order.
 * @param options Pools, instance configurations, link and TTFT convention.
 * @returns Records, instances and drain time.
 *
 * @example Usage
 * ```ts
 * import { runDisaggBatched } from "./disagg_batched.ts";
 * import assert from "node:assert/strict";
 * import { rateStepTime } from "../perf/step_time.ts";
 * import { scenarioWorkload } from "../workload/workload.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const config = {
 *   policy: "chunked" as const, maxNumSeqs: 64, maxNumBatchedTokens: 2048,
 *   kvCapacityBlocks: 8192, blockSize: 16,
 *   stepTime: rateStepTime({ prefillTokensPerS: 8000, decodeTokensPerS: 40 }),
 * };
 * const run = runDisaggBatched(scenarioWorkload(validateScenario({ sim_seconds: 20, warmup_seconds: 0 })), {
 *   prefillInstances: 1, decodeInstances: 1, prefill: config, decode: config,
 *   link: { bytesPerToken: 131072, bandwidthBytesPerS: 50e9, latencyS: 1e-4 },
 *   firstTokenAtDecode: true,
 * });
 * assert.ok(run.records.count > 0);
 * // Every request finished, and its KV crossed the link before it decoded.
 * for (let i = 0; i < run.records.count; i++) {
 *   assert.ok(run.records.finishS[i] >= run.records.decodeStartS[i]);
 *   assert.ok(run.records.decodeStartS[i] > run.records.kvTransferStartS[i]);
 * }
 * ```
 */
export function runDisaggBatched(
  source: RequestSource,
  options: DisaggBatchedOptions,
): DisaggBatchedRun {
  const records = options.records ??
    new RequestRecords(options.expectedRequests ?? 1024);
  const overheadS = options.requestOverheadS ?? 0;
  const firstTokenAtDecode = options.firstTokenAtDecode;
  const prefill = Array.from(
    { length: options.prefillInstances },
    (_, k) =>
      new Instance(
        { ...options.prefill, role: "prefill", firstTokenAtDecode },
        records,
        k,
      ),
  );
  const decode = Array.from(
    { length: options.decodeInstances },
    (_, k) =>
      new Instance(
        { ...options.decode, role: "decode", firstTokenAtDecode },
        records,
        k,
      ),
  );
  const route = router(options.router ?? "least_outstanding", prefill, {
    rng: new RandomStream(options.seed ?? 0, "router"),
    records,
  });
  const bytesPerToken = options.link.bytesPerToken;
  const link = options.kvLink ??
    new FifoKvLinks(prefill.length, options.link);
  const candidates = decode.map((inst) => new DecodeCandidate(inst));
  const routeDecode = router(
    options.decodeRouter ?? "least_outstanding",
    candidates,
    { rng: new RandomStream(options.seed ?? 0, "decode_router"), records },
  );
  // Handed-off requests waiting for decode room, oldest first, with the
  // prefill instance that holds their KV; and each transfer's destination.
  const pending = new IntFifo(64);
  const pendingFrom = new IntFifo(64);
  const decodeCount = decode.length;
  const events = new EventQueue(64);

  const kick = (inst: Instance, kind: number, k: number, now: number) => {
    if (inst.busy) return;
    const end = inst.startIteration(now);
    if (end >= 0) events.push(end, kind, k);
    else wake(inst, k);
  };
  // A prefill instance with nothing to run but a fetch under way is woken
  // when it ends.
  const wake = (inst: Instance, k: number) => {
    if (inst.nextFetchS < Infinity) events.push(inst.nextFetchS, FETCH_END, k);
  };
  // The decode instance the router picks among those with room for a
  // request's KV, or -1 when none has room.
  const reserveDecode = (i: number, prompt: number): number => {
    for (let c = 0; c < candidates.length; c++) candidates[c].refused = false;
    for (let pass = 0; pass < decode.length; pass++) {
      const d = routeDecode(i);
      if (candidates[d].refused) break;
      if (decode[d].reserve(prompt)) return d;
      candidates[d].refused = true;
    }
    return -1;
  };
  const dispatch = (now: number) => {
    while (pending.size > 0) {
      const i = pending.peek();
      const prompt = records.promptTokens[i];
      const to = reserveDecode(i, prompt);
      if (to < 0) return; // wait for room, oldest first
      pending.shift();
      const from = pendingFrom.shift();
      const endS = link.transfer(from, to, prompt * bytesPerToken, now);
      records.kvTransferStartS[i] = now;
      events.push(endS, TRANSFER_END + from * decodeCount + to, i);
    }
  };

  const clients: Clients = makeClients(source, events, records, {
    kind: ARRIVAL,
    overheadS,
    finishDelayS: options.decode.finishDelayS ?? 0,
  }, options.client ?? { maxConcurrency: options.maxConcurrency });
  const limit = options.maxWaitingRequests === undefined
    ? null
    : new WaitingLimit(options.maxWaitingRequests, prefill, records);
  clients.start();
  let now = 0;
  while (events.pop()) {
    now = events.time;
    const kind = events.kind;
    if (kind === ARRIVAL) {
      const i = clients.arrive(now, events.data);
      if (i < 0) continue; // sent when a response ends
      // Refused at the door: its client hears at once.
      if (limit?.refuse(i, now)) {
        clients.finished(1, now);
        continue;
      }
      const k = route(i);
      prefill[k].enqueue(i);
      kick(prefill[k], PREFILL_END, k, now);
    } else if (kind === PREFILL_END) {
      const k = events.data;
      const inst = prefill[k];
      // While the instance's next iteration ends before every other event,
      // it runs here rather than through the queue (see runBatchedCluster).
      for (;;) {
        clients.finished(inst.finishIteration(now), now);
        for (const i of inst.takeHandoffs()) {
          pending.push(i);
          pendingFrom.push(k);
        }
        dispatch(now);
        const end = inst.startIteration(now);
        if (end < 0) {
          wake(inst, k);
          break;
        }
        if (end < events.peekTime) now = end;
        else {
          events.push(end, PREFILL_END, k);
          break;
        }
      }
    } else if (kind === FETCH_END) {
      kick(prefill[events.data], PREFILL_END, events.data, now);
    } else if (kind === DECODE_END) {
      const d = events.data;
      const inst = decode[d];
      for (;;) {
        clients.finished(inst.finishIteration(now), now);
        dispatch(now);
        const end = inst.startIteration(now);
        if (end < 0) break;
        if (end < events.peekTime) now = end;
        else {
          events.push(end, DECODE_END, d);
          break;
        }
      }
    } else {
      const i = events.data;
      const from = Math.floor((kind - TRANSFER_END) / decodeCount);
      const to = kind - TRANSFER_END - from * decodeCount;
      prefill[from].release(i);
      decode[to].admitPrefilled(i, now);
      kick(decode[to], DECODE_END, to, now);
      kick(prefill[from], PREFILL_END, from, now);
    }
  }
  for (const inst of [...prefill, ...decode]) {
    if (inst.outstanding > 0 || pending.size > 0) {
      throw new KvCapacityError(
        `${inst.outstanding + pending.size} request(s) cannot be admitted: ` +
          `a prompt needs more KV than an instance's cache holds ` +
          `(${inst.config.kvCapacityBlocks} blocks of ` +
          `${inst.config.blockSize} tokens)`,
      );
    }
  }
  return {
    records,
    prefill,
    decode,
    endS: now,
    sessions: clients.sessions,
  };
}
