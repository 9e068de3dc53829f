/**
 * Small statistics helpers for the theory and token tests: standard errors,
 * queueing formulas and a Kolmogorov-Smirnov statistic. Written here, not
 * taken from lib/, so that the tests do not check lib/ against itself.
 *
 * @module
 */

/** A sample mean with its standard error. */
export interface Estimate {
  /** The sample mean. */
  mean: number;
  /** Its standard error. */
  se: number;
}

/** Mean of an array. */
export function sampleMean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

/** Sample standard deviation (n - 1 denominator). */
export function sampleStd(xs: ArrayLike<number>): number {
  const m = sampleMean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

/** Mean and standard error of iid samples: SE = s / sqrt(n). */
export function iidEstimate(xs: ArrayLike<number>): Estimate {
  return { mean: sampleMean(xs), se: sampleStd(xs) / Math.sqrt(xs.length) };
}

/**
 * Batch-means estimate for an autocorrelated series (e.g. successive queue
 * waits): split it into `batches` consecutive batches (the remainder at the
 * end is dropped), and take the standard error of the batch means, s_b /
 * sqrt(batches). Valid when a batch is much longer than the correlation time.
 */
export function batchMeans(xs: ArrayLike<number>, batches = 30): Estimate {
  const size = Math.floor(xs.length / batches);
  if (size < 1) throw new Error("too few samples for batch means");
  const means = new Float64Array(batches);
  for (let b = 0; b < batches; b++) {
    let s = 0;
    for (let i = b * size; i < (b + 1) * size; i++) s += xs[i];
    means[b] = s / size;
  }
  return {
    mean: sampleMean(means),
    se: sampleStd(means) / Math.sqrt(batches),
  };
}

/**
 * Pollaczek-Khinchine mean wait in queue of M/G/1:
 * Wq = lambda E[S^2] / (2 (1 - rho)), rho = lambda E[S].
 */
export function pkMeanWait(lambda: number, es: number, es2: number): number {
  const rho = lambda * es;
  if (rho >= 1) throw new Error(`unstable: rho = ${rho}`);
  return (lambda * es2) / (2 * (1 - rho));
}

/**
 * Erlang C: probability that an arrival waits in M/M/c with offered load
 * a = lambda / mu (in Erlangs), via the stable Erlang-B recursion.
 */
export function erlangC(c: number, a: number): number {
  if (a >= c) throw new Error(`unstable: a = ${a} >= c = ${c}`);
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  const rho = a / c;
  return b / (1 - rho + rho * b);
}

/** Mean wait in queue of M/M/c: Wq = C(c, a) / (c mu - lambda). */
export function erlangCMeanWait(
  c: number,
  lambda: number,
  meanService: number,
): number {
  const mu = 1 / meanService;
  return erlangC(c, lambda / mu) / (c * mu - lambda);
}

/**
 * Standard normal CDF (Abramowitz & Stegun 7.1.26 for erf; absolute error
 * below 1e-7, far under any KS threshold used here).
 */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t *
    (0.254829592 +
      t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 +
                  t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Standard normal density. */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/**
 * One-sample Kolmogorov-Smirnov statistic D = sup |F_n(x) - F(x)| of an
 * ascending-sorted sample against a continuous CDF. Reject at level 0.001
 * when D > 1.95 / sqrt(n).
 */
export function ksStatistic(
  sorted: ArrayLike<number>,
  cdf: (x: number) => number,
): number {
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

/** KS critical value at level 0.001 (asymptotic): 1.95 / sqrt(n). */
export function ksCritical001(n: number): number {
  return 1.95 / Math.sqrt(n);
}

/**
 * Empirical quantile of an ascending-sorted sample (linear interpolation
 * between order statistics, type 7).
 */
export function empiricalQuantile(
  sorted: ArrayLike<number>,
  q: number,
): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Standard error of a sample q-quantile of n iid draws from a density f:
 * sqrt(q (1 - q) / n) / f(x_q).
 */
export function quantileSE(q: number, n: number, densityAtXq: number): number {
  return Math.sqrt((q * (1 - q)) / n) / densityAtXq;
}

/**
 * Standard error of the sample standard deviation of n iid draws, by the
 * delta method: sqrt((mu4 - sigma^4) / (4 sigma^2 n)), with mu4 the fourth
 * central moment.
 */
export function stdSE(variance: number, mu4: number, n: number): number {
  return Math.sqrt((mu4 - variance * variance) / (4 * variance * n));
}

/** Raw moment E[X^k] of a lognormal: exp(k mu + k^2 sigma^2 / 2). */
export function lognormalRawMoment(
  mu: number,
  sigma: number,
  k: number,
): number {
  return Math.exp(k * mu + (k * k * sigma * sigma) / 2);
}

/** Variance and fourth central moment of a lognormal (mu, sigma). */
export function lognormalCentralMoments(
  mu: number,
  sigma: number,
): { mean: number; variance: number; mu4: number } {
  const [m1, m2, m3, m4] = [1, 2, 3, 4].map((k) =>
    lognormalRawMoment(mu, sigma, k)
  );
  return {
    mean: m1,
    variance: m2 - m1 * m1,
    mu4: m4 - 4 * m1 * m3 + 6 * m1 * m1 * m2 - 3 * m1 ** 4,
  };
}

/**
 * Asserts |measured - expected| <= tol, with a readable message.
 *
 * @param what What is compared, for the message.
 * @param measured The simulated value.
 * @param expected The theoretical value.
 * @param tol The allowed absolute difference.
 */
export function near(
  what: string,
  measured: number,
  expected: number,
  tol: number,
): void {
  if (!(Number.isFinite(measured) && Math.abs(measured - expected) <= tol)) {
    throw new Error(
      `${what}: measured ${measured}, expected ${expected} +- ${tol}`,
    );
  }
}
