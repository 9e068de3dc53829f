/**
 * A binary min-heap of request indices keyed on (key, arrival time,
 * insertion number): the waiting queue of the `priority` and `sjf` orders.
 * Push and shift cost O(log n); ties on both keys go to the request pushed
 * first, so the order never depends on the heap's layout.
 *
 * @module
 */

/**
 * Request indices in order of (key, tie, insertion).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { KeyedHeap } from "./keyed_heap.ts";
 * const h = new KeyedHeap(2);
 * h.push(7, 1, 0.5);
 * h.push(8, 0, 0.9);
 * h.push(9, 1, 0.1);
 * h.push(10, 0, 0.9);
 * assert.equal(h.size, 4);
 * assert.deepEqual([h.shift(), h.shift(), h.shift(), h.shift()], [8, 10, 9, 7]);
 * assert.equal(h.shift(), -1);
 * ```
 */
export class KeyedHeap {
  #id: Int32Array;
  #key: Float64Array;
  #tie: Float64Array;
  #seq: Float64Array;
  #size = 0;
  #pushed = 0;

  /**
   * Creates an empty heap.
   *
   * @param capacity Initial room (it grows as needed).
   */
  constructor(capacity = 64) {
    const n = Math.max(1, capacity);
    this.#id = new Int32Array(n);
    this.#key = new Float64Array(n);
    this.#tie = new Float64Array(n);
    this.#seq = new Float64Array(n);
  }

  /** Number of queued items. */
  get size(): number {
    return this.#size;
  }

  // Whether entry a goes before entry b.
  #less(a: number, b: number): boolean {
    const ka = this.#key[a], kb = this.#key[b];
    if (ka !== kb) return ka < kb;
    const ta = this.#tie[a], tb = this.#tie[b];
    if (ta !== tb) return ta < tb;
    return this.#seq[a] < this.#seq[b];
  }

  #swap(a: number, b: number): void {
    const id = this.#id, key = this.#key, tie = this.#tie, seq = this.#seq;
    let t = id[a];
    id[a] = id[b];
    id[b] = t;
    t = key[a];
    key[a] = key[b];
    key[b] = t;
    t = tie[a];
    tie[a] = tie[b];
    tie[b] = t;
    t = seq[a];
    seq[a] = seq[b];
    seq[b] = t;
  }

  #grow(): void {
    const n = this.#id.length * 2;
    const id = new Int32Array(n), key = new Float64Array(n);
    const tie = new Float64Array(n), seq = new Float64Array(n);
    id.set(this.#id);
    key.set(this.#key);
    tie.set(this.#tie);
    seq.set(this.#seq);
    this.#id = id;
    this.#key = key;
    this.#tie = tie;
    this.#seq = seq;
  }

  /**
   * Queues an item.
   *
   * @param id The request's index.
   * @param key The primary key (smallest first).
   * @param tie The secondary key (the arrival time).
   */
  push(id: number, key: number, tie: number): void {
    if (this.#size === this.#id.length) this.#grow();
    let k = this.#size++;
    this.#id[k] = id;
    this.#key[k] = key;
    this.#tie[k] = tie;
    this.#seq[k] = this.#pushed++;
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (!this.#less(k, p)) break;
      this.#swap(k, p);
      k = p;
    }
  }

  /**
   * The first item without removing it, or -1 when empty.
   *
   * @returns The request's index, or -1.
   */
  peek(): number {
    return this.#size === 0 ? -1 : this.#id[0];
  }

  /**
   * Removes and returns the first item, or -1 when empty.
   *
   * @returns The request's index, or -1.
   */
  shift(): number {
    if (this.#size === 0) return -1;
    const top = this.#id[0];
    const n = --this.#size;
    if (n > 0) {
      this.#swap(0, n);
      let k = 0;
      for (;;) {
        const l = 2 * k + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && this.#less(r, l) ? r : l;
        if (!this.#less(c, k)) break;
        this.#swap(c, k);
        k = c;
      }
    }
    return top;
  }
}
