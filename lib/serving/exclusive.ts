/**
 * The prototype's serving model (`batching: none`): a GPU serves one request
 * at a time, first come first served.
 *
 * - mono: one queue in front of `num_gpus` GPUs. A request holds its GPU for
 *   prefill (prompt / prefill rate), then the first decode step
 *   (1 / decode rate), then the other output - 1 steps.
 * - disagg: a prefill pool, then a decode pool fed in order of prefill
 *   completion. The prefill GPU is released before the request queues for a
 *   decode GPU; no KV transfer time and no memory limit.
 *
 * @module
 */

import { EventQueue } from "../engine/event_queue.ts";
import { IntFifo } from "../engine/fifo.ts";
import { RequestRecords } from "../metrics/records.ts";
import type { RequestSource } from "../workload/request_source.ts";

/**
 * What the exclusive model reads of a scenario: its mode and the two
 * clusters' GPUs and rates (the scenario's own keys, so a validated
 * scenario is one).
 */
export interface ExclusiveScenario {
  /** Which cluster serves. */
  mode: "mono" | "disagg";
  /** The colocated cluster. */
  cluster_mono: {
    /** GPUs, one request each. */
    num_gpus: number;
    /** Prompt tokens per second of one GPU. */
    prefill_tokens_per_s: number;
    /** Output tokens per second of one GPU. */
    decode_tokens_per_s: number;
  };
  /** The disaggregated cluster. */
  cluster_disagg: {
    /** Prefill GPUs. */
    prefill_gpus: number;
    /** Decode GPUs. */
    decode_gpus: number;
    /** Prompt tokens per second of one prefill GPU. */
    prefill_tokens_per_s: number;
    /** Output tokens per second of one decode GPU. */
    decode_tokens_per_s: number;
  };
}

const PREFILL_DONE = 1;
const DECODE_DONE = 2;
const SERVICE_DONE = 3;

/** What a serving run produced. */
export interface ServingRun {
  /** Every request that arrived, with its timeline. */
  records: RequestRecords;
  /** Simulated time at which the last request finished (the drain end). */
  endS: number;
}

/**
 * Runs the exclusive-service model of the scenario's `mode` over a request
 * source until every request has finished.
 *
 * @param scenario A validated scenario.
 * @param source The requests, in arrival order.
 * @param options The records to fill (default: new ones).
 * @returns The per-request records and the drain time.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { runExclusive } from "./exclusive.ts";
 * import { scenarioWorkload } from "../workload/workload.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const s = validateScenario({ mode: "mono", sim_seconds: 20, warmup_seconds: 0 });
 * const run = runExclusive(s, scenarioWorkload(s));
 * assert.ok(run.records.count > 0);
 * // Drained: every request finished, the last at the run's end.
 * let last = 0;
 * for (let i = 0; i < run.records.count; i++) last = Math.max(last, run.records.finishS[i]);
 * assert.equal(last, run.endS);
 * ```
 */
export function runExclusive(
  scenario: ExclusiveScenario,
  source: RequestSource,
  options: { records?: RequestRecords } = {},
): ServingRun {
  const records = options.records ?? new RequestRecords();
  const endS = scenario.mode === "mono"
    ? runMono(scenario, source, records)
    : runDisagg(scenario, source, records);
  return { records, endS };
}

// The next arrival is held outside the event queue, with the insertion
// number it would have had there (so ties break exactly as if queued): the
// queue then holds only completions, one per busy GPU, and an arrival costs
// no push and pop.
class NextArrival {
  timeS = Infinity;
  seq = Infinity;
  constructor(
    readonly source: RequestSource,
    readonly events: EventQueue,
  ) {
    this.advance();
  }
  advance(): void {
    if (this.source.next()) {
      this.timeS = this.source.arrivalS;
      this.seq = this.events.reserveSeq();
    } else {
      this.timeS = Infinity;
      this.seq = Infinity;
    }
  }
}

function runMono(
  scenario: ExclusiveScenario,
  source: RequestSource,
  records: RequestRecords,
): number {
  const { num_gpus, prefill_tokens_per_s, decode_tokens_per_s } =
    scenario.cluster_mono;
  const secPerPrompt = 1 / prefill_tokens_per_s;
  const secPerOutput = 1 / decode_tokens_per_s;
  const events = new EventQueue(num_gpus + 1);
  const arrival = new NextArrival(source, events);
  const waiting = new IntFifo(1024);
  let free = num_gpus;
  const start = (i: number, now: number) => {
    const prefillEnd = now + records.promptTokens[i] * secPerPrompt;
    const finish = prefillEnd + records.outputTokens[i] * secPerOutput;
    records.prefillStartS[i] = now;
    records.prefillEndS[i] = prefillEnd;
    records.decodeStartS[i] = prefillEnd;
    records.firstTokenS[i] = prefillEnd + secPerOutput;
    records.finishS[i] = finish;
    events.push(finish, SERVICE_DONE, i);
  };
  let now = 0;
  while (true) {
    if (events.popBefore(arrival.timeS, arrival.seq)) {
      now = events.time;
      records.retire(events.data);
      const next = waiting.shift();
      if (next >= 0) start(next, now);
      else free++;
    } else if (arrival.timeS !== Infinity) {
      now = arrival.timeS;
      const i = records.addRequest(source);
      arrival.advance();
      if (free > 0) {
        free--;
        start(i, now);
      } else waiting.push(i);
    } else return now;
  }
}

function runDisagg(
  scenario: ExclusiveScenario,
  source: RequestSource,
  records: RequestRecords,
): number {
  const {
    prefill_gpus,
    decode_gpus,
    prefill_tokens_per_s,
    decode_tokens_per_s,
  } = scenario.cluster_disagg;
  const secPerPrompt = 1 / prefill_tokens_per_s;
  const secPerOutput = 1 / decode_tokens_per_s;
  const events = new EventQueue(prefill_gpus + decode_gpus + 1);
  const arrival = new NextArrival(source, events);
  const prefillWaiting = new IntFifo(1024);
  const decodeWaiting = new IntFifo(1024);
  let prefillFree = prefill_gpus;
  let decodeFree = decode_gpus;
  const startPrefill = (i: number, now: number) => {
    const end = now + records.promptTokens[i] * secPerPrompt;
    records.prefillStartS[i] = now;
    records.prefillEndS[i] = end;
    events.push(end, PREFILL_DONE, i);
  };
  const startDecode = (i: number, now: number) => {
    const finish = now + records.outputTokens[i] * secPerOutput;
    records.decodeStartS[i] = now;
    records.firstTokenS[i] = now + secPerOutput;
    records.finishS[i] = finish;
    events.push(finish, DECODE_DONE, i);
  };
  let now = 0;
  while (true) {
    if (events.popBefore(arrival.timeS, arrival.seq)) {
      now = events.time;
      const i = events.data;
      if (events.kind === PREFILL_DONE) {
        const next = prefillWaiting.shift();
        if (next >= 0) startPrefill(next, now);
        else prefillFree++;
        if (decodeFree > 0) {
          decodeFree--;
          startDecode(i, now);
        } else decodeWaiting.push(i);
      } else {
        records.retire(i);
        const next = decodeWaiting.shift();
        if (next >= 0) startDecode(next, now);
        else decodeFree++;
      }
    } else if (arrival.timeS !== Infinity) {
      now = arrival.timeS;
      const i = records.addRequest(source);
      arrival.advance();
      if (prefillFree > 0) {
        prefillFree--;
        startPrefill(i, now);
      } else prefillWaiting.push(i);
    } else return now;
  }
}
