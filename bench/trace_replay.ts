/**
 * Trace-replay benchmark: generates an Azure-format trace of N rows under
 * out/bench/ (once), replays it through the prototype's model with sketch
 * percentiles, and reports rows per second and memory. Each size runs in a
 * fresh process (`deno task bench` starts them), so the resident sets of 1
 * and 10 million rows compare directly.
 *
 * @module
 */

import { simulate } from "../lib/analysis/simulate.ts";
import { validateScenario } from "../lib/scenario/validate.ts";

const DIR = new URL("../out/bench/", import.meta.url);

// A Poisson trace at 200 requests per second with Azure-conversation-like
// lengths, written in Azure's format (absolute timestamps, 7 digits).
function generate(rows: number): string {
  const path = new URL(`azure_${rows}.csv`, DIR).pathname;
  try {
    if (Deno.statSync(path).size > 0) return path;
  } catch { /* not there yet */ }
  Deno.mkdirSync(DIR, { recursive: true });
  const file = Deno.openSync(path + ".tmp", {
    write: true,
    create: true,
    truncate: true,
  });
  const enc = new TextEncoder();
  let state = 12345;
  const rand = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state + 0.5) / 4294967296;
  };
  const start = Date.UTC(2023, 10, 16, 18, 0, 0) / 1000;
  let t = 0;
  let chunk: string[] = ["TIMESTAMP,ContextTokens,GeneratedTokens"];
  const pad = (n: number, w: number) => String(n).padStart(w, "0");
  for (let i = 0; i < rows; i++) {
    t += -Math.log(rand()) / 200;
    const abs = start + t;
    const d = new Date(Math.floor(abs) * 1000);
    const frac = Math.floor((abs - Math.floor(abs)) * 1e7);
    const stamp = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${
      pad(d.getUTCDate(), 2)
    } ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${
      pad(d.getUTCSeconds(), 2)
    }.${pad(frac, 7)}`;
    const prompt = 1 + Math.floor(Math.exp(6.8 + 0.8 * gauss(rand)));
    const output = 1 + Math.floor(Math.exp(5.2 + 0.7 * gauss(rand)));
    chunk.push(`${stamp},${prompt},${output}`);
    if (chunk.length >= 100_000) {
      file.writeSync(enc.encode(chunk.join("\n") + "\n"));
      chunk = [];
    }
  }
  if (chunk.length > 0) file.writeSync(enc.encode(chunk.join("\n") + "\n"));
  file.close();
  Deno.renameSync(path + ".tmp", path);
  return path;
}

function gauss(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
}

/**
 * Replays a generated trace of `rows` rows and reports the figures.
 *
 * @param rows Trace rows.
 * @returns Rows replayed, rows per second, and the resident set and V8 heap
 * in use after the run.
 */
export function replay(rows: number): {
  rows: number;
  rowsPerS: number;
  rssMiB: number;
  heapUsedMiB: number;
} {
  const file = generate(rows);
  // Enough GPUs for 200 req/s at these lengths (offered load about 0.6).
  const scenario = validateScenario({
    mode: "mono",
    sim_seconds: 1e9,
    warmup_seconds: 60,
    trace: { file, format: "azure" },
    metrics: { percentiles: "sketch" },
    cluster_mono: {
      num_gpus: 64,
      prefill_tokens_per_s: 8000,
      decode_tokens_per_s: 2000,
    },
  });
  const t0 = performance.now();
  const r = simulate(scenario);
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
  const r = replay(Number(Deno.args[0] ?? 1_000_000));
  console.log(
    `trace replay ${r.rows} rows: ${(r.rowsPerS / 1e6).toFixed(2)} M rows/s, ` +
      `rss ${r.rssMiB.toFixed(0)} MiB, heap in use ${
        r.heapUsedMiB.toFixed(0)
      } MiB`,
  );
}
