/**
 * What a router is: which instance of a pool a request joins. A router is
 * made once per run over its pool and then called once per request, so its
 * state (a turn, a random stream) lives in the closure it returns.
 *
 * @module
 */

import type { RandomStream } from "../../engine/random.ts";
import type { RequestRecords } from "../../metrics/records.ts";

/** What a router reads of an instance. */
export interface RoutedInstance {
  /** Requests waiting or running there. */
  readonly outstanding: number;
  /** KV blocks in use there. */
  readonly kvUsedBlocks: number;
  /**
   * Leading prompt tokens of a prefix that it has cached.
   *
   * @param ids The request's prefix ids.
   * @returns Cached tokens (whole prefix blocks).
   */
  cachedPrefixTokens(ids: readonly number[] | undefined): number;
}

/** What a router may use besides the pool. */
export interface RouterContext {
  /** The run's router stream (only random routers draw from it). */
  rng: RandomStream;
  /** The run's records (a prefix-aware router reads the prefix ids). */
  records: Pick<RequestRecords, "prefixIds">;
}

/** From a request's index in the records to an instance's index in the pool. */
export type Router = (i: number) => number;

/** A router, as registered in `ROUTERS`. */
export interface RouterEntry {
  /** The name a scenario's `scheduler.router` uses. */
  readonly name: string;
  /** One sentence for help, schema and docs. */
  readonly doc: string;
  /**
   * Makes the router over a pool.
   *
   * @param instances The pool (at least one).
   * @param context The random stream and the records.
   * @returns The router.
   */
  make(instances: readonly RoutedInstance[], context: RouterContext): Router;
}
