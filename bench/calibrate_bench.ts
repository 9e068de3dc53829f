/**
 * Calibration benchmark: two measured runs of 300 requests each (light
 * loads of a Llama-3.1-8B H100 deployment whose engine differs from the
 * vllm-v0 preset it names), fitted with the default budget in one thread
 * and with 2 workers; reports wall time, candidates and simulations, and
 * checks both give the same fit.
 *
 * @module
 */

import { calibrate } from "../lib/calibrate/calibrate.ts";
import {
  measuredFromRecords,
  type MeasuredRun,
} from "../lib/calibrate/measured.ts";

import { simulate } from "../lib/analysis/simulate.ts";
import { validateScenario } from "../lib/scenario/validate.ts";

const BASE = {
  batching: "continuous",
  warmup_seconds: 0,
  prompt_tokens: { mode: "real_mean_std", mean: 600, std: 400, min_value: 8 },
  output_tokens: { mode: "real_mean_std", mean: 200, std: 150, min_value: 2 },
  hardware: { gpu: "H100-SXM", model: "Llama-3.1-8B" },
  step_time: { kind: "roofline" },
  cluster_mono: { num_gpus: 1 },
};

function measure(rate: number): MeasuredRun {
  const r = simulate(validateScenario({
    ...BASE,
    sim_seconds: 300 / rate,
    arrival: { rate_per_s: rate },
    random_seed: rate,
    engine: { preset: "vllm-v0", iteration_s: 0.003, request_s: 0.012 },
  })).records;
  return measuredFromRecords(r, `rate${rate}.csv`);
}

const runs = [measure(4), measure(8)];
const base = validateScenario({
  ...BASE,
  sim_seconds: 60,
  engine: { preset: "vllm-v0" },
});
const fits: string[] = [];
for (const jobs of [1, 2]) {
  const t0 = performance.now();
  const r = await calibrate(base, runs, { jobs });
  const s = (performance.now() - t0) / 1000;
  fits.push(JSON.stringify(r.fitted));
  console.log(
    `calibrate ${runs.map((x) => x.requests.length).join(" + ")} requests, ` +
      `--jobs ${jobs}: ${s.toFixed(2)} s, ${r.evaluations} candidates, ` +
      `${r.simulations} simulations, objective ${
        r.objective.before.toFixed(4)
      } -> ${r.objective.after.toFixed(5)}`,
  );
}
console.log(`same fit with 1 and 2 workers: ${fits[0] === fits[1]}`);
