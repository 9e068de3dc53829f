/**
 * Trace fitting against a synthetic trace with known parameters: gamma
 * arrivals (rate 5/s, cv 2), lognormal prompts (p50 800, p90 3000) and
 * lognormal outputs (mean 200, std 150) capped at 1000, N = 50,000 rows.
 * Tolerances are K = 4 standard errors derived from N (stated at each
 * check), plus the floor allowance of tokens_test.ts: a length is floor(x),
 * which lowers the mean by ~0.5 token and a quantile by at most 1 token, so
 * quantiles and means are compared with x - 0.5 and allowed 0.5 more.
 *
 * @module
 */

import assert from "node:assert/strict";
import process from "node:process";
import { parse } from "npm:yaml@^2.8.0";
import { RandomStream } from "../lib/engine/random.ts";
import { runCli } from "./_cli.ts";
import { arrivalClock } from "../lib/workload/arrivals/mod.ts";
import { capped, uniformSampler } from "../lib/workload/empirical.ts";
import { fitToYaml, fitTrace, type TraceFit } from "../lib/workload/fit.ts";
import { tokenSampler } from "../lib/workload/tokens.ts";
import { InputError } from "../lib/errors.ts";
import type { RequestSource } from "../lib/workload/request_source.ts";
import {
  lognormalCentralMoments,
  near,
  normalCdf,
  normalPdf,
  quantileSE,
  stdSE,
} from "./_stats.ts";

const N = 50_000;
const K = 4;
const RATE = 5;
const CV = 2;
const CAP = 1000;
/** z-score of the standard normal's 90th percentile (independent of lib/). */
const Z90 = 1.2815515655446004;

/** Prompt lognormal from p50 800, p90 3000. */
const PROMPT = { mu: Math.log(800), sigma: Math.log(3000 / 800) / Z90 };
/** Output lognormal from mean 200, std 150. */
const OUTPUT = (() => {
  const s2 = Math.log(1 + (150 / 200) ** 2);
  return { mu: Math.log(200) - s2 / 2, sigma: Math.sqrt(s2) };
})();

function syntheticSource(
  output: () => number,
  rows = N,
): RequestSource {
  const clock = arrivalClock(
    { process: "gamma", rate_per_s: RATE, cv: CV },
    new RandomStream(11, "arrivals"),
  );
  const prompt = tokenSampler(
    { mode: "p50_p90", p50: 800, p90: 3000, min_value: 1 },
    new RandomStream(11, "prompt_tokens"),
  );
  let n = 0;
  const source: RequestSource = {
    arrivalS: 0,
    promptTokens: 0,
    outputTokens: 0,
    next(): boolean {
      if (n++ === rows) return false;
      source.arrivalS = clock();
      source.promptTokens = prompt();
      source.outputTokens = output();
      return true;
    },
  };
  return source;
}

function lognormalOutput(): () => number {
  return tokenSampler(
    { mode: "real_mean_std", mean: 200, std: 150, min_value: 1 },
    new RandomStream(11, "output_tokens"),
  );
}

let cached: TraceFit | undefined;
function mainFit(): TraceFit {
  return cached ??= fitTrace(syntheticSource(capped(lognormalOutput(), CAP)));
}

/** Checks a trace quantile and its p50_p90 fit against a lognormal's. */
function checkQuantile(
  label: string,
  trace: number,
  fitted: number,
  p: { mu: number; sigma: number },
  q: number,
  z: number,
): void {
  const xq = Math.exp(p.mu + p.sigma * z);
  // SE of a sample quantile: sqrt(q (1 - q) / N) / f(x_q), f the lognormal
  // density normalPdf(z) / (x_q sigma).
  const tol = K * quantileSE(q, N, normalPdf(z) / (xq * p.sigma)) + 0.5;
  near(`${label} trace`, trace, xq - 0.5, tol);
  // The fit adds back the half token that flooring takes off.
  near(`${label} fit`, fitted, xq, tol);
}

