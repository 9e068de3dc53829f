/**
 * `least_kv`: the instance with the fewest KV blocks in use (ties: the
 * lowest index).
 *
 * @module
 */

import type {
  RoutedInstance,
  Router,
  RouterContext,
  RouterEntry,
} from "./router.ts";

/** The `least_kv` router. */
export const leastKv = {
  name: "least_kv",
  doc: "the instance with the fewest KV blocks in use",
  make(instances: readonly RoutedInstance[], _context: RouterContext): Router {
    const n = instances.length;
    return () => {
      let best = 0;
      for (let k = 1; k < n; k++) {
        if (instances[k].kvUsedBlocks < instances[best].kvUsedBlocks) {
          best = k;
        }
      }
      return best;
    };
  },
} as const satisfies RouterEntry;
