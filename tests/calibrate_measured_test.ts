/**
 * Measured runs for calibration: the CSV layout, vLLM's benchmark JSON, the
 * generated arrivals and the summary metrics. Expected values are worked by
 * hand from the fixtures (tests/fixtures/calibrate/README.md).
 *
 * @module
 */

import assert from "node:assert/strict";
import { InputError } from "../lib/errors.ts";
import {
  measuredMetrics,
  type MeasuredRun,
  measuredSource,
  readMeasuredFile,
  type ReadMeasuredOptions,
  readMeasuredRun,
} from "../lib/calibrate/measured.ts";

const FIXTURES = new URL("./fixtures/calibrate/", import.meta.url);
const CSV = new URL("measured_small.csv", FIXTURES).pathname;
const VLLM = new URL("vllm_bench_small.json", FIXTURES).pathname;

const HEADER = "arrival_s,prompt_tokens,output_tokens,ttft_s,e2e_s";

function close(actual: number, expected: number, what: string, tol = 1e-9) {
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what}: expected ${expected}, got ${actual}`,
  );
}

/** The InputError message of reading `text`, which must throw. */
function csvError(text: string): string {
  return errorOf(() => readMeasuredRun("run.csv", text, "csv"));
}

function benchError(text: string): string {
  return errorOf(() => readMeasuredRun("bench.json", text, "vllm-bench"));
}

function errorOf(read: () => unknown): string {
  try {
    read();
  } catch (e) {
    assert.ok(e instanceof InputError, `not an InputError: ${e}`);
    assert.ok(!e.message.includes("\n"), `not one line: ${e.message}`);
    return e.message;
  }
  assert.fail("expected an InputError");
}

function startsWith(message: string, prefix: string) {
  assert.ok(
    message.startsWith(prefix),
    `expected a message starting ${JSON.stringify(prefix)}, got ${
      JSON.stringify(message)
    }`,
  );
}

// ---------------------------------------------------------------------------
// CSV

Deno.test("csv: shuffled columns, extra columns, comments, origin moved to 0", () => {
  const run = readMeasuredFile(CSV, "csv");
  assert.equal(run.source, CSV);
  assert.equal(run.format, "csv");
  assert.equal(run.arrivalsKnown, true);
  assert.equal(run.failedRequests, 0);
  // Sorted by arrival; r1 and r4 tie at +0.5 s and keep their file order.
  assert.deepEqual(
    run.requests.map((r) => [r.arrivalS, r.promptTokens, r.outputTokens]),
    [[0, 64, 1], [0.5, 512, 9], [0.5, 256, 5], [1.25, 1024, 11]],
  );
  const [r2, r1, r4, r3] = run.requests;
  assert.equal(r2.ttftS, 0.4);
  assert.equal(r2.e2eS, 0.4);
  assert.equal(r2.tpotS, undefined);
  close(r1.tpotS!, (0.95 - 0.15) / 8, "r1 tpot");
  close(r4.tpotS!, (0.5 - 0.1) / 4, "r4 tpot");
  close(r3.tpotS!, (1.3 - 0.3) / 10, "r3 tpot");
});

Deno.test("csv: metrics by hand", () => {
  const m = measuredMetrics(readMeasuredFile(CSV, "csv"));
  assert.equal(m.num_requests, 4);
  // TTFTs sorted: 0.1, 0.15, 0.3, 0.4.
  close(m.mean_ttft_s, 0.2375, "mean ttft");
  close(m.p50_ttft_s, 0.225, "p50 ttft"); // rank 1.5
  close(m.p90_ttft_s, 0.3 + 0.7 * 0.1, "p90 ttft"); // rank 2.7
  // TPOTs of r1, r3, r4 (r2 has one output token): all 0.1.
  close(m.mean_tpot_s, 0.1, "mean tpot");
  close(m.p90_tpot_s, 0.1, "p90 tpot");
  close(m.mean_e2e_s, (0.95 + 0.4 + 1.3 + 0.5) / 4, "mean e2e");
  // Last completion: r3 at 1.25 + 1.3.
  close(m.duration_s, 2.55, "duration");
  close(m.request_rate_per_s, 4 / 2.55, "rate");
});

Deno.test("csv: negative arrivals are an origin like any other", () => {
  const run = readMeasuredRun(
    "run.csv",
    `${HEADER}\n-2.5,10,2,0.1,0.3\n-3,10,2,0.1,0.3\r\n`,
    "csv",
  );
  assert.deepEqual(run.requests.map((r) => r.arrivalS), [0, 0.5]);
});

Deno.test("csv: a missing column is named, with a suggestion", () => {
  const m = csvError(
    "# comment\narrival_s,prompt_tokens,output_tokens,ttft_ms,e2e_s\n0,1,1,1,1\n",
  );
  startsWith(m, 'run.csv:2: missing column "ttft_s" (did you mean "ttft_ms"?)');
  assert.match(m, /the header has "arrival_s", .*"e2e_s"$/);
  // No suggestion when nothing is close.
  const n = csvError("arrival_s,prompt_tokens,output_tokens,ttft_s,zzz\n");
  assert.equal(
    n,
    'run.csv:1: missing column "e2e_s"; the header has "arrival_s", "prompt_tokens", "output_tokens", "ttft_s", "zzz"',
  );
});

Deno.test("csv: every bad value names its line, column and value", () => {
  const cases: [string, string][] = [
    [
      "x,10,2,0.1,0.3",
      'run.csv:3: arrival_s: must be a finite number, got "x"',
    ],
    ["0,10,2,abc,0.3", 'run.csv:3: ttft_s: must be a finite number, got "abc"'],
    ["0,10,2,0.1,", 'run.csv:3: e2e_s: must be a finite number, got ""'],
    [
      "0,10,2,0.1,1e999",
      'run.csv:3: e2e_s: must be a finite number, got "1e999"',
    ],
    ["0,10,2,inf,0.3", 'run.csv:3: ttft_s: must be a finite number, got "inf"'],
    ["0,10,2,NaN,0.3", 'run.csv:3: ttft_s: must be a finite number, got "NaN"'],
    ["0,10,2,0x1,0.3", 'run.csv:3: ttft_s: must be a finite number, got "0x1"'],
    ["0,10,2,-0.1,0.3", "run.csv:3: ttft_s: must be >= 0, got -0.1"],
    ["0,10,2,0.1,-2", "run.csv:3: e2e_s: must be >= 0, got -2"],
    [
      "0,2.5,2,0.1,0.3",
      'run.csv:3: prompt_tokens: must be a whole number >= 1, got "2.5"',
    ],
    [
      "0,10,0,0.1,0.3",
      'run.csv:3: output_tokens: must be a whole number >= 1, got "0"',
    ],
    [
      "0,-4,2,0.1,0.3",
      'run.csv:3: prompt_tokens: must be a whole number >= 1, got "-4"',
    ],
    ["0,10,2,0.5,0.4", "run.csv:3: ttft_s (0.5) must not exceed e2e_s (0.4)"],
    ["0,10,2,0.1", "run.csv:3: 4 fields, the header (line 1) has 5"],
    ['0,10,2,0.1,"0.3', "run.csv:3: unterminated quoted field (field 5)"],
  ];
  for (const [row, expected] of cases) {
    // Line 2 is good, so the bad row is line 3.
    assert.equal(csvError(`${HEADER}\n0,1,1,0,0\n${row}\n`), expected, row);
  }
  // Blank and comment lines count towards line numbers.
  assert.equal(
    csvError(`\n# c\n${HEADER}\n\n0,10,2,abc,0.3\n`),
    'run.csv:5: ttft_s: must be a finite number, got "abc"',
  );
});

