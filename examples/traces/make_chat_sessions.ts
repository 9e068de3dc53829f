/**
 * Writes chat_sessions.jsonl: a multi-turn chat trace we make ourselves
 * (no real user data), for replaying sessions from a trace. 150
 * conversations start as a Poisson process at 0.5 per second; each has 2 to
 * 8 turns. A turn's prompt is the conversation so far (earlier prompts and
 * answers) plus 50 to 500 new tokens; its answer 100 to 400 tokens. Its
 * timestamp is the previous turn's plus the time the recording's server took
 * to answer (2 s) and the user's think time (exponential, mean 8 s). Prefix
 * block ids (512 tokens each) are shared with the previous turn for the
 * blocks its prompt filled, as in Mooncake's traces.
 *
 * Run: deno run --allow-write=examples/traces examples/traces/make_chat_sessions.ts
 *
 * @module
 */

import { RandomStream } from "../../lib/engine/random.ts";

const rng = new RandomStream(2026, "chat_sessions");
const between = (lo: number, hi: number) =>
  lo + Math.floor(rng.next() * (hi - lo + 1));
const BLOCK = 512;
const ANSWER_S = 2;

interface Row {
  timestamp: number;
  session_id: string;
  input_length: number;
  output_length: number;
  hash_ids: number[];
}

const rows: Row[] = [];
let nextId = 0;
let startS = 0;
for (let c = 0; c < 150; c++) {
  startS += rng.exponential(2);
  let t = startS;
  let prompt = between(1000, 3000);
  let ids: number[] = [];
  const turns = between(2, 8);
  for (let k = 0; k < turns; k++) {
    const output = between(100, 400);
    const kept = ids.slice();
    while (kept.length < Math.ceil(prompt / BLOCK)) kept.push(nextId++);
    rows.push({
      // Milliseconds, rounded: the recording's resolution.
      timestamp: Math.round(t * 1000),
      session_id: `chat-${c}`,
      input_length: prompt,
      output_length: output,
      hash_ids: kept,
    });
    // The next turn keeps the blocks this prompt filled.
    ids = kept.slice(0, Math.floor(prompt / BLOCK));
    prompt = prompt + output + between(50, 500);
    t += ANSWER_S + rng.exponential(8);
  }
}
rows.sort((a, b) => a.timestamp - b.timestamp);
const out = new URL("./chat_sessions.jsonl", import.meta.url);
Deno.writeTextFileSync(
  out,
  rows.map((r) => JSON.stringify(r)).join("\n") + "\n",
);
console.log(`${rows.length} rows`);
