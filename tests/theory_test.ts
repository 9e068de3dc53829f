/**
 * The exclusive-service model against queueing theory (M/D/1, M/G/1, M/M/c),
 * Little's law, conservation and overload behaviour. Seeds are fixed; every
 * statistical tolerance is 4 standard errors (batch means for queue waits,
 * which are autocorrelated), plus any deterministic edge term stated inline.
 *
 * @module
 */

import assert from "node:assert/strict";
import { summaryRecord } from "../lib/metrics/metric_names.ts";
import { simulate, type SimulationResult } from "../lib/analysis/simulate.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import {
  batchMeans,
  erlangC,
  erlangCMeanWait,
  type Estimate,
  near,
  pkMeanWait,
} from "./_stats.ts";

/** Number of standard errors allowed. */
const K = 4;

function run(raw: Record<string, unknown>): SimulationResult {
  return simulate(validateScenario(raw));
}

/** Asserts a batch-means estimate is within K standard errors of theory. */
function nearEstimate(what: string, est: Estimate, expected: number): void {
  near(`${what} (se ${est.se})`, est.mean, expected, K * est.se);
}

/** Waits (prefill + decode) of the measured requests, in arrival order. */
function measuredWaits(
  r: SimulationResult,
  part: "queue" | "prefill" | "decode" = "queue",
): Float64Array {
  const rec = r.records;
  const lo = r.scenario.warmup_seconds;
  const out: number[] = [];
  for (let i = 0; i < rec.count; i++) {
    if (rec.arrivalS[i] < lo) continue;
    const pw = rec.prefillStartS[i] - rec.arrivalS[i];
    const dw = rec.decodeStartS[i] - rec.prefillEndS[i];
    out.push(part === "prefill" ? pw : part === "decode" ? dw : pw + dw);
  }
  return Float64Array.from(out);
}

/** Sample E[S] and E[S^2] over all generated requests of a mono run. */
function monoServiceMoments(
  r: SimulationResult,
): { es: number; es2: number; max: number } {
  const rec = r.records;
  const c = r.scenario.cluster_mono;
  let s1 = 0, s2 = 0, max = 0;
  for (let i = 0; i < rec.count; i++) {
    const s = rec.promptTokens[i] / c.prefill_tokens_per_s +
      rec.outputTokens[i] / c.decode_tokens_per_s;
    s1 += s;
    s2 += s * s;
    max = Math.max(max, s);
  }
  return { es: s1 / rec.count, es2: s2 / rec.count, max };
}

function num(r: SimulationResult, key: string): number {
  const v = summaryRecord(r.summary)[key];
  assert.equal(typeof v, "number", `summary.${key}`);
  return v as number;
}

/** The summary's mean must be the mean of the records' waits. */
function assertSummaryMean(
  r: SimulationResult,
  key: string,
  waits: Float64Array,
): void {
  let s = 0;
  for (const w of waits) s += w;
  near(`summary.${key} vs records`, num(r, key), s / waits.length, 1e-9);
}

Deno.test("M/D/1: mean queue wait matches Pollaczek-Khinchine", () => {
  // S = 1000 / 8000 + 100 / 2000 = 0.175 s exactly; lambda = 4, rho = 0.7.
  const r = run({
    mode: "mono",
    sim_seconds: 200000,
    warmup_seconds: 1000,
    random_seed: 11,
    arrival: { rate_per_s: 4 },
    prompt_tokens: { mode: "constant", value: 1000 },
    output_tokens: { mode: "constant", value: 100 },
    cluster_mono: {
      num_gpus: 1,
      prefill_tokens_per_s: 8000,
      decode_tokens_per_s: 2000,
    },
  });
  const s = 0.175;
  const wq = pkMeanWait(4, s, s * s); // 0.2041667 s
  const waits = measuredWaits(r);
  assertSummaryMean(r, "mean_queue_wait_s", waits);
  nearEstimate("M/D/1 Wq", batchMeans(waits), wq);
  near(
    "M/D/1 offered load",
    (r.summary.offered_load as { gpu: number }).gpu,
    0.7,
    1e-12,
  );
});