Deno.test("csv: a whole number written with a zero fraction is accepted", () => {
  const run = readMeasuredRun("run.csv", `${HEADER}\n0,12.0,3.,0,0.2\n`, "csv");
  assert.equal(run.requests[0].promptTokens, 12);
  assert.equal(run.requests[0].outputTokens, 3);
});

Deno.test("csv: empty files and files without rows", () => {
  assert.equal(
    csvError(""),
    "run.csv: empty file: expected a header with the columns arrival_s, prompt_tokens, output_tokens, ttft_s, e2e_s",
  );
  startsWith(csvError("# only a comment\n\n  \n"), "run.csv: empty file: ");
  assert.equal(
    csvError(`# c\n${HEADER}\n\n# no rows\n`),
    "run.csv: no data rows after the header (line 2)",
  );
  assert.equal(
    csvError(`${HEADER},ttft_s\n`),
    'run.csv:1: column "ttft_s" appears twice (fields 4 and 6)',
  );
});

Deno.test("csv: a missing or unreadable file names the file", () => {
  startsWith(
    errorOf(() => readMeasuredFile("/no/such/dir/run.csv", "csv")),
    "/no/such/dir/run.csv: file not found",
  );
  startsWith(
    errorOf(() => readMeasuredFile("/proc/self/mem", "csv")),
    "/proc/self/mem: cannot read: ",
  );
});

