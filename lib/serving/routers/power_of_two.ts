/**
 * `power_of_two`: the less loaded of two instances drawn at random (the
 * power of two choices; the two draws may coincide).
 *
 * @module
 */

import type {
  RoutedInstance,
  Router,
  RouterContext,
  RouterEntry,
} from "./router.ts";

/** The `power_of_two` router. */
export const powerOfTwo = {
  name: "power_of_two",
  doc: "the less loaded of two instances drawn at random",
  make(instances: readonly RoutedInstance[], context: RouterContext): Router {
    const n = instances.length;
    const rng = context.rng;
    return () => {
      const a = Math.floor(rng.next() * n);
      const b = Math.floor(rng.next() * n);
      return instances[b].outstanding < instances[a].outstanding ? b : a;
    };
  },
} as const satisfies RouterEntry;
