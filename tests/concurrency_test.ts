/**
 * A client's concurrency limit (`simulate(..., { maxConcurrency })`, vLLM's
 * `bench serve --max-concurrency`): at most N requests in flight, a waiting
 * request sent when a response ends. Checked on request lists replayed
 * exactly, against the records (a request is in flight from its recorded
 * arrival to its finish).
 *
 * @module
 */

import assert from "node:assert/strict";
import { simulate } from "../lib/analysis/simulate.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import type { RequestRecords } from "../lib/metrics/records.ts";
import type { Scenario } from "../lib/scenario/types.ts";
import {
  listWorkload,
  type RequestList,
} from "../lib/workload/request_list.ts";

// Rate model with exact arithmetic: a prompt costs tokens / 8,000 s, a
// decode step 25 ms; no engine overheads unless a test adds them.
function scenario(
  mode: "mono" | "disagg",
  overrides: Record<string, unknown> = {},
): Scenario {
  return validateScenario({
    mode,
    batching: "continuous",
    sim_seconds: 1000,
    warmup_seconds: 0,
    random_seed: 1,
    engine: { preset: "none" },
    cluster_mono: {
      num_gpus: 2,
      prefill_tokens_per_s: 8000,
      decode_tokens_per_s: 40,
    },
    cluster_disagg: {
      prefill_gpus: 1,
      decode_gpus: 2,
      prefill_tokens_per_s: 8000,
      decode_tokens_per_s: 40,
    },
    ...overrides,
  });
}

// n requests of varied lengths (prompts 100..599, outputs 2..41 tokens),
// arriving at the given times.
function requests(arrivalS: number[]): RequestList {
  return {
    arrivalS,
    promptTokens: arrivalS.map((_, i) => 100 + (i * 37) % 500),
    outputTokens: arrivalS.map((_, i) => 2 + (i * 13) % 40),
  };
}

// Requests in flight at t: arrived, not yet finished.
function inFlight(rec: RequestRecords, t: number): number {
  let n = 0;
  for (let j = 0; j < rec.count; j++) {
    if (rec.arrivalS[j] <= t && t < rec.finishS[j]) n++;
  }
  return n;
}

// With a limit of 1: every request arrives at max(its scheduled time, the
// previous request's finish), exactly. Returns how many had to wait; both
// cases must occur for the check to mean something.
function maxOneChecks(list: RequestList, rec: RequestRecords): number {
  let waited = 0;
  for (let i = 0; i < rec.count; i++) {
    assert.equal(rec.promptTokens[i], list.promptTokens[i]);
    const want = i === 0
      ? list.arrivalS[0]
      : Math.max(list.arrivalS[i], rec.finishS[i - 1]);
    assert.equal(rec.arrivalS[i], want, `request ${i}`);
    if (want > list.arrivalS[i]) waited++;
  }
  assert.ok(waited < rec.count - 10, `${waited} of ${rec.count} waited`);
  return waited;
}