// ---------------------------------------------------------------------------
// vllm-bench

Deno.test("vllm-bench: the fixture, with a failed request and start times", () => {
  const run = readMeasuredFile(VLLM, "vllm-bench");
  assert.equal(run.format, "vllm-bench");
  assert.equal(run.arrivalsKnown, true);
  assert.equal(run.failedRequests, 1);
  assert.equal(run.maxConcurrency, 2);
  assert.equal(run.requestRatePerS, 4);
  assert.equal(run.burstiness, 1);
  assert.equal(run.durationS, 1.9);
  // Sorted by start time: file requests 0, 3, 1, 4 (2 failed).
  assert.deepEqual(
    run.requests.map((r) => [r.promptTokens, r.outputTokens]),
    [[512, 4], [128, 3], [256, 1], [2048, 2]],
  );
  const arrivals = run.requests.map((r) => r.arrivalS);
  [0, 0.1, 0.25, 1.0].forEach((t, i) =>
    close(arrivals[i], t, `arrival ${i}`, 1e-9)
  );
  assert.equal(arrivals[0], 0);
  // e2e is `latencies`; TPOT is vLLM's (latency - ttft) / (output - 1).
  assert.deepEqual(run.requests.map((r) => r.e2eS), [0.195, 0.2, 0.08, 0.35]);
  close(run.requests[0].tpotS!, 0.075 / 3, "tpot 0");
  close(run.requests[1].tpotS!, 0.05, "tpot 1");
  assert.equal(run.requests[2].tpotS, undefined);
  close(run.requests[3].tpotS!, 0.05, "tpot 3");
});

Deno.test("vllm-bench: metrics of the fixture by hand match vLLM's summary", () => {
  const m = measuredMetrics(readMeasuredFile(VLLM, "vllm-bench"));
  const file = JSON.parse(Deno.readTextFileSync(VLLM));
  assert.equal(m.num_requests, 4);
  // TTFTs sorted: 0.08, 0.10, 0.12, 0.30.
  close(m.mean_ttft_s, 0.15, "mean ttft");
  close(m.mean_ttft_s * 1000, file.mean_ttft_ms, "mean ttft vs vLLM");
  close(m.p50_ttft_s, 0.11, "p50 ttft");
  close(m.p50_ttft_s * 1000, file.median_ttft_ms, "median ttft vs vLLM");
  close(m.p90_ttft_s, 0.12 + 0.7 * 0.18, "p90 ttft");
  // TPOTs 0.025, 0.05, 0.05.
  close(m.mean_tpot_s, 0.125 / 3, "mean tpot");
  close(m.mean_tpot_s * 1000, file.mean_tpot_ms, "mean tpot vs vLLM");
  close(m.p90_tpot_s, 0.05, "p90 tpot");
  close(m.mean_e2e_s, 0.825 / 4, "mean e2e");
  // Last completion: 1.0 + 0.35.
  close(m.duration_s, 1.35, "duration");
  close(m.request_rate_per_s, 4 / 1.35, "rate");
});

/** The fixture as an object, to edit. */
function fixture(): Record<string, unknown> {
  return JSON.parse(Deno.readTextFileSync(VLLM));
}

Deno.test("vllm-bench: without latencies, e2e is ttft + sum(itls)", () => {
  const d = fixture();
  delete d.latencies;
  const run = readMeasuredRun("bench.json", JSON.stringify(d), "vllm-bench");
  const e2e = run.requests.map((r) => r.e2eS);
  [0.195, 0.2, 0.08, 0.35].forEach((t, i) => close(e2e[i], t, `e2e ${i}`));
});

