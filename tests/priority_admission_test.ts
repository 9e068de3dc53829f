/**
 * Priorities and admission control: the waiting-queue orders (`fcfs`,
 * `priority`, `sjf`) and the preemption victim on hand-made instances, the
 * token bucket's exact counts, the waiting-room limit, timeouts,
 * conservation (arrived = served + refused + abandoned, per class), SLO
 * attainment counting refusals as misses, and a theory check: with one
 * sequence per batch an instance is a non-preemptive single server, whose
 * waits under two priority classes are Cobham's.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Instance, type InstanceConfig } from "../lib/serving/instance.ts";
import { runBatchedCluster } from "../lib/serving/batched.ts";
import { runDisaggBatched } from "../lib/serving/disagg_batched.ts";
import { rateStepTime } from "../lib/perf/step_time.ts";
import { Outcome, RequestRecords } from "../lib/metrics/records.ts";
import { RandomStream } from "../lib/engine/random.ts";
import { rateLimited } from "../lib/workload/rate_limit.ts";
import type { RequestSource } from "../lib/workload/request_source.ts";
import { simulate } from "../lib/analysis/simulate.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import { parseScenario } from "../lib/scenario/load.ts";
import { scenarioWarnings } from "../lib/scenario/no_ops.ts";
import { buildWorkload } from "../lib/workload/workload.ts";
import type { Scenario } from "../lib/scenario/types.ts";
import type { QueueOrderName } from "../lib/serving/queue_orders/mod.ts";

type Row = [arrivalS: number, prompt: number, output: number, cls?: number];

// A source over fixed rows.
function listSource(rows: readonly Row[]): RequestSource {
  let k = -1;
  const s: RequestSource = {
    arrivalS: 0,
    promptTokens: 0,
    outputTokens: 0,
    classIndex: 0,
    next() {
      if (++k >= rows.length) return false;
      [s.arrivalS, s.promptTokens, s.outputTokens] = rows[k];
      s.classIndex = rows[k][3] ?? 0;
      return true;
    },
  };
  return s;
}

// 1,000 prompt tokens a second, 10 decode steps a second, one sequence.
function config(overrides: Partial<InstanceConfig> = {}): InstanceConfig {
  return {
    policy: "chunked",
    maxNumSeqs: 1,
    maxNumBatchedTokens: 2048,
    kvCapacityBlocks: 1000,
    blockSize: 16,
    stepTime: rateStepTime({ prefillTokensPerS: 1000, decodeTokensPerS: 10 }),
    ...overrides,
  };
}

// Runs one instance by hand over requests all queued before its first
// iteration; returns them in the order they started.
function startOrder(
  rows: readonly Row[],
  overrides: Partial<InstanceConfig>,
): number[] {
  const records = new RequestRecords();
  const inst = new Instance(config(overrides), records);
  for (const [t, p, o, c] of rows) {
    inst.enqueue(records.addRequest({
      arrivalS: t,
      promptTokens: p,
      outputTokens: o,
      classIndex: c,
    }));
  }
  let now = 0;
  for (;;) {
    const end = inst.startIteration(now);
    if (end < 0) break;
    now = end;
    inst.finishIteration(now);
  }
  const ids = rows.map((_, i) => i);
  return ids.sort((a, b) =>
    records.prefillStartS[a] - records.prefillStartS[b]
  );
}

Deno.test("fcfs, priority and sjf admit the waiting requests in their orders", () => {
  // Classes 0 and 1, priorities 1 and 0 (class 1 first); the prompts and
  // outputs rank the requests in other orders.
  const rows: Row[] = [
    [0, 300, 2, 0],
    [0.1, 200, 9, 0],
    [0.2, 100, 5, 1],
    [0.3, 400, 1, 1],
    [0.4, 50, 7, 0],
  ];
  const order = (
    schedulingPolicy: QueueOrderName,
    sjfKey: "prompt" | "predicted_output" = "prompt",
  ) =>
    startOrder(rows, {
      schedulingPolicy,
      queueContext: {
        classPriority: [1, 0],
        sjfKey,
        sjfPredictionError: 0,
        rng: new RandomStream(1, "p"),
      },
    });
  assert.deepEqual(order("fcfs"), [0, 1, 2, 3, 4]);
  // All wait before the first iteration: priority 0 (class 1) by arrival,
  // then priority 1 by arrival.
  assert.deepEqual(order("priority"), [2, 3, 0, 1, 4]);
  // Prompts 300, 200, 100, 400, 50; outputs 2, 9, 5, 1, 7.
  assert.deepEqual(order("sjf"), [4, 2, 1, 0, 3]);
  assert.deepEqual(order("sjf", "predicted_output"), [3, 0, 2, 4, 1]);
});

Deno.test("sjf's predictor: sigma 0 is the oracle, a small error keeps well-separated orders, the draws are seeded", () => {
  const rows: Row[] = [[0, 10, 400], [0, 10, 1], [0, 10, 100], [0, 10, 25]];
  const order = (sigma: number, seed: number) =>
    startOrder(rows, {
      schedulingPolicy: "sjf",
      queueContext: {
        classPriority: [],
        sjfKey: "predicted_output",
        sjfPredictionError: sigma,
        rng: new RandomStream(seed, "sjf_predictor"),
      },
    });
  assert.deepEqual(order(0, 1), [1, 3, 2, 0]);
  // Lengths 4x apart: a log error of sigma 0.05 never swaps them here.
  assert.deepEqual(order(0.05, 1), [1, 3, 2, 0]);
  // A large error shuffles, but the same seed shuffles the same way.
  assert.deepEqual(order(3, 7), order(3, 7));
});

// Two requests whose decode growth does not fit: which one is preempted.
function victim(schedulingPolicy: QueueOrderName): number[] {
  const records = new RequestRecords();
  const inst = new Instance(
    config({
      maxNumSeqs: 2,
      // Each 16-token prompt takes one block; the first decode needs one
      // more each: 4 > 3, so one is preempted.
      kvCapacityBlocks: 3,
      schedulingPolicy,
      queueContext: {
        classPriority: [1, 0],
        sjfKey: "prompt",
        sjfPredictionError: 0,
        rng: new RandomStream(1, "p"),
      },
    }),
    records,
  );
  // The low-priority request (class 0) is admitted first, the
  // high-priority one (class 1) an iteration later.
  inst.enqueue(records.addRequest({
    arrivalS: 0,
    promptTokens: 16,
    outputTokens: 4,
    classIndex: 0,
  }));
  let now = inst.startIteration(0);
  inst.finishIteration(now);
  inst.enqueue(records.addRequest({
    arrivalS: now,
    promptTokens: 16,
    outputTokens: 4,
    classIndex: 1,
  }));
  for (;;) {
    const end = inst.startIteration(now);
    if (end < 0) break;
    now = end;
    inst.finishIteration(now);
  }
  assert.equal(inst.outstanding, 0);
  return [records.preemptions[0], records.preemptions[1]];
}

Deno.test("the preemption victim: the newest under fcfs, the lowest priority under priority", () => {
  assert.deepEqual(victim("fcfs"), [0, 1]);
  assert.deepEqual(victim("sjf"), [0, 1]);
  assert.deepEqual(victim("priority"), [1, 0]);
});

Deno.test("token bucket: burst + floor(rate T) accepted of dense arrivals, per class", () => {
  // 1,000 arrivals of each class 0.01 s apart over [0, 10); class 0 has 4
  // tokens a second and a burst of 5, class 1 no limit.
  const rows: Row[] = [];
  for (let k = 0; k < 1000; k++) {
    rows.push([k / 100, 10, 1, 0], [k / 100, 10, 1, 1]);
  }
  const refused: number[] = [0, 0];
  const s = rateLimited(listSource(rows), {
    buckets: [{ rate_per_s: 4, burst: 5 }, undefined],
    onReject: (k) => refused[k]++,
  });
  const accepted = [0, 0];
  while (s.next()) accepted[s.classIndex!]++;
  // The last arrival is at 9.99: 5 + floor(4 x 9.99) = 44.
  assert.equal(accepted[0], 5 + Math.floor(4 * 9.99));
  assert.equal(accepted[1], 1000);
  assert.deepEqual(refused, [1000 - 44, 0]);
  assert.equal(s.rejected, 1000 - 44);
});

Deno.test("token bucket: a quiet spell refills the bucket to its burst, no more", () => {
  const rows: Row[] = [];
  for (let k = 0; k < 10; k++) rows.push([k * 0.001, 10, 1]);
  for (let k = 0; k < 10; k++) rows.push([100 + k * 0.001, 10, 1]);
  const s = rateLimited(listSource(rows), {
    buckets: [{ rate_per_s: 1, burst: 3 }],
  });
  let n = 0;
  while (s.next()) n++;
  assert.equal(n, 6);
});

Deno.test("max_waiting_requests: an arrival that finds N waiting is refused", () => {
  // Ten requests at 0: the first is admitted at once, three wait, six are
  // refused.
  const rows: Row[] = Array.from({ length: 10 }, () => [0, 100, 1]);
  const run = runBatchedCluster(listSource(rows), {
    instances: 1,
    instance: config(),
    maxWaitingRequests: 3,
  });
  const r = run.records;
  const outcomes = Array.from({ length: r.count }, (_, i) => r.outcome[i]);
  assert.deepEqual(outcomes, [0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  for (let i = 4; i < 10; i++) {
    assert.equal(r.outcome[i], Outcome.queueFull);
    assert.equal(r.finishS[i], 0);
    assert.ok(Number.isNaN(r.prefillStartS[i]));
  }
  // Served one after another, 0.1 s each.
  assert.ok(Math.abs(run.endS - 0.4) < 1e-12);
});

Deno.test("max_waiting_requests counts the whole pool, and the prefill pool in disagg", () => {
  const rows: Row[] = Array.from({ length: 12 }, () => [0, 100, 1]);
  const mono = runBatchedCluster(listSource(rows), {
    instances: 2,
    instance: config(),
    router: "round_robin",
    maxWaitingRequests: 4,
  });
  // Two admitted at once, four waiting over the two, six refused.
  let refused = 0;
  for (let i = 0; i < mono.records.count; i++) {
    refused += mono.records.outcome[i] === Outcome.queueFull ? 1 : 0;
  }
  assert.equal(refused, 6);
  const disagg = runDisaggBatched(listSource(rows), {
    prefillInstances: 1,
    decodeInstances: 1,
    prefill: config(),
    decode: config(),
    link: { bytesPerToken: 1, bandwidthBytesPerS: 1e12, latencyS: 0 },
    firstTokenAtDecode: false,
    maxWaitingRequests: 2,
  });
  refused = 0;
  for (let i = 0; i < disagg.records.count; i++) {
    refused += disagg.records.outcome[i] === Outcome.queueFull ? 1 : 0;
  }
  assert.equal(refused, 12 - 1 - 2);
});

Deno.test("timeouts: a request not started by arrival + timeout is abandoned, and others are served as before", () => {
  // 0.1 s each, one at a time: starts at 0, 0.1, 0.2, 0.3; at 0.4 the
  // rest have waited past 0.35 s.
  const rows: Row[] = Array.from({ length: 10 }, () => [0, 100, 1]);
  const run = runBatchedCluster(listSource(rows), {
    instances: 1,
    instance: config({ classTimeoutS: [0.35] }),
  });
  const r = run.records;
  const outcomes = Array.from({ length: r.count }, (_, i) => r.outcome[i]);
  assert.deepEqual(outcomes, [0, 0, 0, 0, 2, 2, 2, 2, 2, 2]);
  for (let i = 4; i < 10; i++) assert.equal(r.finishS[i], 0.35);
  assert.equal(run.instances[0].outstanding, 0);
  // A class without a timeout (Infinity) waits as long as it takes.
  const mixed = runBatchedCluster(
    listSource(rows.map(([t, p, o], k) => [t, p, o, k % 2])),
    { instances: 1, instance: config({ classTimeoutS: [0.35, Infinity] }) },
  );
  let abandoned = 0;
  for (let i = 0; i < mixed.records.count; i++) {
    abandoned += mixed.records.outcome[i] === Outcome.abandoned ? 1 : 0;
    if (mixed.records.classIndex[i] === 1) {
      assert.equal(mixed.records.outcome[i], Outcome.served);
    }
  }
  // Class 0's first two start at 0 and 0.2; its other three time out,
  // while class 1's are served at 0.1, 0.3, 0.4, 0.5, 0.6.
  assert.equal(abandoned, 3);
});

// Two classes under every admission control, light enough to finish.
const ADMISSION = {
  mode: "mono",
  batching: "continuous",
  sim_seconds: 40,
  warmup_seconds: 4,
  random_seed: 5,
  arrival: { rate_per_s: 30 },
  engine: { preset: "none" },
  prompt_tokens: { mode: "real_mean_std", mean: 800, std: 400, min_value: 8 },
  output_tokens: { mode: "real_mean_std", mean: 60, std: 30, min_value: 2 },
  cluster_mono: {
    num_gpus: 2,
    prefill_tokens_per_s: 8000,
    decode_tokens_per_s: 50,
  },
  scheduler: {
    scheduling_policy: "priority",
    max_num_seqs: 16,
    max_model_len: 2000,
  },
  admission: { max_waiting_requests: 20 },
  classes: [
    {
      name: "chat",
      weight: 2,
      priority: 0,
      timeout_s: 1.5,
      slo: { ttft_s: 0.5, tpot_s: 0.05 },
    },
    {
      name: "batch",
      weight: 1,
      priority: 1,
      rate_limit: { rate_per_s: 5, burst: 10 },
      slo: { ttft_s: 5, tpot_s: 0.1 },
    },
  ],
};

// The generated arrivals in the measured window, per class.
function arrivalsByClass(s: Scenario): number[] {
  const src = buildWorkload(s).source;
  const out = [0, 0];
  while (src.next()) {
    if (src.arrivalS >= s.warmup_seconds) out[src.classIndex ?? 0]++;
  }
  return out;
}

Deno.test("conservation per class: arrived = served + refused + abandoned; attainment counts them as misses", () => {
  for (const mode of ["mono", "disagg"]) {
    const s = validateScenario({
      ...ADMISSION,
      mode,
      cluster_disagg: {
        prefill_gpus: 1,
        decode_gpus: 1,
        prefill_tokens_per_s: 8000,
        decode_tokens_per_s: 50,
      },
    });
    const r = simulate(s);
    const arrived = arrivalsByClass(s);
    const per = r.summary.per_class!;
    let total = 0;
    ["chat", "batch"].forEach((name, k) => {
      const c = per[name];
      const refused = c.rejected_requests! + c.abandoned_requests!;
      assert.equal(c.num_samples + refused, arrived[k], `${mode} ${name}`);
      assert.equal(
        c.rejected_requests,
        c.rejected_overlong! + c.rejected_queue_full! +
          c.rejected_rate_limited!,
      );
      // Attainment = met / (served + refused), goodput = met / window.
      const met = c.goodput_rps! * r.summary.measured_window_s;
      assert.ok(
        Math.abs(c.slo_attainment! * (c.num_samples + refused) - met) < 1e-6,
      );
      total += c.num_samples + refused;
    });
    assert.equal(
      total,
      r.summary.num_samples + r.summary.rejected_requests! +
        r.summary.abandoned_requests!,
    );
    // Every admission control acted, where it applies.
    assert.ok(per.batch.rejected_rate_limited! > 0, mode);
    assert.equal(per.chat.rejected_rate_limited, 0);
    assert.ok(r.summary.rejected_overlong! > 0, mode);
    assert.ok(
      r.summary.rejected_queue_full! + r.summary.abandoned_requests! > 0,
      mode,
    );
    assert.equal(per.batch.abandoned_requests, 0);
    // Nothing is still in flight at the end: every record has finished.
    for (let i = 0; i < r.records.count; i++) {
      assert.ok(!Number.isNaN(r.records.finishS[i]));
    }
  }
});

Deno.test("refusals are counted the same with recycled records (sketch, or exact without records)", () => {
  const exact = simulate(validateScenario(ADMISSION)).summary;
  const sketch = simulate(
    validateScenario({ ...ADMISSION, metrics: { percentiles: "sketch" } }),
  ).summary;
  const streamed = simulate(validateScenario(ADMISSION), {
    keepRecords: false,
  }).summary;
  for (
    const key of [
      "num_samples",
      "rejected_requests",
      "rejected_queue_full",
      "rejected_rate_limited",
      "abandoned_requests",
      "slo_attainment",
    ] as const
  ) {
    assert.equal(sketch[key], exact[key], key);
    assert.equal(streamed[key], exact[key], key);
  }
});

Deno.test("fcfs given explicitly is the default, to the bit", () => {
  const base = { ...ADMISSION, admission: undefined };
  const plain = simulate(
    validateScenario({ ...base, scheduler: { max_num_seqs: 16 } }),
  ).summary;
  const fcfs = simulate(
    validateScenario({
      ...base,
      scheduler: { max_num_seqs: 16, scheduling_policy: "fcfs" },
    }),
  ).summary;
  assert.deepEqual(fcfs, plain);
});

Deno.test("validation: bad values name their key, idle keys warn, batching none refuses what it cannot do", () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [
      { classes: [{ name: "a", weight: 1, priority: 0.5 }] },
      /classes\[0\]\.priority/,
    ],
    [
      { classes: [{ name: "a", weight: 1, timeout_s: 0 }] },
      /classes\[0\]\.timeout_s/,
    ],
    [
      {
        classes: [{
          name: "a",
          weight: 1,
          rate_limit: { rate_per_s: 1, burst: 0 },
        }],
      },
      /classes\[0\]\.rate_limit\.burst/,
    ],
    [
      { admission: { max_waiting_requests: 0 } },
      /admission\.max_waiting_requests/,
    ],
    [
      { scheduler: { scheduling_policy: "lifo" } },
      /scheduler\.scheduling_policy/,
    ],
    [
      { scheduler: { sjf_prediction_error: -1 } },
      /scheduler\.sjf_prediction_error/,
    ],
    [
      { batching: "none", admission: { timeout_s: 3 } },
      /admission\.timeout_s: is not supported under batching=none/,
    ],
    [
      { batching: "none", classes: [{ name: "a", weight: 1, timeout_s: 3 }] },
      /classes\[0\]\.timeout_s: is not supported under batching=none/,
    ],
  ];
  for (const [raw, message] of bad) {
    assert.throws(
      () => validateScenario({ batching: "continuous", ...raw }),
      message,
    );
  }
  const warned = (yaml: string) =>
    scenarioWarnings(parseScenario(yaml)).join("\n");
  assert.match(
    warned("batching: continuous\nscheduler: {scheduling_policy: priority}\n"),
    /scheduler\.scheduling_policy: has no effect when no class sets a priority/,
  );
  assert.match(
    warned(
      "batching: continuous\nclasses: [{name: a, weight: 1, priority: 1}]\n",
    ),
    /classes\[0\]\.priority: has no effect under scheduler\.scheduling_policy=fcfs/,
  );
  assert.match(
    warned("batching: continuous\nscheduler: {sjf_key: prompt}\n"),
    /scheduler\.sjf_key: has no effect under scheduler\.scheduling_policy=fcfs/,
  );
  assert.match(
    warned(
      "batching: continuous\nscheduler: {scheduling_policy: sjf, sjf_prediction_error: 0.5}\n",
    ),
    /sjf_prediction_error: has no effect under scheduler\.sjf_key=prompt/,
  );
  assert.equal(
    warned(
      "batching: continuous\nscheduler: {scheduling_policy: priority}\nclasses: [{name: a, weight: 1, priority: 1}]\n",
    ),
    "",
  );
});

Deno.test("the exclusive model takes a class's rate limit", () => {
  const s = validateScenario({
    mode: "mono",
    sim_seconds: 30,
    warmup_seconds: 0,
    arrival: { rate_per_s: 20 },
    slo: { ttft_s: 10, tpot_s: 1 },
    classes: [{
      name: "a",
      weight: 1,
      rate_limit: { rate_per_s: 2, burst: 4 },
    }],
  });
  const r = simulate(s).summary;
  const arrived = arrivalsByClass(s)[0];
  assert.equal(r.num_samples + r.rejected_rate_limited!, arrived);
  // At most burst + rate x 30 s accepted.
  assert.ok(r.num_samples <= 4 + 2 * 30);
  assert.ok(r.num_samples >= 2 * 30 - 4);
});

// Mean and standard error of the mean by batch means (20 batches), for
// autocorrelated waits.
function batchMeans(xs: readonly number[]): { mean: number; se: number } {
  const b = 20;
  const size = Math.floor(xs.length / b);
  const means: number[] = [];
  for (let j = 0; j < b; j++) {
    let s = 0;
    for (let k = j * size; k < (j + 1) * size; k++) s += xs[k];
    means.push(s / size);
  }
  const mean = means.reduce((a, x) => a + x, 0) / b;
  const v = means.reduce((a, x) => a + (x - mean) ** 2, 0) / (b - 1);
  return { mean, se: Math.sqrt(v / b) };
}

Deno.test("theory: one sequence at a time, two priority classes, waits are Cobham's (non-preemptive M/D/1)", () => {
  // Poisson arrivals of 0.3/s per class; service is the prefill of a
  // fixed prompt with a one-token reply: 1.0 s (class 0, priority 0) and
  // 1.5 s (class 1). rho = 0.3 + 0.45 = 0.75.
  const rng = new RandomStream(11, "cobham");
  const lambda = [0.3, 0.3];
  const serviceS = [1.0, 1.5];
  const rows: Row[] = [];
  const next = [rng.exponential(1 / lambda[0]), rng.exponential(1 / lambda[1])];
  while (rows.length < 400_000) {
    const k = next[0] <= next[1] ? 0 : 1;
    rows.push([next[k], serviceS[k] * 100, 1, k]);
    next[k] += rng.exponential(1 / lambda[k]);
  }
  const run = (schedulingPolicy: QueueOrderName) => {
    const r = runBatchedCluster(listSource(rows), {
      instances: 1,
      expectedRequests: rows.length,
      instance: config({
        stepTime: rateStepTime({
          prefillTokensPerS: 100,
          decodeTokensPerS: 10,
        }),
        schedulingPolicy,
        queueContext: {
          classPriority: [0, 1],
          sjfKey: "prompt",
          sjfPredictionError: 0,
          rng: new RandomStream(1, "p"),
        },
      }),
    }).records;
    const waits: number[][] = [[], []];
    // The first 10% are warm-up.
    for (let i = Math.floor(r.count / 10); i < r.count; i++) {
      waits[r.classIndex[i]].push(r.prefillStartS[i] - r.arrivalS[i]);
    }
    return waits.map(batchMeans);
  };
  // Cobham: W_k = W0 / ((1 - sigma_{k-1}) (1 - sigma_k)), W0 = sum lambda E[S^2] / 2.
  const w0 = (lambda[0] * 1.0 ** 2 + lambda[1] * 1.5 ** 2) / 2;
  const rho0 = lambda[0] * serviceS[0];
  const rho = rho0 + lambda[1] * serviceS[1];
  const expected = [w0 / (1 - rho0), w0 / ((1 - rho0) * (1 - rho))];
  const prio = run("priority");
  for (let k = 0; k < 2; k++) {
    const { mean, se } = prio[k];
    assert.ok(
      Math.abs(mean - expected[k]) < 4 * se,
      `class ${k}: ${mean} vs ${expected[k]} (se ${se})`,
    );
  }
  // FCFS: Pollaczek-Khinchine, the same wait for both.
  const pk = w0 / (1 - rho);
  for (const { mean, se } of run("fcfs")) {
    assert.ok(
      Math.abs(mean - pk) < 4 * se,
      `fcfs: ${mean} vs ${pk} (se ${se})`,
    );
  }
});
