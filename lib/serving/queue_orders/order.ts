/**
 * What a waiting-queue order is (`scheduler.scheduling_policy`): the order
 * in which an instance's waiting requests are admitted, where preempted
 * requests rejoin, and which running request is preempted when KV runs out.
 * It is a different dimension from the batch policy (`scheduler.policy`),
 * which composes each batch from whatever the queue offers first.
 *
 * @module
 */

import type { RandomStream } from "../../engine/random.ts";
import type { RequestRecords } from "../../metrics/records.ts";

/** An instance's waiting queue of request indices (`IntFifo` is one). */
export interface WaitingQueue {
  /** Number of queued requests. */
  readonly size: number;
  /**
   * Queues a request.
   *
   * @param i The request's index in the records.
   */
  push(i: number): void;
  /**
   * The next request without removing it, or -1 when empty.
   *
   * @returns Its index, or -1.
   */
  peek(): number;
  /**
   * Removes and returns the next request, or -1 when empty.
   *
   * @returns Its index, or -1.
   */
  shift(): number;
}

/** What an order's key may read. */
export interface QueueOrderContext {
  /** The run's records (class, arrival, lengths). */
  records: RequestRecords;
  /** Each class's priority, by class index (lower is served first). */
  classPriority: readonly number[];
  /** `sjf`: rank by prompt length or by predicted output length. */
  sjfKey: "prompt" | "predicted_output";
  /**
   * `sjf` with `predicted_output`: sigma of the predictor's log-normal
   * error (0: the true output length).
   */
  sjfPredictionError: number;
  /** `sjf`: the predictor's own random stream (shared by a pool's instances). */
  rng: RandomStream;
}

/** A waiting-queue order, as registered in `QUEUE_ORDERS`. */
export interface QueueOrder {
  /** The name `scheduler.scheduling_policy` uses. */
  readonly name: string;
  /** One sentence for help, schema and docs. */
  readonly doc: string;
  /**
   * Its waiting queue, or null for arrival order (the instance's own FIFO,
   * and the path that costs nothing extra).
   *
   * @param context Records, class priorities and the predictor.
   * @returns The queue.
   */
  queue(context: QueueOrderContext): WaitingQueue | null;
  /**
   * Whether preempted requests rejoin through the queue (vLLM's priority
   * queue) rather than ahead of every waiting request (vLLM's FCFS queue
   * prepends them).
   */
  readonly requeuePreempted: boolean;
  /**
   * Whether the preemption victim is the running request of largest
   * (priority, arrival) rather than the most recently admitted.
   */
  readonly preemptLowestPriority: boolean;
}
