/**
 * `prefix_aware`: the instance that has cached the longest prefix of the
 * request's prompt (ties: least outstanding), unless its outstanding
 * requests exceed the least loaded instance's by more than
 * {@linkcode PREFIX_ROUTER_IMBALANCE}; then the least loaded (SGLang's
 * cache-aware routing, balanced against load).
 *
 * @module
 */

import { leastOutstanding } from "./least_outstanding.ts";
import type {
  RoutedInstance,
  Router,
  RouterContext,
  RouterEntry,
} from "./router.ts";

/** Outstanding requests by which a prefix match may exceed the least loaded instance. */
export const PREFIX_ROUTER_IMBALANCE = 8;

/** The `prefix_aware` router. */
export const prefixAware = {
  name: "prefix_aware",
  doc: "the instance that has cached the longest prefix of the prompt, " +
    `unless it has more than ${PREFIX_ROUTER_IMBALANCE} requests more than ` +
    "the least loaded one (SGLang's cache-aware routing)",
  make(instances: readonly RoutedInstance[], context: RouterContext): Router {
    const n = instances.length;
    const records = context.records;
    return (i) => {
      const ids = records.prefixIds[i];
      const least = leastOutstanding(instances);
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
  },
} as const satisfies RouterEntry;
