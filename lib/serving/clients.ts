/**
 * The users behind a cluster's arrivals, for its event loop. Three models:
 *
 * - **open**: requests arrive when the workload says (an arrival process or
 *   a trace), optionally behind a client's concurrency limit
 *   ({@linkcode ClientArrivals});
 * - **closed loop**: `users` users each send a request, wait for the end of
 *   its response, think and send again; the workload gives only the
 *   requests' lengths, in sending order;
 * - **sessions**: each arrival starts a session of turns; a later turn is
 *   sent a think time after the previous turn's response ends, and its
 *   prompt is the whole context so far plus new tokens, with the prefix
 *   block ids of that context, so a prefix cache reuses it.
 *
 * Closed loops and sessions learn of each response's end through the
 * records' retire hook (a response ends at its finish time: the last
 * iteration plus the engine's finish delay), so the serving loops need no
 * change beyond routing arrival events here.
 *
 * @module
 */

import { EventQueue } from "../engine/event_queue.ts";
import { Outcome, type RequestRecords } from "../metrics/records.ts";
import {
  PREFIX_BLOCK_TOKENS,
  type RequestSource,
} from "../workload/request_source.ts";
import type { SessionDraws } from "../workload/sessions.ts";
import type { SessionCounts } from "../metrics/session_summary.ts";
import { ClientArrivals } from "./concurrency.ts";

/** What the users of a run do (see the module doc). */
export interface ClientSpec {
  /** Most requests in flight from an open-loop client (absent: no limit). */
  maxConcurrency?: number;
  /** Open loop behind a limit: latency counts from the scheduled arrival. */
  waitInTtft?: boolean;
  /** A closed loop: its users and their think time. */
  closedLoop?: { users: number; thinkS: () => number };
  /** Multi-turn sessions: what their later turns draw. */
  sessions?: SessionDraws;
  /** Sessions replayed from a trace: requests carry their session's key. */
  replayedSessions?: boolean;
  /** No request is sent at or after this time (closed loops and later turns are the client's to stop). */
  horizonS?: number;
  /** Most requests sent in all (closed loops; open sources stop themselves). */
  maxRequests?: number;
  /** Longest prompt + output a later turn may have (a longer one ends its session). */
  maxModelLen?: number;
  /**
   * The measured window, and the requests sent before it opens: with
   * `warmupRequests`, its start is set when that request (counting from 0)
   * is sent.
   */
  window?: [number, number];
  /** Requests before the measured ones (sets the window's start). */
  warmupRequests?: number;
}

/** The client side of a serving loop (see the module doc). */
export interface Clients {
  /** Queues the first sends. */
  start(): void;
  /**
   * At an arrival event: records the request it brings.
   *
   * @param now The event's time.
   * @param data The event's data.
   * @returns The new request's index, or -1 when the event brings none.
   */
  arrive(now: number, data: number): number;
  /**
   * After an iteration: how many of its requests finished.
   *
   * @param finished Requests whose last iteration ended.
   * @param now The iteration's end.
   */
  finished(finished: number, now: number): void;
  /** The sessions' figures (sessions only). */
  readonly sessions?: SessionCounts;
}

/** Options of {@linkcode makeClients}: the loop's side of things. */
export interface ClientLoopOptions {
  /** The event kind arrivals are queued as. */
  kind: number;
  /** Time from a request's sending to its reaching the router, seconds. */
  overheadS: number;
  /** Time from a request's last iteration to the end of its response, seconds. */
  finishDelayS: number;
}

/**
 * The client model a spec asks for, wired to a loop's queue and records.
 *
 * @param source The requests (closed loop: their lengths, in sending order).
 * @param events The loop's event queue.
 * @param records The run's records (closed loops and sessions chain onto its retire hook).
 * @param loop Event kind, request time and finish delay.
 * @param spec What the users do (default: open loop, no limit).
 * @returns The client side.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeClients } from "./clients.ts";
 * import { EventQueue } from "../engine/event_queue.ts";
 * import { RequestRecords } from "../metrics/records.ts";
 * const source = {
 *   arrivalS: 0, promptTokens: 10, outputTokens: 2,
 *   next() { return true; },
 * };
 * const events = new EventQueue(8);
 * const records = new RequestRecords(8);
 * const clients = makeClients(source, events, records, {
 *   kind: 0, overheadS: 0, finishDelayS: 0,
 * }, { closedLoop: { users: 2, thinkS: () => 1 }, maxRequests: 3 });
 * clients.start();
 * // Both users send at 0: one event at a time, the earliest send's.
 * events.pop();
 * const i = clients.arrive(events.time, events.data);
 * events.pop();
 * const j = clients.arrive(events.time, events.data);
 * assert.deepEqual([i, j, events.size], [0, 1, 0]);
 * // The first response ends at 5 s; its user thinks 1 s and sends again.
 * records.finishS[i] = 5;
 * records.retire(i);
 * events.pop();
 * assert.equal(events.time, 6);
 * assert.equal(clients.arrive(events.time, events.data), 2);
 * ```
 */
