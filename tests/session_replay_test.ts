/**
 * Sessions replayed from a trace's `session_id` column: a turn is sent at
 * its row's time, or when the previous turn's answer ends if that is later;
 * sessions and turns are conserved; a trace compressed in time holds more
 * turns (examples/chat_sessions_replay.yaml).
 *
 * @module
 */

import assert from "node:assert/strict";
import { simulate } from "../lib/analysis/simulate.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import { loadScenarioFile } from "../lib/scenario/load.ts";
import { expectInputError } from "./_cli.ts";

// Two conversations: a's second row comes 0.1 s after its first, before the
// answer can end (40 output tokens at 25 ms a step); b's rows are far apart.
const ROWS = [
  { t: 0, s: "a", p: 400, o: 40 },
  { t: 0.05, s: "b", p: 300, o: 10 },
  { t: 0.1, s: "a", p: 480, o: 20 },
  { t: 0.2, s: "a", p: 520, o: 5 },
  { t: 50, s: "b", p: 340, o: 10 },
];

async function replay(format: "jsonl" | "csv", extra = {}) {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/t.${format}`;
  await Deno.writeTextFile(
    file,
    format === "jsonl"
      ? ROWS.map((r) =>
        JSON.stringify({ ts: r.t, sid: r.s, in: r.p, out: r.o })
      ).join("\n") + "\n"
      : "ts,sid,in,out\n" +
        ROWS.map((r) => `${r.t},${r.s},${r.p},${r.o}`).join("\n") + "\n",
  );
  const scenario = validateScenario({
    mode: "mono",
    batching: "continuous",
    sim_seconds: 1000,
    warmup_seconds: 0,
    engine: { preset: "none" },
    cluster_mono: {
      num_gpus: 1,
      prefill_tokens_per_s: 8000,
      decode_tokens_per_s: 40,
    },
    trace: {
      file,
      format,
      columns: {
        timestamp: "ts",
        prompt_tokens: "in",
        output_tokens: "out",
        session_id: "sid",
      },
    },
    ...extra,
  });
  const r = simulate(scenario);
  await Deno.remove(dir, { recursive: true });
  return r;
}

Deno.test("replayed sessions: a turn waits for the previous answer, never longer", async () => {
  for (const format of ["jsonl", "csv"] as const) {
    const r = await replay(format);
    const rec = r.records;
    assert.equal(rec.count, ROWS.length);
    // Requests by prompt length (each row's is distinct).
    const at = (p: number) => {
      for (let i = 0; i < rec.count; i++) {
        if (rec.promptTokens[i] === p) return i;
      }
      throw new Error(`no request of ${p} tokens`);
    };
    const a1 = at(400), a2 = at(480), a3 = at(520), b1 = at(300), b2 = at(340);
    // Not held: sent at their rows' times.
    assert.equal(rec.arrivalS[a1], 0);
    assert.equal(rec.arrivalS[b1], 0.05);
    assert.equal(rec.arrivalS[b2], 50);
    // Held: a's second turn is sent when its first answer ends, its third
    // when the second's does.
    assert.ok(rec.finishS[a1] > 0.1);
    assert.equal(rec.arrivalS[a2], rec.finishS[a1]);
    assert.equal(rec.arrivalS[a3], rec.finishS[a2]);
    const s = r.summary.sessions!;
    assert.equal(s.sessions_started, 2);
    assert.equal(s.turns_sent, 5);
    assert.equal(s.turns_held, 2);
    const held = (rec.finishS[a1] - 0.1) + (rec.finishS[a2] - 0.2);
    assert.ok(Math.abs(s.mean_turn_hold_s - held / 2) < 1e-12);
    assert.deepEqual(Object.keys(s.ttft_by_turn), ["1", "2", "3"]);
    assert.equal(s.ttft_by_turn["1"].turns, 2);
    // The window runs to the last answer's end.
    let last = 0;
    for (let i = 0; i < rec.count; i++) last = Math.max(last, rec.finishS[i]);
    assert.ok(Math.abs(r.summary.measured_window_s - last) < 1e-9 * last);
    assert.equal(r.summary.throughput_rps, 5 / r.summary.measured_window_s);
  }
});

Deno.test("replayed sessions: the example paces itself when compressed in time", async () => {
  const base = await loadScenarioFile("examples/chat_sessions_replay.yaml");
  const slow = simulate(base).summary;
  const fast = simulate({
    ...base,
    trace: { ...base.trace!, time_scale: 8 },
  }).summary;
  for (const s of [slow, fast]) {
    assert.equal(s.sessions!.sessions_started, 150);
    assert.equal(s.sessions!.turns_sent, 718);
    assert.equal(s.num_requests, 718);
    assert.equal(s.stable, true);
  }
  assert.ok(fast.sessions!.turns_held > 10 * slow.sessions!.turns_held);
  // Held turns send fewer requests a second than the timestamps would.
  assert.ok(fast.arrival_rate_per_s < 8 * slow.arrival_rate_per_s * 0.9);
  // The turns reuse the context the router keeps on one instance.
  assert.ok(slow.prefix_cache_hit_rate! > 0.6);
});

Deno.test("replayed sessions: a row without its session id and a client limit are one-line errors", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/t.jsonl`,
    '{"ts": 0, "sid": "a", "in": 10, "out": 2}\n{"ts": 1, "in": 10, "out": 2}\n',
  );
  const base = {
    mode: "mono",
    batching: "continuous",
    trace: {
      file: "t.jsonl",
      format: "jsonl",
      columns: {
        timestamp: "ts",
        prompt_tokens: "in",
        output_tokens: "out",
        session_id: "sid",
      },
    },
  };
  await Deno.writeTextFile(`${dir}/a.yaml`, JSON.stringify(base));
  await expectInputError(
    ["simulate", "--config", `${dir}/a.yaml`],
    /t\.jsonl:2: missing field "sid"/,
  );
  await Deno.writeTextFile(
    `${dir}/b.yaml`,
    JSON.stringify({ ...base, max_concurrency: 4 }),
  );
  await expectInputError(
    ["simulate", "--config", `${dir}/b.yaml`],
    /max_concurrency: a client limit over sessions' turns/,
  );
  await Deno.remove(dir, { recursive: true });
});
