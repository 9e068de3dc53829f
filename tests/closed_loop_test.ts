/**
 * Closed loops, count runs, `rate_per_s: inf` and the client limit as
 * scenario keys, checked against queueing theory and conservation.
 *
 * The closed loop is the machine-repair model: N users, think time Z, one
 * FCFS server with service time S. With exponential Z and S its number in
 * service is a birth-death chain (birth (N - n) / Z, death 1 / S), whose
 * stationary law gives the throughput X = (1 - p0) / S; mean-value
 * analysis gives the same X. Little's law over the loop: N = X (R + Z).
 *
 * @module
 */

import assert from "node:assert/strict";
import { simulate } from "../lib/analysis/simulate.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import type { RequestRecords } from "../lib/metrics/records.ts";
import { expectInputError } from "./_cli.ts";

// One instance serving one request at a time (max_num_seqs 1): a single
// FCFS server. A 1-token prompt costs 1 / 1e6 s; each decode step 1 ms; so
// the service time is about (output - 1) ms, and exponential output lengths
// of mean 200 make it nearly exponential (a geometric number of 1 ms steps).
function repairScenario(users: number, thinkMeanS: number) {
  return validateScenario({
    mode: "mono",
    batching: "continuous",
    sim_seconds: 4000,
    warmup_seconds: 200,
    random_seed: 7,
    engine: { preset: "none" },
    cluster_mono: {
      num_gpus: 1,
      prefill_tokens_per_s: 1e6,
      decode_tokens_per_s: 1000,
    },
    scheduler: { max_num_seqs: 1, max_num_batched_tokens: 4096 },
    kv_cache: { capacity_tokens: 1_000_000 },
    arrival: {
      process: "closed_loop",
      concurrency: users,
      think_time_s: { mode: "exponential", mean: thinkMeanS },
    },
    prompt_tokens: { mode: "constant", value: 1 },
    output_tokens: { mode: "exponential", mean: 200 },
  });
}

// Exact throughput of the machine-repair model with one server.
function machineRepairThroughput(n: number, z: number, s: number): number {
  // p_k proportional to prod_{j<k} ((n - j) / z) * s.
  const p = [1];
  for (let k = 1; k <= n; k++) p.push(p[k - 1] * ((n - k + 1) / z) * s);
  const total = p.reduce((a, b) => a + b, 0);
  return (1 - p[0] / total) / s;
}

// Mean-value analysis of the same closed network (delay Z, one queue S).
function mvaThroughput(n: number, z: number, s: number): number {
  let q = 0, x = 0;
  for (let k = 1; k <= n; k++) {
    const r = s * (1 + q);
    x = k / (r + z);
    q = x * r;
  }
  return x;
}

Deno.test("mean-value analysis and the birth-death chain agree (the theory the tests use)", () => {
  for (const [n, z, s] of [[1, 1, 0.5], [8, 1, 0.2], [32, 3, 0.1]]) {
    const a = machineRepairThroughput(n, z, s);
    const b = mvaThroughput(n, z, s);
    assert.ok(Math.abs(a - b) / a < 1e-12, `${n} ${z} ${s}: ${a} vs ${b}`);
  }
  // One user never waits: X = 1 / (S + Z).
  assert.ok(Math.abs(mvaThroughput(1, 1, 0.5) - 1 / 1.5) < 1e-15);
});

Deno.test("closed loop: throughput is the machine-repair model's, and N = X (R + Z)", () => {
  for (const [users, thinkS] of [[8, 1], [3, 0.5]]) {
    const r = simulate(repairScenario(users, thinkS));
    const rec = r.records;
    // The server's mean service time, measured: prefill start to finish.
    let service = 0, n = 0;
    for (let i = 0; i < rec.count; i++) {
      service += rec.finishS[i] - rec.prefillStartS[i];
      n++;
    }
    const s = service / n;
    const expected = mvaThroughput(users, thinkS, s);
    const x = r.summary.throughput_rps;
    // The throughput of T seconds of a regenerative process: its relative
    // standard error is about sqrt(2 / (X T)) for service and think CVs near
    // 1; four of them, plus 1% for the service's being a geometric count of
    // 1 ms steps rather than exponential.
    const windowS = r.summary.measured_window_s;
    const tol = 4 * Math.sqrt(2 / (x * windowS)) + 0.01;
    assert.ok(
      Math.abs(x - expected) / expected < tol,
      `N=${users} Z=${thinkS}: X ${x} vs MVA ${expected} (S ${s}, tol ${tol})`,
    );
    // Little's law over the loop: every user is either waiting for a
    // response (R, the E2E latency) or thinking (Z).
    const little = x * (r.summary.mean_e2e_s + thinkS);
    assert.ok(
      Math.abs(little - users) / users < tol,
      `Little: X (R + Z) = ${little} vs N = ${users}`,
    );
    // The users' sending rate is measured, not the N / Z bound.
    assert.ok(r.summary.arrival_rate_per_s < users / thinkS);
  }
});

