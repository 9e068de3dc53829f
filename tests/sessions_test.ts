/**
 * Multi-turn sessions: conservation of sessions and turns, each later turn's
 * prompt as the context so far, think times between turns, and what a
 * prefix-aware router gains over least-loaded routing on them
 * (examples/multi_turn_sessions.yaml).
 *
 * @module
 */

import assert from "node:assert/strict";
import { simulate } from "../lib/analysis/simulate.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import { loadScenarioFile } from "../lib/scenario/load.ts";

function sessionScenario(extra: Record<string, unknown> = {}) {
  return validateScenario({
    mode: "mono",
    batching: "continuous",
    sim_seconds: 200,
    warmup_seconds: 0,
    random_seed: 5,
    engine: { preset: "none" },
    cluster_mono: {
      num_gpus: 2,
      prefill_tokens_per_s: 20000,
      decode_tokens_per_s: 100,
    },
    arrival: { rate_per_s: 0.5 },
    prompt_tokens: { mode: "constant", value: 600 },
    output_tokens: { mode: "constant", value: 50 },
    sessions: {
      turns: { mode: "constant", value: 4 },
      new_tokens: { mode: "constant", value: 30 },
      think_time_s: 3,
    },
    ...extra,
  });
}

Deno.test("sessions: every session's turns are sent, in order, each a think time after the last response", () => {
  const r = simulate(sessionScenario());
  const s = r.summary.sessions!;
  assert.equal(s.sessions_completed, s.sessions_started);
  assert.equal(s.sessions_cut_by_context, 0);
  assert.equal(s.turns_sent, 4 * s.sessions_started);
  assert.equal(r.summary.num_requests, s.turns_sent);
  assert.equal(s.mean_turns_per_session, 4);
  // Turn k's prompt: 600 + (k - 1) x (50 output + 30 new tokens).
  const rec = r.records;
  const byPrompt = new Map<number, number>();
  for (let i = 0; i < rec.count; i++) {
    byPrompt.set(
      rec.promptTokens[i],
      (byPrompt.get(rec.promptTokens[i]) ?? 0) + 1,
    );
  }
  assert.deepEqual(
    [...byPrompt.keys()].sort((a, b) => a - b),
    [600, 680, 760, 840],
  );
  for (const n of byPrompt.values()) assert.equal(n, s.sessions_started);
  // Each later turn is sent 3 s after some response ends.
  const finishes = new Set<number>();
  for (let i = 0; i < rec.count; i++) finishes.add(rec.finishS[i] + 3);
  for (let i = 0; i < rec.count; i++) {
    if (rec.promptTokens[i] > 600) assert.ok(finishes.has(rec.arrivalS[i]));
  }
  // A session lasts its four responses plus three think times at least.
  assert.ok(s.p50_session_duration_s > 9);
  assert.deepEqual(Object.keys(s.ttft_by_turn), ["1", "2", "3", "4"]);
  for (const row of Object.values(s.ttft_by_turn)) {
    assert.equal(row.turns, s.measured_sessions);
  }
});

Deno.test("sessions: a later turn past max_model_len ends its session, counted", () => {
  const r = simulate(sessionScenario({ scheduler: { max_model_len: 800 } }));
  const s = r.summary.sessions!;
  // Turns 1-2 fit (600 + 50, 680 + 50); turn 3 would be 760 + 50 > 800.
  assert.equal(s.sessions_cut_by_context, s.sessions_started);
  assert.equal(s.sessions_completed, 0);
  assert.equal(s.turns_sent, 2 * s.sessions_started);
});

Deno.test("sessions: the same seed gives the same run, and first turns are the requests without sessions", () => {
  const a = simulate(sessionScenario()).summary;
  const b = simulate(sessionScenario()).summary;
  assert.deepEqual(a, b);
  const plain = simulate(sessionScenario({ sessions: undefined })).records;
  const withSessions = simulate(sessionScenario()).records;
  const first: number[] = [];
  for (let i = 0; i < withSessions.count; i++) {
    if (withSessions.promptTokens[i] === 600) {
      first.push(withSessions.arrivalS[i]);
    }
  }
  assert.deepEqual(first, Array.from(plain.arrivalS.subarray(0, plain.count)));
});

Deno.test("multi-turn example: prefix-aware routing reuses the context that least-outstanding scatters", async () => {
  const base = await loadScenarioFile("examples/multi_turn_sessions.yaml");
  const aware = simulate(base).summary;
  const scattered = simulate({
    ...base,
    scheduler: { ...base.scheduler, router: "least_outstanding" },
  }).summary;
  assert.equal(aware.sessions!.turns_sent, scattered.sessions!.turns_sent);
  assert.ok(
    aware.prefix_cache_hit_rate! > 0.7,
    `${aware.prefix_cache_hit_rate}`,
  );
  assert.ok(scattered.prefix_cache_hit_rate! < 0.5);
  // Later turns gain; first turns (nothing cached yet) do not.
  const t = (x: typeof aware, k: string) =>
    x.sessions!.ttft_by_turn[k].mean_ttft_s;
  assert.ok(t(aware, "5") < 0.6 * t(scattered, "5"));
  assert.ok(
    Math.abs(t(aware, "1") - t(scattered, "1")) / t(scattered, "1") < 0.1,
  );
  assert.ok(aware.mean_ttft_s < 0.7 * scattered.mean_ttft_s);
});
