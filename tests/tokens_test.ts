/**
 * Token-length samplers and random streams against their stated
 * distributions. N = 200,000 draws per mode; tolerances are 4 standard
 * errors from N, plus a floor allowance: a sample is floor(x), which lowers
 * the mean by ~0.5 token and any quantile by at most 1 token (we compare
 * with x - 0.5 and allow 0.5 more), and adds ~1/12 token^2 of variance
 * (negligible next to the SEs here). Parameters are chosen so that
 * min_value = 1 almost never binds (P(x < 1) < 1e-10 for the lognormals,
 * ~5e-4 for the exponential, which moves the mean by < 0.001 token).
 *
 * @module
 */

import assert from "node:assert/strict";
import { RandomStream } from "../lib/engine/random.ts";
import type { TokenDistribution } from "../lib/workload/tokens.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import { tokenSampler } from "../lib/workload/tokens.ts";
import { scenarioWorkload } from "../lib/workload/workload.ts";
import {
  empiricalQuantile,
  ksCritical001,
  ksStatistic,
  lognormalCentralMoments,
  near,
  normalCdf,
  normalPdf,
  quantileSE,
  sampleMean,
  sampleStd,
  stdSE,
} from "./_stats.ts";

const N = 200_000;
const K = 4;
/** z-score of the standard normal's 90th percentile (independent of lib/). */
const Z90 = 1.2815515655446004;

function draw(dist: TokenDistribution, seed = 17): Float64Array {
  const next = tokenSampler(dist, new RandomStream(seed, "tokens_test"));
  const xs = new Float64Array(N);
  for (let i = 0; i < N; i++) xs[i] = next();
  return xs;
}

/** Checks integer samples >= min, and mean, std, p50, p90 of a lognormal. */
function checkLognormal(
  label: string,
  dist: TokenDistribution,
  mu: number,
  sigma: number,
): void {
  const xs = draw(dist);
  for (const x of xs) {
    assert.ok(Number.isInteger(x) && x >= dist.min_value, `${label}: ${x}`);
  }
  const m = lognormalCentralMoments(mu, sigma);
  const sd = Math.sqrt(m.variance);
  near(`${label} mean`, sampleMean(xs), m.mean - 0.5, K * sd / Math.sqrt(N));
  near(`${label} std`, sampleStd(xs), sd, K * stdSE(m.variance, m.mu4, N));
  const sorted = xs.slice().sort();
  for (const [q, z] of [[0.5, 0], [0.9, Z90]]) {
    const xq = Math.exp(mu + sigma * z);
    const density = normalPdf(z) / (xq * sigma);
    near(
      `${label} p${q * 100}`,
      empiricalQuantile(sorted, q),
      xq - 0.5,
      K * quantileSE(q, N, density) + 0.5,
    );
  }
}

Deno.test("log mode: lognormal with log-space mu and sigma", () => {
  checkLognormal(
    "log",
    { mode: "log", mean: 6.8, sigma: 0.5, min_value: 1 },
    6.8,
    0.5,
  );
});

Deno.test("real_mean_std mode: real-space mean 1024, std 512", () => {
  // Independent of lib/: sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2.
  const s2 = Math.log(1 + 0.25);
  const mu = Math.log(1024) - s2 / 2;
  checkLognormal(
    "real_mean_std",
    { mode: "real_mean_std", mean: 1024, std: 512, min_value: 1 },
    mu,
    Math.sqrt(s2),
  );
});

Deno.test("p50_p90 mode: median 1000, 90th percentile 2500", () => {
  checkLognormal(
    "p50_p90",
    { mode: "p50_p90", p50: 1000, p90: 2500, min_value: 1 },
    Math.log(1000),
    Math.log(2.5) / Z90,
  );
});

Deno.test("constant mode: every sample is the value", () => {
  const xs = draw({ mode: "constant", value: 777, min_value: 1 });
  assert.ok(xs.every((x) => x === 777));
  // min_value above the value wins.
  const ys = draw({ mode: "constant", value: 3, min_value: 5 });
  assert.ok(ys.every((x) => x === 5));
});

Deno.test("exponential mode: mean, std, p50, p90", () => {
  const mean = 1024;
  const xs = draw({ mode: "exponential", mean, min_value: 1 });
  for (const x of xs) assert.ok(Number.isInteger(x) && x >= 1);
  near("exp mean", sampleMean(xs), mean - 0.5, K * mean / Math.sqrt(N));
  // Exponential: variance m^2, fourth central moment 9 m^4.
  near(
    "exp std",
    sampleStd(xs),
    mean,
    K * stdSE(mean * mean, 9 * mean ** 4, N),
  );
  const sorted = xs.slice().sort();
  for (const q of [0.5, 0.9]) {
    const xq = -mean * Math.log(1 - q);
    const density = (1 - q) / mean;
    near(
      `exp p${q * 100}`,
      empiricalQuantile(sorted, q),
      xq - 0.5,
      K * quantileSE(q, N, density) + 0.5,
    );
  }
});

