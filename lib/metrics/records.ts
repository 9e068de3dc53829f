/**
 * Per-request records, one column per field (typed arrays), so that a
 * million requests cost tens of bytes each and no object per request.
 *
 * @module
 */

/** Times are simulated seconds; a time not reached is NaN. */
export class RequestRecords {
  /** Number of requests recorded. */
  count = 0;
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

  /**
   * Creates an empty record set.
   *
   * @param capacity Expected number of requests; it grows as needed.
   *
   * @example Usage
   * ```ts
   * import { RequestRecords } from "./records.ts";
   * const r = new RequestRecords(2);
   * const i = r.add(0.5, 100, 10);
   * if (i !== 0 || r.count !== 1 || r.promptTokens[0] !== 100) throw new Error();
   * ```
   */
  constructor(capacity = 1024) {
    const n = Math.max(16, capacity);
    this.arrivalS = new Float64Array(n);
    this.promptTokens = new Int32Array(n);
    this.outputTokens = new Int32Array(n);
    this.prefillStartS = new Float64Array(n).fill(NaN);
    this.prefillEndS = new Float64Array(n).fill(NaN);
    this.decodeStartS = new Float64Array(n).fill(NaN);
    this.kvTransferStartS = new Float64Array(n).fill(NaN);
    this.firstTokenS = new Float64Array(n).fill(NaN);
    this.finishS = new Float64Array(n).fill(NaN);
  }

  /** Bytes held per request slot (all columns). */
  static readonly bytesPerRequest: number = 7 * 8 + 2 * 4;

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
   * import { RequestRecords } from "./records.ts";
   * const r = new RequestRecords();
   * r.add(1, 2, 3);
   * if (!Number.isNaN(r.finishS[0])) throw new Error("finish must start unset");
   * ```
   */
  add(arrivalS: number, promptTokens: number, outputTokens: number): number {
    if (this.count === this.arrivalS.length) this.#grow();
    const i = this.count++;
    this.arrivalS[i] = arrivalS;
    this.promptTokens[i] = promptTokens;
    this.outputTokens[i] = outputTokens;
    return i;
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
  }
}
