/**
 * What a multi-turn session draws: how many turns it has, the prompt tokens
 * each later turn adds and each turn's output, and the think time between a
 * response and the next turn. Each draw has a random stream of its own, so
 * sessions leave the first turns' requests (the workload's source) exactly
 * as they are without them.
 *
 * @module
 */

import { RandomStream } from "../engine/random.ts";
import { type DurationDistribution, durationSampler } from "./durations.ts";
import { type TokenDistribution, tokenSampler } from "./tokens.ts";

/** The `sessions` section of a scenario. */
export interface SessionsConfig {
  /** Turns per session (whole numbers, >= 1). */
  turns: TokenDistribution;
  /** Prompt tokens each later turn adds (absent: the class's prompt lengths). */
  new_tokens?: TokenDistribution;
  /** Time from a turn's response end to the next turn's sending, seconds. */
  think_time_s: DurationDistribution;
}

/** The draws of a run's sessions (see {@linkcode sessionDraws}). */
export interface SessionDraws {
  /** Turns of a new session of class `k` (>= 1). */
  turns(k: number): number;
  /** Prompt tokens a later turn of class `k` adds. */
  newTokens(k: number): number;
  /** Output tokens of a later turn of class `k`. */
  outputTokens(k: number): number;
  /** Think time before a later turn, seconds. */
  thinkS(): number;
}

/**
 * The session draws of a workload: per class, later turns add prompt
 * tokens from `new_tokens` (default: the class's prompt lengths) and
 * generate outputs from the class's output lengths.
 *
 * @param config The `sessions` section.
 * @param classes Each class's prompt and output lengths (the top level's
 * for one class) and its name for the stream names (null for one class).
 * @param seed The run's seed.
 * @returns The draws.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sessionDraws } from "./sessions.ts";
 * const d = sessionDraws(
 *   { turns: { mode: "constant", value: 3, min_value: 1 }, think_time_s: 2 },
 *   [{
 *     name: null,
 *     prompt: { mode: "constant", value: 50, min_value: 1 },
 *     output: { mode: "constant", value: 20, min_value: 1 },
 *   }],
 *   1,
 * );
 * assert.equal(d.turns(0), 3);
 * assert.equal(d.newTokens(0), 50);
 * assert.equal(d.thinkS(), 2);
 * ```
 */
export function sessionDraws(
  config: SessionsConfig,
  classes: readonly {
    name: string | null;
    prompt: TokenDistribution;
    output: TokenDistribution;
  }[],
  seed: number,
): SessionDraws {
  const stream = (base: string, name: string | null) =>
    new RandomStream(seed, name === null ? base : `${base}/${name}`);
  const turns = classes.map((c) =>
    tokenSampler(config.turns, stream("sessions/turns", c.name))
  );
  const added = classes.map((c) =>
    tokenSampler(
      config.new_tokens ?? c.prompt,
      stream("sessions/new_tokens", c.name),
    )
  );
  const outputs = classes.map((c) =>
    tokenSampler(c.output, stream("sessions/output_tokens", c.name))
  );
  const think = durationSampler(
    config.think_time_s,
    new RandomStream(seed, "sessions/think_time"),
  );
  return {
    turns: (k) => Math.max(1, turns[k]()),
    newTokens: (k) => added[k](),
    outputTokens: (k) => outputs[k](),
    thinkS: think,
  };
}
