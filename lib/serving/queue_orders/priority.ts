/**
 * `priority`: vLLM V1's priority scheduling. The waiting queue is a heap on
 * (priority, arrival time), lower first; a preempted request rejoins it
 * (its `prepend_request` is a heap push); when KV runs out, the victim is
 * the running request of largest (priority, arrival time). A waiting
 * request never preempts a running one: preemption happens only when a
 * running request's blocks do not fit. Source:
 * https://github.com/vllm-project/vllm/blob/main/vllm/v1/core/sched/scheduler.py
 * (`schedule()`, "Preempt the lowest-priority request") and
 * https://github.com/vllm-project/vllm/blob/main/vllm/v1/core/sched/request_queue.py
 * (`PriorityRequestQueue`).
 *
 * @module
 */

import { KeyedHeap } from "./keyed_heap.ts";
import type { QueueOrder, QueueOrderContext, WaitingQueue } from "./order.ts";

/** The `priority` waiting-queue order. */
export const priority = {
  name: "priority",
  doc: "by (class priority, arrival), lower first; preempted requests " +
    "rejoin in that order and the victim is the running request of " +
    "largest (priority, arrival) (vLLM V1's priority scheduling)",
  queue(context: QueueOrderContext): WaitingQueue {
    const heap = new KeyedHeap(256);
    const rec = context.records;
    const prio = context.classPriority;
    return {
      get size() {
        return heap.size;
      },
      push: (i) => heap.push(i, prio[rec.classIndex[i]] ?? 0, rec.arrivalS[i]),
      peek: () => heap.peek(),
      shift: () => heap.shift(),
    };
  },
  requeuePreempted: true,
  preemptLowestPriority: true,
} as const satisfies QueueOrder;
