/**
 * Child process of memory_test.ts (run with `--v8-flags=--expose-gc`):
 * replays each trace file given, with sketch percentiles (or those of
 * LLMSIM_PERCENTILES, to see the test fail), and prints the V8 heap in use
 * and the memory of array buffers after each replay once garbage
 * collection has settled, that run's result still held (not the earlier
 * ones').
 *
 * @module
 */

import { simulate } from "../lib/analysis/simulate.ts";
import { validateScenario } from "../lib/scenario/validate.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --v8-flags=--expose-gc");

// Collects until the heap in use stops shrinking.
function settled(): number {
  let last = Infinity;
  for (let k = 0; k < 10; k++) {
    gc!();
    const used = Deno.memoryUsage().heapUsed;
    if (used >= last) return used;
    last = used;
  }
  return last;
}

const percentiles = Deno.env.get("LLMSIM_PERCENTILES") ?? "sketch";
const out: { rows: number; heapUsed: number; external: number }[] = [];
let held: unknown = null;
for (const file of Deno.args) {
  const r = simulate(validateScenario({
    mode: "mono",
    sim_seconds: 1e9,
    warmup_seconds: 1,
    trace: { file, format: "azure" },
    metrics: { percentiles },
    cluster_mono: {
      num_gpus: 64,
      prefill_tokens_per_s: 8000,
      decode_tokens_per_s: 2000,
    },
  }));
  held = r;
  const heapUsed = settled();
  out.push({
    rows: r.summary.num_requests as number,
    heapUsed,
    external: Deno.memoryUsage().external,
  });
}
console.log(JSON.stringify(out), held === null ? "" : "");
