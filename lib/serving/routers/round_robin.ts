/**
 * `round_robin`: the instances in turn.
 *
 * @module
 */

import type {
  RoutedInstance,
  Router,
  RouterContext,
  RouterEntry,
} from "./router.ts";

/** The `round_robin` router. */
export const roundRobin = {
  name: "round_robin",
  doc: "the instances in turn",
  make(instances: readonly RoutedInstance[], _context: RouterContext): Router {
    const n = instances.length;
    let next = 0;
    return () => {
      const k = next;
      next = (next + 1) % n;
      return k;
    };
  },
} as const satisfies RouterEntry;
