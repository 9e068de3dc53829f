/**
 * The bare loop the exclusive model is measured against (`deno task bench`):
 * the prototype's mono model written as a plain typed-array event loop with
 * no generality, to show what the model's structure costs.
 *
 * What it does, so that the ratio is fair:
 * - the same requests: Poisson arrivals and lognormal prompt and output
 *   lengths (max(floor(e^(mu + sigma z)), min)), drawn with the same
 *   xoshiro128** streams, seeded the same way, Box-Muller normals with the
 *   spare kept, so it produces the model's requests bit for bit;
 * - the same service: c servers taken first come first served; service is
 *   prompt / prefill rate, then output / decode rate, the first token one
 *   decode step after prefill;
 * - the same event loop shape: one binary heap (typed arrays) of arrivals
 *   and service completions, the next arrival scheduled when one is taken;
 * - per-request arrival, lengths, service start, first token and finish
 *   written to typed arrays, allocated for the expected number of requests
 *   as `simulate` sizes the model's records, doubled if that is exceeded.
 *
 * What it does not do: other arrival processes, length modes, classes,
 * prefixes, traces or disagg; per-request fields the model also keeps
 * (prefill end, decode start, unused batched columns); retirement hooks;
 * sequence numbers in the heap (ties between a finish and an arrival at the
 * same float time could pop in another order; `bench.ts` checks that the
 * results equal the model's). Its waiting line is implicit: first come
 * first served over requests numbered in arrival order, the next to start
 * is a counter.
 *
 * The draws (two uniforms and a logarithm for each arrival, a Box-Muller
 * normal and an exponential for each length) are most of its time: about
 * 150 of its 180 ns per request on a 2-core machine. A loop with cheaper
 * draws runs faster but simulates other requests.
 *
 * @module
 */

import { quantilesInPlace } from "../lib/metrics/percentile.ts";

/** What the bare loop runs: the guide's mono scenario reduced to numbers. */
export interface BareScenario {
  /** Servers (GPUs). */
  servers: number;
  /** Prompt tokens per second of one server. */
  prefillTokensPerS: number;
  /** Output tokens per second of one server. */
  decodeTokensPerS: number;
  /** Poisson arrival rate, per second. */
  ratePerS: number;
  /** Arrivals stop at this time, seconds. */
  horizonS: number;
  /** The scenario's seed. */
  seed: number;
  /** Requests to allocate room for. */
  capacity: number;
  /** Prompt lengths: lognormal mu, sigma and minimum. */
  prompt: { mu: number; sigma: number; min: number };
  /** Output lengths: lognormal mu, sigma and minimum. */
  output: { mu: number; sigma: number; min: number };
}

/** The bare loop's per-request columns. */
export interface BareRun {
  /** Requests. */
  count: number;
  /** Arrival times. */
  arrivalS: Float64Array;
  /** First-token times. */
  firstTokenS: Float64Array;
  /** Finish times. */
  finishS: Float64Array;
  /** Time of the last event. */
  endS: number;
}

// A stream's state: xoshiro128** words 0-3 (as int32 bit patterns).
function seeded(seed: number, name: string): Int32Array {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  }
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  let x = (h ^ Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi, 0x85ebca77)) >>> 0;
  const s = new Int32Array(4);
  for (let k = 0; k < 4; k++) {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    s[k] = z ^ (z >>> 15);
  }
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  return s;
}

function u32(s: Int32Array): number {
  const s1 = s[1];
  const m = Math.imul(s1, 5);
  const r = Math.imul((m << 7) | (m >>> 25), 9);
  const t = s1 << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = (s[3] << 11) | (s[3] >>> 21);
  return r >>> 0;
}

function uniform(s: Int32Array): number {
  const hi = u32(s) >>> 5;
  const lo = u32(s) >>> 6;
  return (hi * 67108864 + lo) / 9007199254740992;
}

// Box-Muller, the second value kept: spare[0] the value, spare[1] 1 if kept.
function lognormal(
  s: Int32Array,
  spare: Float64Array,
  mu: number,
  sigma: number,
  min: number,
): number {
  let z: number;
  if (spare[1] === 1) {
    spare[1] = 0;
    z = spare[0];
  } else {
    const r = Math.sqrt(-2 * Math.log(1 - uniform(s)));
    const theta = 2 * Math.PI * uniform(s);
    spare[0] = r * Math.sin(theta);
    spare[1] = 1;
    z = r * Math.cos(theta);
  }
  return Math.max(Math.floor(Math.exp(mu + sigma * z)), min);
}

function grown<T extends Float64Array | Int32Array>(a: T, n: number): T {
  const b =
    (a instanceof Float64Array ? new Float64Array(n) : new Int32Array(n)) as T;
  b.set(a);
  return b;
}

/**
 * Runs the bare loop until every request has finished.
 *
 * @param sc The scenario.
 * @returns The per-request times.
 */