Deno.test("fitTrace: rate and inter-arrival CV of gamma arrivals", () => {
  const fit = mainFit();
  assert.equal(fit.rows, N);
  // rate^ = (N - 1) / span is 1 / (mean of N - 1 gaps); the mean gap has
  // relative SE cv / sqrt(N - 1), which the delta method carries over to
  // the rate unchanged.
  const gaps = N - 1;
  near("rate", fit.rate_per_s, RATE, K * RATE * CV / Math.sqrt(gaps));
  near("span", fit.span_s, gaps / fit.rate_per_s, 1e-9 * fit.span_s);
  // SE of a sample CV of gamma gaps, c sqrt((1 + c^2) / (2 n)) (derived in
  // arrivals_test.ts by the delta method).
  const cvSE = CV * Math.sqrt((1 + CV * CV) / (2 * gaps));
  near("cv", fit.interarrival_cv, CV, K * cvSE);
});

Deno.test("fitTrace: prompt lengths and their two lognormal fits", () => {
  const fit = mainFit();
  checkQuantile(
    "prompt p50",
    fit.prompt.p50,
    fit.prompt_p50_p90.p50,
    PROMPT,
    0.5,
    0,
  );
  checkQuantile(
    "prompt p90",
    fit.prompt.p90,
    fit.prompt_p50_p90.p90,
    PROMPT,
    0.9,
    Z90,
  );
  const m = lognormalCentralMoments(PROMPT.mu, PROMPT.sigma);
  const sd = Math.sqrt(m.variance);
  // SE of the mean: sd / sqrt(N).
  const meanTol = K * sd / Math.sqrt(N) + 0.5;
  near("prompt mean", fit.prompt.mean, m.mean - 0.5, meanTol);
  near("prompt fit mean", fit.prompt_real_mean_std.mean, m.mean, meanTol);
  // SE of the sample std by the delta method, sqrt((mu4 - sigma^4) /
  // (4 sigma^2 N)) (flooring adds ~1/12 token^2 of variance, negligible).
  const stdTol = K * stdSE(m.variance, m.mu4, N);
  near("prompt std", fit.prompt.std, sd, stdTol);
  assert.equal(fit.prompt_real_mean_std.std, fit.prompt.std);
  assert.ok(fit.prompt.min >= 1);
  // The implied statistics restate each fit in the trace's terms.
  assert.equal(fit.implied.prompt_p50_p90.p50, fit.prompt.p50);
  assert.equal(fit.implied.prompt_p50_p90.p90, fit.prompt.p90);
  near(
    "implied mean",
    fit.implied.prompt_real_mean_std.mean,
    fit.prompt.mean,
    1e-9 * fit.prompt.mean,
  );
  near(
    "implied std",
    fit.implied.prompt_real_mean_std.std,
    fit.prompt.std,
    1e-9 * fit.prompt.std,
  );
  assert.equal(fit.prompt.max < 2 ** 31, true);
});

