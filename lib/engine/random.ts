/**
 * Seeded random streams. Each source of randomness (arrivals, prompt lengths,
 * output lengths, ...) draws from its own stream, derived from the scenario
 * seed and the stream's name, so adding a new stream never shifts the numbers
 * that existing streams produce.
 *
 * @module
 */

/** A seeded stream of random numbers (xoshiro128** core). */
export class RandomStream {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;
  #spareNormal = 0;
  #hasSpareNormal = false;

  /**
   * Creates a stream for a seed and a stream name.
   *
   * @param seed The scenario's seed (any finite number; integers are usual).
   * @param name The stream's name, e.g. `"arrivals"`.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { RandomStream } from "./random.ts";
   * const a = new RandomStream(42, "arrivals");
   * const b = new RandomStream(42, "arrivals");
   * assert.equal(a.next(), b.next(), "streams must be reproducible");
   * ```
   */
  constructor(seed: number, name: string) {
    // FNV-1a over the name, mixed with the seed's two 32-bit halves, then
    // expanded by splitmix32 so that nearby seeds give unrelated states.
    let h = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) {
      h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
    }
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    let x = (h ^ Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi, 0x85ebca77)) >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.#s0 = next();
    this.#s1 = next();
    this.#s2 = next();
    this.#s3 = next();
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /** The next 32 random bits as an unsigned integer. */
  #nextUint32(): number {
    const s1 = this.#s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return r >>> 0;
  }

  /**
   * A uniform number in [0, 1) with 53 random bits.
   *
   * @returns The next uniform variate.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { RandomStream } from "./random.ts";
   * const u = new RandomStream(1, "x").next();
   * assert.ok(u >= 0 && u < 1, "out of range");
   * ```
   */
  next(): number {
    const hi = this.#nextUint32() >>> 5; // 27 bits
    const lo = this.#nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * An exponential variate with the given mean.
   *
   * @param mean The mean (1 / rate).
   * @returns The next exponential variate.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { RandomStream } from "./random.ts";
   * const x = new RandomStream(1, "x").exponential(2);
   * assert.ok(x >= 0, "negative");
   * ```
   */
  exponential(mean: number): number {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    return -Math.log(1 - this.next()) * mean;
  }

  /**
   * A standard normal variate (Box-Muller; the second value of each pair is
   * kept for the next call).
   *
   * @returns The next N(0, 1) variate.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { RandomStream } from "./random.ts";
   * const z = new RandomStream(1, "x").normal();
   * assert.ok(Number.isFinite(z), "not finite");
   * ```
   */
  normal(): number {
    if (this.#hasSpareNormal) {
      this.#hasSpareNormal = false;
      return this.#spareNormal;
    }
    const r = Math.sqrt(-2 * Math.log(1 - this.next()));
    const theta = 2 * Math.PI * this.next();
    this.#spareNormal = r * Math.sin(theta);
    this.#hasSpareNormal = true;
    return r * Math.cos(theta);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
