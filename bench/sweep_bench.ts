/**
 * Sweep benchmark: 100 points of the batched Llama-3.1-8B example (rates
 * 60 to 109.5 req/s) at 100,000 requests each, run with 1 and with 2
 * workers; reports the speed-up and checks the outcomes are identical.
 *
 * @module
 */

import { runTasks } from "../lib/analysis/pool.ts";
import type { Task } from "../lib/analysis/tasks.ts";
import { withParams } from "../lib/analysis/study.ts";
import { parseScenario } from "../lib/scenario/load.ts";

const POINTS = Number(Deno.args[0] ?? 100);
const REQUESTS = Number(Deno.args[1] ?? 100_000);

const base = parseScenario(
  Deno.readTextFileSync(
    new URL("../examples/llama3_8b_h100_mono.yaml", import.meta.url),
  ),
);
const tasks: Task[] = Array.from({ length: POINTS }, (_, k) => {
  const rate = 60 + k * 0.5;
  const horizon = REQUESTS / rate;
  return {
    kind: "simulate",
    scenario: withParams(base, {
      "arrival.rate_per_s": rate,
      sim_seconds: horizon,
      warmup_seconds: horizon / 10,
    }),
  };
});
const times: number[] = [];
const outputs: string[] = [];
for (const jobs of [1, 2]) {
  const t0 = performance.now();
  const out = await runTasks(tasks, { jobs });
  times.push((performance.now() - t0) / 1000);
  outputs.push(JSON.stringify(out));
}
console.log(
  `sweep ${POINTS} points x ${REQUESTS} requests: --jobs 1 ${
    times[0].toFixed(1)
  } s, --jobs 2 ${times[1].toFixed(1)} s, speed-up ${
    (times[0] / times[1]).toFixed(2)
  }x, identical outcomes: ${outputs[0] === outputs[1]}`,
);
