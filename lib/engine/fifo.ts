/**
 * A first-in first-out queue of integers (request indices) on a growable ring
 * buffer, so waiting lines allocate nothing per request.
 *
 * @module
 */

/** FIFO of non-negative integers. */
export class IntFifo {
  #buf: Int32Array;
  #head = 0;
  #size = 0;

  /**
   * Creates an empty FIFO.
   *
   * @param capacity Initial capacity; it grows as needed.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { IntFifo } from "./fifo.ts";
   * const q = new IntFifo();
   * q.push(3);
   * q.push(4);
   * assert.equal(q.shift(), 3, "not FIFO");
   * assert.equal(q.size, 1, "not FIFO");
   * ```
   */
  constructor(capacity = 64) {
    // A power of two, so positions wrap with a mask instead of a division.
    let n = 1;
    while (n < capacity) n *= 2;
    this.#buf = new Int32Array(n);
  }

  /** Number of queued items. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends an item.
   *
   * @param value The item.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { IntFifo } from "./fifo.ts";
   * const q = new IntFifo(1);
   * q.push(1);
   * q.push(2);
   * assert.equal(q.size, 2, "lost an item");
   * ```
   */
  push(value: number): void {
    if (this.#size === this.#buf.length) this.#grow();
    this.#buf[(this.#head + this.#size) & (this.#buf.length - 1)] = value;
    this.#size++;
  }

  /**
   * Removes and returns the oldest item, or -1 when empty.
   *
   * @returns The oldest item, or -1.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { IntFifo } from "./fifo.ts";
   * assert.equal(new IntFifo().shift(), -1, "empty FIFO");
   * ```
   */
  shift(): number {
    if (this.#size === 0) return -1;
    const v = this.#buf[this.#head];
    this.#head = (this.#head + 1) & (this.#buf.length - 1);
    this.#size--;
    return v;
  }

  /**
   * The oldest item without removing it, or -1 when empty.
   *
   * @returns The oldest item, or -1.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { IntFifo } from "./fifo.ts";
   * const q = new IntFifo();
   * q.push(5);
   * assert.equal(q.peek(), 5);
   * assert.equal(q.size, 1);
   * ```
   */
  peek(): number {
    return this.#size === 0 ? -1 : this.#buf[this.#head];
  }

  #grow(): void {
    const old = this.#buf;
    const next = new Int32Array(old.length * 2);
    for (let i = 0; i < this.#size; i++) {
      next[i] = old[(this.#head + i) & (old.length - 1)];
    }
    this.#buf = next;
    this.#head = 0;
  }
}
