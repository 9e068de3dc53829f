/**
 * The `vllm-bench` measured-run format: the JSON object that
 * `vllm bench serve --save-result --save-detailed` writes.
 *
 * Keys, as read in vLLM's source (vllm-project/vllm):
 *
 * - vllm/benchmarks/serve.py, `benchmark()` builds the result dict and
 *   `main_async()` adds the run settings: `num_prompts`, `request_rate` (a
 *   number, or the string `"inf"`), `burstiness`, `max_concurrency` (null
 *   without a limit), `ramp_up_strategy`, `ramp_up_start_rps` and
 *   `ramp_up_end_rps` (with a ramp-up only), `duration` (the benchmark's
 *   wall-clock seconds), `completed`, `failed`, and the per-request arrays,
 *   one entry per request in the order the requests were issued:
 *   `input_lens` (prompt tokens), `output_lens` (output tokens; 0 for a
 *   failed request), `ttfts` (seconds), `itls` (a list of inter-token
 *   seconds per request), `latencies` (seconds), `start_times`
 *   (`time.perf_counter()` when the request was sent, after any wait for
 *   the client's concurrency semaphore), `queue_times` (that wait),
 *   `generated_texts` and `errors` (an empty string for success). Without
 *   `--save-detailed`, `main_async()` deletes `input_lens`, `output_lens`,
 *   `start_times`, `ttfts`, `itls`, `generated_texts` and `errors`.
 * - Older files lack `latencies`, `start_times` and `queue_times`: the
 *   result dict of the older vllm/benchmarks/serve.py (e.g. commit def9ce85)
 *   and of benchmarks/benchmark_serving.py has only `input_lens`,
 *   `output_lens`, `ttfts`, `itls`, `generated_texts` and `errors`.
 * - vllm/benchmarks/lib/endpoint_request_func.py: `ttft` is the first
 *   chunk's time minus the start, each `itl` entry the time since the
 *   previous chunk, and `latency = most_recent_timestamp - st`, the last
 *   chunk's time minus the start; so latency = ttft + sum(itl) exactly, and
 *   we use `latencies` when present and ttft + sum(itls) otherwise. A
 *   request fails with a non-empty `error`, except that an HTTP error
 *   without a reason phrase leaves `error` empty; its `output_lens` entry is
 *   0 (calculate_metrics), so a request counts as failed when its error is
 *   non-empty or its output length is 0.
 *
 * Arrivals: with `start_times`, a request arrives at its start time (minus
 * the earliest). Without them they are generated as `get_request()` in
 * vllm/benchmarks/serve.py generates them: request i's delay is 0 when its
 * rate is inf, 1 / rate when `burstiness` is inf, and otherwise a gamma
 * draw with shape `burstiness` and scale 1 / (rate * burstiness) (mean
 * 1 / rate; burstiness 1 is Poisson); the rate is `request_rate`, or the
 * linear or exponential ramp from `ramp_up_start_rps` to `ramp_up_end_rps`
 * by i / (n - 1); the delays are summed and, without a ramp-up, rescaled so
 * the last is n / request_rate. benchmarks/benchmark_serving.py drew the
 * same gaps without the rescaling (`rescaleArrivals: false`). Failed
 * requests take their place in the sequence and are then dropped.
 *
 * Python's `json.dump` writes `NaN` and `Infinity` (for `--burstiness inf`,
 * say), which JSON.parse rejects; such a file is parsed again with those
 * constants turned into strings.
 *
 * @module
 */

import { RandomStream } from "../engine/random.ts";
import { InputError } from "../errors.ts";
import { arrivalClock } from "../workload/arrivals/mod.ts";
import type { MeasuredRequest, MeasuredRun } from "./measured_run.ts";
import { measuredRequest, show, sortByArrival } from "./_measured_common.ts";

/** What the reader finds in a file, besides its path and format. */
export type VllmBenchRun = Omit<MeasuredRun, "source" | "format">;

const REQUIRED = ["input_lens", "output_lens", "ttfts", "errors"] as const;

type Ramp = { strategy: "linear" | "exponential"; start: number; end: number };

/**
 * Reads a vLLM benchmark result.
 *
 * @param path The file's path, for messages and the arrival stream's name.
 * @param text The file's contents.
 * @param seed The seed of the arrival stream, when arrivals are generated.
 * @param rescale Whether generated delays are rescaled as in `vllm bench
 *   serve`.
 * @returns The requests, sorted by arrival from 0, and the run settings.
 */