Deno.test("M/G/1: lognormal lengths, Wq matches P-K with sampled moments", () => {
  // E[S] ~ 1024/8000 + 200/2000 = 0.228 s; lambda = 3 gives rho ~ 0.68.
  const r = run({
    mode: "mono",
    sim_seconds: 250000,
    warmup_seconds: 1000,
    random_seed: 5,
    arrival: { rate_per_s: 3 },
    prompt_tokens: { mode: "real_mean_std", mean: 1024, std: 512 },
    output_tokens: { mode: "real_mean_std", mean: 200, std: 150 },
    cluster_mono: {
      num_gpus: 1,
      prefill_tokens_per_s: 8000,
      decode_tokens_per_s: 2000,
    },
  });
  const { es, es2 } = monoServiceMoments(r);
  const waits = measuredWaits(r);
  assertSummaryMean(r, "mean_queue_wait_s", waits);
  nearEstimate("M/G/1 Wq", batchMeans(waits), pkMeanWait(3, es, es2));
});

Deno.test("M/M/3: mean wait and P(wait) match Erlang C", () => {
  // Service = 1/8000 s (one prompt token) + floor(Exp(2000)) / 2000 s. The
  // floor makes E[S] about 0.5/2000 s smaller than 1 s and the distribution
  // a lattice with 0.5 ms steps; both are O(1e-4) relative, far below the
  // batch-means SE (~1e-2 relative). The sampled E[S] is used for mu.
  const lambda = 2.1; // rho = 0.7
  const c = 3;
  const r = run({
    mode: "mono",
    sim_seconds: 1000000,
    warmup_seconds: 1000,
    random_seed: 3,
    arrival: { rate_per_s: lambda },
    prompt_tokens: { mode: "constant", value: 1 },
    output_tokens: { mode: "exponential", mean: 2000 },
    cluster_mono: {
      num_gpus: c,
      prefill_tokens_per_s: 8000,
      decode_tokens_per_s: 2000,
    },
  });
  const { es } = monoServiceMoments(r);
  near("M/M/3 sampled E[S]", es, 1, 4 * 1 / Math.sqrt(r.records.count));
  const waits = measuredWaits(r);
  assertSummaryMean(r, "mean_queue_wait_s", waits);
  nearEstimate(
    "M/M/3 Wq",
    batchMeans(waits),
    erlangCMeanWait(c, lambda, es),
  );
  const waited = waits.map((w) => (w > 0 ? 1 : 0));
  nearEstimate(
    "M/M/3 P(wait > 0)",
    batchMeans(waited),
    erlangC(c, lambda * es),
  );
});

Deno.test("disagg prefill pool with constant prompts is M/D/1", () => {
  // Prefill S = 1000 / 8000 = 0.125 s, lambda = 5.6, rho = 0.7. The decode
  // pool (4 GPUs, 0.1 s each) does not feed back into prefill.
  const lambda = 5.6;
  const r = run({
    mode: "disagg",
    sim_seconds: 150000,
    warmup_seconds: 1000,
    random_seed: 8,
    arrival: { rate_per_s: lambda },
    prompt_tokens: { mode: "constant", value: 1000 },
    output_tokens: { mode: "constant", value: 200 },
    cluster_disagg: {
      prefill_gpus: 1,
      decode_gpus: 4,
      prefill_tokens_per_s: 8000,
      decode_tokens_per_s: 2000,
    },
  });
  const waits = measuredWaits(r, "prefill");
  assertSummaryMean(r, "mean_prefill_wait_s", waits);
  assertSummaryMean(r, "mean_decode_wait_s", measuredWaits(r, "decode"));
  assertSummaryMean(r, "mean_queue_wait_s", measuredWaits(r, "queue"));
  nearEstimate(
    "disagg prefill Wq",
    batchMeans(waits),
    pkMeanWait(lambda, 0.125, 0.125 ** 2),
  );
});

/** Runs used for Little's law and conservation. */
const LITTLE_RUNS: Record<string, unknown>[] = [
  {
    mode: "mono",
    sim_seconds: 20000,
    warmup_seconds: 1000,
    random_seed: 1,
    arrival: { rate_per_s: 7 }, // log mu 6, sigma 1 defaults: rho ~ 0.73
  },
  {
    mode: "mono",
    sim_seconds: 20000,
    warmup_seconds: 1000,
    random_seed: 2,
    arrival: { rate_per_s: 2 },
    prompt_tokens: { mode: "p50_p90", p50: 800, p90: 3000 },
    output_tokens: { mode: "exponential", mean: 300 },
    cluster_mono: { num_gpus: 1 },
  },
  {
    mode: "disagg",
    sim_seconds: 20000,
    warmup_seconds: 1000,
    random_seed: 3,
    arrival: { rate_per_s: 4 }, // decode rho ~ 0.67
  },
  {
    mode: "disagg",
    sim_seconds: 20000,
    warmup_seconds: 1000,
    random_seed: 4,
    arrival: { rate_per_s: 5 },
    cluster_disagg: { prefill_gpus: 1, decode_gpus: 3 },
  },
];

