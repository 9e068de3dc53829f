/**
 * The waiting-queue orders (`scheduler.scheduling_policy`, vLLM's
 * `--scheduling-policy`): in which order an instance admits its waiting
 * requests and whom it preempts. A new order is one file exporting a
 * {@linkcode QueueOrder} and one line in {@linkcode QUEUE_ORDERS}.
 *
 * @module
 */

import { Registry } from "../../registry.ts";
import { fcfs } from "./fcfs.ts";
import { priority } from "./priority.ts";
import { sjf } from "./sjf.ts";

export type { QueueOrder, QueueOrderContext, WaitingQueue } from "./order.ts";
export { KeyedHeap } from "./keyed_heap.ts";

/**
 * Every waiting-queue order, in the order help lists them.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { QUEUE_ORDERS } from "./mod.ts";
 * assert.deepEqual(QUEUE_ORDERS.names, ["fcfs", "priority", "sjf"]);
 * assert.equal(QUEUE_ORDERS.get("fcfs").preemptLowestPriority, false);
 * ```
 */
export const QUEUE_ORDERS = new Registry("scheduling policy", [
  fcfs,
  priority,
  sjf,
]);

/** The name of a registered waiting-queue order. */
export type QueueOrderName = (typeof QUEUE_ORDERS.names)[number];