for (const mode of ["mono", "disagg"] as const) {
  Deno.test(`maxConcurrency 1 (${mode}): each request arrives at max(its time, the previous finish)`, () => {
    // One every 0.7 s; a request takes 0.04 to 1.08 s alone, so some wait
    // and some find the client idle.
    const list = requests(Array.from({ length: 120 }, (_, i) => i * 0.7));
    const rec = simulate(scenario(mode), {
      workload: listWorkload(list),
      maxConcurrency: 1,
    }).records;
    assert.equal(rec.count, list.arrivalS.length);
    assert.ok(maxOneChecks(list, rec) > 10);
  });

  Deno.test(`maxConcurrency N (${mode}): a closed loop keeps exactly N in flight`, () => {
    const n = 300;
    for (const limit of [3, 8]) {
      const rec = simulate(scenario(mode), {
        workload: listWorkload(requests(new Array(n).fill(0))),
        maxConcurrency: limit,
      }).records;
      assert.equal(rec.count, n);
      const lastSentS = rec.arrivalS[n - 1];
      for (let i = 0; i < n; i++) {
        // Just after every send, and after every response that ends while
        // requests are still unsent, exactly N are in flight.
        assert.equal(inFlight(rec, rec.arrivalS[i]), limit, `arrival ${i}`);
        if (rec.finishS[i] < lastSentS) {
          assert.equal(inFlight(rec, rec.finishS[i]), limit, `finish ${i}`);
        }
        if (i > 0) assert.ok(rec.arrivalS[i] >= rec.arrivalS[i - 1]);
      }
    }
  });

  Deno.test(`maxConcurrency N (${mode}): Little's law over the busy span`, () => {
    // Over [0, end] the mean number in flight is sum(e2e) / end: N until
    // the last send, then at most N requests straddling the closing edge,
    // each for at most the longest e2e. (All start at 0: the opening edge
    // has none.) So throughput x mean e2e is in [N (1 - max e2e / end), N].
    const n = 400, limit = 6;
    const rec = simulate(scenario(mode), {
      workload: listWorkload(requests(new Array(n).fill(0))),
      maxConcurrency: limit,
    }).records;
    let sum = 0, max = 0, end = 0;
    for (let i = 0; i < rec.count; i++) {
      const e2e = rec.finishS[i] - rec.arrivalS[i];
      sum += e2e;
      max = Math.max(max, e2e);
      end = Math.max(end, rec.finishS[i]);
    }
    const product = (n / end) * (sum / n);
    const tolerance = limit * max / end;
    assert.ok(tolerance < 0.1 * limit, `edge term ${tolerance}`);
    assert.ok(
      product <= limit + 1e-9 && product >= limit - tolerance,
      `X E[e2e] = ${product}, N = ${limit}, edge ${tolerance}`,
    );
  });

  Deno.test(`no maxConcurrency (${mode}): the same run as without the option`, () => {
    const s = scenario(mode, { sim_seconds: 30, arrival: { rate_per_s: 20 } });
    const list = requests(Array.from({ length: 200 }, (_, i) => i * 0.05));
    const json = (maxConcurrency?: number) =>
      JSON.stringify(
        simulate(s, { workload: listWorkload(list), maxConcurrency }).summary,
      );
    const plain = JSON.stringify(
      simulate(s, { workload: listWorkload(list) }).summary,
    );
    assert.equal(json(undefined), plain);
    // A limit the load never reaches changes nothing either.
    assert.equal(json(list.arrivalS.length), plain);
    assert.equal(json(Infinity), plain);
    // The scenario's own workload too.
    assert.equal(
      JSON.stringify(simulate(s, { maxConcurrency: undefined }).summary),
      JSON.stringify(simulate(s).summary),
    );
  });
}

Deno.test("maxConcurrency: the next request is sent finish_s after the freeing iteration ends", () => {
  // One instance, one request at a time: a request's last iteration ends
  // P / 8000 + (O - 1) x 25 ms after it arrives (one prefill iteration,
  // then a decode step per further token), and the next is sent finish_s
  // later, when the response ends.
  const list = requests(new Array(40).fill(0));
  const gaps = (finishS: number) => {
    const s = scenario("mono", {
      engine: { preset: "none", finish_s: finishS },
      cluster_mono: {
        num_gpus: 1,
        prefill_tokens_per_s: 8000,
        decode_tokens_per_s: 40,
      },
    });
    const rec = simulate(s, { workload: listWorkload(list), maxConcurrency: 1 })
      .records;
    const out: number[] = [];
    for (let i = 1; i < rec.count; i++) {
      const lastStepEndS = rec.arrivalS[i - 1] +
        rec.promptTokens[i - 1] / 8000 + (rec.outputTokens[i - 1] - 1) / 40;
      assert.ok(Math.abs(rec.finishS[i - 1] - lastStepEndS - finishS) < 1e-9);
      assert.equal(rec.arrivalS[i], rec.finishS[i - 1]);
      out.push(rec.arrivalS[i] - lastStepEndS);
    }
    return out;
  };
  for (const g of gaps(0)) assert.ok(Math.abs(g) < 1e-9, `gap ${g}`);
  for (const g of gaps(0.05)) assert.ok(Math.abs(g - 0.05) < 1e-9, `gap ${g}`);
});

Deno.test({
  name:
    "maxConcurrency with engine request_s and finish_s: never more than N in flight",
  fn() {
    const engine = { preset: "none", request_s: 0.01, finish_s: 0.03 };
    for (const mode of ["mono", "disagg"] as const) {
      const list = requests(Array.from({ length: 120 }, (_, i) => i * 0.7));
      const one = simulate(scenario(mode, { engine }), {
        workload: listWorkload(list),
        maxConcurrency: 1,
      }).records;
      assert.ok(maxOneChecks(list, one) > 10);
      const limit = 4;
      const rec = simulate(scenario(mode, { engine }), {
        workload: listWorkload(requests(new Array(200).fill(0))),
        maxConcurrency: limit,
      }).records;
      for (let i = 0; i < rec.count; i++) {
        const n = inFlight(rec, rec.arrivalS[i]);
        assert.ok(n <= limit, `${mode}: ${n} in flight at arrival ${i}`);
      }
    }
  },
});