export function parseVllmBench(
  path: string,
  text: string,
  seed: number,
  rescale: boolean,
): VllmBenchRun {
  const fail = (message: string): never => {
    throw new InputError(`${path}: ${message}`);
  };
  const data = parseJson(path, text);
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    fail(
      `expected a JSON object (from vllm bench serve --save-result), got ${
        Array.isArray(data) ? "an array" : show(data)
      }`,
    );
  }
  const d = data as Record<string, unknown>;

  if (REQUIRED.every((k) => d[k] === undefined)) {
    fail(
      `no per-request arrays (${
        REQUIRED.join(", ")
      }): save the benchmark with --save-result --save-detailed`,
    );
  }
  const arrays = new Map<string, unknown[]>();
  const array = (key: string, required: boolean): unknown[] | undefined => {
    const v = d[key];
    if (v === undefined || (v === null && !required)) {
      if (required) fail(`missing per-request array "${key}"`);
      return undefined;
    }
    if (!Array.isArray(v)) fail(`${key}: must be an array, got ${show(v)}`);
    arrays.set(key, v as unknown[]);
    return v as unknown[];
  };
  const inputLens = array("input_lens", true)!;
  const outputLens = array("output_lens", true)!;
  const ttfts = array("ttfts", true)!;
  const errors = array("errors", true)!;
  const latencies = array("latencies", false);
  const itls = array("itls", latencies === undefined);
  const startTimes = array("start_times", false);
  const n = inputLens.length;
  for (const [key, v] of arrays) {
    if (v.length !== n) {
      fail(
        `per-request arrays differ in length: input_lens has ${n} entries, ${key} has ${v.length}`,
      );
    }
  }
  if (n === 0) fail("no requests (the per-request arrays are empty)");

  // Run settings.
  const requestRate = rate(d.request_rate, "request_rate", fail);
  const burstiness = d.burstiness === undefined || d.burstiness === null
    ? undefined
    : positive(d.burstiness, "burstiness", true, fail);
  let maxConcurrency: number | undefined;
  if (d.max_concurrency !== undefined && d.max_concurrency !== null) {
    const v = d.max_concurrency;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) {
      fail(`max_concurrency: must be a whole number >= 1, got ${show(v)}`);
    }
    maxConcurrency = v as number;
  }
  const durationS = d.duration === undefined || d.duration === null
    ? undefined
    : positive(d.duration, "duration", false, fail);
  const ramp = readRamp(d, fail);

  // Requests, in file order; kept[i] is the file index of requests[i].
  const requests: MeasuredRequest[] = [];
  const kept: number[] = [];
  let failed = 0;
  let firstError = "";
  for (let i = 0; i < n; i++) {
    const error = errors[i];
    const errorText = typeof error === "string"
      ? error
      : error === null
      ? ""
      : show(error);
    if (errorText !== "" || outputLens[i] === 0) {
      if (failed === 0) firstError = errorText;
      failed++;
      continue;
    }
    const promptTokens = count(inputLens[i], `input_lens[${i}]`, fail);
    const outputTokens = count(outputLens[i], `output_lens[${i}]`, fail);
    const ttftS = seconds(ttfts[i], `ttfts[${i}]`, fail);
    let e2eS: number;
    if (latencies !== undefined) {
      e2eS = seconds(latencies[i], `latencies[${i}]`, fail);
    } else {
      const gaps = itls![i];
      if (!Array.isArray(gaps)) {
        fail(`itls[${i}]: must be an array of seconds, got ${show(gaps)}`);
      }
      e2eS = ttftS;
      (gaps as unknown[]).forEach((g, j) => {
        e2eS += seconds(g, `itls[${i}][${j}]`, fail);
      });
    }
    if (ttftS > e2eS) {
      fail(
        `request ${i}: ttft (${ttftS}) exceeds its end-to-end latency (${e2eS})`,
      );
    }
    let arrivalS = 0;
    if (startTimes !== undefined) {
      const v = startTimes[i];
      if (typeof v !== "number" || !Number.isFinite(v)) {
        fail(`start_times[${i}]: must be a finite number, got ${show(v)}`);
      }
      arrivalS = v as number;
    }
    requests.push(
      measuredRequest({ arrivalS, promptTokens, outputTokens, ttftS, e2eS }),
    );
    kept.push(i);
  }
  if (requests.length === 0) {
    fail(
      `no successful requests (all ${n} failed; the first error: ${
        show(firstError.replace(/\s+/g, " ").trim())
      })`,
    );
  }

  if (startTimes === undefined) {
    if (requestRate === undefined && ramp === undefined) {
      fail(
        "no start_times and no request_rate: cannot place the requests' arrivals",
      );
    }
    const stream = new RandomStream(
      seed,
      `calibrate/arrivals/${basename(path)}`,
    );
    const delays = vllmDelays(
      n,
      requestRate ?? Infinity,
      burstiness ?? 1,
      ramp,
      stream,
      rescale,
    );
    for (let k = 0; k < requests.length; k++) {
      requests[k].arrivalS = delays[kept[k]];
    }
  }
  return {
    requests: sortByArrival(requests),
    arrivalsKnown: startTimes !== undefined,
    failedRequests: failed,
    maxConcurrency,
    requestRatePerS: requestRate,
    burstiness,
    durationS,
  };
}

/**
 * Cumulative send delays of n requests as vllm/benchmarks/serve.py's
 * `get_request()` computes them (see the module doc).
 */