export function makeClients(
  source: RequestSource,
  events: EventQueue,
  records: RequestRecords,
  loop: ClientLoopOptions,
  spec: ClientSpec = {},
): Clients {
  const window = spec.window;
  const warmup = spec.warmupRequests ?? 0;
  // The measured window opens when the first measured request is sent.
  const opened = window && warmup > 0
    ? (i: number) => {
      if (records.added === warmup + 1) window[0] = records.arrivalS[i];
    }
    : null;
  const clients: Clients = spec.closedLoop
    ? new ClosedLoop(source, events, records, loop, spec, spec.closedLoop)
    : spec.sessions
    ? new Sessions(source, events, records, loop, spec, spec.sessions)
    : spec.replayedSessions
    ? new ReplayedSessions(source, events, records, loop, spec)
    : new ClientArrivals(source, events, records, {
      kind: loop.kind,
      overheadS: loop.overheadS,
      maxConcurrency: spec.maxConcurrency,
      finishDelayS: loop.finishDelayS,
      waitInTtft: spec.waitInTtft,
    });
  if (!opened) return clients;
  return {
    start: () => clients.start(),
    arrive(now, data) {
      const i = clients.arrive(now, data);
      if (i >= 0) opened(i);
      return i;
    },
    finished: (n, now) => clients.finished(n, now),
    get sessions() {
      return clients.sessions;
    },
  };
}

// Runs `hook` for each retired request before the hook already set.
function chainRetire(records: RequestRecords, hook: (i: number) => void) {
  const before = records.onRetire;
  records.onRetire = before
    ? (i) => {
      hook(i);
      before(i);
    }
    : hook;
}

// A closed loop. The users' next sends wait in a heap of their own, and
// only the earliest is an event of the loop's queue: a thousand thinking
// users would otherwise deepen every pop of every iteration event.
class ClosedLoop implements Clients {
  readonly #source: RequestSource;
  readonly #events: EventQueue;
  readonly #records: RequestRecords;
  readonly #kind: number;
  readonly #overheadS: number;
  readonly #users: number;
  readonly #thinkS: () => number;
  readonly #horizonS: number;
  readonly #maxRequests: number;
  #scheduled = 0;
  // The loop's time, as of the last call from it.
  #now = 0;
  // Pending send times, smallest first.
  readonly #sends = new EventQueue(64);

  constructor(
    source: RequestSource,
    events: EventQueue,
    records: RequestRecords,
    loop: ClientLoopOptions,
    spec: ClientSpec,
    closed: { users: number; thinkS: () => number },
  ) {
    this.#source = source;
    this.#events = events;
    this.#records = records;
    this.#kind = loop.kind;
    this.#overheadS = loop.overheadS;
    this.#users = closed.users;
    this.#thinkS = closed.thinkS;
    this.#horizonS = spec.horizonS ?? Infinity;
    this.#maxRequests = spec.maxRequests ?? Infinity;
    // A refused or abandoned request ends when the user hears so; an
    // abandonment is found after its deadline, so never send in the past.
    chainRetire(
      records,
      (i) =>
        this.#send(Math.max(records.finishS[i], this.#now) + this.#thinkS()),
    );
  }

  #send(t: number): void {
    if (t >= this.#horizonS || this.#scheduled >= this.#maxRequests) return;
    this.#scheduled++;
    const sends = this.#sends;
    // A new earliest send needs its event; the one queued for the former
    // earliest finds, when it comes, that it is not the earliest any more.
    if (sends.size === 0 || t < sends.peekTime) {
      this.#events.push(t + this.#overheadS, this.#kind, 0);
    }
    sends.push(t, 0, 0);
  }

