/**
 * Hands retired requests to an observer in the order they were added, not
 * the order they finished, so that sums over them (the summary's means and
 * busy time) come out bit for bit as a pass over all records after the run
 * would give, while each record is recycled soon after it retires: memory
 * follows the requests in flight (and those that finished ahead of an older
 * one still running), not the run's length.
 *
 * @module
 */

import type { RequestRecords } from "./records.ts";

/** Options of {@linkcode RetireInOrder}. */
export interface RetireInOrderOptions {
  /**
   * Whether a retired request may be observed now (default: always). A
   * request that may not waits, and so do the ones after it, until it may
   * or the run ends ({@linkcode RetireInOrder.flush}).
   */
  ready?: (i: number) => boolean;
}

/**
 * Observes the retired requests of recycled records (`recycle` and
 * `holdRetired`) in order of addition, then releases their slots.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { RequestRecords } from "./records.ts";
 * import { RetireInOrder } from "./retire_in_order.ts";
 * const r = new RequestRecords(16, { recycle: true, holdRetired: true });
 * const seen: number[] = [];
 * const order = new RetireInOrder(r, (i) => seen.push(r.promptTokens[i]));
 * const a = r.add(0, 1, 1), b = r.add(0, 2, 1), c = r.add(0, 3, 1);
 * r.retire(b);
 * assert.deepEqual(seen, []);
 * r.retire(a);
 * assert.deepEqual(seen, [1, 2]);
 * order.flush(); // c never retired: observed at the end all the same
 * assert.deepEqual(seen, [1, 2, 3]);
 * ```
 */
export class RetireInOrder {
  readonly #records: RequestRecords;
  readonly #observe: (i: number) => void;
  readonly #ready: ((i: number) => boolean) | undefined;
  // Slots of retired requests waiting for older ones, by sequence number
  // modulo the ring's size (-1: none).
  #ring = new Int32Array(1024).fill(-1);
  #mask = 1023;
  #next = 0;
  #newest = -1;

  /**
   * Observes `records`' retirements from now on (it takes their `onRetire`).
   *
   * @param records Records made with `recycle` and `holdRetired`.
   * @param observe Called with each request's slot, in order of addition.
   * @param options When a request may be observed.
   */
  constructor(
    records: RequestRecords,
    observe: (i: number) => void,
    options: RetireInOrderOptions = {},
  ) {
    this.#records = records;
    this.#observe = observe;
    this.#ready = options.ready;
    records.onRetire = (i) => this.#retire(i);
  }

  #retire(i: number): void {
    const s = this.#records.seq[i];
    if (s === this.#next && this.#newest < s && (this.#ready?.(i) ?? true)) {
      // The common case: the oldest request retires, nothing waits.
      this.#observe(i);
      this.#records.release(i);
      this.#next++;
      return;
    }
    while (s - this.#next > this.#mask) this.#grow();
    this.#ring[s & this.#mask] = i;
    if (s > this.#newest) this.#newest = s;
    this.#drain();
  }

  #drain(): void {
    const ring = this.#ring;
    const mask = this.#mask;
    for (;;) {
      const i = ring[this.#next & mask];
      if (i < 0 || !(this.#ready?.(i) ?? true)) return;
      ring[this.#next & mask] = -1;
      this.#observe(i);
      this.#records.release(i);
      this.#next++;
    }
  }

  #grow(): void {
    const size = this.#ring.length * 2;
    const ring = new Int32Array(size).fill(-1);
    for (let s = this.#next; s <= this.#newest; s++) {
      ring[s & (size - 1)] = this.#ring[s & this.#mask];
    }
    this.#ring = ring;
    this.#mask = size - 1;
  }

  /**
   * Observes every request not observed yet (retired or not), in order of
   * addition: call it when the run is over.
   */
  flush(): void {
    const rec = this.#records;
    const left: number[] = [];
    // Released slots hold older sequence numbers: what is left is every
    // slot from the next one on.
    for (let i = 0; i < rec.count; i++) {
      if (rec.seq[i] >= this.#next) left.push(i);
    }
    left.sort((a, b) => rec.seq[a] - rec.seq[b]);
    this.#ring.fill(-1);
    this.#newest = -1;
    for (const i of left) {
      this.#observe(i);
      rec.release(i);
    }
    this.#next = rec.added;
  }
}