Deno.test("vllm-bench: an older file without start_times gets generated arrivals", () => {
  const d = fixture();
  delete d.latencies;
  delete d.start_times;
  delete d.queue_times;
  const run = readMeasuredRun("bench.json", JSON.stringify(d), "vllm-bench", {
    seed: 3,
  });
  assert.equal(run.arrivalsKnown, false);
  assert.equal(run.failedRequests, 1);
  // File order now (generated arrivals do not decrease).
  assert.deepEqual(run.requests.map((r) => r.promptTokens), [
    512,
    256,
    128,
    2048,
  ]);
  assert.equal(run.requests[0].arrivalS, 0);
  for (let i = 1; i < run.requests.length; i++) {
    assert.ok(run.requests[i].arrivalS >= run.requests[i - 1].arrivalS);
  }
  assert.ok(run.requests[3].arrivalS > 0);
});

/**
 * A benchmark JSON of n successful requests without start times, as
 * benchmarks/benchmark_serving.py or an older `vllm bench serve` saves it.
 */
function generatedJson(
  n: number,
  settings: Record<string, unknown>,
  failed: number[] = [],
): string {
  const bad = new Set(failed);
  return JSON.stringify({
    backend: "vllm",
    num_prompts: n,
    ...settings,
    input_lens: Array.from({ length: n }, (_, i) => 100 + i),
    output_lens: Array.from({ length: n }, (_, i) => bad.has(i) ? 0 : 10),
    ttfts: Array.from({ length: n }, (_, i) => bad.has(i) ? 0 : 0.05),
    itls: Array.from(
      { length: n },
      (_, i) => bad.has(i) ? [] : Array(9).fill(0.01),
    ),
    generated_texts: Array.from({ length: n }, () => ""),
    errors: Array.from({ length: n }, (_, i) => bad.has(i) ? "timeout" : ""),
  });
}

function arrivalsOf(text: string, options: ReadMeasuredOptions = {}): number[] {
  return readMeasuredRun("bench.json", text, "vllm-bench", options).requests
    .map((r) => r.arrivalS);
}

/** Mean and coefficient of variation of the gaps between arrivals. */
function gapStats(arrivals: number[]): { mean: number; cv: number } {
  const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const variance = gaps.reduce((a, g) => a + (g - mean) ** 2, 0) /
    (gaps.length - 1);
  return { mean, cv: Math.sqrt(variance) / mean };
}

Deno.test("vllm-bench: generated arrivals have the requested rate and burstiness", () => {
  const n = 4000;
  const rate = 5;
  for (const burstiness of [0.5, 1, 4]) {
    const text = generatedJson(n, { request_rate: rate, burstiness });
    const arrivals = arrivalsOf(text, { seed: 11, rescaleArrivals: false });
    assert.equal(arrivals.length, n);
    assert.equal(arrivals[0], 0);
    // n - 1 i.i.d. gamma gaps with shape k and mean 1 / rate: their mean has
    // relative standard error 1 / sqrt(k (n - 1)); allow 4 of them.
    const { mean, cv } = gapStats(arrivals);
    const meanTol = 4 / Math.sqrt(burstiness * (n - 1));
    assert.ok(
      Math.abs(mean * rate - 1) <= meanTol,
      `burstiness ${burstiness}: mean gap ${mean}, expected ${
        1 / rate
      } within ${meanTol} relative`,
    );
    // The gaps' CV is 1 / sqrt(k). The sample SD's relative standard error
    // is about sqrt((2 + excess kurtosis 6 / k) / (n - 1)) / 2; allow 5.
    const cvTol = 5 * Math.sqrt((2 + 6 / burstiness) / (n - 1)) / 2;
    const expectedCv = 1 / Math.sqrt(burstiness);
    assert.ok(
      Math.abs(cv / expectedCv - 1) <= cvTol,
      `burstiness ${burstiness}: gap CV ${cv}, expected ${expectedCv} within ${cvTol} relative`,
    );
  }
});

Deno.test("vllm-bench: rescaled arrivals end at n / rate, as vllm bench serve", () => {
  const n = 2000;
  const rate = 8;
  const text = generatedJson(n, { request_rate: rate, burstiness: 1 });
  const arrivals = arrivalsOf(text, { seed: 5 });
  // vLLM rescales the cumulative delays so the last is n / rate; ours are
  // relative to the first request, whose own (rescaled) delay is one gap.
  const last = arrivals[n - 1];
  const firstDelay = n / rate - last;
  assert.ok(
    firstDelay > 0 && firstDelay < 20 / rate,
    `first delay ${firstDelay}`,
  );
  const { mean } = gapStats(arrivals);
  const tol = 4 / Math.sqrt(n - 1);
  assert.ok(Math.abs(mean * rate - 1) <= tol, `mean gap ${mean}`);
});