  start(): void {
    for (let u = 0; u < this.#users; u++) this.#send(0);
  }

  arrive(now: number): number {
    this.#now = now;
    const sends = this.#sends;
    const o = this.#overheadS;
    // Not the earliest send's event (it was overtaken and sent already).
    if (sends.size === 0 || sends.peekTime + o !== now) return -1;
    sends.pop();
    const sentS = sends.time;
    if (sends.size > 0) this.#events.push(sends.peekTime + o, this.#kind, 0);
    const source = this.#source;
    if (!source.next()) return -1;
    return this.#records.addRequest({
      arrivalS: sentS,
      promptTokens: source.promptTokens,
      outputTokens: source.outputTokens,
      classIndex: source.classIndex,
      prefixIds: source.prefixIds,
    });
  }

  finished(_finished: number, now: number): void {
    this.#now = now;
  }
}

// A growable Int32Array keyed by record slot.
function grown(a: Int32Array, i: number): Int32Array {
  if (i < a.length) return a;
  const b = new Int32Array(Math.max(2 * a.length, i + 1)).fill(-1);
  b.set(a);
  return b;
}

// Turns past this many share the last row of the TTFT-by-turn figures.
const TURN_ROWS = 9;

function emptyCounts(): SessionCounts {
  return {
    started: 0,
    completed: 0,
    cutByContext: 0,
    refused: 0,
    held: 0,
    heldS: 0,
    turns: 0,
    durationsS: [],
    measuredTurns: 0,
    ttftByTurn: Array.from({ length: TURN_ROWS }, () => []),
  };
}

// A measured session's answered turn (`turn` from 0).
function countTurn(counts: SessionCounts, turn: number, ttftS: number): void {
  counts.ttftByTurn[Math.min(turn, TURN_ROWS - 1)].push(ttftS);
  counts.measuredTurns++;
}

// Multi-turn sessions: first turns from the source, later turns here.
class Sessions implements Clients {
  readonly #source: RequestSource;
  readonly #events: EventQueue;
  readonly #records: RequestRecords;
  readonly #kind: number;
  readonly #overheadS: number;
  readonly #draws: SessionDraws;
  readonly #maxModelLen: number;
  readonly #window: readonly [number, number] | undefined;
  readonly sessions: SessionCounts = emptyCounts();
  // Per session slot (reused once a session ends).
  #turnsLeft: number[] = [];
  #turn: number[] = [];
  #class: number[] = [];
  #prompt: number[] = [];
  #output: number[] = [];
  #ids: number[][] = [];
  #nextPrompt: number[] = [];
  #nextOutput: number[] = [];
  #startS: number[] = [];
  #sendS: number[] = [];
  #measured: boolean[] = [];
  #free: number[] = [];
  // The session of each record slot in flight (-1: none).
  #sessionOf: Int32Array = new Int32Array(1024).fill(-1);
  // Prefix block ids of the sessions' own context, from 0 up (a class's
  // shared prefix has negative ids; sessions are not replayed from traces).
  #nextId = 0;

