/**
 * A colocated cluster of batched instances behind a router. Events are
 * arrivals and iteration ends (never one event per token): an idle instance
 * starts an iteration when work arrives, and a busy one plans its next
 * iteration when the current one ends.
 *
 * @module
 */

import { EventQueue } from "../engine/event_queue.ts";
import { RandomStream } from "../engine/random.ts";
import { RequestRecords } from "../metrics/records.ts";
import type { RequestSource } from "../workload/request_source.ts";
import { Instance, type InstanceConfig } from "./instance.ts";
import { router, type RouterName } from "./routers/mod.ts";
import { type Clients, type ClientSpec, makeClients } from "./clients.ts";
import type { SessionCounts } from "../metrics/session_summary.ts";
import { WaitingLimit } from "./waiting_limit.ts";

/** Options for {@linkcode runBatchedCluster}. */
export interface BatchedClusterOptions {
  /** Number of instances. */
  instances: number;
  /** Each instance's configuration. */
  instance: InstanceConfig;
  /** Router (a name in `ROUTERS`; default `least_outstanding`). */
  router?: RouterName;
  /** Seed for the power-of-two router's choices. */
  seed?: number;
  /** Expected number of requests (sizes the records). */
  expectedRequests?: number;
  /** The records to fill (default: new ones). */
  records?: RequestRecords;
  /**
   * Fixed time from a request's arrival to its reaching the router (API
   * server, tokenisation), seconds (default 0).
   */
  requestOverheadS?: number;
  /**
   * Most requests in flight (a benchmark client's `--max-concurrency`): an
   * arrival that finds them all busy is sent when one finishes, and its
   * arrival is then (default: no limit).
   */
  maxConcurrency?: number;
  /** What the users do (closed loops, sessions; replaces `maxConcurrency`). */
  client?: ClientSpec;
  /**
   * Most requests waiting over the pool (`admission.max_waiting_requests`):
   * an arrival that finds this many is refused (default: no limit).
   */
  maxWaitingRequests?: number;
}

/** What a batched run produced. */
export interface BatchedRun {
  /** Per-request timelines. */
  records: RequestRecords;
  /** The instances, with their statistics. */
  instances: Instance[];
  /** When the last request finished. */
  endS: number;
  /** Multi-turn sessions' figures (runs with sessions). */
  sessions?: SessionCounts;
}

/** A request needs more KV-cache blocks than an instance has. */
export class KvCapacityError extends RangeError {
  /**
   * Creates the error.
   *
   * @param message What did not fit.
   */
  constructor(message: string) {
    super(message);
    this.name = "KvCapacityError";
  }
}

const ARRIVAL = 0;
const ITERATION_END = 1;
// An idle instance's prefix fetch (KV offload tiers) has ended.
const FETCH_END = 2;

/**
 * Runs requests through a cluster of batched instances until all finish.
 *
 * @param source The requests, in arrival order.
 * @param options Instances, their configuration and the router.
 * @returns Records, instances and the drain time.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { runBatchedCluster } from "./batched.ts";
 * import { rateStepTime } from "../perf/step_time.ts";
 * import { scenarioWorkload } from "../workload/workload.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const run = runBatchedCluster(scenarioWorkload(validateScenario({ sim_seconds: 30, warmup_seconds: 0 })), {
 *   instances: 2,
 *   instance: {
 *     policy: "chunked", maxNumSeqs: 64, maxNumBatchedTokens: 2048,
 *     kvCapacityBlocks: 4096, blockSize: 16,
 *     stepTime: rateStepTime({ prefillTokensPerS: 8000, decodeTokensPerS: 40 }),
 *   },
 * });
 * assert.ok(run.records.count > 0);
 * // Every request drained, and the KV cache is empty again.
 * for (let i = 0; i < run.records.count; i++) {
 *   assert.ok(run.records.finishS[i] <= run.endS);
 * }
 * assert.deepEqual(run.instances.map((inst) => inst.kvUsedBlocks), [0, 0]);
 * ```
 */
export function runBatchedCluster(
  source: RequestSource,
  options: BatchedClusterOptions,
): BatchedRun {
  const records = options.records ??
    new RequestRecords(options.expectedRequests ?? 1024);
  const overheadS = options.requestOverheadS ?? 0;
  const instances = Array.from(
    { length: options.instances },
    (_, k) => new Instance(options.instance, records, k),
  );
  const route = router(options.router ?? "least_outstanding", instances, {
    rng: new RandomStream(options.seed ?? 0, "router"),
    records,
  });
  const events = new EventQueue(64);
  const clients: Clients = makeClients(source, events, records, {
    kind: ARRIVAL,
    overheadS,
    finishDelayS: options.instance.finishDelayS ?? 0,
  }, options.client ?? { maxConcurrency: options.maxConcurrency });
  const limit = options.maxWaitingRequests === undefined
    ? null
    : new WaitingLimit(options.maxWaitingRequests, instances, records);
  // Starts an idle instance; one with nothing to run but a fetch under way
  // is woken when it ends.
  const kick = (inst: Instance, k: number, now: number) => {
    if (inst.busy) return;
    const end = inst.startIteration(now);
    if (end >= 0) events.push(end, ITERATION_END, k);
    else if (inst.nextFetchS < Infinity) {
      events.push(inst.nextFetchS, FETCH_END, k);
    }
  };
  clients.start();
  let now = 0;
  while (events.pop()) {
    now = events.time;
    if (events.kind === ARRIVAL) {
      const i = clients.arrive(now, events.data);
      if (i < 0) continue; // sent when a response ends
      // Refused at the door: its client hears at once.
      if (limit?.refuse(i, now)) {
        clients.finished(1, now);
        continue;
      }
      const k = route(i);
      instances[k].enqueue(i);
      kick(instances[k], k, now);
    } else if (events.kind === FETCH_END) {
      kick(instances[events.data], events.data, now);
    } else {
      const k = events.data;
      const inst = instances[k];
      clients.finished(inst.finishIteration(now), now);
      let end = inst.startIteration(now);
      // While this instance's next iteration ends before every other event,
      // nothing can see or change anything in between: its iterations run
      // here, one after another, rather than through the queue (the same
      // steps in the same order, so the same results to the bit).
      while (end >= 0 && end < events.peekTime) {
        now = end;
        clients.finished(inst.finishIteration(now), now);
        end = inst.startIteration(now);
      }
      if (end >= 0) events.push(end, ITERATION_END, k);
      else if (inst.nextFetchS < Infinity) {
        events.push(inst.nextFetchS, FETCH_END, k);
      }
    }
  }
  for (const inst of instances) {
    if (inst.outstanding > 0) {
      throw new KvCapacityError(
        `${inst.outstanding} request(s) cannot be admitted: a prompt needs ` +
          `more KV than the cache holds (${inst.config.kvCapacityBlocks} ` +
          `blocks of ${inst.config.blockSize} tokens)`,
      );
    }
  }
  return { records, instances, endS: now, sessions: clients.sessions };
}
