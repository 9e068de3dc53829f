/**
 * The routers: which instance of a pool an arriving request joins. A new
 * router is one file exporting a {@linkcode RouterEntry} and one line in
 * {@linkcode ROUTERS}; the scenario schema, help and errors take the names
 * from here.
 *
 * @module
 */

import { Registry } from "../../registry.ts";
import { leastKv } from "./least_kv.ts";
import { leastOutstandingRouter } from "./least_outstanding.ts";
import { powerOfTwo } from "./power_of_two.ts";
import { prefixAware } from "./prefix_aware.ts";
import { roundRobin } from "./round_robin.ts";
import type { RoutedInstance, Router, RouterContext } from "./router.ts";

export type {
  RoutedInstance,
  Router,
  RouterContext,
  RouterEntry,
} from "./router.ts";
export { PREFIX_ROUTER_IMBALANCE } from "./prefix_aware.ts";

/**
 * Every router, in the order help lists them.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ROUTERS } from "./mod.ts";
 * assert.ok(ROUTERS.has("power_of_two"));
 * assert.throws(() => ROUTERS.get("round_robbin"), /did you mean "round_robin"/);
 * ```
 */
export const ROUTERS = new Registry("router", [
  roundRobin,
  leastOutstandingRouter,
  leastKv,
  powerOfTwo,
  prefixAware,
]);

/** The name of a registered router. */
export type RouterName = (typeof ROUTERS.names)[number];

/**
 * Makes a registered router over a pool.
 *
 * @param name The router's name.
 * @param instances The pool.
 * @param context The random stream (power of two) and the records (prefix ids).
 * @returns A function from a request's index to an instance index.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { router } from "./mod.ts";
 * import { RandomStream } from "../../engine/random.ts";
 * import { RequestRecords } from "../../metrics/records.ts";
 * const at = (outstanding: number) => ({ outstanding, kvUsedBlocks: 0, cachedPrefixTokens: () => 0 });
 * const pool = [at(0), at(0)];
 * const context = { rng: new RandomStream(1, "r"), records: new RequestRecords() };
 * const route = router("round_robin", pool, context);
 * assert.deepEqual([route(0), route(1), route(2)], [0, 1, 0]);
 * assert.equal(router("least_outstanding", [at(2), at(1)], context)(0), 1);
 * ```
 */
export function router(
  name: RouterName,
  instances: readonly RoutedInstance[],
  context: RouterContext,
): Router {
  return ROUTERS.get(name).make(instances, context);
}
