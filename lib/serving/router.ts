/**
 * Routers: which instance of a pool an arriving request joins.
 *
 * - `round_robin`: in turn.
 * - `least_outstanding`: fewest requests waiting or running (ties: lowest
 *   index).
 * - `least_kv`: fewest KV blocks in use.
 * - `power_of_two`: the less loaded of two instances drawn at random.
 * - `prefix_aware`: the instance that has cached the longest prefix of the
 *   request's prompt (ties: least outstanding), unless its outstanding
 *   requests exceed the least loaded instance's by more than
 *   {@linkcode PREFIX_ROUTER_IMBALANCE}; then the least loaded (SGLang's
 *   cache-aware routing, balanced against load).
 *
 * @module
 */

import type { RandomStream } from "../engine/random.ts";
import type { RequestRecords } from "../metrics/records.ts";
import type { Instance } from "./instance.ts";

/** How arrivals are spread over instances. */
export type RouterPolicy =
  | "round_robin"
  | "least_outstanding"
  | "least_kv"
  | "power_of_two"
  | "prefix_aware";

/** Outstanding requests by which a prefix match may exceed the least loaded instance. */
export const PREFIX_ROUTER_IMBALANCE = 8;

/**
 * Makes a router over a pool.
 *
 * @param policy The routing policy.
 * @param instances The pool.
 * @param context The random stream (power of two) and the records (prefix ids).
 * @returns A function from a request's index to an instance index.
 *
 * @example Usage
 * ```ts
 * import { router } from "./router.ts";
 * import { Instance } from "./instance.ts";
 * import { RandomStream } from "../engine/random.ts";
 * import { RequestRecords } from "../metrics/records.ts";
 * import { rateStepTime } from "./step_time.ts";
 * const records = new RequestRecords();
 * const config = {
 *   policy: "chunked" as const, maxNumSeqs: 8, maxNumBatchedTokens: 512,
 *   kvCapacityBlocks: 100, blockSize: 16,
 *   stepTime: rateStepTime({ prefill_tokens_per_s: 1e4, decode_tokens_per_s: 50 }),
 * };
 * const pool = [new Instance(config, records), new Instance(config, records)];
 * const route = router("round_robin", pool, { rng: new RandomStream(1, "r"), records });
 * if (route(0) !== 0 || route(1) !== 1 || route(2) !== 0) throw new Error();
 * ```
 */
export function router(
  policy: RouterPolicy,
  instances: readonly Instance[],
  context: { rng: RandomStream; records: RequestRecords },
): (i: number) => number {
  const n = instances.length;
  const leastOutstanding = () => {
    let best = 0;
    for (let k = 1; k < n; k++) {
      if (instances[k].outstanding < instances[best].outstanding) best = k;
    }
    return best;
  };
  switch (policy) {
    case "round_robin": {
      let next = 0;
      return () => {
        const k = next;
        next = (next + 1) % n;
        return k;
      };
    }
    case "least_outstanding":
      return leastOutstanding;
    case "least_kv":
      return () => {
        let best = 0;
        for (let k = 1; k < n; k++) {
          if (instances[k].kvUsedBlocks < instances[best].kvUsedBlocks) {
            best = k;
          }
        }
        return best;
      };
    case "power_of_two":
      return () => {
        const a = Math.floor(context.rng.next() * n);
        const b = Math.floor(context.rng.next() * n);
        return instances[b].outstanding < instances[a].outstanding ? b : a;
      };
    case "prefix_aware":
      return (i) => {
        const ids = context.records.prefixIds[i];
        const least = leastOutstanding();
        let best = least, bestTokens = 0;
        for (let k = 0; k < n; k++) {
          const tokens = instances[k].cachedPrefixTokens(ids);
          if (
            tokens > bestTokens ||
            (tokens === bestTokens && tokens > 0 &&
              instances[k].outstanding < instances[best].outstanding)
          ) {
            best = k;
            bestTokens = tokens;
          }
        }
        return instances[best].outstanding - instances[least].outstanding >
            PREFIX_ROUTER_IMBALANCE
          ? least
          : best;
      };
  }
}
