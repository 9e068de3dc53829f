/**
 * `least_outstanding`: the instance with the fewest requests waiting or
 * running (ties: the lowest index).
 *
 * @module
 */

import type {
  RoutedInstance,
  Router,
  RouterContext,
  RouterEntry,
} from "./router.ts";

/**
 * The least loaded instance of a pool.
 *
 * @param instances The pool.
 * @returns The index of the one with the fewest outstanding requests (ties: lowest).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { leastOutstanding } from "./least_outstanding.ts";
 * const at = (outstanding: number) => ({ outstanding, kvUsedBlocks: 0, cachedPrefixTokens: () => 0 });
 * assert.equal(leastOutstanding([at(3), at(1), at(1)]), 1);
 * ```
 */
export function leastOutstanding(instances: readonly RoutedInstance[]): number {
  let best = 0;
  for (let k = 1; k < instances.length; k++) {
    if (instances[k].outstanding < instances[best].outstanding) best = k;
  }
  return best;
}

/** The `least_outstanding` router. */
export const leastOutstandingRouter = {
  name: "least_outstanding",
  doc: "the instance with the fewest requests waiting or running " +
    "(ties: the lowest index)",
  make(instances: readonly RoutedInstance[], _context: RouterContext): Router {
    return () => leastOutstanding(instances);
  },
} as const satisfies RouterEntry;
