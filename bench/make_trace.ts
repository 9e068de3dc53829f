/**
 * Writes the trace-replay benchmark's traces: an Azure-format trace of N
 * rows under out/bench/ (kept; written again only when missing). It runs in
 * a process of its own, before the replays, so that the memory the writing
 * takes is never counted against a replay (`deno task bench` runs it first).
 *
 * Usage: `deno run --allow-read --allow-write=out bench/make_trace.ts 1000000 10000000`
 *
 * @module
 */

/** Where the traces are written. */
export const TRACE_DIR: URL = new URL("../out/bench/", import.meta.url);

/**
 * The path of the benchmark's trace of `rows` rows (written or not).
 *
 * @param rows Trace rows.
 * @returns The file's path.
 */
export function tracePath(rows: number, dir: URL = TRACE_DIR): string {
  return new URL(`azure_${rows}.csv`, dir).pathname;
}

/**
 * Writes a Poisson trace at 200 requests per second with
 * Azure-conversation-like lengths, in Azure's format (absolute timestamps, 7
 * digits), unless the file is already there. The same rows every time (a
 * fixed seed).
 *
 * @param rows Trace rows.
 * @param dir The folder to write into (default out/bench/).
 * @returns The file's path.
 */
export function makeTrace(rows: number, dir: URL = TRACE_DIR): string {
  const path = tracePath(rows, dir);
  try {
    if (Deno.statSync(path).size > 0) return path;
  } catch { /* not there yet */ }
  Deno.mkdirSync(dir, { recursive: true });
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

if (import.meta.main) {
  for (const arg of Deno.args) makeTrace(Number(arg));
}
