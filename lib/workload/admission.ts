/**
 * The engine's context limit at the door: a request whose prompt plus
 * output exceeds `max_model_len` is refused before it is queued, as vLLM's
 * API server answers such a request with an error (it never reaches the
 * scheduler), or, with `on_overlong: error`, the run stops with an input
 * error naming the request.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import { copyRequest, type RequestSource } from "./request_source.ts";

/** Options of {@linkcode admitWithin}. */
export interface AdmissionOptions {
  /** Longest request (prompt + output tokens) served. */
  maxModelLen: number;
  /** Refuse and count (`reject`) or stop the run (`error`). */
  onOverlong: "reject" | "error";
  /** Rejections are counted for arrivals in this window [start, end). */
  windowS: readonly [number, number];
  /** Called for each refused request, with its class and arrival. */
  onReject?: (classIndex: number, arrivalS: number) => void;
}

/** A request source that refuses overlong requests, and its count. */
export interface AdmittedSource extends RequestSource {
  /** Requests refused whose arrival lies in the window. */
  readonly rejectedInWindow: number;
  /** Requests refused in all. */
  readonly rejected: number;
}

/**
 * Wraps a source so that overlong requests never enter the system.
 *
 * @param source The requests, in arrival order.
 * @param options The limit, the policy and the counting window.
 * @returns The admitted requests, with counts of the refused ones.
 * @throws {InputError} With `onOverlong: "error"`, on the first overlong request.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { admitWithin } from "./admission.ts";
 * const lengths = [[100, 50], [4000, 200], [10, 10]];
 * let k = -1;
 * const source = {
 *   arrivalS: 0, promptTokens: 0, outputTokens: 0,
 *   next() {
 *     if (++k >= lengths.length) return false;
 *     this.arrivalS = k; [this.promptTokens, this.outputTokens] = lengths[k];
 *     return true;
 *   },
 * };
 * const s = admitWithin(source, { maxModelLen: 4096, onOverlong: "reject", windowS: [0, 10] });
 * let n = 0;
 * while (s.next()) n++;
 * assert.equal(n, 2);
 * assert.equal(s.rejected, 1);
 * ```
 */
export function admitWithin(
  source: RequestSource,
  options: AdmissionOptions,
): AdmittedSource {
  const { maxModelLen, onOverlong, windowS } = options;
  let rejected = 0, rejectedInWindow = 0;
  const out: AdmittedSource = {
    arrivalS: 0,
    promptTokens: 0,
    outputTokens: 0,
    get rejected() {
      return rejected;
    },
    get rejectedInWindow() {
      return rejectedInWindow;
    },
    next(): boolean {
      while (source.next()) {
        const total = source.promptTokens + source.outputTokens;
        if (total <= maxModelLen) {
          copyRequest(out, source);
          return true;
        }
        if (onOverlong === "error") {
          throw new InputError(
            `the request arriving at ${source.arrivalS.toFixed(3)} s has ` +
              `${source.promptTokens} prompt + ${source.outputTokens} output ` +
              `tokens = ${total} > ${maxModelLen} (or set ` +
              `scheduler.on_overlong: reject)`,
            ["scheduler", "max_model_len"],
          );
        }
        rejected++;
        options.onReject?.(source.classIndex ?? 0, source.arrivalS);
        if (source.arrivalS >= windowS[0] && source.arrivalS < windowS[1]) {
          rejectedInWindow++;
        }
      }
      return false;
    },
  };
  return out;
}
