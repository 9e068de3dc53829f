/**
 * Disaggregated batched serving (xPyD): P prefill instances and D decode
 * instances. A finished prefill holds its KV on the prefill instance until a
 * decode instance has room for it (backpressure), then the KV moves over the
 * prefill instance's link: transfers on one link go one after another
 * (contention), each taking latency + bytes / bandwidth. When the KV has
 * arrived the prefill instance frees it and the request decodes.
 *
 * @module
 */

import { EventQueue } from "../engine/event_queue.ts";
import { RequestRecords } from "../metrics/records.ts";
import type { RequestSource } from "../workload/workload.ts";
import { KvCapacityError } from "./batched.ts";
import { RandomStream } from "../engine/random.ts";
import { router, type RouterPolicy } from "./router.ts";
import { Instance, type InstanceConfig } from "./instance.ts";
import { ClientArrivals } from "./concurrency.ts";

/** A KV-transfer link, one per prefill instance. */
export interface KvLink {
  /** KV bytes per prompt token moved (all layers, whole model). */
  bytesPerToken: number;
  /** Link bandwidth, bytes per second. */
  bandwidthBytesPerS: number;
  /** Fixed latency per transfer, seconds. */
  latencyS: number;
}

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
  link: KvLink;
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
  /** Router over the prefill instances (default `least_outstanding`). */
  router?: RouterPolicy;
  /** Seed for the power-of-two router's choices. */
  seed?: number;
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
}

const ARRIVAL = 0;
const PREFILL_END = 1;
const DECODE_END = 2;
const TRANSFER_END = 3;

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
 * import { rateStepTime } from "./step_time.ts";
 * import { scenarioWorkload } from "../workload/workload.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const config = {
 *   policy: "chunked" as const, maxNumSeqs: 64, maxNumBatchedTokens: 2048,
 *   kvCapacityBlocks: 8192, blockSize: 16,
 *   stepTime: rateStepTime({ prefill_tokens_per_s: 8000, decode_tokens_per_s: 40 }),
 * };
 * const run = runDisaggBatched(scenarioWorkload(validateScenario({ sim_seconds: 20, warmup_seconds: 0 })), {
 *   prefillInstances: 1, decodeInstances: 1, prefill: config, decode: config,
 *   link: { bytesPerToken: 131072, bandwidthBytesPerS: 50e9, latencyS: 1e-4 },
 *   firstTokenAtDecode: true,
 * });
 * if (Number.isNaN(run.records.finishS[0])) throw new Error();
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
  const link = options.link;
  const linkFreeAtS = new Float64Array(prefill.length);
  // Handed-off requests waiting for decode room, oldest first, with the
  // prefill instance that holds their KV; and each transfer's destination.
  const pending: number[] = [];
  const pendingFrom: number[] = [];
  const transferFrom = new Map<number, number>();
  const transferTo = new Map<number, number>();
  const events = new EventQueue(64);

  const kick = (inst: Instance, kind: number, k: number, now: number) => {
    if (inst.busy) return;
    const end = inst.startIteration(now);
    if (end >= 0) events.push(end, kind, k);
  };
  // The least loaded decode instance that has room for a prompt's KV, or -1.
  const tried = new Uint8Array(decode.length);
  const reserveDecode = (prompt: number): number => {
    tried.fill(0);
    for (let pass = 0; pass < decode.length; pass++) {
      let best = -1;
      for (let d = 0; d < decode.length; d++) {
        if (
          !tried[d] &&
          (best < 0 || decode[d].outstanding < decode[best].outstanding)
        ) best = d;
      }
      if (decode[best].reserve(prompt)) return best;
      tried[best] = 1;
    }
    return -1;
  };
  const dispatch = (now: number) => {
    while (pending.length > 0) {
      const i = pending[0];
      const prompt = records.promptTokens[i];
      const to = reserveDecode(prompt);
      if (to < 0) return; // wait for room, oldest first
      pending.shift();
      const from = pendingFrom.shift()!;
      const startS = Math.max(now, linkFreeAtS[from]);
      linkFreeAtS[from] = startS +
        prompt * link.bytesPerToken / link.bandwidthBytesPerS;
      records.kvTransferStartS[i] = now;
      transferFrom.set(i, from);
      transferTo.set(i, to);
      events.push(linkFreeAtS[from] + link.latencyS, TRANSFER_END, i);
    }
  };

  const clients = new ClientArrivals(source, events, {
    kind: ARRIVAL,
    overheadS,
    maxConcurrency: options.maxConcurrency,
    finishDelayS: options.decode.finishDelayS ?? 0,
  });
  clients.start();
  let now = 0;
  while (events.pop()) {
    now = events.time;
    const kind = events.kind;
    if (kind === ARRIVAL) {
      const i = clients.arrive(now, records);
      if (i < 0) continue; // sent when a response ends
      const k = route(i);
      prefill[k].enqueue(i);
      kick(prefill[k], PREFILL_END, k, now);
    } else if (kind === PREFILL_END) {
      const k = events.data;
      clients.finished(prefill[k].finishIteration(now), now);
      for (const i of prefill[k].takeHandoffs()) {
        pending.push(i);
        pendingFrom.push(k);
      }
      dispatch(now);
      kick(prefill[k], PREFILL_END, k, now);
    } else if (kind === DECODE_END) {
      const d = events.data;
      clients.finished(decode[d].finishIteration(now), now);
      dispatch(now);
      kick(decode[d], DECODE_END, d, now);
    } else {
      const i = events.data;
      const from = transferFrom.get(i)!;
      const to = transferTo.get(i)!;
      transferFrom.delete(i);
      transferTo.delete(i);
      prefill[from].release(i);
      decode[to].admitPrefilled(i, now);
      kick(decode[to], DECODE_END, to, now);
      kick(prefill[from], PREFILL_END, from, now);
    }
  }
  for (const inst of [...prefill, ...decode]) {
    if (inst.outstanding > 0 || pending.length > 0) {
      throw new KvCapacityError(
        `${inst.outstanding + pending.length} request(s) cannot be admitted: ` +
          `a prompt needs more KV than an instance's cache holds ` +
          `(${inst.config.kvCapacityBlocks} blocks of ` +
          `${inst.config.blockSize} tokens)`,
      );
    }
  }
  return { records, prefill, decode, endS: now };
}