Deno.test("Little's law: time-average number in system = lambda_hat x W", () => {
  for (const raw of LITTLE_RUNS) {
    const r = run(raw);
    const rec = r.records;
    const lo = r.scenario.warmup_seconds;
    const hi = r.scenario.sim_seconds;
    const T = hi - lo;
    const n = rec.count;
    // Integrate N(t) over [lo, hi) by sweeping arrivals (already in time
    // order) and sorted finishes.
    const finishes = rec.finishS.slice(0, n).sort();
    let area = 0, inSys = 0, t = lo, a = 0, f = 0;
    let nAtLo = -1;
    for (;;) {
      const ta = a < n ? rec.arrivalS[a] : Infinity;
      const tf = f < n ? finishes[f] : Infinity;
      const tn = Math.min(ta, tf);
      if (tn >= lo && nAtLo < 0) nAtLo = inSys;
      if (tn >= hi) break;
      if (tn > t) {
        area += inSys * (tn - t);
        t = tn;
      }
      if (ta <= tf) {
        inSys++;
        a++;
      } else {
        inSys--;
        f++;
      }
    }
    area += inSys * (hi - t);
    const nAtHi = inSys;
    const L = area / T;
    const measured = num(r, "num_samples");
    const lambdaHat = measured / T;
    const W = num(r, "mean_e2e_s");
    // Sample-path Little: L*T - lambda_hat*W*T = (time in window of requests
    // already present at lo) - (time after hi of measured requests present
    // at hi). Each part is at most (count present) x (longest sojourn).
    let maxE2e = 0;
    for (let i = 0; i < n; i++) {
      maxE2e = Math.max(maxE2e, rec.finishS[i] - rec.arrivalS[i]);
    }
    // (+1e-9 relative for rounding when the system is empty at both edges.)
    const edge = (Math.max(nAtLo, nAtHi) * maxE2e) / T + 1e-9 * L;
    near(`${raw.mode} seed ${raw.random_seed} L`, L, lambdaHat * W, edge);
    // Also not vacuous: the edge term is small against L.
    assert.ok(edge < 0.05 * L, `edge term ${edge} too large for L ${L}`);
    // Throughput counts finishes in the window; it differs from measured
    // arrivals by at most the number present at either edge.
    near(
      "throughput vs arrivals in window",
      num(r, "throughput_rps"),
      lambdaHat,
      Math.max(nAtLo, nAtHi) / T,
    );
    // Poisson arrivals: count in window ~ Poisson(lambda T).
    const lambda = r.scenario.arrival.rate_per_s!;
    near("arrival rate", lambdaHat, lambda, K * Math.sqrt(lambda * T) / T);
  }
});

Deno.test("conservation: timelines ordered, nothing lost, utilisation = load", () => {
  for (const raw of LITTLE_RUNS) {
    const r = run(raw);
    const rec = r.records;
    const sc = r.scenario;
    const lo = sc.warmup_seconds;
    const hi = sc.sim_seconds;
    const T = hi - lo;
    const disagg = sc.mode === "disagg";
    const pf = disagg
      ? sc.cluster_disagg.prefill_tokens_per_s
      : sc.cluster_mono.prefill_tokens_per_s;
    const dc = disagg
      ? sc.cluster_disagg.decode_tokens_per_s
      : sc.cluster_mono.decode_tokens_per_s;
    let measured = 0;
    for (let i = 0; i < rec.count; i++) {
      const a = rec.arrivalS[i];
      assert.ok(a >= 0 && a < hi, `arrival ${a} outside [0, horizon)`);
      if (i > 0) assert.ok(a >= rec.arrivalS[i - 1], "arrivals out of order");
      const ps = rec.prefillStartS[i], pe = rec.prefillEndS[i];
      const ds = rec.decodeStartS[i], ft = rec.firstTokenS[i];
      const fin = rec.finishS[i];
      assert.ok(Number.isFinite(fin), `request ${i} never finished`);
      assert.ok(
        fin >= ft && ft >= ds && ds >= pe && pe >= ps && ps >= a,
        `request ${i} timeline out of order: ${[a, ps, pe, ds, ft, fin]}`,
      );
      if (!disagg) assert.equal(ds, pe, "mono decodes right after prefill");
      near("prefill time", pe - ps, rec.promptTokens[i] / pf, 1e-9);
      near("decode time", fin - ds, rec.outputTokens[i] / dc, 1e-9);
      near("first token", ft - ds, 1 / dc, 1e-9);
      assert.ok(rec.promptTokens[i] >= 1 && rec.outputTokens[i] >= 1);
      if (a >= lo) measured++;
    }
    assert.equal(num(r, "num_samples"), measured);
    assert.equal(num(r, "num_requests"), rec.count);
    assert.equal(r.summary.stable, true);
    assert.deepEqual(r.warnings, []);

    // Utilisation vs offered load. Busy time in the window is about the sum
    // of the services of ~Poisson(lambda T) arrivals: Var = lambda T E[S^2].
    // Plus an edge term: at most one service per GPU spills over each edge.
    const lambda = sc.arrival.rate_per_s!;
    const pools: [string, string, number, (i: number) => number][] = disagg
      ? [
        ["prefill", "utilization_prefill", sc.cluster_disagg.prefill_gpus, (
          i,
        ) => rec.promptTokens[i] / pf],
        ["decode", "utilization_decode", sc.cluster_disagg.decode_gpus, (
          i,
        ) => rec.outputTokens[i] / dc],
      ]
      : [[
        "gpu",
        "utilization_gpu",
        sc.cluster_mono.num_gpus,
        (i) => rec.promptTokens[i] / pf + rec.outputTokens[i] / dc,
      ]];
    const offered = r.summary.offered_load as Record<string, number>;
    for (const [pool, key, c, service] of pools) {
      let s1 = 0, s2 = 0, max = 0;
      for (let i = 0; i < rec.count; i++) {
        const s = service(i);
        s1 += s;
        s2 += s * s;
        max = Math.max(max, s);
      }
      const es = s1 / rec.count;
      const es2 = s2 / rec.count;
      near(`${pool} offered load`, offered[pool], (lambda * es) / c, 1e-12);
      const tol = (K * Math.sqrt(lambda * T * es2)) / (c * T) +
        (2 * max) / T;
      near(`${sc.mode} ${pool} utilisation`, num(r, key), offered[pool], tol);
    }
  }
});