Deno.test("vllm-bench: generated arrivals are reproducible and seeded", () => {
  const text = generatedJson(2000, { request_rate: 2, burstiness: 0.7 });
  const a = JSON.stringify(
    readMeasuredRun("x/bench.json", text, "vllm-bench", { seed: 1 }),
  );
  const b = JSON.stringify(
    readMeasuredRun("x/bench.json", text, "vllm-bench", { seed: 1 }),
  );
  assert.equal(a, b);
  // The stream is named after the basename: another directory, same draws.
  const c = JSON.stringify(
    readMeasuredRun("y/bench.json", text, "vllm-bench", { seed: 1 }),
  );
  assert.equal(c.replace('"y/bench.json"', '"x/bench.json"'), a);
  // Another seed or another file name draws other arrivals.
  assert.notEqual(
    JSON.stringify(arrivalsOf(text, { seed: 2 })),
    JSON.stringify(arrivalsOf(text, { seed: 1 })),
  );
  const other = readMeasuredRun("other.json", text, "vllm-bench", { seed: 1 });
  assert.notEqual(
    JSON.stringify(other.requests.map((r) => r.arrivalS)),
    JSON.stringify(arrivalsOf(text, { seed: 1 })),
  );
  // The default seed is 0.
  assert.deepEqual(arrivalsOf(text), arrivalsOf(text, { seed: 0 }));
});

Deno.test("vllm-bench: failed requests keep their place in the arrival sequence", () => {
  const all = arrivalsOf(generatedJson(50, { request_rate: 3 }), { seed: 9 });
  const run = readMeasuredRun(
    "bench.json",
    generatedJson(50, { request_rate: 3 }, [0, 7]),
    "vllm-bench",
    { seed: 9 },
  );
  assert.equal(run.failedRequests, 2);
  const kept = all.filter((_, i) => i !== 0 && i !== 7).map((t) => t - all[1]);
  assert.equal(run.requests.length, kept.length);
  run.requests.forEach((r, i) => close(r.arrivalS, kept[i], `arrival ${i}`));
  assert.deepEqual(
    run.requests.slice(0, 7).map((r) => r.promptTokens),
    [101, 102, 103, 104, 105, 106, 108],
  );
});

Deno.test("vllm-bench: rate inf puts every request at 0", () => {
  const run = readMeasuredRun(
    "bench.json",
    generatedJson(100, { request_rate: "inf", burstiness: 1 }),
    "vllm-bench",
  );
  assert.equal(run.requestRatePerS, Infinity);
  assert.ok(run.requests.every((r) => r.arrivalS === 0));
});

Deno.test("vllm-bench: Python's Infinity (burstiness inf) gives even gaps", () => {
  const text = generatedJson(20, { request_rate: 4 }).replace(
    '"num_prompts":20',
    '"num_prompts":20,"burstiness":Infinity',
  );
  assert.ok(text.includes("Infinity"));
  const run = readMeasuredRun("bench.json", text, "vllm-bench");
  assert.equal(run.burstiness, Infinity);
  run.requests.forEach((r, i) =>
    close(r.arrivalS, i / 4, `arrival ${i}`, 1e-12)
  );
});

Deno.test("vllm-bench: a linear ramp-up speeds arrivals up", () => {
  const n = 2000;
  const arrivals = arrivalsOf(
    generatedJson(n, {
      request_rate: "inf",
      ramp_up_strategy: "linear",
      ramp_up_start_rps: 1,
      ramp_up_end_rps: 50,
    }),
  );
  const first = gapStats(arrivals.slice(0, 200)).mean;
  const last = gapStats(arrivals.slice(n - 200)).mean;
  assert.ok(first > 5 * last, `early gap ${first}, late gap ${last}`);
});

