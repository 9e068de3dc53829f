/**
 * A per-class token-bucket rate limit at the gateway
 * (`classes[].rate_limit`): each class has a bucket of `burst` tokens that
 * refills at `rate_per_s`; an arriving request takes a token, and one that
 * finds none is refused at once (an HTTP 429). It depends only on arrival
 * times, so it wraps the request source: refused requests never enter the
 * system.
 *
 * The bucket is kept in its equivalent virtual-time form (the generic cell
 * rate algorithm of ITU-T I.371): a theoretical arrival time TAT, starting
 * at the first arrival; a request at t conforms when t >= TAT - (burst -
 * 1) / rate, and then TAT = max(TAT, t) + 1 / rate. Over arrivals dense
 * enough to keep the bucket empty, the requests accepted in [0, T] are
 * burst + floor(rate T) (when rate T is not a whole number).
 *
 * @module
 */

import { copyRequest, type RequestSource } from "./request_source.ts";

/** One class's bucket. */
export interface TokenBucket {
  /** Tokens added per second. */
  rate_per_s: number;
  /** Bucket size: most requests accepted at once after a quiet spell. */
  burst: number;
}

/** Options of {@linkcode rateLimited}. */
export interface RateLimitOptions {
  /** Each class's bucket, by class index (undefined: no limit). */
  buckets: readonly (TokenBucket | undefined)[];
  /** Called for each refused request, with its class and arrival. */
  onReject?: (classIndex: number, arrivalS: number) => void;
}

/** A rate-limited request source and its count of refusals. */
export interface RateLimitedSource extends RequestSource {
  /** Requests refused in all. */
  readonly rejected: number;
}

/**
 * Wraps a source so that requests beyond their class's bucket are refused.
 *
 * @param source The requests, in arrival order.
 * @param options The buckets and a refusal callback.
 * @returns The accepted requests.
 *
 * @example Ten requests 0.1 s apart into a bucket of 2 refilled at 1/s
 * ```ts
 * import assert from "node:assert/strict";
 * import { rateLimited } from "./rate_limit.ts";
 * let k = -1;
 * const source = {
 *   arrivalS: 0, promptTokens: 10, outputTokens: 1,
 *   next() { if (++k >= 10) return false; this.arrivalS = k / 10; return true; },
 * };
 * const s = rateLimited(source, { buckets: [{ rate_per_s: 1, burst: 2 }] });
 * const accepted: number[] = [];
 * while (s.next()) accepted.push(s.arrivalS);
 * // The burst at 0 and 0.1, then one token a second: at 0.9 not yet
 * // (TAT 2 - 1 = 1 > 0.9).
 * assert.deepEqual(accepted, [0, 0.1]);
 * assert.equal(s.rejected, 8);
 * ```
 */
export function rateLimited(
  source: RequestSource,
  options: RateLimitOptions,
): RateLimitedSource {
  const buckets = options.buckets;
  const onReject = options.onReject;
  // Per class: TAT (NaN before its first arrival), 1 / rate, tolerance.
  const tat = buckets.map(() => NaN);
  const step = buckets.map((b) => b ? 1 / b.rate_per_s : 0);
  const tolerance = buckets.map((b) => b ? (b.burst - 1) / b.rate_per_s : 0);
  let rejected = 0;
  const out: RateLimitedSource = {
    arrivalS: 0,
    promptTokens: 0,
    outputTokens: 0,
    get rejected() {
      return rejected;
    },
    next(): boolean {
      while (source.next()) {
        const k = source.classIndex ?? 0;
        const t = source.arrivalS;
        if (buckets[k] !== undefined) {
          const due = Number.isNaN(tat[k]) ? t : tat[k];
          if (t < due - tolerance[k]) {
            rejected++;
            onReject?.(k, t);
            continue;
          }
          tat[k] = Math.max(due, t) + step[k];
        }
        copyRequest(out, source);
        return true;
      }
      return false;
    },
  };
  return out;
}