Deno.test("min_value is honoured where it binds", () => {
  // Lognormal mu 2, sigma 1 (median 7.4) with min 10: a sample is 10 exactly
  // when x < 11, probability Phi(ln 11 - 2) ~ 0.655.
  const xs = draw({ mode: "log", mean: 2, sigma: 1, min_value: 10 });
  let atMin = 0;
  for (const x of xs) {
    assert.ok(x >= 10, `sample ${x} below min_value`);
    if (x === 10) atMin++;
  }
  const p = normalCdf(Math.log(11) - 2);
  near("P(sample = min)", atMin / N, p, K * Math.sqrt(p * (1 - p) / N));
  const es = draw({ mode: "exponential", mean: 5, min_value: 4 });
  assert.ok(es.every((x) => x >= 4));
  assert.ok(es.some((x) => x === 4));
});

Deno.test("RandomStream: reproducible, named streams independent", () => {
  const take = (s: RandomStream, n: number) =>
    Array.from({ length: n }, () => s.next());
  const a = take(new RandomStream(42, "arrivals"), 1000);
  assert.deepEqual(take(new RandomStream(42, "arrivals"), 1000), a);
  const b = take(new RandomStream(42, "prompt_tokens"), 1000);
  const c = take(new RandomStream(43, "arrivals"), 1000);
  for (const other of [b, c]) {
    const same = a.filter((x, i) => x === other[i]).length;
    assert.ok(same === 0, `${same} equal values across distinct streams`);
  }
  // Interleaving draws from a new stream does not shift another stream.
  const s1 = new RandomStream(42, "arrivals");
  const extra = new RandomStream(42, "new_stream");
  const interleaved: number[] = [];
  for (let i = 0; i < 1000; i++) {
    interleaved.push(s1.next());
    extra.next();
    extra.normal();
  }
  assert.deepEqual(interleaved, a);
});

Deno.test("RandomStream: uniform and normal variates have the right law", () => {
  const s = new RandomStream(7, "law");
  const u = new Float64Array(N);
  for (let i = 0; i < N; i++) u[i] = s.next();
  assert.ok(u.every((x) => x >= 0 && x < 1));
  near("uniform mean", sampleMean(u), 0.5, K * Math.sqrt(1 / 12 / N));
  const su = u.slice().sort();
  const du = ksStatistic(su, (x) => x);
  assert.ok(du < ksCritical001(N), `uniform KS D ${du}`);
  const z = new Float64Array(N);
  for (let i = 0; i < N; i++) z[i] = s.normal();
  near("normal mean", sampleMean(z), 0, K / Math.sqrt(N));
  // SE of the sample std of N(0, 1): sqrt((3 - 1) / (4 N)).
  near("normal std", sampleStd(z), 1, K * stdSE(1, 3, N));
  const dz = ksStatistic(z.slice().sort(), normalCdf);
  assert.ok(dz < ksCritical001(N), `normal KS D ${dz}`);
  // Lag-1 correlation of successive normals (Box-Muller pairs): SE 1/sqrt(N).
  let r = 0;
  for (let i = 1; i < N; i++) r += z[i] * z[i - 1];
  near("normal lag-1 correlation", r / (N - 1), 0, K / Math.sqrt(N));
});

Deno.test("workload: changing output lengths leaves arrivals and prompts", () => {
  // Common random numbers: each source draws from its own named stream.
  const base = {
    sim_seconds: 500,
    warmup_seconds: 0,
    random_seed: 12,
    arrival: { rate_per_s: 10 },
  };
  const collect = (raw: Record<string, unknown>) => {
    const w = scenarioWorkload(validateScenario(raw));
    const out: [number, number, number][] = [];
    while (w.next()) out.push([w.arrivalS, w.promptTokens, w.outputTokens]);
    return out;
  };
  const x = collect(base);
  const y = collect({
    ...base,
    output_tokens: { mode: "exponential", mean: 50 },
  });
  assert.equal(x.length, y.length);
  assert.ok(x.length > 4000);
  assert.deepEqual(x.map((r) => [r[0], r[1]]), y.map((r) => [r[0], r[1]]));
  assert.ok(x.some((r, i) => r[2] !== y[i][2]));
});