// The most requests in flight at once, a request being in flight from its
// sending to its response's end (an end frees its slot before a sending at
// the same time).
function mostInFlight(rec: RequestRecords): number {
  const events: [number, number][] = [];
  for (let i = 0; i < rec.count; i++) {
    events.push([rec.arrivalS[i], 1], [rec.finishS[i], -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let inFlight = 0, most = 0;
  for (const [, d] of events) most = Math.max(most, inFlight += d);
  return most;
}

Deno.test("closed loop: never more requests in flight than users", () => {
  const r = simulate(repairScenario(4, 0.05));
  assert.equal(mostInFlight(r.records), 4);
});

function countScenario(extra: Record<string, unknown>) {
  return validateScenario({
    mode: "mono",
    batching: "continuous",
    random_seed: 3,
    engine: { preset: "none" },
    cluster_mono: {
      num_gpus: 2,
      prefill_tokens_per_s: 8000,
      decode_tokens_per_s: 40,
    },
    prompt_tokens: { mode: "constant", value: 400 },
    output_tokens: { mode: "constant", value: 20 },
    ...extra,
  });
}

Deno.test("num_requests: the first N requests are the run, the first W warm-up", () => {
  const s = countScenario({
    num_requests: 500,
    warmup_requests: 100,
    arrival: { rate_per_s: 5 },
  });
  assert.equal(s.sim_seconds, Infinity);
  const r = simulate(s);
  assert.equal(r.summary.num_requests, 500);
  assert.equal(r.summary.num_samples, 400);
  // The window runs from request 100's arrival to the last response's end,
  // so every measured request finished inside it.
  const rec = r.records;
  let last = 0;
  for (let i = 0; i < rec.count; i++) last = Math.max(last, rec.finishS[i]);
  const start = rec.arrivalS[100];
  assert.ok(
    Math.abs(r.summary.measured_window_s - (last - start)) < 1e-9 * last,
  );
  // Requests finished in the window over its length.
  let finished = 0;
  for (let i = 0; i < rec.count; i++) if (rec.finishS[i] >= start) finished++;
  assert.equal(
    r.summary.throughput_rps,
    finished / r.summary.measured_window_s,
  );
});

Deno.test("rate inf with max_concurrency: all ready at 0, at most C in flight, sent as responses end", () => {
  const r = simulate(countScenario({
    num_requests: 200,
    max_concurrency: 8,
    arrival: { rate_per_s: "inf" },
  }));
  const rec = r.records;
  assert.equal(rec.count, 200);
  // The first 8 are sent at 0; each later one when a response ends.
  const finishes = new Set<number>();
  for (let i = 0; i < rec.count; i++) finishes.add(rec.finishS[i]);
  for (let i = 0; i < rec.count; i++) {
    if (i < 8) assert.equal(rec.arrivalS[i], 0);
    else assert.ok(finishes.has(rec.arrivalS[i]), `request ${i}`);
  }
  assert.equal(mostInFlight(rec), 8);
  // The measured rate is the sending rate, finite.
  assert.ok(Number.isFinite(r.summary.arrival_rate_per_s));
});

Deno.test("client_wait_in_ttft: the wait for a slot counts from the scheduled arrival", () => {
  const base = {
    num_requests: 100,
    max_concurrency: 4,
    arrival: { rate_per_s: "inf" },
  };
  const sent = simulate(countScenario(base)).summary;
  const scheduled = simulate(
    countScenario({ ...base, client_wait_in_ttft: true }),
  ).summary;
  // Same service, so the same throughput; latency grows by the wait.
  assert.equal(sent.throughput_rps, scheduled.throughput_rps);
  assert.ok(scheduled.mean_ttft_s > 5 * sent.mean_ttft_s);
  assert.ok(
    Math.abs(
      (scheduled.mean_e2e_s - sent.mean_e2e_s) -
        (scheduled.mean_ttft_s - sent.mean_ttft_s),
    ) < 1e-9,
  );
});

Deno.test("client keys: bad combinations are one-line errors naming the key", async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ arrival: { rate_per_s: "inf" } }, /arrival\.rate_per_s: .*num_requests/],
    [{ warmup_requests: 3 }, /warmup_requests: needs num_requests/],
    [
      { num_requests: 10, warmup_requests: 10 },
      /warmup_requests: must be < num_requests/,
    ],
    [
      {
        arrival: { process: "closed_loop", concurrency: 4 },
        max_concurrency: 2,
      },
      /max_concurrency: a closed loop's users/,
    ],
    [{ arrival: { process: "closed_loop", concurrency: 0 } }, /concurrency/],
    [
      { arrival: { process: "closed_loop", concurrency: 2, think_time_s: -1 } },
      /think_time_s/,
    ],
    [
      { batching: "none", max_concurrency: 2 },
      /batching: .*need batching: continuous/,
    ],
  ];
  const dir = await Deno.makeTempDir();
  for (const [keys, pattern] of cases) {
    const file = `${dir}/s.yaml`;
    await Deno.writeTextFile(
      file,
      JSON.stringify({ mode: "mono", batching: "continuous", ...keys }),
    );
    await expectInputError(["simulate", "--config", file], pattern);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("max_concurrency with timeouts: an abandoned request frees its slot when it is found", () => {
  // One sequence at a time; 2 in flight; the second request times out
  // while the first (100 tokens at 25 ms) is served.
  const r = simulate(countScenario({
    num_requests: 4,
    max_concurrency: 2,
    arrival: { rate_per_s: "inf" },
    output_tokens: { mode: "constant", value: 100 },
    scheduler: { max_num_seqs: 1 },
    admission: { timeout_s: 1 },
    cluster_mono: {
      num_gpus: 1,
      prefill_tokens_per_s: 8000,
      decode_tokens_per_s: 40,
    },
  }));
  const rec = r.records;
  assert.equal(rec.count, 4);
  assert.equal(r.summary.abandoned_requests, 2);
  // When the first answer ends, the second is found expired: both slots
  // free at that instant, and the next two requests are sent then.
  assert.equal(rec.arrivalS[2], rec.finishS[0]);
  assert.equal(rec.arrivalS[3], rec.finishS[0]);
});
