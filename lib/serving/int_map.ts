/**
 * A map from non-negative integers (request indices) to numbers, open
 * addressing over typed arrays. A prefill instance holds each handed-off
 * request's KV blocks in one until its transfer ends: a `Map` costs a hash
 * table of objects and shrinks and rehashes as request indices come and go,
 * this costs a probe or two.
 *
 * @module
 */

const EMPTY = -1;

/**
 * Integer keys (>= 0) to numbers, with linear probing and backward-shift
 * deletion (no tombstones).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { IntMap } from "./int_map.ts";
 * const m = new IntMap(2);
 * for (let i = 0; i < 100; i++) m.set(i, i * 10);
 * assert.equal(m.get(42), 420);
 * assert.ok(m.delete(42));
 * assert.ok(!m.delete(42));
 * assert.ok(Number.isNaN(m.get(42)));
 * assert.equal(m.get(43), 430);
 * assert.equal(m.size, 99);
 * ```
 */
export class IntMap {
  #keys: Int32Array;
  #values: Float64Array;
  #mask: number;
  #size = 0;

  /**
   * Creates an empty map.
   *
   * @param capacity Entries it holds before growing (rounded up).
   */
  constructor(capacity = 64) {
    let n = 16;
    while (n < 2 * capacity) n *= 2;
    this.#keys = new Int32Array(n).fill(EMPTY);
    this.#values = new Float64Array(n);
    this.#mask = n - 1;
  }

  /** Number of entries. */
  get size(): number {
    return this.#size;
  }

  #home(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> 0 & this.#mask;
  }

  /**
   * A key's value.
   *
   * @param key A non-negative integer.
   * @returns Its value, or NaN when absent.
   */
  get(key: number): number {
    const keys = this.#keys, mask = this.#mask;
    for (let j = this.#home(key);; j = (j + 1) & mask) {
      const k = keys[j];
      if (k === key) return this.#values[j];
      if (k === EMPTY) return NaN;
    }
  }

  /**
   * Sets a key's value.
   *
   * @param key A non-negative integer.
   * @param value Its value.
   */
  set(key: number, value: number): void {
    const keys = this.#keys, mask = this.#mask;
    for (let j = this.#home(key);; j = (j + 1) & mask) {
      const k = keys[j];
      if (k === key) {
        this.#values[j] = value;
        return;
      }
      if (k === EMPTY) {
        keys[j] = key;
        this.#values[j] = value;
        if (++this.#size * 2 > keys.length) this.#grow();
        return;
      }
    }
  }

  /**
   * Removes a key.
   *
   * @param key A non-negative integer.
   * @returns Whether it was there.
   */
  delete(key: number): boolean {
    const keys = this.#keys, values = this.#values, mask = this.#mask;
    let i = this.#home(key);
    while (keys[i] !== key) {
      if (keys[i] === EMPTY) return false;
      i = (i + 1) & mask;
    }
    // Shift back the entries after it whose probe passed through it.
    for (let j = (i + 1) & mask; keys[j] !== EMPTY; j = (j + 1) & mask) {
      const h = this.#home(keys[j]);
      // h cyclically in (i, j]: the entry can stay.
      const stays = i <= j ? i < h && h <= j : i < h || h <= j;
      if (stays) continue;
      keys[i] = keys[j];
      values[i] = values[j];
      i = j;
    }
    keys[i] = EMPTY;
    this.#size--;
    return true;
  }

  #grow(): void {
    const keys = this.#keys, values = this.#values;
    const n = keys.length * 2;
    this.#keys = new Int32Array(n).fill(EMPTY);
    this.#values = new Float64Array(n);
    this.#mask = n - 1;
    this.#size = 0;
    for (let j = 0; j < keys.length; j++) {
      if (keys[j] !== EMPTY) this.set(keys[j], values[j]);
    }
  }
}
