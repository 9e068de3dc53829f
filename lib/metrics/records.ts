/**
 * Per-request records, one column per field (typed arrays), so that a
 * million requests cost tens of bytes each and no object per request.
 *
 * @module
 */

/** Options of {@linkcode RequestRecords}. */
export interface RequestRecordsOptions {
  /**
   * Reuse a request's slot once it is retired, so memory follows the
   * requests in flight rather than all requests (streaming metrics).
   */
  recycle?: boolean;
  /**
   * With `recycle`: keep a retired slot until {@linkcode RequestRecords.release}
   * is called, so that its observer can read it later (in arrival order).
   */
  holdRetired?: boolean;
}

/**
 * A request's outcome ({@linkcode RequestRecords.outcome}): served (0), or
 * refused at arrival because the waiting queue was full (an HTTP 503), or
 * abandoned because it waited past its timeout. A refused or abandoned
 * request's `finishS` is when it left; it has no other times.
 */
export const Outcome = {
  /** Served (or still being served). */
  served: 0,
  /** Refused at arrival: `admission.max_waiting_requests` reached. */
  queueFull: 1,
  /** Left the waiting queue at its deadline (`timeout_s`), never served. */
  abandoned: 2,
} as const;

/** Times are simulated seconds; a time not reached is NaN. */
export class RequestRecords {
  /** Number of slots used (all requests, unless slots are recycled). */
  count = 0;
  /** Requests recorded. */
  added = 0;
  /** Called when a request is retired (finished), before a recycled slot is reused. */
  onRetire?: (i: number) => void;
  /** Arrival time. */
  arrivalS: Float64Array;
  /** Prompt length in tokens. */
  promptTokens: Int32Array;
  /** Output length in tokens. */
  outputTokens: Int32Array;
  /** When prefill started (service start in mono). */
  prefillStartS: Float64Array;
  /** When prefill ended. */
  prefillEndS: Float64Array;
  /** When decoding started (a decode GPU was taken, in disagg). */
  decodeStartS: Float64Array;
  /** Batched disagg: when the KV transfer to a decode instance began. */
  kvTransferStartS: Float64Array;
  /** When the first output token was produced. */
  firstTokenS: Float64Array;
  /** When the last output token was produced. */
  finishS: Float64Array;
  /** Request class (index into the scenario's classes; 0 without classes). */
  classIndex: Uint8Array;
  /** Its {@linkcode Outcome} (0: served). */
  outcome: Uint8Array;
  /** Batched runs: the instance that prefilled the request (-1: none, or the exclusive model). */
  prefillInstance: Int16Array;
  /** Batched disagg: the decode instance that took the request (-1: none). */
  decodeInstance: Int16Array;
  /** Batched runs: times the request was preempted (its KV freed, recomputed). */
  preemptions: Uint16Array;
  /** Batched runs with prefix caching: prompt tokens found in the cache. */
  prefixHitTokens: Int32Array;
  /** Prompt prefix block ids (for prefix caching), when the workload has them. */
  prefixIds: (readonly number[] | undefined)[] = [];
  /**
   * With `recycle`: the request's number in arrival order (0 for the first
   * added), as slots are reused. Without, a slot's index is its number.
   */
  seq: Uint32Array;
  readonly #recycle: boolean;
  readonly #hold: boolean;
  #free: number[] = [];

