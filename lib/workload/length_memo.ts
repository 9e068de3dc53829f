/**
 * A workload's length draws, remembered so that runs of the same workload at
 * other loads (a capacity search's evaluations, a plan's placements) read
 * them back instead of drawing them again. Each class draws its prompt and
 * output lengths from streams of its own, so the k-th request of a class
 * has the same lengths whatever the arrival times: replaying the draws
 * gives every run the very requests it would have drawn.
 *
 * @module
 */

/**
 * Draws remembered per class and stream at most: 16 bytes a request, so a
 * memo holds 16 MiB at most per class; longer runs draw the rest afresh.
 */
const MAX_DRAWS = 1 << 20;

/** A class's two length samplers, as a workload draws them. */
export interface LengthSamplers {
  /** The next prompt length. */
  prompt: () => number;
  /** The next output length. */
  output: () => number;
}

// One stream's draws: remembered up to MAX_DRAWS.
class Tape {
  #draw: () => number;
  #values = new Float64Array(1024);
  #n = 0;

  constructor(draw: () => number) {
    this.#draw = draw;
  }

  // A reader from the first draw. Past what the tape may hold, the reader
  // draws from a sampler of its own, fast-forwarded to its position.
  reader(fresh: () => () => number): () => number {
    let i = 0;
    let own: (() => number) | undefined;
    return () => {
      if (i < this.#n) return this.#values[i++];
      if (i < MAX_DRAWS) {
        if (this.#n === this.#values.length) {
          const grown = new Float64Array(this.#values.length * 2);
          grown.set(this.#values);
          this.#values = grown;
        }
        const v = this.#draw();
        this.#values[this.#n++] = v;
        i++;
        return v;
      }
      if (!own) {
        own = fresh();
        for (let k = 0; k < i; k++) own();
      }
      i++;
      return own();
    };
  }
}

/**
 * Remembered length draws of one workload (its seed and length
 * distributions, named by `key`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { LengthMemo } from "./length_memo.ts";
 * let next = 0;
 * const make = () => ({ prompt: () => ++next, output: () => -next });
 * const memo = new LengthMemo("w", make);
 * const a = memo.readers(0), b = memo.readers(0);
 * assert.deepEqual([a.prompt(), a.prompt(), b.prompt(), b.prompt()], [1, 2, 1, 2]);
 * ```
 */
export class LengthMemo {
  /** What the draws are of (seed and distributions): a memo serves that workload only. */
  readonly key: string;
  readonly #make: (k: number) => LengthSamplers;
  readonly #tapes: { prompt: Tape; output: Tape }[] = [];

  /**
   * Creates an empty memo.
   *
   * @param key The workload's seed and length distributions, as text.
   * @param make A class's fresh samplers (the workload's own, by class index).
   */
  constructor(key: string, make: (k: number) => LengthSamplers) {
    this.key = key;
    this.#make = make;
  }

  /**
   * Samplers for a class that replay its draws from the first.
   *
   * @param k The class index.
   * @returns Its prompt and output samplers.
   */
  readers(k: number): LengthSamplers {
    while (this.#tapes.length <= k) {
      const s = this.#make(this.#tapes.length);
      this.#tapes.push({
        prompt: new Tape(s.prompt),
        output: new Tape(s.output),
      });
    }
    const t = this.#tapes[k];
    return {
      prompt: t.prompt.reader(() => this.#make(k).prompt),
      output: t.output.reader(() => this.#make(k).output),
    };
  }
}