  constructor(
    source: RequestSource,
    events: EventQueue,
    records: RequestRecords,
    loop: ClientLoopOptions,
    spec: ClientSpec,
    draws: SessionDraws,
  ) {
    this.#source = source;
    this.#events = events;
    this.#records = records;
    this.#kind = loop.kind;
    this.#overheadS = loop.overheadS;
    this.#draws = draws;
    this.#maxModelLen = spec.maxModelLen ?? Infinity;
    this.#window = spec.window;
    chainRetire(records, (i) => this.#responded(i));
  }

  start(): void {
    const s = this.#source;
    if (s.next()) {
      this.#events.push(s.arrivalS + this.#overheadS, this.#kind, 0);
    }
  }

  // The ids of a prompt of `tokens` tokens that starts with `kept` ids of
  // the context: fresh ids for the blocks after them (a partial last block
  // has an id too, as Mooncake's hash ids do).
  #extend(kept: readonly number[], tokens: number): number[] {
    const ids = kept.slice();
    const blocks = Math.ceil(tokens / PREFIX_BLOCK_TOKENS);
    while (ids.length < blocks) ids.push(this.#nextId++);
    return ids;
  }

  arrive(now: number, data: number): number {
    const records = this.#records;
    if (data === 0) {
      const src = this.#source;
      const s = this.#free.pop() ?? this.#turnsLeft.length;
      const k = src.classIndex ?? 0;
      const shared = src.prefixIds ?? [];
      const ids = this.#extend(shared, src.promptTokens);
      const i = records.addRequest({
        arrivalS: src.arrivalS,
        promptTokens: src.promptTokens,
        outputTokens: src.outputTokens,
        classIndex: k,
        prefixIds: ids,
      });
      const window = this.#window;
      this.#turnsLeft[s] = this.#draws.turns(k) - 1;
      this.#turn[s] = 0;
      this.#class[s] = k;
      this.#prompt[s] = src.promptTokens;
      this.#output[s] = src.outputTokens;
      this.#ids[s] = ids;
      this.#startS[s] = src.arrivalS;
      // Sessions are not count runs (validation), so the window is by time.
      this.#measured[s] = window === undefined || src.arrivalS >= window[0];
      this.#sessionOf = grown(this.#sessionOf, i);
      this.#sessionOf[i] = s;
      this.sessions.started++;
      this.sessions.turns++;
      if (src.next()) {
        this.#events.push(
          Math.max(src.arrivalS + this.#overheadS, now),
          this.#kind,
          0,
        );
      }
      return i;
    }
    const s = data - 1;
    const prompt = this.#nextPrompt[s];
    const output = this.#nextOutput[s];
    // The blocks the previous prompt filled are the same tokens now; the
    // one it left partial, and the output after it, are new blocks.
    const whole = Math.floor(this.#prompt[s] / PREFIX_BLOCK_TOKENS);
    const ids = this.#extend(this.#ids[s].slice(0, whole), prompt);
    const i = records.addRequest({
      arrivalS: this.#sendS[s],
      promptTokens: prompt,
      outputTokens: output,
      classIndex: this.#class[s],
      prefixIds: ids,
    });
    this.#turn[s]++;
    this.#turnsLeft[s]--;
    this.#prompt[s] = prompt;
    this.#output[s] = output;
    this.#ids[s] = ids;
    this.#sessionOf = grown(this.#sessionOf, i);
    this.#sessionOf[i] = s;
    this.sessions.turns++;
    return i;
  }

  #responded(i: number): void {
    const s = this.#sessionOf[i];
    if (s < 0) return;
    this.#sessionOf[i] = -1;
    const records = this.#records;
    const tally = this.sessions;
    const finishS = records.finishS[i];
    if (this.#measured[s]) {
      countTurn(
        tally,
        this.#turn[s],
        records.firstTokenS[i] - records.arrivalS[i],
      );
    }
    if (records.outcome[i] !== Outcome.served) {
      // Refused or abandoned: the conversation ends there.
      tally.refused++;
      this.#end(s, finishS, false);
      return;
    }
    if (this.#turnsLeft[s] > 0) {
      // The next turn: the context so far and the new tokens, drawn in the
      // order responses end (the run's order, so reproducible).
      const k = this.#class[s];
      const prompt = this.#prompt[s] + this.#output[s] +
        this.#draws.newTokens(k);
      const output = this.#draws.outputTokens(k);
      if (prompt + output > this.#maxModelLen) {
        // The engine would refuse it; the conversation ends here.
        tally.cutByContext++;
        this.#end(s, finishS, false);
        return;
      }
      this.#nextPrompt[s] = prompt;
      this.#nextOutput[s] = output;
      const sendS = finishS + this.#draws.thinkS();
      this.#sendS[s] = sendS;
      this.#events.push(sendS + this.#overheadS, this.#kind, s + 1);
      return;
    }
    tally.completed++;
    this.#end(s, finishS, true);
  }

  #end(s: number, finishS: number, completed: boolean): void {
    if (completed && this.#measured[s]) {
      this.sessions.durationsS.push(finishS - this.#startS[s]);
    }
    this.#ids[s] = [];
    this.#free.push(s);
  }

  finished(): void {}
}

// A parked turn of a replayed session: its row, waiting for the previous
// turn's response.
interface ParkedTurn {
  arrivalS: number;
  promptTokens: number;
  outputTokens: number;
  classIndex?: number;
  prefixIds?: readonly number[];
}

// Sessions replayed from a trace's session_id column: each row is sent at
// its trace time, unless the session's previous turn has not been answered
// by then; it is then held and sent when that response ends. A session
// has no known end (a later row may still come): its duration is its first
// sending to its last response's end, counted when the run is over.
class ReplayedSessions implements Clients {
  readonly #source: RequestSource;
  readonly #events: EventQueue;
  readonly #records: RequestRecords;
  readonly #kind: number;
  readonly #overheadS: number;
  readonly #window: readonly [number, number] | undefined;
  readonly #counts: SessionCounts = emptyCounts();
  #now = 0;
  // Session slots by key, and per slot.
  readonly #slots = new Map<string, number>();
  #busy: boolean[] = [];
  #parked: ParkedTurn[][] = [];
  #turn: number[] = [];
  #startS: number[] = [];
  #lastEndS: number[] = [];
  #sendS: number[] = [];
  #measured: boolean[] = [];
  // The session of each record slot in flight (-1: none).
  #sessionOf: Int32Array = new Int32Array(1024).fill(-1);

