/**
 * `deno task bench`: simulated requests per second and memory for the
 * guide's default scenario scaled to 1,000,000 requests, in both modes,
 * and the mono run against a bare typed-array loop of the same shape
 * (`_bare_loop.ts`) in the same process. Speed is measured here, never in
 * a unit test.
 *
 * @module
 */

import { runExclusive } from "../lib/serving/exclusive.ts";
import { simulate } from "../lib/analysis/simulate.ts";
import { parseScenario } from "../lib/scenario/load.ts";
import { RequestRecords } from "../lib/metrics/records.ts";
import { summarize } from "../lib/metrics/summary.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import { summaryRun } from "../lib/analysis/summary_run.ts";
import { meanRate } from "../lib/workload/arrivals/mod.ts";
import type { ServingMode } from "../lib/scenario/types.ts";
import { scenarioWorkload } from "../lib/workload/workload.ts";
import { lognormalParams } from "../lib/workload/tokens.ts";
import {
  type BareScenario,
  latencyFigures,
  runBareLoop,
} from "./_bare_loop.ts";

const REQUESTS = Number(Deno.args[0] ?? 1_000_000);
const RATE = 2;

// Each timing is the median of ROUNDS runs, model and bare loop taken in
// turn, so that noise from other processes falls on both alike.
const ROUNDS = 3;

const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[xs.length >> 1];

function bench(mode: ServingMode) {
  // The guide's default scenario, with the horizon stretched to REQUESTS.
  const scenario = validateScenario({
    mode,
    sim_seconds: REQUESTS / RATE,
    warmup_seconds: REQUESTS / RATE / 10,
  });
  // One warm-up pass at a tenth of the size lets the JIT settle.
  const small = { ...scenario, sim_seconds: scenario.sim_seconds / 10 };
  runExclusive(small, scenarioWorkload(small));
  const bare = mode === "mono" ? bareOf(scenario) : null;
  if (bare) {
    const warm = runBareLoop({
      ...bare,
      horizonS: small.sim_seconds,
      capacity: 1024,
    });
    latencyFigures(warm, small.warmup_seconds);
  }
  // Records sized for the expected requests, as `simulate` sizes them.
  const capacity = Math.ceil(RATE * scenario.sim_seconds * 1.05 + 64);
  const sim: number[] = [], withSummary: number[] = [], withFigures = [];
  const bareSim: number[] = [], bareFigures: number[] = [];
  let n = 0, same = true;
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    const run = runExclusive(scenario, scenarioWorkload(scenario), {
      records: new RequestRecords(capacity),
    });
    const t1 = performance.now();
    const figures = latencyFigures(run.records, scenario.warmup_seconds);
    const t2 = performance.now();
    summarize(summaryRun(scenario), run.records, run.endS);
    const t3 = performance.now();
    n = run.records.count;
    sim.push(t1 - t0);
    withFigures.push(t2 - t0);
    withSummary.push(t1 - t0 + t3 - t2);
    if (!bare) continue;
    const b0 = performance.now();
    const b = runBareLoop({ ...bare, capacity });
    const b1 = performance.now();
    const bf = latencyFigures(b, scenario.warmup_seconds);
    const b2 = performance.now();
    bareSim.push(b1 - b0);
    bareFigures.push(b2 - b0);
    // The bare loop must simulate the same requests to the same times.
    const r = run.records;
    same &&= b.count === n && b.endS === run.endS &&
      JSON.stringify(bf) === JSON.stringify(figures);
    for (let i = 0; same && i < n; i++) {
      same = b.arrivalS[i] === r.arrivalS[i] &&
        b.firstTokenS[i] === r.firstTokenS[i] && b.finishS[i] === r.finishS[i];
    }
  }
  const perS = (ms: number[]) => n / (median(ms) / 1000);
  return {
    mode,
    requests: n,
    simulate_s: median(sim) / 1000,
    requests_per_s: perS(sim),
    with_summary_requests_per_s: perS(withSummary),
    rss_mib: Deno.memoryUsage().rss / 2 ** 20,
    bare: bare && {
      same,
      requests_per_s: perS(bareSim),
      with_figures_requests_per_s: perS(bareFigures),
      model_with_figures_requests_per_s: perS(withFigures),
    },
  };
}

