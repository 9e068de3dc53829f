/**
 * Trace-replay benchmark: replays the Azure-format trace of N rows that
 * bench/make_trace.ts wrote under out/bench/ (in a process of its own,
 * before this one, so that writing it is never counted here) through the
 * prototype's model, and reports rows per second, the V8 heap in use and
 * the resident set after the run (the samples of exact percentiles are
 * still resident then: nothing has given their memory back). Percentiles are sketched unless
 * the second argument says `exact` (then no record is kept: the summary
 * keeps its compact samples only). Each size runs in a fresh process
 * (`deno task bench` starts them), so the resident sets compare directly.
 *
 * Usage: `deno run --allow-read bench/trace_replay.ts 1000000 [sketch|exact]`
 *
 * @module
 */

import { simulate } from "../lib/analysis/simulate.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import { tracePath } from "./make_trace.ts";

/** What {@linkcode replay} measured. */
export interface ReplayFigures {
  /** Rows replayed. */
  rows: number;
  /** Rows per second of the replay. */
  rowsPerS: number;
  /** Resident set after the run, MiB. */
  rssMiB: number;
  /** V8 heap in use after the run, MiB. */
  heapUsedMiB: number;
}

/**
 * Replays the generated trace of `rows` rows and reports the figures.
 *
 * @param rows Trace rows (bench/make_trace.ts must have written them).
 * @param percentiles `sketch` or `exact`.
 * @returns Rows replayed, rows per second, resident set and heap.
 */
export function replay(
  rows: number,
  percentiles: "sketch" | "exact" = "sketch",
): ReplayFigures {
  const file = tracePath(rows);
  try {
    Deno.statSync(file);
  } catch {
    throw new Error(
      `${file}: missing; write it first with deno run --allow-read --allow-write=out bench/make_trace.ts ${rows}`,
    );
  }
  // Enough GPUs for 200 req/s at these lengths (offered load about 0.6).
  const scenario = validateScenario({
    mode: "mono",
    sim_seconds: 1e9,
    warmup_seconds: 60,
    trace: { file, format: "azure" },
    metrics: { percentiles },
    cluster_mono: {
      num_gpus: 64,
      prefill_tokens_per_s: 8000,
      decode_tokens_per_s: 2000,
    },
  });
  const t0 = performance.now();
  const r = simulate(scenario, { keepRecords: false });
  const s = (performance.now() - t0) / 1000;
  const n = r.summary.trace_rows as number;
  const m = Deno.memoryUsage();
  return {
    rows: n,
    rowsPerS: n / s,
    rssMiB: m.rss / 2 ** 20,
    heapUsedMiB: m.heapUsed / 2 ** 20,
  };
}

if (import.meta.main) {
  const percentiles = Deno.args[1] === "exact" ? "exact" : "sketch";
  const r = replay(Number(Deno.args[0] ?? 1_000_000), percentiles);
  console.log(
    `trace replay ${r.rows} rows, ${percentiles} percentiles: ${
      (r.rowsPerS / 1e6).toFixed(2)
    } M rows/s, heap in use ${r.heapUsedMiB.toFixed(0)} MiB, rss ${
      r.rssMiB.toFixed(0)
    } MiB`,
  );
}
