/**
 * `deno task bench`: simulated requests per second and memory for the
 * guide's default scenario scaled to 1,000,000 requests, in both modes.
 * Speed is measured here, never in a unit test.
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

const REQUESTS = Number(Deno.args[0] ?? 1_000_000);
const RATE = 2;

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
  const t0 = performance.now();
  const run = runExclusive(scenario, scenarioWorkload(scenario));
  const t1 = performance.now();
  summarize(summaryRun(scenario), run.records, run.endS);
  const t2 = performance.now();
  const n = run.records.count;
  return {
    mode,
    requests: n,
    simulate_s: (t1 - t0) / 1000,
    requests_per_s: n / ((t1 - t0) / 1000),
    with_summary_requests_per_s: n / ((t2 - t0) / 1000),
    rss_mib: Deno.memoryUsage().rss / 2 ** 20,
  };
}

// Llama-3.1-8B on 8 H100s (roofline step times, chunked prefill): the
// shipped examples stretched to REQUESTS requests. Iterations, not tokens,
// are the events.
function benchBatched(file: string) {
  const text = Deno.readTextFileSync(
    new URL(`../examples/${file}`, import.meta.url),
  );
  const base = parseScenario(text);
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

const rows = [bench("mono"), bench("disagg")];
const batched = [
  benchBatched("llama3_8b_h100_mono.yaml"),
  benchBatched("llama3_8b_h100_disagg.yaml"),
];
console.log(
  `records: ${RequestRecords.bytesPerRequest} bytes per request ` +
    `(+ up to 2x while growing; exact summary adds 9 x 8 bytes per measured request)`,
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
}
for (const b of batched) {
  console.log(
    `batched ${b.file}: ${b.requests} requests, ${b.iterations} iterations, ` +
      `${(b.tokens / 1e6).toFixed(0)} M output tokens in the window: ` +
      `${(b.requests_per_s / 1e3).toFixed(0)} k req/s with summary, ` +
      `rss ${b.rss_mib.toFixed(0)} MiB`,
  );
}