export function runBareLoop(sc: BareScenario): BareRun {
  const secPerPrompt = 1 / sc.prefillTokensPerS;
  const secPerOutput = 1 / sc.decodeTokensPerS;
  const meanGap = 1 / sc.ratePerS;
  const horizonS = sc.horizonS;
  const { mu: pMu, sigma: pSigma, min: pMin } = sc.prompt;
  const { mu: oMu, sigma: oSigma, min: oMin } = sc.output;
  const arrivals = seeded(sc.seed, "arrivals");
  const promptRng = seeded(sc.seed, "prompt_tokens");
  const outputRng = seeded(sc.seed, "output_tokens");
  const promptSpare = new Float64Array(2);
  const outputSpare = new Float64Array(2);

  let cap = Math.max(16, sc.capacity);
  let arrivalS = new Float64Array(cap);
  let prompt = new Int32Array(cap);
  let output = new Int32Array(cap);
  let startS = new Float64Array(cap);
  let firstTokenS = new Float64Array(cap);
  let finishS = new Float64Array(cap);

  // The heap holds at most one arrival and one completion per server.
  const heapT = new Float64Array(sc.servers + 2);
  const heapD = new Int32Array(sc.servers + 2); // -1: an arrival
  let size = 0;
  const push = (t: number, d: number) => {
    let i = size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heapT[p] <= t) break;
      heapT[i] = heapT[p];
      heapD[i] = heapD[p];
      i = p;
    }
    heapT[i] = t;
    heapD[i] = d;
  };
  const popInto = () => {
    const n = --size;
    const lt = heapT[n], ld = heapD[n];
    let i = 0;
    while (true) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && heapT[c + 1] < heapT[c]) c++;
      if (lt <= heapT[c]) break;
      heapT[i] = heapT[c];
      heapD[i] = heapD[c];
      i = c;
    }
    heapT[i] = lt;
    heapD[i] = ld;
  };

  let clock = 0;
  let nextArrival = (clock += -Math.log(1 - uniform(arrivals)) * meanGap);
  if (nextArrival < horizonS) push(nextArrival, -1);
  let count = 0; // requests arrived
  let started = 0; // requests taken by a server, in arrival order
  let free = sc.servers;
  let now = 0;
  while (size > 0) {
    now = heapT[0];
    const d = heapD[0];
    popInto();
    if (d < 0) {
      if (count === cap) {
        cap *= 2;
        arrivalS = grown(arrivalS, cap);
        prompt = grown(prompt, cap);
        output = grown(output, cap);
        startS = grown(startS, cap);
        firstTokenS = grown(firstTokenS, cap);
        finishS = grown(finishS, cap);
      }
      const i = count++;
      arrivalS[i] = now;
      prompt[i] = lognormal(promptRng, promptSpare, pMu, pSigma, pMin);
      output[i] = lognormal(outputRng, outputSpare, oMu, oSigma, oMin);
      nextArrival = clock += -Math.log(1 - uniform(arrivals)) * meanGap;
      if (nextArrival < horizonS) push(nextArrival, -1);
      if (free === 0) continue;
      free--;
    } else if (started === count) {
      free++;
      continue;
    }
    // A server is free: the oldest waiting request takes it.
    const j = started++;
    const prefillEnd = now + prompt[j] * secPerPrompt;
    const finish = prefillEnd + output[j] * secPerOutput;
    startS[j] = now;
    firstTokenS[j] = prefillEnd + secPerOutput;
    finishS[j] = finish;
    push(finish, j);
  }
  return { count, arrivalS, firstTokenS, finishS, endS: now };
}

/** Mean, p50, p90, p95 and p99 of one latency. */
export type Figures = [number, number, number, number, number];

/**
 * Mean and percentiles of the values, by the summary's own quantile code
 * (linear interpolation between order statistics, rank (n - 1) q); the
 * values are reordered.
 *
 * @param v The values.
 * @returns mean, p50, p90, p95, p99.
 */
export function figures(v: Float64Array): Figures {
  const n = v.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += v[i];
  const [p50, p90, p95, p99] = quantilesInPlace(v, [0.5, 0.9, 0.95, 0.99]);
  return [sum / n, p50, p90, p95, p99];
}

/**
 * TTFT and E2E figures over the requests that arrive at or after
 * `warmupS` (the summary's measured requests).
 *
 * @param run Per-request arrival, first-token and finish times.
 * @param warmupS Start of the measured window.
 * @returns TTFT and E2E figures.
 */
export function latencyFigures(
  run: {
    count: number;
    arrivalS: Float64Array;
    firstTokenS: Float64Array;
    finishS: Float64Array;
  },
  warmupS: number,
): { ttft: Figures; e2e: Figures } {
  const ttft = new Float64Array(run.count);
  const e2e = new Float64Array(run.count);
  let m = 0;
  for (let i = 0; i < run.count; i++) {
    const a = run.arrivalS[i];
    if (a < warmupS) continue;
    ttft[m] = run.firstTokenS[i] - a;
    e2e[m++] = run.finishS[i] - a;
  }
  return {
    ttft: figures(ttft.subarray(0, m)),
    e2e: figures(e2e.subarray(0, m)),
  };
}
