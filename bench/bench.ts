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
  summarize(scenario, run.records, run.endS);
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

// The batched example (4 instances, chunked prefill, 25 ms decode steps) at
// a tenth of the requests: iterations, not tokens, are its events.
function benchBatched() {
  const text = Deno.readTextFileSync(
    new URL("../examples/continuous_batching.yaml", import.meta.url),
  );
  const base = parseScenario(text);
  const horizonS = REQUESTS / 10 / base.arrival.rate_per_s;
  const scenario = {
    ...base,
    sim_seconds: horizonS,
    warmup_seconds: horizonS / 10,
  };
  const t0 = performance.now();
  const r = simulate(scenario);
  const s = (performance.now() - t0) / 1000;
  return {
    requests: r.records.count,
    requests_per_s: r.records.count / s,
    iterations: r.summary.iterations as number,
    rss_mib: Deno.memoryUsage().rss / 2 ** 20,
  };
}

const rows = [bench("mono"), bench("disagg")];
const batched = benchBatched();
console.log(
  `records: ${RequestRecords.bytesPerRequest} bytes per request ` +
    `(+ up to 2x while growing; summary adds 6 x 8 bytes per measured request)`,
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
console.log(
  `batched ${batched.requests} requests (${batched.iterations} iterations): ` +
    `${(batched.requests_per_s / 1e3).toFixed(0)} k req/s with summary, ` +
    `rss ${batched.rss_mib.toFixed(0)} MiB`,
);
