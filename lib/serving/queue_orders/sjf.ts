/**
 * `sjf`: shortest job first. The waiting queue is a heap on (size,
 * arrival time), where size is the prompt length (`sjf_key: prompt`) or a
 * predicted output length (`predicted_output`): the true output length
 * times exp(sigma Z), Z standard normal drawn from the predictor's own
 * stream when the request is queued, sigma = `sjf_prediction_error` (0: an
 * oracle). The factor's median is 1; its mean, exp(sigma^2 / 2), would not
 * change the order. Preempted requests go back first and the victim is the
 * most recently admitted, as under `fcfs`.
 *
 * @module
 */

import { KeyedHeap } from "./keyed_heap.ts";
import type { QueueOrder, QueueOrderContext, WaitingQueue } from "./order.ts";

/** The `sjf` waiting-queue order. */
export const sjf = {
  name: "sjf",
  doc: "shortest first by prompt length or predicted output length " +
    "(`sjf_key`), ties by arrival; preemption as under fcfs",
  queue(context: QueueOrderContext): WaitingQueue {
    const heap = new KeyedHeap(256);
    const rec = context.records;
    const sigma = context.sjfPredictionError;
    const rng = context.rng;
    const size = context.sjfKey === "prompt"
      ? (i: number) => rec.promptTokens[i]
      : sigma === 0
      ? (i: number) => rec.outputTokens[i]
      : (i: number) => rec.outputTokens[i] * Math.exp(sigma * rng.normal());
    return {
      get size() {
        return heap.size;
      },
      push: (i) => heap.push(i, size(i), rec.arrivalS[i]),
      peek: () => heap.peek(),
      shift: () => heap.shift(),
    };
  },
  requeuePreempted: false,
  preemptLowestPriority: false,
} as const satisfies QueueOrder;
