/**
 * A client's concurrency limit (vLLM's `bench serve --max-concurrency`, a
 * semaphore around each request): at most `limit` requests are in flight;
 * an arrival that finds them all busy waits, and is sent, and so arrives,
 * when a request's response ends. Requests keep their order.
 *
 * @module
 */

import type { EventQueue } from "../engine/event_queue.ts";
import { Outcome, type RequestRecords } from "../metrics/records.ts";
import type { RequestSource } from "../workload/request_source.ts";

/** A request's fields as the records take them. */
export interface SentRequest {
  /** When the request was sent (its arrival), seconds. */
  arrivalS: number;
  /** Prompt length. */
  promptTokens: number;
  /** Output length. */
  outputTokens: number;
  /** Class index. */
  classIndex?: number;
  /** Prefix block ids. */
  prefixIds?: readonly number[];
}

/**
 * The limit's state inside one event loop. A client slot is held from the
 * request's sending (its arrival) to the end of its response (its last
 * iteration plus the engine's finish delay), whatever the engine does in
 * between, and requests are sent in order. The loop calls
 * {@linkcode ConcurrencyGate.enter} at each arrival event (the send time
 * plus the engine's request time); when it is refused the loop keeps the
 * source where it is and, if {@linkcode ConcurrencyGate.retryS} names a
 * time, tries again then; {@linkcode ConcurrencyGate.leave} at each
 * iteration end returns when a waiting request is sent, if a slot frees.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConcurrencyGate } from "./concurrency.ts";
 * const g = new ConcurrencyGate(1, 0.5);
 * assert.ok(g.enter(0));
 * assert.ok(!(g.enter(1)));
 * // The first response ends 0.5 s after its last iteration at 5 s.
 * assert.equal(g.leave(1, 5), 5.5);
 * assert.ok(g.enter(1));
 * ```
 */