  /**
   * Creates an empty record set.
   *
   * @param capacity Expected number of requests; it grows as needed.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { RequestRecords } from "./records.ts";
   * const r = new RequestRecords(2);
   * const i = r.add(0.5, 100, 10);
   * assert.equal(i, 0);
   * assert.equal(r.count, 1);
   * assert.equal(r.promptTokens[0], 100);
   * ```
   */
  constructor(capacity = 1024, options: RequestRecordsOptions = {}) {
    this.#recycle = options.recycle ?? false;
    this.#hold = this.#recycle && (options.holdRetired ?? false);
    const n = Math.max(16, this.#recycle ? Math.min(capacity, 4096) : capacity);
    this.classIndex = new Uint8Array(n);
    this.outcome = new Uint8Array(n);
    this.arrivalS = new Float64Array(n);
    this.promptTokens = new Int32Array(n);
    this.outputTokens = new Int32Array(n);
    this.prefillStartS = new Float64Array(n).fill(NaN);
    this.prefillEndS = new Float64Array(n).fill(NaN);
    this.decodeStartS = new Float64Array(n).fill(NaN);
    this.kvTransferStartS = new Float64Array(n).fill(NaN);
    this.firstTokenS = new Float64Array(n).fill(NaN);
    this.finishS = new Float64Array(n).fill(NaN);
    this.prefillInstance = new Int16Array(n).fill(-1);
    this.decodeInstance = new Int16Array(n).fill(-1);
    this.preemptions = new Uint16Array(n);
    this.prefixHitTokens = new Int32Array(n);
    this.seq = new Uint32Array(this.#recycle ? n : 0);
  }

  /** Bytes held per request slot (all columns). */
  static readonly bytesPerRequest: number = 7 * 8 + 3 * 4 + 3 * 2 + 2;

  /**
   * Records a new request and returns its index.
   *
   * @param arrivalS Arrival time.
   * @param promptTokens Prompt length.
   * @param outputTokens Output length.
   * @returns The request's index.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { RequestRecords } from "./records.ts";
   * const r = new RequestRecords();
   * r.add(1, 2, 3);
   * assert.ok(Number.isNaN(r.finishS[0]), "finish must start unset");
   * ```
   */
  add(arrivalS: number, promptTokens: number, outputTokens: number): number {
    let i: number;
    if (this.#free.length > 0) i = this.#free.pop()!;
    else {
      if (this.count === this.arrivalS.length) this.#grow();
      i = this.count++;
    }
    if (this.#recycle) this.seq[i] = this.added;
    this.added++;
    this.arrivalS[i] = arrivalS;
    this.promptTokens[i] = promptTokens;
    this.outputTokens[i] = outputTokens;
    return i;
  }

  /**
   * Records a new request from a workload's current one (its class and
   * prefix ids too, when the workload has them).
   *
   * @param request The request's fields.
   * @returns The request's index.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { RequestRecords } from "./records.ts";
   * const r = new RequestRecords();
   * const i = r.addRequest({ arrivalS: 1, promptTokens: 2, outputTokens: 3, classIndex: 1 });
   * assert.equal(r.classIndex[i], 1);
   * ```
   */
  addRequest(request: {
    arrivalS: number;
    promptTokens: number;
    outputTokens: number;
    classIndex?: number;
    prefixIds?: readonly number[];
  }): number {
    const i = this.add(
      request.arrivalS,
      request.promptTokens,
      request.outputTokens,
    );
    this.classIndex[i] = request.classIndex ?? 0;
    if (request.prefixIds && request.prefixIds.length > 0) {
      this.prefixIds[i] = request.prefixIds.slice();
    }
    return i;
  }

  /**
   * A request's number: how many were recorded before it.
   *
   * @param i The request's slot.
   * @returns Its number, from 0.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { RequestRecords } from "./records.ts";
   * const r = new RequestRecords(4, { recycle: true });
   * r.retire(r.add(0, 1, 1));
   * assert.equal(r.number(r.add(1, 1, 1)), 1);
   * ```
   */
  number(i: number): number {
    return this.#recycle ? this.seq[i] : i;
  }

  /**
   * Marks a request finished for good: {@linkcode RequestRecords.onRetire}
   * sees it, and with `recycle` its slot is cleared for reuse.
   *
   * @param i The request.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { RequestRecords } from "./records.ts";
   * const r = new RequestRecords(16, { recycle: true });
   * let seen = -1;
   * r.onRetire = (i) => { seen = r.promptTokens[i]; };
   * r.retire(r.add(0, 7, 1));
   * assert.equal(seen, 7, "slot not reused");
   * assert.equal(r.add(1, 8, 1), 0, "slot not reused");
   * ```
   */
  retire(i: number): void {
    this.onRetire?.(i);
    if (this.#recycle && !this.#hold) this.release(i);
  }

  /**
   * Clears a retired request's slot for reuse (with `recycle`; otherwise
   * nothing happens). {@linkcode RequestRecords.retire} calls it, unless the
   * records hold retired slots (`holdRetired`).
   *
   * @param i The request.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { RequestRecords } from "./records.ts";
   * const r = new RequestRecords(16, { recycle: true, holdRetired: true });
   * const i = r.add(0, 7, 1);
   * r.retire(i);
   * assert.equal(r.add(1, 8, 1), 1, "a held slot was reused");
   * r.release(i);
   * assert.equal(r.add(2, 9, 1), i);
   * assert.equal(r.seq[i], 2);
   * ```
   */
  release(i: number): void {
    if (!this.#recycle) return;
    this.prefillStartS[i] = NaN;
    this.prefillEndS[i] = NaN;
    this.decodeStartS[i] = NaN;
    this.kvTransferStartS[i] = NaN;
    this.firstTokenS[i] = NaN;
    this.finishS[i] = NaN;
    this.classIndex[i] = 0;
    this.outcome[i] = 0;
    this.prefillInstance[i] = -1;
    this.decodeInstance[i] = -1;
    this.preemptions[i] = 0;
    this.prefixHitTokens[i] = 0;
    this.prefixIds[i] = undefined;
    this.#free.push(i);
  }

  #grow(): void {
    const n = this.arrivalS.length * 2;
    const f = (a: Float64Array) => {
      const b = new Float64Array(n).fill(NaN);
      b.set(a);
      return b;
    };
    const g = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.arrivalS = f(this.arrivalS);
    this.promptTokens = g(this.promptTokens);
    this.outputTokens = g(this.outputTokens);
    this.prefillStartS = f(this.prefillStartS);
    this.prefillEndS = f(this.prefillEndS);
    this.decodeStartS = f(this.decodeStartS);
    this.kvTransferStartS = f(this.kvTransferStartS);
    this.firstTokenS = f(this.firstTokenS);
    this.finishS = f(this.finishS);
    const c = new Uint8Array(n);
    c.set(this.classIndex);
    this.classIndex = c;
    const o = new Uint8Array(n);
    o.set(this.outcome);
    this.outcome = o;
    const h = (a: Int16Array) => {
      const b = new Int16Array(n).fill(-1);
      b.set(a);
      return b;
    };
    this.prefillInstance = h(this.prefillInstance);
    this.decodeInstance = h(this.decodeInstance);
    const p = new Uint16Array(n);
    p.set(this.preemptions);
    this.preemptions = p;
    this.prefixHitTokens = g(this.prefixHitTokens);
    if (this.#recycle) {
      const q = new Uint32Array(n);
      q.set(this.seq);
      this.seq = q;
    }
  }
}