// The mono scenario reduced to the bare loop's numbers (the guide's
// defaults: Poisson arrivals, lognormal lengths of the `log` mode).
function bareOf(
  scenario: ReturnType<typeof validateScenario>,
): Omit<BareScenario, "capacity"> {
  const length = (d: typeof scenario.prompt_tokens) => ({
    ...lognormalParams(d)!,
    min: d.min_value,
  });
  const c = scenario.cluster_mono;
  if (scenario.arrival.process !== "poisson") throw new Error("not poisson");
  return {
    servers: c.num_gpus,
    prefillTokensPerS: c.prefill_tokens_per_s,
    decodeTokensPerS: c.decode_tokens_per_s,
    ratePerS: scenario.arrival.rate_per_s,
    horizonS: scenario.sim_seconds,
    seed: scenario.random_seed,
    prompt: length(scenario.prompt_tokens),
    output: length(scenario.output_tokens),
  };
}

// A shipped example, validated.
function loadExample(file: string) {
  return parseScenario(
    Deno.readTextFileSync(new URL(`../examples/${file}`, import.meta.url)),
  );
}

// Llama-3.1-8B on 8 H100s (roofline step times, chunked prefill): the
// shipped examples stretched to REQUESTS requests. Iterations, not tokens,
// are the events.
function benchBatched(file: string) {
  const base = loadExample(file);
  const horizonS = REQUESTS / meanRate(base.arrival);
  const scenario = {
    ...base,
    sim_seconds: horizonS,
    warmup_seconds: horizonS / 10,
  };
  const t0 = performance.now();
  const r = simulate(scenario);
  const s = (performance.now() - t0) / 1000;
  return {
    file,
    requests: r.records.count,
    requests_per_s: r.records.count / s,
    iterations: r.summary.iterations,
    tokens: r.summary.output_tokens_per_s *
      (scenario.sim_seconds - scenario.warmup_seconds),
    rss_mib: Deno.memoryUsage().rss / 2 ** 20,
  };
}

// The same cluster under a closed loop of users at the open loop's load:
// 1,000 users with an exponential 6.5 s think time send about 100 requests
// a second (X = N / (R + Z) with R about 3.5 s), the example's rate; the
// run is REQUESTS requests, the first tenth warm-up. The closed loop's own
// cost is the retire hook that sends each user's next request.
const USERS = 1000;
const THINK_S = 6.5;
function benchClosedLoop(file: string) {
  const base = loadExample(file);
  // What validation makes of num_requests without sim_seconds.
  const scenario = {
    ...base,
    sim_seconds: Infinity,
    warmup_seconds: 0,
    num_requests: REQUESTS,
    warmup_requests: Math.floor(REQUESTS / 10),
    arrival: {
      process: "closed_loop" as const,
      concurrency: USERS,
      think_time_s: { mode: "exponential" as const, mean: THINK_S },
    },
  };
  // Open and closed runs in turn, ROUNDS each: the ratio of the medians.
  const open: number[] = [], closed: number[] = [];
  let throughput = 0, requests = 0;
  for (let k = 0; k < ROUNDS; k++) {
    open.push(benchBatched(file).requests_per_s);
    const t0 = performance.now();
    const r = simulate(scenario);
    closed.push(r.records.count / ((performance.now() - t0) / 1000));
    throughput = r.summary.throughput_rps;
    requests = r.records.count;
  }
  return {
    file,
    requests,
    requests_per_s: median(closed),
    open_requests_per_s: median(open),
    throughput_rps: throughput,
    rss_mib: Deno.memoryUsage().rss / 2 ** 20,
  };
}

// An example run as shipped (its own num_requests): the 8-node DeepSeek-V3
// disaggregation with expert parallelism and DP attention (issue 14's
// target: 100,000 requests in under 10 s on 2 cores).
function benchShipped(file: string) {
  const scenario = loadExample(file);
  const t0 = performance.now();
  const r = simulate(scenario);
  const s = (performance.now() - t0) / 1000;
  return {
    file,
    requests: r.records.count,
    seconds: s,
    iterations: r.summary.iterations,
    rss_mib: Deno.memoryUsage().rss / 2 ** 20,
  };
}

// Speculative decoding's cost to the simulator: the EAGLE example
// saturated (256 in flight, the prompts sent at once), with and without its
// `speculative` section. Each step draws every sequence's accepted tokens
// and rebases its progress, where a plain decode step is O(1).
const SPEC_REQUESTS = 20_000;
function benchSpeculative(file: string) {
  const base = loadExample(file);
  const scenario = {
    ...base,
    sim_seconds: Infinity,
    warmup_seconds: 0,
    num_requests: SPEC_REQUESTS,
    warmup_requests: SPEC_REQUESTS / 10,
    max_concurrency: 256,
    arrival: { process: "poisson" as const, rate_per_s: Infinity },
  };
  const run = (s: typeof scenario) => {
    const t0 = performance.now();
    const r = simulate(s);
    return {
      requests_per_s: r.records.count / ((performance.now() - t0) / 1000),
      steps: r.summary.iterations,
      tokens_per_step: r.summary.speculative_tokens_per_step,
    };
  };
  const plain = run({ ...scenario, speculative: undefined });
  const spec = run(scenario);
  return { file, requests: SPEC_REQUESTS, plain, spec };
}