function vllmDelays(
  n: number,
  requestRate: number,
  burstiness: number,
  ramp: Ramp | undefined,
  stream: RandomStream,
  rescale: boolean,
): Float64Array {
  // Unit-mean gamma gaps with shape `burstiness` (cv 1 / sqrt(shape)),
  // drawn by the simulator's own gamma arrival process at rate 1 and
  // divided by each request's rate.
  const unit = Number.isFinite(burstiness)
    ? arrivalClock(
      { process: "gamma", rate_per_s: 1, cv: 1 / Math.sqrt(burstiness) },
      stream,
    )
    : undefined;
  let unitT = 0;
  const delays = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const rate = ramp === undefined ? requestRate : rampRate(ramp, i, n);
    let delay: number;
    if (rate === Infinity) {
      delay = 0;
    } else if (unit === undefined) {
      delay = 1 / rate;
    } else {
      const t = unit();
      delay = (t - unitT) / rate;
      unitT = t;
    }
    sum += delay;
    delays[i] = sum;
  }
  if (rescale && ramp === undefined && sum !== 0) {
    const factor = n / requestRate / sum;
    for (let i = 0; i < n; i++) delays[i] *= factor;
  }
  return delays;
}

// `_get_current_request_rate()` in vllm/benchmarks/serve.py.
function rampRate(ramp: Ramp, i: number, n: number): number {
  const progress = i / Math.max(n - 1, 1);
  return ramp.strategy === "linear"
    ? ramp.start + (ramp.end - ramp.start) * progress
    : ramp.start * Math.pow(ramp.end / ramp.start, progress);
}

function readRamp(
  d: Record<string, unknown>,
  fail: (message: string) => never,
): Ramp | undefined {
  const strategy = d.ramp_up_strategy;
  if (strategy === undefined || strategy === null) return undefined;
  if (strategy !== "linear" && strategy !== "exponential") {
    fail(
      `ramp_up_strategy: must be "linear" or "exponential", got ${
        show(strategy)
      }`,
    );
  }
  const start = positive(d.ramp_up_start_rps, "ramp_up_start_rps", false, fail);
  const end = positive(d.ramp_up_end_rps, "ramp_up_end_rps", false, fail);
  return { strategy: strategy as Ramp["strategy"], start, end };
}

/** `request_rate`: a number > 0, `"inf"` or Infinity; undefined if absent. */
function rate(
  v: unknown,
  key: string,
  fail: (message: string) => never,
): number | undefined {
  if (v === undefined || v === null) return undefined;
  return positive(v, key, true, fail);
}

function positive(
  v: unknown,
  key: string,
  infinityAllowed: boolean,
  fail: (message: string) => never,
): number {
  const x = typeof v === "string" && INFINITY.includes(v) ? Infinity : v;
  if (
    typeof x !== "number" || !(x > 0) ||
    (!infinityAllowed && x === Infinity)
  ) {
    fail(
      `${key}: must be a number > 0${infinityAllowed ? ' or "inf"' : ""}, got ${
        show(v)
      }`,
    );
  }
  return x as number;
}

const INFINITY = ["inf", "Infinity"];

function count(
  v: unknown,
  key: string,
  fail: (message: string) => never,
): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) {
    fail(`${key}: must be a whole number >= 1, got ${show(v)}`);
  }
  return v as number;
}

function seconds(
  v: unknown,
  key: string,
  fail: (message: string) => never,
): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    fail(`${key}: must be a finite number of seconds >= 0, got ${show(v)}`);
  }
  return v as number;
}

function basename(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1];
}

/**
 * JSON.parse, accepting Python's bare `NaN`, `Infinity` and `-Infinity` as
 * strings; a syntax error names the line where V8 reports a position.
 */
function parseJson(path: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const fixed = pythonConstantsToStrings(text);
    if (fixed !== text) {
      try {
        return JSON.parse(fixed);
      } catch {
        // Report the error in the file as written.
      }
    }
    const oneLine = message.replace(/\s+/g, " ").trim();
    const short = oneLine.length > 160
      ? `${oneLine.slice(0, 157)}...`
      : oneLine;
    const m = /at position (\d+)/.exec(message);
    let position = m ? Number(m[1]) : -1;
    if (position < 0 && /Unexpected end of JSON input/.test(message)) {
      position = text.trimEnd().length;
    }
    if (text.trim() === "") {
      throw new InputError(`${path}: empty file: expected a JSON object`);
    }
    if (position < 0) {
      throw new InputError(`${path}: not valid JSON: ${short}`);
    }
    let line = 1;
    for (let i = 0; i < position && i < text.length; i++) {
      if (text.charCodeAt(i) === 10) line++;
    }
    throw new InputError(`${path}:${line}: not valid JSON: ${short}`);
  }
}

/** The text with bare NaN / Infinity / -Infinity outside strings quoted. */
function pythonConstantsToStrings(text: string): string {
  let out = "";
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      continue;
    }
    for (const word of ["-Infinity", "Infinity", "NaN"]) {
      if (text.startsWith(word, i)) {
        out += `${text.slice(from, i)}"${word}"`;
        i += word.length - 1;
        from = i + 1;
        break;
      }
    }
  }
  return from === 0 ? text : out + text.slice(from);
}