Deno.test("fitTrace: capped output lengths and the detected cap", () => {
  const fit = mainFit();
  assert.equal(fit.max_tokens, CAP);
  assert.equal(fit.output.max, CAP);
  // P(X >= cap); the share at the cap is binomial, SD sqrt(p (1 - p) / N).
  const lnC = Math.log(CAP);
  const pCap = 1 - normalCdf((lnC - OUTPUT.mu) / OUTPUT.sigma);
  near(
    "share at cap",
    fit.output.share_at_max,
    pCap,
    K * Math.sqrt(pCap * (1 - pCap) / N),
  );
  // Quantiles below the cap are those of the uncapped lognormal.
  checkQuantile(
    "output p50",
    fit.output.p50,
    fit.output_p50_p90.p50,
    OUTPUT,
    0.5,
    0,
  );
  checkQuantile(
    "output p90",
    fit.output.p90,
    fit.output_p50_p90.p90,
    OUTPUT,
    0.9,
    Z90,
  );
  // Raw moments of Y = min(X, c): E[X^k; X < c] + c^k P(X >= c), where
  // E[X^k; X < c] = exp(k mu + k^2 sigma^2 / 2) Phi((ln c - mu - k sigma^2)
  // / sigma). Then the mean, variance and fourth central moment of Y.
  const { mu, sigma } = OUTPUT;
  const raw = [1, 2, 3, 4].map((k) =>
    Math.exp(k * mu + k * k * sigma * sigma / 2) *
      normalCdf((lnC - mu - k * sigma * sigma) / sigma) +
    CAP ** k * pCap
  );
  const [m1, m2, m3, m4] = raw;
  const variance = m2 - m1 * m1;
  const mu4 = m4 - 4 * m1 * m3 + 6 * m1 * m1 * m2 - 3 * m1 ** 4;
  const sd = Math.sqrt(variance);
  near(
    "output mean",
    fit.output.mean,
    m1 - 0.5 * (1 - pCap), // lengths at the cap are not floored down
    K * sd / Math.sqrt(N) + 0.5,
  );
  near("output std", fit.output.std, sd, K * stdSE(variance, mu4, N));
});

Deno.test("fitTrace: no cap without a pile-up", () => {
  // Uncapped lognormal: the max is a lone extreme value.
  const lone = fitTrace(syntheticSource(lognormalOutput(), 20_000));
  assert.equal(lone.max_tokens, undefined);
  // Discrete uniform 1..50: the max holds as many rows as its neighbours.
  const flat = fitTrace(
    syntheticSource(uniformSampler(1, 50, new RandomStream(2, "o")), 20_000),
  );
  assert.equal(flat.max_tokens, undefined);
  // Uniform 1..100 capped at 50: half the rows at the max.
  const piled = fitTrace(
    syntheticSource(
      capped(uniformSampler(1, 100, new RandomStream(2, "o")), 50),
      20_000,
    ),
  );
  assert.equal(piled.max_tokens, 50);
});

Deno.test("fitTrace: rejects too short or unordered traces", () => {
  const rows = (r: number[][]): RequestSource => {
    let i = -1;
    const s: RequestSource = {
      arrivalS: 0,
      promptTokens: 0,
      outputTokens: 0,
      next() {
        if (++i >= r.length) return false;
        [s.arrivalS, s.promptTokens, s.outputTokens] = r[i];
        return true;
      },
    };
    return s;
  };
  // Input errors (exit 2, one line) naming the trace, not internal errors.
  const name = { name: "t.csv" };
  assert.throws(
    () => fitTrace(rows([[0, 1, 1]]), name),
    (e: unknown) =>
      e instanceof InputError &&
      /^t\.csv: a fit needs at least two usable requests, got 1$/.test(
        e.message,
      ),
  );
  assert.throws(
    () => fitTrace(rows([[2, 1, 1], [2, 1, 1]]), name),
    (e: unknown) =>
      e instanceof InputError &&
      /^t\.csv: all 2 usable requests arrive at one time/.test(e.message),
  );
  assert.throws(
    () => fitTrace(rows([[2, 1, 1], [1, 1, 1]]), name),
    (e: unknown) =>
      e instanceof InputError &&
      /^t\.csv: arrival times must not decrease/.test(e.message),
  );
  const fit = fitTrace(rows([[0, 5, 5], [0, 6, 6], [2, 7, 7]]));
  assert.equal(fit.zero_gaps, 1);
});

// deno-lint-ignore no-explicit-any
type Yaml = Record<string, any>;

/**
 * npm:yaml reads process.env.LOG_TOKENS and LOG_STREAM on every token, which
 * throws when the run grants no env access (`deno test --allow-read`); then
 * parse under an empty stand-in for process.env, restored afterwards.
 */
function parseYaml(text: string): Yaml {
  const granted = ["LOG_TOKENS", "LOG_STREAM"].every((variable) =>
    Deno.permissions.querySync({ name: "env", variable }).state === "granted"
  );
  if (granted) return parse(text);
  const env = process.env;
  process.env = {};
  try {
    return parse(text);
  } finally {
    process.env = env;
  }
}

