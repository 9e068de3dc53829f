/**
 * Study benchmark: the searches users wait on, on the Llama-3.1-8B / H100
 * example (examples/llama3_8b_h100_mono.yaml), with the default workers:
 * `capacity`, `plan --gpus 8` (pruned, and exhaustive to check that the
 * pruned plan names the same best placement per architecture and the same
 * rate bands) and `plan --gpus 16` (pruned). Wall-clock seconds, workers'
 * start-up included; simulations counted from the capacity evaluations.
 *
 * @module
 */

import { capacity } from "../lib/analysis/capacity.ts";
import { plan, type PlanRow } from "../lib/analysis/plan.ts";
import { cheapestByRate } from "../lib/analysis/plan_bands.ts";
import { parseScenario } from "../lib/scenario/load.ts";

const base = parseScenario(
  Deno.readTextFileSync(
    new URL("../examples/llama3_8b_h100_mono.yaml", import.meta.url),
  ),
);

async function timed<T>(f: () => T | Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await f();
  return [out, (performance.now() - t0) / 1000];
}

function simulations(rows: readonly PlanRow[]): number {
  return rows.reduce(
    (n, r) =>
      n + (r.capacity?.evaluations.filter((e) => e.simulated).length ?? 0),
    0,
  );
}

function bests(rows: readonly PlanRow[]): string {
  return ["mono", "disagg"].map((m) =>
    rows.find((r) => r.placement.mode === m && r.capacity)?.placement.name
  ).join(" | ");
}

const [cap, capS] = await timed(() => capacity(base));
console.log(
  `capacity: ${capS.toFixed(2)} s, ${
    cap.evaluations.filter((e) => e.simulated).length
  } of ${cap.evaluations.length} loads simulated, ${
    cap.rate_per_s.toFixed(2)
  } req/s`,
);
const [pruned8, pruned8S] = await timed(() => plan(base, { gpus: 8 }));
const [full8, full8S] = await timed(() =>
  plan(base, { gpus: 8, exhaustive: true })
);
const searched = (rows: readonly PlanRow[]) =>
  rows.filter((r) => r.capacity).length;
const same = bests(pruned8) === bests(full8) &&
  JSON.stringify(cheapestByRate(pruned8)) ===
    JSON.stringify(cheapestByRate(full8));
console.log(
  `plan --gpus 8: ${pruned8S.toFixed(1)} s pruned (${
    searched(pruned8)
  } of ${pruned8.length} placements searched, ${
    simulations(pruned8)
  } simulations), ${full8S.toFixed(1)} s exhaustive (${
    simulations(full8)
  } simulations); same best per architecture and rate bands: ${same}`,
);
const [pruned16, pruned16S] = await timed(() => plan(base, { gpus: 16 }));
console.log(
  `plan --gpus 16: ${pruned16S.toFixed(1)} s pruned (${
    searched(pruned16)
  } of ${pruned16.length} placements searched, ${
    simulations(pruned16)
  } simulations); best: ${bests(pruned16)}`,
);
