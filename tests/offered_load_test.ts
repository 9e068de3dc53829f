// The offered load predicted from the requests alone is the one the
// simulation reports, to the last bit, on every shipped example and at
// loads on both sides of 1: capacity and plan skip simulating a load whose
// verdict this makes certain, so any drift would change their answers.
import assert from "node:assert/strict";
import { predictedLoad, requestLengths } from "../lib/analysis/offered_load.ts";
import { simulate } from "../lib/analysis/simulate.ts";
import { scaleLoad } from "../lib/analysis/capacity.ts";
import { loadScenarioFile } from "../lib/scenario/load.ts";
import { buildWorkload, traceHasSessions } from "../lib/workload/workload.ts";

const EXAMPLES = new URL("../examples/", import.meta.url);

async function examples() {
  const files = [...Deno.readDirSync(EXAMPLES)]
    .filter((e) => e.isFile && e.name.endsWith(".yaml"))
    .map((e) => e.name)
    .sort();
  const out = [];
  for (const name of files) {
    const s = await loadScenarioFile(new URL(name, EXAMPLES).pathname);
    out.push({ name, scenario: s });
  }
  return out;
}

Deno.test("predicted offered load equals the simulated one on every example", async () => {
  for (const { name, scenario } of await examples()) {
    // Closed loops, infinite rates and sessions' later turns: the users set
    // the rate, known only after the run (the summary measures it; see
    // tests/closed_loop_test.ts and tests/sessions_test.ts).
    if (
      scenario.arrival.process === "closed_loop" ||
      scenario.arrival.rate_per_s === Infinity || scenario.sessions ||
      (scenario.trace && traceHasSessions(scenario.trace))
    ) continue;
    // Shorter runs: the identity does not depend on the horizon.
    const s = scenario.trace ? scenario : {
      ...scenario,
      sim_seconds: Math.min(scenario.sim_seconds, 60),
      warmup_seconds: Math.min(scenario.warmup_seconds, 6),
    };
    for (const factor of [0.5, 3]) {
      const scaled = scaleLoad(s, factor);
      const p = predictedLoad(scaled);
      const { summary } = simulate(scaled);
      assert.deepEqual(p.shares, summary.offered_load, `${name} x${factor}`);
      assert.equal(p.ratePerS, summary.arrival_rate_per_s, name);
      // The count the early stop's rule divides by: exact from the
      // requests, and from the clocks alone at least as large (refused
      // requests are among the arrivals).
      // Requests refused by a full waiting room or abandoned were among
      // them.
      const unserved = (summary.rejected_queue_full ?? 0) +
        (summary.abandoned_requests ?? 0);
      assert.equal(
        requestLengths(scaled).measured,
        summary.num_samples + unserved,
        name,
      );
      const arrivals = buildWorkload(scaled).countArrivals?.(
        scaled.warmup_seconds,
      );
      if (arrivals !== undefined) {
        const refused = (summary.rejected_requests ?? 0) +
          (summary.abandoned_requests ?? 0);
        assert.ok(arrivals >= summary.num_samples, name);
        if (refused === 0) assert.equal(arrivals, summary.num_samples, name);
      }
      // The verdict follows the load: overloaded exactly at 1 or more.
      assert.equal(
        summary.saturation === "overloaded",
        p.maxLoad >= 1,
        `${name} x${factor}: ${summary.saturation} at ${p.maxLoad}`,
      );
    }
  }
});