Deno.test("fitToYaml: p50_p90 scenario with the cap and a stats table", () => {
  const fit = mainFit();
  const text = fitToYaml(fit, { source: "synthetic.csv" });
  assert.ok(
    text.startsWith(
      "# yaml-language-server: $schema=../docs/scenario.schema.json\n",
    ),
  );
  assert.match(text, /synthetic\.csv: 50000 requests/);
  assert.match(text, /^# stat +trace +p50_p90 fit +real_mean_std fit$/m);
  for (const stat of ["prompt p50", "output p90", "rate_per_s"]) {
    assert.match(text, new RegExp(`^# ${stat} +\\S`, "m"), stat);
  }
  const y = parseYaml(text);
  assert.deepEqual(Object.keys(y).sort(), [
    "arrival",
    "output_tokens",
    "prompt_tokens",
    "sim_seconds",
    "warmup_seconds",
  ]);
  // Six significant digits are written.
  const rel = 1e-5;
  near("sim_seconds", y.sim_seconds, fit.span_s, rel * fit.span_s);
  near("warmup_seconds", y.warmup_seconds, fit.span_s / 10, rel * fit.span_s);
  assert.equal(y.arrival.process, "gamma");
  near("rate_per_s", y.arrival.rate_per_s, fit.rate_per_s, rel * RATE);
  near("cv", y.arrival.cv, fit.interarrival_cv, rel * CV);
  assert.deepEqual(y.prompt_tokens, {
    mode: "p50_p90",
    p50: fit.prompt_p50_p90.p50,
    p90: fit.prompt_p50_p90.p90,
    min_value: fit.prompt.min,
  });
  assert.deepEqual(y.output_tokens, {
    mode: "p50_p90",
    p50: fit.output_p50_p90.p50,
    p90: fit.output_p50_p90.p90,
    min_value: fit.output.min,
    max_tokens: CAP,
  });
});

Deno.test("fitToYaml: real_mean_std form, Poisson near cv 1", () => {
  const fit = { ...mainFit(), interarrival_cv: 1.04 };
  const y = parseYaml(fitToYaml(fit, { form: "real_mean_std" }));
  assert.deepEqual(Object.keys(y.arrival).sort(), ["process", "rate_per_s"]);
  assert.equal(y.arrival.process, "poisson");
  for (const which of ["prompt", "output"] as const) {
    const d = y[`${which}_tokens`];
    const f = fit[`${which}_real_mean_std`];
    assert.equal(d.mode, "real_mean_std");
    near(`${which} mean`, d.mean, f.mean, 1e-5 * f.mean);
    near(`${which} std`, d.std, f.std, 1e-5 * f.std);
  }
  const gamma = parseYaml(fitToYaml({ ...fit, interarrival_cv: 1.06 }));
  assert.equal(gamma.arrival.process, "gamma");
});

Deno.test("fit: a trace with one usable row, or all at one time, is an input error naming the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cases: [string, string, RegExp][] = [
      [
        "one.csv",
        "0,10,10\n",
        /one\.csv: a fit needs at least two usable requests, got 1/,
      ],
      [
        "same.csv",
        "5,10,10\n5,20,20\n5,30,30\n",
        /same\.csv: all 3 usable requests arrive at one time/,
      ],
    ];
    for (const [file, body, pattern] of cases) {
      const path = `${dir}/${file}`;
      await Deno.writeTextFile(path, `t,p,o\n${body}`);
      const r = await runCli([
        "fit",
        "--trace",
        path,
        "--trace-format",
        "csv",
        "--columns",
        "timestamp=t,prompt_tokens=p,output_tokens=o",
      ]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, "");
      const lines = r.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /^llmsim: error: /);
      assert.match(lines[0], pattern);
      assert.doesNotMatch(r.stderr, /internal error/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
