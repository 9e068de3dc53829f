/**
 * The gateway's waiting-room limit (`admission.max_waiting_requests`): an
 * arriving request that finds `limit` requests waiting, summed over the
 * instances it can be routed to (the whole pool, or the prefill pool in
 * disagg), is refused at once, as a gateway in front of the engines answers
 * HTTP 503. Waiting means not scheduled: new requests and preempted ones
 * (vLLM's `num_requests_waiting`, summed over the pool); requests running,
 * or prefilled and waiting for decode room, do not count.
 *
 * @module
 */

import { Outcome, type RequestRecords } from "../metrics/records.ts";

/** What the limit reads of an instance. */
export interface WaitingCount {
  /** Requests waiting to be scheduled there. */
  readonly waiting: number;
}

/**
 * The limit over one pool.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { WaitingLimit } from "./waiting_limit.ts";
 * import { Outcome, RequestRecords } from "../metrics/records.ts";
 * const records = new RequestRecords();
 * const pool = [{ waiting: 1 }, { waiting: 1 }];
 * const limit = new WaitingLimit(2, pool, records);
 * const i = records.add(3, 10, 1);
 * assert.ok(limit.refuse(i, 3));
 * assert.equal(records.outcome[i], Outcome.queueFull);
 * assert.equal(records.finishS[i], 3);
 * pool[0].waiting = 0;
 * assert.ok(!limit.refuse(records.add(4, 10, 1), 4));
 * ```
 */
export class WaitingLimit {
  readonly #limit: number;
  readonly #pool: readonly WaitingCount[];
  readonly #records: RequestRecords;

  /**
   * Creates the limit.
   *
   * @param limit Most requests waiting; an arrival that finds this many is refused.
   * @param pool The instances arrivals are routed to.
   * @param records The run's records.
   */
  constructor(
    limit: number,
    pool: readonly WaitingCount[],
    records: RequestRecords,
  ) {
    this.#limit = limit;
    this.#pool = pool;
    this.#records = records;
  }

  /**
   * At an arrival: refuses the request when the waiting room is full, and
   * then marks it refused and retires it (it leaves at once).
   *
   * @param i The request, just recorded.
   * @param now The arrival.
   * @returns Whether it was refused.
   */
  refuse(i: number, now: number): boolean {
    let waiting = 0;
    for (const inst of this.#pool) waiting += inst.waiting;
    if (waiting < this.#limit) return false;
    const rec = this.#records;
    rec.outcome[i] = Outcome.queueFull;
    rec.finishS[i] = now;
    rec.retire(i);
    return true;
  }
}