export class ConcurrencyGate {
  readonly #limit: number;
  readonly #finishDelayS: number;
  // Requests sent whose response has not ended by the last release popped.
  #inFlight = 0;
  // Response ends not yet counted, ascending (a FIFO from #head).
  #releases: number[] = [];
  #head = 0;
  #held = false;
  #lastSendS = -Infinity;
  #sendS = 0;
  readonly #sent: SentRequest = {
    arrivalS: 0,
    promptTokens: 0,
    outputTokens: 0,
  };

  /**
   * Creates the gate.
   *
   * @param limit Most requests in flight (Infinity: no limit).
   * @param finishDelayS Time from a request's last iteration to the end of its response.
   */
  constructor(limit: number, finishDelayS: number) {
    this.#limit = limit;
    this.#finishDelayS = finishDelayS;
  }

  /**
   * Takes a slot for the request scheduled at `arrivalS`, at the time it is
   * sent: then, or when the request before it was sent, if later.
   *
   * @param arrivalS The request's scheduled arrival.
   * @returns False when no slot is free then: the request waits.
   */
  enter(arrivalS: number): boolean {
    if (this.#limit === Infinity) {
      this.#sendS = arrivalS;
      return true;
    }
    const send = Math.max(arrivalS, this.#lastSendS);
    const r = this.#releases;
    while (this.#head < r.length && r[this.#head] <= send) {
      this.#head++;
      this.#inFlight--;
    }
    if (this.#inFlight >= this.#limit) {
      this.#held = true;
      return false;
    }
    this.#held = false;
    this.#inFlight++;
    this.#lastSendS = send;
    this.#sendS = send;
    return true;
  }

  // When the held request can be sent given the releases known, or -1.
  #freeS(): number {
    const k = this.#head + this.#inFlight - this.#limit;
    if (k >= this.#releases.length) return -1;
    this.#held = false;
    this.#lastSendS = Math.max(this.#lastSendS, this.#releases[k]);
    return this.#lastSendS;
  }

  /**
   * After a refusal: when a response already known to end frees a slot.
   *
   * @returns The send time to try again at, or -1 to wait for {@linkcode ConcurrencyGate.leave}.
   */
  retryS(): number {
    return this.#held ? this.#freeS() : -1;
  }

  /**
   * Records the requests that finished in an iteration.
   *
   * @param finished Requests whose last iteration ended.
   * @param now The iteration's end.
   * @returns When the waiting request is sent, or -1 when none is released.
   */
  leave(finished: number, now: number): number {
    if (this.#limit === Infinity) return -1;
    for (let i = 0; i < finished; i++) {
      this.#releases.push(now + this.#finishDelayS);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#releases.length) {
      this.#releases = this.#releases.slice(this.#head);
      this.#head = 0;
    }
    return this.#held ? this.#freeS() : -1;
  }

  /**
   * The request as sent, arriving at its send time.
   *
   * @param source The source, at the request that just entered.
   * @returns Its fields with the arrival it was sent at.
   */
  request(source: RequestSource): SentRequest {
    const out = this.#sent;
    out.arrivalS = this.#sendS;
    out.promptTokens = source.promptTokens;
    out.outputTokens = source.outputTokens;
    out.classIndex = source.classIndex;
    out.prefixIds = source.prefixIds;
    return out;
  }
}

/** Options of {@linkcode ClientArrivals}. */
export interface ClientArrivalsOptions {
  /** The event kind arrivals are queued as. */
  kind: number;
  /** Time from a request's sending to its reaching the router, seconds. */
  overheadS: number;
  /** Most requests in flight (default: no limit). */
  maxConcurrency?: number;
  /** Time from a request's last iteration to the end of its response, seconds. */
  finishDelayS: number;
  /**
   * Latency counts from the scheduled arrival, the wait for a slot
   * included (default: from the sending, as vLLM's benchmark measures).
   */
  waitInTtft?: boolean;
}

/**
 * The client side of a cluster's event loop: it queues each request's
 * arrival event (its sending plus the engine's request time) and, behind a
 * concurrency limit, holds a request until a response ends. Both the
 * colocated and the disaggregated loops use it, so the two cannot disagree.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClientArrivals } from "./concurrency.ts";
 * import { EventQueue } from "../engine/event_queue.ts";
 * import { RequestRecords } from "../metrics/records.ts";
 * const times = [0, 0];
 * let k = -1;
 * const source = {
 *   arrivalS: 0, promptTokens: 10, outputTokens: 2,
 *   next() { if (++k >= times.length) return false; this.arrivalS = times[k]; return true; },
 * };
 * const events = new EventQueue(8);
 * const records = new RequestRecords(4);
 * const clients = new ClientArrivals(source, events, records, {
 *   kind: 0, overheadS: 0, maxConcurrency: 1, finishDelayS: 0,
 * });
 * clients.start();
 * events.pop();
 * assert.equal(clients.arrive(events.time), 0);
 * events.pop();
 * assert.equal(clients.arrive(events.time), -1);
 * clients.finished(1, 3);
 * events.pop();
 * assert.equal(events.time, 3);
 * assert.equal(clients.arrive(3), 1);
 * ```
 */
export class ClientArrivals {
  readonly #source: RequestSource;
  readonly #events: EventQueue;
  readonly #records: RequestRecords;
  readonly #kind: number;
  readonly #overheadS: number;
  readonly #gate: ConcurrencyGate;
  readonly #waitInTtft: boolean;
  // The loop's time, as of its last call here.
  #now = 0;

  /**
   * Creates the client side.
   *
   * @param source The requests, in arrival order.
   * @param events The loop's event queue.
   * @param records The run's records.
   * @param options Event kind, request time, concurrency limit, finish delay.
   */
  constructor(
    source: RequestSource,
    events: EventQueue,
    records: RequestRecords,
    options: ClientArrivalsOptions,
  ) {
    this.#source = source;
    this.#events = events;
    this.#records = records;
    this.#kind = options.kind;
    this.#overheadS = options.overheadS;
    this.#gate = new ConcurrencyGate(
      options.maxConcurrency ?? Infinity,
      options.finishDelayS,
    );
    this.#waitInTtft = options.waitInTtft ?? false;
    // A request abandoned in a queue (its timeout) frees its slot when it
    // is found, which may be while its instance goes idle: no iteration end
    // would report it.
    if (options.maxConcurrency !== undefined) {
      const before = records.onRetire;
      records.onRetire = (i) => {
        if (records.outcome[i] === Outcome.abandoned) {
          this.finished(1, this.#now);
        }
        before?.(i);
      };
    }
  }

  /** Queues the first request's arrival. */
  start(): void {
    if (this.#source.next()) {
      this.#events.push(this.#source.arrivalS + this.#overheadS, this.#kind, 0);
    }
  }

  /**
   * At an arrival event: records the request and queues the next one's.
   *
   * @param now The event's time.
   * @returns The new request's index, or -1 when it waits for a free slot.
   */
  arrive(now: number): number {
    this.#now = now;
    const source = this.#source;
    if (!this.#gate.enter(source.arrivalS)) {
      // Sent when a response ends: one already known, or a later one.
      const sentS = this.#gate.retryS();
      if (sentS >= 0) {
        this.#events.push(
          Math.max(sentS + this.#overheadS, now),
          this.#kind,
          0,
        );
      }
      return -1;
    }
    const sent = this.#gate.request(source);
    if (this.#waitInTtft) sent.arrivalS = source.arrivalS;
    const i = this.#records.addRequest(sent);
    // Behind a concurrency limit the next request may be overdue.
    if (source.next()) {
      this.#events.push(
        Math.max(source.arrivalS + this.#overheadS, now),
        this.#kind,
        0,
      );
    }
    return i;
  }

  /**
   * After an iteration: frees the finished requests' slots.
   *
   * @param finished Requests whose last iteration ended.
   * @param now The iteration's end.
   */
  finished(finished: number, now: number): void {
    this.#now = now;
    const sentS = this.#gate.leave(finished, now);
    if (sentS >= 0) {
      this.#events.push(sentS + this.#overheadS, this.#kind, 0);
    }
  }
}
