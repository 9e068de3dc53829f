/**
 * `fcfs`: first come, first served (vLLM's default `--scheduling-policy`).
 *
 * @module
 */

import type { QueueOrder } from "./order.ts";

/** The `fcfs` waiting-queue order. */
export const fcfs = {
  name: "fcfs",
  doc: "arrival order; preempted requests go back first and the victim is " +
    "the most recently admitted (vLLM's default)",
  queue: () => null,
  requeuePreempted: false,
  preemptLowestPriority: false,
} as const satisfies QueueOrder;