Deno.test("heavy overload: unstable flagged, warned, nothing dropped", () => {
  // Mono, one GPU, S = 0.175 s, rho = 2. Fluid limit: an arrival at time a
  // waits about (rho - 1) a, so the measured mean wait is about
  // (rho - 1)(lo + hi) / 2. Its noise is below the SD of the work that has
  // arrived by hi, sqrt(lambda hi) S.
  const s = 0.175;
  const rho = 2;
  const lambda = rho / s;
  const lo = 30, hi = 300;
  const r = run({
    mode: "mono",
    sim_seconds: hi,
    warmup_seconds: lo,
    random_seed: 9,
    arrival: { rate_per_s: lambda },
    prompt_tokens: { mode: "constant", value: 1000 },
    output_tokens: { mode: "constant", value: 100 },
    cluster_mono: { num_gpus: 1 },
  });
  assert.equal(r.summary.stable, false);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0], /gpu pool is 2\.000 >= 1/);
  const rec = r.records;
  let measured = 0;
  for (let i = 0; i < rec.count; i++) {
    assert.ok(Number.isFinite(rec.finishS[i]), `request ${i} dropped`);
    if (rec.arrivalS[i] >= lo) measured++;
  }
  assert.equal(num(r, "num_samples"), measured);
  // Drain: the run ends when the last request finishes, which is after all
  // the work (count x S) has been served.
  let lastFinish = 0;
  for (let i = 0; i < rec.count; i++) {
    lastFinish = Math.max(lastFinish, rec.finishS[i]);
  }
  assert.equal(num(r, "elapsed_s"), lastFinish);
  assert.ok(lastFinish >= rec.count * s - 1e-9 && lastFinish > hi);
  near(
    "overload mean wait (fluid limit)",
    num(r, "mean_queue_wait_s"),
    ((rho - 1) * (lo + hi)) / 2,
    K * Math.sqrt(lambda * hi) * s,
  );

  // Disagg with only the decode pool overloaded: the warning names it.
  const d = run({
    mode: "disagg",
    sim_seconds: 200,
    warmup_seconds: 20,
    random_seed: 9,
    arrival: { rate_per_s: 20 },
    prompt_tokens: { mode: "constant", value: 100 },
    output_tokens: { mode: "constant", value: 400 },
    cluster_disagg: { prefill_gpus: 1, decode_gpus: 2 },
  });
  assert.equal(d.summary.stable, false);
  assert.equal(d.warnings.length, 1);
  assert.match(d.warnings[0], /decode pool is 2\.000 >= 1/);
  for (let i = 0; i < d.records.count; i++) {
    assert.ok(Number.isFinite(d.records.finishS[i]), `request ${i} dropped`);
  }
});
