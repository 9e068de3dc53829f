/**
 * A client's concurrency limit (vLLM's `bench serve --max-concurrency`, a
 * semaphore around each request): at most `limit` requests are in flight;
 * an arrival that finds them all busy waits, and is sent, and so arrives,
 * when a request's response ends. Requests keep their order.
 *
 * @module
 */

import type { RequestSource } from "../workload/workload.ts";

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
 * The limit's state inside one event loop. The loop calls
 * {@linkcode ConcurrencyGate.enter} at each arrival event and, when it is
 * refused, keeps the source where it is; {@linkcode ConcurrencyGate.leave}
 * at each iteration end returns when the held request is sent, if a slot
 * freed.
 *
 * @example Usage
 * ```ts
 * import { ConcurrencyGate } from "./concurrency.ts";
 * const g = new ConcurrencyGate(1, 0);
 * if (!g.enter() || g.enter()) throw new Error("one slot");
 * if (g.leave(1, 5) !== 5) throw new Error("held request sent at 5 s");
 * if (!g.enter()) throw new Error();
 * ```
 */
export class ConcurrencyGate {
  readonly #limit: number;
  readonly #finishDelayS: number;
  #inFlight = 0;
  #held = false;
  #sentS = -1;
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
   * Takes a slot for the arriving request.
   *
   * @returns False when none is free: the request waits (hold the source).
   */
  enter(): boolean {
    if (this.#inFlight >= this.#limit) {
      this.#held = true;
      return false;
    }
    this.#inFlight++;
    return true;
  }

  /**
   * Frees the slots of finished requests.
   *
   * @param finished Requests that finished in the iteration.
   * @param now The iteration's end.
   * @returns When the held request is sent, or -1 when none is released.
   */
  leave(finished: number, now: number): number {
    this.#inFlight -= finished;
    if (!this.#held || this.#inFlight >= this.#limit) return -1;
    this.#held = false;
    this.#sentS = now + this.#finishDelayS;
    return this.#sentS;
  }

  /**
   * The request as sent: the source's, arriving when its slot freed if it
   * had to wait.
   *
   * @param source The source, at the entering request.
   * @returns Its fields with the arrival it was sent at.
   */
  request(source: RequestSource): SentRequest {
    const out = this.#sent;
    out.arrivalS = Math.max(source.arrivalS, this.#sentS);
    out.promptTokens = source.promptTokens;
    out.outputTokens = source.outputTokens;
    out.classIndex = source.classIndex;
    out.prefixIds = source.prefixIds;
    return out;
  }
}