  constructor(
    source: RequestSource,
    events: EventQueue,
    records: RequestRecords,
    loop: ClientLoopOptions,
    spec: ClientSpec,
  ) {
    this.#source = source;
    this.#events = events;
    this.#records = records;
    this.#kind = loop.kind;
    this.#overheadS = loop.overheadS;
    this.#window = spec.window;
    chainRetire(records, (i) => this.#responded(i));
  }

  get sessions(): SessionCounts {
    const c = this.#counts;
    c.completed = c.started;
    c.durationsS = [];
    for (let s = 0; s < this.#startS.length; s++) {
      if (this.#measured[s]) {
        c.durationsS.push(this.#lastEndS[s] - this.#startS[s]);
      }
    }
    return c;
  }

  start(): void {
    const s = this.#source;
    if (s.next()) {
      this.#events.push(s.arrivalS + this.#overheadS, this.#kind, 0);
    }
  }

  #record(turn: ParkedTurn, sentS: number, s: number): number {
    const i = this.#records.addRequest({ ...turn, arrivalS: sentS });
    this.#sessionOf = grown(this.#sessionOf, i);
    this.#sessionOf[i] = s;
    this.#busy[s] = true;
    this.#counts.turns++;
    return i;
  }

  arrive(now: number, data: number): number {
    this.#now = now;
    if (data > 0) {
      const s = data - 1;
      return this.#record(this.#parked[s].shift()!, this.#sendS[s], s);
    }
    const src = this.#source;
    const turn: ParkedTurn = {
      arrivalS: src.arrivalS,
      promptTokens: src.promptTokens,
      outputTokens: src.outputTokens,
      classIndex: src.classIndex,
      prefixIds: src.prefixIds,
    };
    const key = src.sessionKey;
    if (src.next()) {
      this.#events.push(
        Math.max(src.arrivalS + this.#overheadS, now),
        this.#kind,
        0,
      );
    }
    if (key === undefined) return this.#records.addRequest(turn);
    let s = this.#slots.get(key);
    if (s === undefined) {
      s = this.#startS.length;
      this.#slots.set(key, s);
      this.#busy[s] = false;
      this.#parked[s] = [];
      this.#turn[s] = -1;
      this.#startS[s] = turn.arrivalS;
      this.#lastEndS[s] = NaN;
      const w = this.#window;
      this.#measured[s] = w === undefined || turn.arrivalS >= w[0];
      this.#counts.started++;
    }
    if (this.#busy[s]) {
      this.#parked[s].push(turn);
      return -1;
    }
    return this.#record(turn, turn.arrivalS, s);
  }

  #responded(i: number): void {
    const s = this.#sessionOf[i];
    if (s < 0) return;
    this.#sessionOf[i] = -1;
    const records = this.#records;
    const endS = records.finishS[i];
    this.#lastEndS[s] = endS;
    const turn = ++this.#turn[s];
    if (this.#measured[s]) {
      countTurn(
        this.#counts,
        turn,
        records.firstTokenS[i] - records.arrivalS[i],
      );
    }
    const next = this.#parked[s][0];
    if (next === undefined) {
      this.#busy[s] = false;
      return;
    }
    // Held since its trace time; an abandonment is found after its
    // deadline, so never send in the past.
    const sendS = Math.max(next.arrivalS, endS, this.#now);
    this.#counts.held++;
    this.#counts.heldS += sendS - next.arrivalS;
    this.#sendS[s] = sendS;
    this.#events.push(sendS + this.#overheadS, this.#kind, s + 1);
  }

  finished(_finished: number, now: number): void {
    this.#now = now;
  }
}
