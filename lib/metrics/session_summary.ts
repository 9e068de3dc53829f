/**
 * The per-session figures of a multi-turn run: how many sessions started
 * and ended, how long measured sessions took (first turn's sending to last
 * response's end) and the TTFT of their turns by turn number, where a
 * prefix cache's reuse of the growing context shows.
 *
 * @module
 */

import { mean, quantileSorted } from "./percentile.ts";

/** TTFT of one turn number (or, in the last row, of that turn and later). */
export interface TurnTtft {
  /** Turns in the row. */
  turns: number;
  /** Mean TTFT, seconds. */
  mean_ttft_s: number;
  /** Median TTFT, seconds. */
  p50_ttft_s: number;
  /** 99th percentile of TTFT, seconds. */
  p99_ttft_s: number;
}

/** The `sessions` block of a summary. */
export interface SessionsSummary {
  /** Sessions started (all, warm-up included). */
  sessions_started: number;
  /** Sessions whose every turn was answered. */
  sessions_completed: number;
  /** Sessions ended early: the next turn's context passed max_model_len. */
  sessions_cut_by_context: number;
  /** Sessions ended early: a turn was refused or abandoned (admission control). */
  sessions_refused: number;
  /**
   * Replayed sessions: turns sent after their trace time, because the
   * previous turn's response had not ended by then.
   */
  turns_held: number;
  /** Mean time held turns waited past their trace time, seconds (0: none held). */
  mean_turn_hold_s: number;
  /** Turns sent (all sessions). */
  turns_sent: number;
  /** Measured sessions completed (started in the measured window). */
  measured_sessions: number;
  /** Mean turns per measured session. */
  mean_turns_per_session: number;
  /** Mean session duration, seconds. */
  mean_session_duration_s: number;
  /** Median session duration, seconds. */
  p50_session_duration_s: number;
  /** 90th percentile of session duration, seconds. */
  p90_session_duration_s: number;
  /** 99th percentile of session duration, seconds. */
  p99_session_duration_s: number;
  /**
   * TTFT by turn number of measured sessions: keys "1", "2", ... and, for
   * the last, "9+" (turn 9 and later).
   */
  ttft_by_turn: Record<string, TurnTtft>;
}

/** What the serving loop counted (see lib/serving/clients.ts). */
export interface SessionCounts {
  /** Sessions started. */
  started: number;
  /** Sessions completed. */
  completed: number;
  /** Sessions cut by the context limit. */
  cutByContext: number;
  /** Sessions ended by a refused or abandoned turn. */
  refused: number;
  /** Replayed turns held for the previous response. */
  held: number;
  /** Their total wait past their trace time, seconds. */
  heldS: number;
  /** Turns sent. */
  turns: number;
  /** Durations of measured completed sessions, seconds. */
  durationsS: number[];
  /** Turns of measured sessions answered. */
  measuredTurns: number;
  /** TTFT of measured sessions' turns by turn (0: first turns). */
  ttftByTurn: number[][];
}

/**
 * The summary block of a run's sessions.
 *
 * @param counts The loop's counts.
 * @returns The block.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sessionsSummary } from "./session_summary.ts";
 * const s = sessionsSummary({
 *   started: 2, completed: 2, cutByContext: 0, refused: 0, turns: 5,
 *   held: 0, heldS: 0,
 *   durationsS: [10, 20], measuredTurns: 5,
 *   ttftByTurn: [[0.2, 0.4], [0.1, 0.1], [0.1]],
 * });
 * assert.equal(s.mean_session_duration_s, 15);
 * assert.equal(s.ttft_by_turn["1"].mean_ttft_s, 0.30000000000000004);
 * // The last row pools its turn and the later ones.
 * assert.deepEqual(Object.keys(s.ttft_by_turn), ["1", "2", "3+"]);
 * ```
 */
export function sessionsSummary(counts: SessionCounts): SessionsSummary {
  const d = Float64Array.from(counts.durationsS).sort();
  const rows = counts.ttftByTurn;
  let last = rows.length - 1;
  while (last >= 0 && rows[last].length === 0) last--;
  const byTurn: Record<string, TurnTtft> = {};
  for (let r = 0; r <= last; r++) {
    const v = Float64Array.from(rows[r]).sort();
    byTurn[r === rows.length - 1 ? `${r + 1}+` : `${r + 1}`] = {
      turns: v.length,
      mean_ttft_s: v.length ? mean(v) : NaN,
      p50_ttft_s: v.length ? quantileSorted(v, 0.5) : NaN,
      p99_ttft_s: v.length ? quantileSorted(v, 0.99) : NaN,
    };
  }
  const n = d.length;
  return {
    sessions_started: counts.started,
    sessions_completed: counts.completed,
    sessions_cut_by_context: counts.cutByContext,
    sessions_refused: counts.refused,
    turns_held: counts.held,
    mean_turn_hold_s: counts.held > 0 ? counts.heldS / counts.held : 0,
    turns_sent: counts.turns,
    measured_sessions: n,
    mean_turns_per_session: n ? counts.measuredTurns / n : NaN,
    mean_session_duration_s: n ? mean(d) : NaN,
    p50_session_duration_s: n ? quantileSorted(d, 0.5) : NaN,
    p90_session_duration_s: n ? quantileSorted(d, 0.9) : NaN,
    p99_session_duration_s: n ? quantileSorted(d, 0.99) : NaN,
    ttft_by_turn: byTurn,
  };
}