const rows = [bench("mono"), bench("disagg")];
const batched = [
  benchBatched("llama3_8b_h100_mono.yaml"),
  benchBatched("llama3_8b_h100_disagg.yaml"),
];
const closed = benchClosedLoop("llama3_8b_h100_mono.yaml");
const shipped = benchShipped("deepseek_v3_ep_disagg.yaml");
const speculative = benchSpeculative("speculative_eagle.yaml");
console.log(
  `records: ${RequestRecords.bytesPerRequest} bytes per request ` +
    `while kept whole (+ up to 2x while growing); recycled, exact percentiles keep 34-66 bytes per measured request`,
);
for (const r of rows) {
  console.log(
    `${r.mode.padEnd(6)} ${r.requests} requests: ` +
      `${(r.requests_per_s / 1e6).toFixed(2)} M req/s simulate, ` +
      `${
        (r.with_summary_requests_per_s / 1e6).toFixed(2)
      } M req/s with summary, ` +
      `rss ${r.rss_mib.toFixed(0)} MiB`,
  );
  // Two ratios: simulation alone, and simulation plus the same figures
  // (mean, p50-p99 of TTFT and E2E of measured requests, the same code on
  // both sides). The model's full summary (every latency, utilisation,
  // backlog, ...) has no bare counterpart, so it gets no ratio.
  const b = r.bare;
  if (!b) continue;
  const m = (x: number) => `${(x / 1e6).toFixed(2)} M`;
  console.log(
    `bare loop, same ${r.requests} requests` +
      `${b.same ? " (same times)" : " (TIMES DIFFER)"}: ` +
      `${m(b.requests_per_s)} req/s simulate, model/bare ` +
      `${(r.requests_per_s / b.requests_per_s).toFixed(2)}; ` +
      `with TTFT and E2E mean, p50-p99: ${
        m(b.with_figures_requests_per_s)
      } req/s, model ${m(b.model_with_figures_requests_per_s)} req/s, ` +
      `model/bare ${
        (b.model_with_figures_requests_per_s / b.with_figures_requests_per_s)
          .toFixed(2)
      }`,
  );
}
for (const b of batched) {
  console.log(
    `batched ${b.file}: ${b.requests} requests, ${b.iterations} iterations, ` +
      `${(b.tokens / 1e6).toFixed(0)} M output tokens in the window: ` +
      `${(b.requests_per_s / 1e3).toFixed(0)} k req/s with summary, ` +
      `rss ${b.rss_mib.toFixed(0)} MiB`,
  );
}
console.log(
  `shipped ${shipped.file}: ${shipped.requests} requests, ` +
    `${shipped.iterations} iterations in ${shipped.seconds.toFixed(2)} s ` +
    `with summary, rss ${shipped.rss_mib.toFixed(0)} MiB`,
);
console.log(
  `speculative ${speculative.file} saturated (256 in flight, ` +
    `${speculative.requests} requests): ${
      (speculative.spec.requests_per_s / 1e3).toFixed(0)
    } k req/s with speculation (${
      speculative.spec.tokens_per_step?.toFixed(2)
    } tokens per step, ${speculative.spec.steps} steps), ${
      (speculative.plain.requests_per_s / 1e3).toFixed(0)
    } k without (${speculative.plain.steps} steps): ${
      (speculative.spec.requests_per_s / speculative.plain.requests_per_s)
        .toFixed(2)
    } of it`,
);
console.log(
  `closed loop ${closed.file} (${USERS} users, think ${THINK_S} s, ` +
    `${closed.throughput_rps.toFixed(1)} req/s served): ${closed.requests} ` +
    `requests: ${(closed.requests_per_s / 1e3).toFixed(0)} k req/s with ` +
    `summary, ${
      (closed.requests_per_s / closed.open_requests_per_s).toFixed(2)
    } of the open loop's ${
      (closed.open_requests_per_s / 1e3).toFixed(0)
    } k (medians of ${ROUNDS}, in turn), rss ${closed.rss_mib.toFixed(0)} MiB`,
);
