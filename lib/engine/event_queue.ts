/**
 * The engine's pending events: a binary heap ordered by (time, insertion
 * number), so that events at the same time always pop in the order they were
 * scheduled and a run is reproducible by construction. Storage is typed arrays
 * so that the hot loop allocates nothing per event.
 *
 * @module
 */

/** A min-heap of events keyed by (time, insertion order). */
export class EventQueue {
  #time: Float64Array;
  #seq: Float64Array;
  #kind: Int32Array;
  #data: Int32Array;
  #size = 0;
  #nextSeq = 0;

  /** Time of the event most recently popped. */
  time = 0;
  /** Kind of the event most recently popped. */
  kind = 0;
  /** Payload (usually a request or instance index) of the last popped event. */
  data = 0;

  /**
   * Creates an empty queue.
   *
   * @param capacity Initial capacity; the queue grows as needed.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { EventQueue } from "./event_queue.ts";
   * const q = new EventQueue();
   * q.push(2, 0, 7);
   * q.push(1, 1, 8);
   * q.pop();
   * assert.equal(q.time, 1, "wrong order");
   * assert.equal(q.data, 8, "wrong order");
   * ```
   */
  constructor(capacity = 64) {
    this.#time = new Float64Array(capacity);
    this.#seq = new Float64Array(capacity);
    this.#kind = new Int32Array(capacity);
    this.#data = new Int32Array(capacity);
  }

  /**
   * Time of the earliest pending event, without removing it.
   *
   * @returns That time, or Infinity when none is pending.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { EventQueue } from "./event_queue.ts";
   * const q = new EventQueue();
   * q.push(2, 0, 0);
   * assert.equal(q.peekTime, 2);
   * assert.equal(q.size, 1);
   * ```
   */
  get peekTime(): number {
    return this.#size > 0 ? this.#time[0] : Infinity;
  }

  /** Number of pending events. */
  get size(): number {
    return this.#size;
  }

  /**
   * Schedules an event.
   *
   * @param time Simulated time in seconds.
   * @param kind A small integer naming the event type.
   * @param data A payload, such as a request index.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { EventQueue } from "./event_queue.ts";
   * const q = new EventQueue();
   * q.push(1, 0, 0);
   * assert.equal(q.size, 1, "not pushed");
   * ```
   */
  push(time: number, kind: number, data: number): void {
    if (this.#size === this.#time.length) this.#grow();
    const seq = this.#nextSeq++;
    const t = this.#time, s = this.#seq, k = this.#kind, d = this.#data;
    let i = this.#size++;
    // Sift the hole up, then drop the new event into it.
    while (i > 0) {
      const p = (i - 1) >> 1;
      const tp = t[p];
      if (tp < time || (tp === time && s[p] < seq)) break;
      t[i] = tp;
      s[i] = s[p];
      k[i] = k[p];
      d[i] = d[p];
      i = p;
    }
    t[i] = time;
    s[i] = seq;
    k[i] = kind;
    d[i] = data;
  }

  /**
   * Removes the earliest event and exposes it through `time`, `kind` and
   * `data`.
   *
   * @returns False when the queue was empty.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { EventQueue } from "./event_queue.ts";
   * const q = new EventQueue();
   * assert.equal(q.pop(), false);
   * q.push(2, 0, 7);
   * assert.equal(q.pop(), true);
   * assert.equal(q.time, 2);
   * assert.equal(q.data, 7);
   * ```
   */
  pop(): boolean {
    if (this.#size === 0) return false;
    const t = this.#time, s = this.#seq, k = this.#kind, d = this.#data;
    this.time = t[0];
    this.kind = k[0];
    this.data = d[0];
    const n = --this.#size;
    if (n === 0) return true;
    const lt = t[n], ls = s[n], lk = k[n], ld = d[n];
    let i = 0;
    while (true) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (t[r] < t[c] || (t[r] === t[c] && s[r] < s[c]))) c = r;
      if (lt < t[c] || (lt === t[c] && ls < s[c])) break;
      t[i] = t[c];
      s[i] = s[c];
      k[i] = k[c];
      d[i] = d[c];
      i = c;
    }
    t[i] = lt;
    s[i] = ls;
    k[i] = lk;
    d[i] = ld;
    return true;
  }

  /**
   * Takes the next insertion number for an event the caller holds outside
   * the queue (a model's single pending arrival, say), so that it can be
   * ordered against the queued events with
   * {@linkcode EventQueue.popBefore} exactly as if it had been pushed now.
   *
   * @returns The insertion number.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { EventQueue } from "./event_queue.ts";
   * const q = new EventQueue();
   * const held = q.reserveSeq();
   * q.push(1, 0, 0);
   * // Same time: the held event was scheduled first, so it comes first.
   * assert.equal(q.popBefore(1, held), false);
   * ```
   */
  reserveSeq(): number {
    return this.#nextSeq++;
  }

  /**
   * Pops the earliest event (as {@linkcode EventQueue.pop}) if it comes
   * before an event held outside the queue at `time` with insertion number
   * `seq` (from {@linkcode EventQueue.reserveSeq}; Infinity for none).
   *
   * @param time The held event's time.
   * @param seq The held event's insertion number.
   * @returns False when the queue is empty or the held event comes first.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { EventQueue } from "./event_queue.ts";
   * const q = new EventQueue();
   * q.push(1, 0, 7);
   * const held = q.reserveSeq();
   * assert.equal(q.popBefore(0.5, held), false);
   * assert.equal(q.popBefore(1, held), true);
   * assert.equal(q.data, 7);
   * assert.equal(q.popBefore(Infinity, Infinity), false);
   * ```
   */
  popBefore(time: number, seq: number): boolean {
    if (this.#size === 0) return false;
    const t0 = this.#time[0];
    if (t0 > time || (t0 === time && this.#seq[0] > seq)) return false;
    return this.pop();
  }

  #grow(): void {
    const n = this.#time.length * 2;
    const t = new Float64Array(n), s = new Float64Array(n);
    const k = new Int32Array(n), d = new Int32Array(n);
    t.set(this.#time);
    s.set(this.#seq);
    k.set(this.#kind);
    d.set(this.#data);
    this.#time = t;
    this.#seq = s;
    this.#kind = k;
    this.#data = d;
  }
}