Deno.test("vllm-bench: bad files", () => {
  // Not JSON: a line where V8 gives a position, the file otherwise.
  startsWith(
    benchError('{"input_lens": [1,\n2,'),
    "bench.json:2: not valid JSON: ",
  );
  startsWith(
    benchError('{"a": 1}\n{"a": 2}\n'),
    "bench.json:2: not valid JSON: ",
  );
  startsWith(benchError('{"a": x}'), "bench.json: not valid JSON: ");
  assert.equal(
    benchError("  \n"),
    "bench.json: empty file: expected a JSON object",
  );
  startsWith(benchError("[1, 2]"), "bench.json: expected a JSON object");
  // Saved without --save-detailed.
  assert.equal(
    benchError('{"request_rate": 1, "completed": 3}'),
    "bench.json: no per-request arrays (input_lens, output_lens, ttfts, errors): save the benchmark with --save-result --save-detailed",
  );
  const d = fixture();
  delete d.ttfts;
  assert.equal(
    benchError(JSON.stringify(d)),
    'bench.json: missing per-request array "ttfts"',
  );
  const e = fixture();
  delete e.latencies;
  delete e.itls;
  assert.equal(
    benchError(JSON.stringify(e)),
    'bench.json: missing per-request array "itls"',
  );
  const f = fixture();
  (f.ttfts as number[]).pop();
  assert.equal(
    benchError(JSON.stringify(f)),
    "bench.json: per-request arrays differ in length: input_lens has 5 entries, ttfts has 4",
  );
  const g = fixture();
  g.errors = ["boom\nline two", "x", "y", "z", "w"];
  assert.equal(
    benchError(JSON.stringify(g)),
    'bench.json: no successful requests (all 5 failed; the first error: "boom line two")',
  );
  const h = fixture();
  (h.ttfts as unknown[])[3] = -1;
  assert.equal(
    benchError(JSON.stringify(h)),
    "bench.json: ttfts[3]: must be a finite number of seconds >= 0, got -1",
  );
  const k = fixture();
  (k.input_lens as unknown[])[4] = 1.5;
  assert.equal(
    benchError(JSON.stringify(k)),
    "bench.json: input_lens[4]: must be a whole number >= 1, got 1.5",
  );
  const l = fixture();
  (l.latencies as number[])[0] = 0.1;
  assert.equal(
    benchError(JSON.stringify(l)),
    "bench.json: request 0: ttft (0.12) exceeds its end-to-end latency (0.1)",
  );
  const m = fixture();
  delete m.start_times;
  delete m.request_rate;
  assert.equal(
    benchError(JSON.stringify(m)),
    "bench.json: no start_times and no request_rate: cannot place the requests' arrivals",
  );
  assert.equal(
    benchError(generatedJson(3, { request_rate: -1 })),
    'bench.json: request_rate: must be a number > 0 or "inf", got -1',
  );
  assert.equal(
    benchError(generatedJson(3, { request_rate: 1, max_concurrency: 0 })),
    "bench.json: max_concurrency: must be a whole number >= 1, got 0",
  );
  assert.equal(
    benchError(
      '{"input_lens": [], "output_lens": [], "ttfts": [], "itls": [], "errors": []}',
    ),
    "bench.json: no requests (the per-request arrays are empty)",
  );
});

Deno.test("vllm-bench: an error with an empty message but no output is failed", () => {
  // An HTTP error without a reason phrase leaves `error` empty; vLLM then
  // records output length 0 for it.
  const run = readMeasuredRun(
    "bench.json",
    generatedJson(5, { request_rate: 1 }).replace(
      '"output_lens":[10,',
      '"output_lens":[0,',
    ),
    "vllm-bench",
  );
  assert.equal(run.failedRequests, 1);
  assert.equal(run.requests.length, 4);
});

// ---------------------------------------------------------------------------
// Request source

Deno.test("measuredSource yields the requests in arrival order, afresh each call", () => {
  const run: MeasuredRun = readMeasuredFile(VLLM, "vllm-bench");
  for (let pass = 0; pass < 2; pass++) {
    const source = measuredSource(run);
    const seen: number[][] = [];
    while (source.next()) {
      seen.push([source.arrivalS, source.promptTokens, source.outputTokens]);
    }
    assert.deepEqual(
      seen,
      run.requests.map((r) => [r.arrivalS, r.promptTokens, r.outputTokens]),
    );
    assert.equal(seen.length, 4);
    assert.equal(source.next(), false);
  }
});

Deno.test("readMeasuredRun rejects an unknown format", () => {
  assert.equal(
    errorOf(() => readMeasuredRun("run.txt", "", "tsv" as unknown as "csv")),
    'run.txt: unknown measured format "tsv", expected "csv" or "vllm-bench"',
  );
});
