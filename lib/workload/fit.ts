/**
 * Fitting a scenario to a request trace: the arrival rate and burstiness,
 * and lognormal token lengths in the scenario's two user-facing forms
 * (`p50_p90` and `real_mean_std`), printed side by side with what each form
 * implies so that a user can see which one matches the trace better.
 *
 * Quantiles are exact order statistics: the q-quantile of n values is the
 * value of rank ceil(q n) in ascending order.
 *
 * @module
 */

import {
  lognormalParams,
  realMoments,
  type TokenDistribution,
  Z90,
} from "./tokens.ts";
import type { RequestSource } from "./request_source.ts";
import type { TraceSource } from "./trace.ts";
import { InputError } from "../errors.ts";

/** Summary of observed token lengths. */
export interface LengthStats {
  /** Mean. */
  mean: number;
  /** Sample standard deviation (n - 1 denominator). */
  std: number;
  /** Median (value of rank ceil(n / 2)). */
  p50: number;
  /** 90th percentile (value of rank ceil(0.9 n)). */
  p90: number;
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
  /** Fraction of rows exactly at `max`. */
  share_at_max: number;
}

/** What a fitted distribution implies, comparable with `LengthStats`. */
export interface ImpliedStats {
  /** Mean. */
  mean: number;
  /** Standard deviation. */
  std: number;
  /** Median. */
  p50: number;
  /** 90th percentile. */
  p90: number;
}

/** A trace's statistics and the scenario parameters fitted to them. */
export interface TraceFit {
  /** Requests in the trace. */
  rows: number;
  /** Last arrival minus first arrival, seconds. */
  span_s: number;
  /** Arrival rate, (rows - 1) / span_s: the inverse of the mean gap. */
  rate_per_s: number;
  /**
   * Coefficient of variation of the inter-arrival gaps. Zero gaps (equal
   * timestamps) count, so coarse timestamps inflate it; see `zero_gaps`.
   */
  interarrival_cv: number;
  /** Gaps of exactly zero. */
  zero_gaps: number;
  /** Observed prompt lengths. */
  prompt: LengthStats;
  /** Observed output lengths. */
  output: LengthStats;
  /** Lognormal prompt lengths by median and 90th percentile. */
  prompt_p50_p90: { p50: number; p90: number };
  /** Lognormal prompt lengths by mean and standard deviation. */
  prompt_real_mean_std: { mean: number; std: number };
  /** Lognormal output lengths by median and 90th percentile. */
  output_p50_p90: { p50: number; p90: number };
  /** Lognormal output lengths by mean and standard deviation. */
  output_real_mean_std: { mean: number; std: number };
  /**
   * What each fitted form implies, as the scenario draws it (floored),
   * before `min_value` and `max_tokens` apply.
   */
  implied: {
    prompt_p50_p90: ImpliedStats;
    prompt_real_mean_std: ImpliedStats;
    output_p50_p90: ImpliedStats;
    output_real_mean_std: ImpliedStats;
  };
  /** The output cap, when a pile-up at the maximum output length shows one. */
  max_tokens?: number;
}

/**
 * Fits a scenario to a trace. Consumes the source; keeps every length (so
 * quantiles are exact) but not the arrival times.
 *
 * The scenario floors its lognormal draws, so a trace's integer quantile k
 * stands for a real quantile in [k, k + 1) and its mean is about 0.5 below
 * the real mean: the fitted p50, p90 and mean add 0.5, which makes a
 * fit-then-simulate round trip unbiased.
 *
 * An output cap is reported when the maximum output length holds at least 10
 * rows and at least 10 times the average rows per value just below it (the
 * 5% of the value range under the max): without a cap the maximum holds about
 * as many rows as its neighbours, and a Poisson count reaching 10 times its
 * mean (or 10 when the mean is below 1) has probability under 1e-7.
 *
 * @param source The trace's requests in arrival order (at least two, with
 *   distinct first and last arrival times).
 * @param options `name`: the trace's file, which errors name.
 * @returns The statistics and fitted parameters.
 * @throws {InputError} Naming the trace, if there are fewer than two usable
 *   requests, they all arrive at one time, or arrival times decrease.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitTrace } from "./fit.ts";
 * const rows = [[0, 100, 10], [1, 200, 20], [3, 300, 30], [4, 400, 30]];
 * let i = -1;
 * const source = {
 *   arrivalS: 0,
 *   promptTokens: 0,
 *   outputTokens: 0,
 *   next() {
 *     if (++i >= rows.length) return false;
 *     [source.arrivalS, source.promptTokens, source.outputTokens] = rows[i];
 *     return true;
 *   },
 * };
 * const fit = fitTrace(source);
 * assert.equal(fit.rate_per_s, 0.75);
 * assert.equal(fit.prompt.p50, 200);
 * assert.equal(fit.prompt.p90, 400);
 * ```
 */
export function fitTrace(
  source: RequestSource,
  options: { name?: string } = {},
): TraceFit {
  const at = options.name === undefined ? "" : `${options.name}: `;
  let prompts: Int32Array = new Int32Array(1024);
  let outputs: Int32Array = new Int32Array(1024);
  let rows = 0;
  let first = 0;
  let last = 0;
  // Welford's running mean and variance of the gaps: no need to keep times.
  let gapMean = 0;
  let gapM2 = 0;
  let zeroGaps = 0;
  while (source.next()) {
    const t = source.arrivalS;
    if (rows === 0) {
      first = t;
    } else {
      const gap = t - last;
      if (!(gap >= 0)) {
        throw new InputError(
          `${at}arrival times must not decrease: ${t} after ${last} (request ${
            rows + 1
          })`,
        );
      }
      if (gap === 0) zeroGaps++;
      const delta = gap - gapMean;
      gapMean += delta / rows;
      gapM2 += delta * (gap - gapMean);
    }
    last = t;
    if (rows === prompts.length) {
      prompts = grow(prompts);
      outputs = grow(outputs);
    }
    prompts[rows] = source.promptTokens;
    outputs[rows] = source.outputTokens;
    rows++;
  }
  if (rows < 2) {
    throw new InputError(
      `${at}a fit needs at least two usable requests, got ${rows}${
        skippedRows(source)
      }`,
    );
  }
  const span = last - first;
  if (!(span > 0)) {
    throw new InputError(
      `${at}all ${rows} usable requests arrive at one time (${first} s); a fit needs two different arrival times${
        skippedRows(source)
      }`,
    );
  }
  const gaps = rows - 1;
  const gapStd = gaps > 1 ? Math.sqrt(gapM2 / (gaps - 1)) : 0;

  const promptSorted = prompts.subarray(0, rows).sort();
  const outputSorted = outputs.subarray(0, rows).sort();
  const prompt = lengthStats(promptSorted);
  const output = lengthStats(outputSorted);

  const promptP = { p50: prompt.p50 + 0.5, p90: prompt.p90 + 0.5 };
  const promptM = { mean: prompt.mean + 0.5, std: prompt.std };
  const outputP = { p50: output.p50 + 0.5, p90: output.p90 + 0.5 };
  const outputM = { mean: output.mean + 0.5, std: output.std };

  const fit: TraceFit = {
    rows,
    span_s: span,
    rate_per_s: gaps / span,
    interarrival_cv: gapStd / gapMean,
    zero_gaps: zeroGaps,
    prompt,
    output,
    prompt_p50_p90: promptP,
    prompt_real_mean_std: promptM,
    output_p50_p90: outputP,
    output_real_mean_std: outputM,
    implied: {
      prompt_p50_p90: implied({ mode: "p50_p90", ...promptP, min_value: 1 }),
      prompt_real_mean_std: implied({
        mode: "real_mean_std",
        ...promptM,
        min_value: 1,
      }),
      output_p50_p90: implied({ mode: "p50_p90", ...outputP, min_value: 1 }),
      output_real_mean_std: implied({
        mode: "real_mean_std",
        ...outputM,
        min_value: 1,
      }),
    },
  };
  const cap = detectCap(outputSorted);
  if (cap !== undefined) fit.max_tokens = cap;
  return fit;
}

/**
 * A scenario YAML text for a fit: the arrival process (gamma with the
 * trace's rate and inter-arrival CV, or Poisson when the CV is within 0.05
 * of 1), lognormal `prompt_tokens` and `output_tokens` in the chosen form
 * with `min_value` the observed minimum (at least 1), `max_tokens` when a cap
 * was detected, `sim_seconds` the trace's span and `warmup_seconds` a tenth of it. A comment table puts the
 * trace's statistics beside what each fitted form implies.
 *
 * A length distribution that the chosen form cannot express falls back:
 * to `constant` when every length is equal, and from `p50_p90` to
 * `real_mean_std` when the median equals the 90th percentile.
 *
 * @param fit A fit from {@linkcode fitTrace}.
 * @param options `form`: the lognormal form (default `p50_p90`); `source`:
 *   where the trace came from, for the header comment.
 * @returns The YAML text.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitToYaml, fitTrace } from "./fit.ts";
 * const rows = [[0, 100, 10], [1, 200, 20], [3, 300, 30], [4, 400, 30]];
 * let i = -1;
 * const source = {
 *   arrivalS: 0,
 *   promptTokens: 0,
 *   outputTokens: 0,
 *   next() {
 *     if (++i >= rows.length) return false;
 *     [source.arrivalS, source.promptTokens, source.outputTokens] = rows[i];
 *     return true;
 *   },
 * };
 * const yaml = fitToYaml(fitTrace(source), { source: "trace.csv" });
 * assert.ok(yaml.includes("mode: p50_p90"));
 * assert.ok(yaml.includes("sim_seconds: 4"));
 * ```
 */
export function fitToYaml(
  fit: TraceFit,
  options: { form?: "p50_p90" | "real_mean_std"; source?: string } = {},
): string {
  const form = options.form ?? "p50_p90";
  const lines: string[] = [
    "# yaml-language-server: $schema=../docs/scenario.schema.json",
    "#",
    `# Fitted by llmsim${
      options.source ? ` from ${options.source}` : ""
    }: ${fit.rows} requests over ${num(fit.span_s)} s.`,
    "# Fits are shown as the scenario draws them (lognormal, floored), before",
    "# min_value and max_tokens apply. Zero inter-arrival gaps (equal",
    `# timestamps) count toward the CV; the trace has ${fit.zero_gaps}.`,
    "#",
  ];
  const table: string[][] = [[
    "stat",
    "trace",
    "p50_p90 fit",
    "real_mean_std fit",
  ]];
  for (const which of ["prompt", "output"] as const) {
    const t = fit[which];
    const p = fit.implied[`${which}_p50_p90`];
    const m = fit.implied[`${which}_real_mean_std`];
    for (const stat of ["mean", "std", "p50", "p90"] as const) {
      table.push([
        `${which} ${stat}`,
        len(t[stat]),
        len(p[stat]),
        len(m[stat]),
      ]);
    }
    table.push([`${which} min`, len(t.min), "", ""]);
    table.push([`${which} max`, len(t.max), "", ""]);
    table.push([
      `${which} at max`,
      `${(100 * t.share_at_max).toFixed(2)}%`,
      "",
      "",
    ]);
  }
  table.push(["rate_per_s", num(fit.rate_per_s), "", ""]);
  table.push(["interarrival_cv", num(fit.interarrival_cv), "", ""]);
  const widths = table[0].map((_, c) =>
    Math.max(...table.map((row) => row[c].length))
  );
  for (const row of table) {
    const cells = row.map((cell, c) =>
      c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])
    );
    lines.push(`# ${cells.join("  ")}`.trimEnd());
  }
  // A tenth of the span warms the system up (the default 60 s can exceed a
  // short trace).
  lines.push(
    "#",
    `sim_seconds: ${num(fit.span_s)}`,
    `warmup_seconds: ${num(fit.span_s / 10)}`,
    "arrival:",
  );
  const cv = fit.interarrival_cv;
  if (Math.abs(cv - 1) <= 0.05) {
    lines.push("  process: poisson", `  rate_per_s: ${num(fit.rate_per_s)}`);
  } else if (cv > 0) {
    lines.push(
      "  process: gamma",
      `  rate_per_s: ${num(fit.rate_per_s)}`,
      `  cv: ${num(cv)}`,
    );
  } else {
    // Perfectly even gaps: a gamma CV of 0 is not a distribution.
    lines.push(
      "  process: deterministic",
      `  rate_per_s: ${num(fit.rate_per_s)}`,
    );
  }
  for (const which of ["prompt", "output"] as const) {
    const t = fit[which];
    lines.push(`${which}_tokens:`);
    if (t.std === 0) {
      lines.push("  mode: constant", `  value: ${Math.max(1, t.p50)}`);
    } else if (form === "p50_p90" && t.p90 > t.p50) {
      const d = fit[`${which}_p50_p90`];
      lines.push(
        "  mode: p50_p90",
        `  p50: ${num(d.p50)}`,
        `  p90: ${num(d.p90)}`,
      );
    } else {
      const d = fit[`${which}_real_mean_std`];
      lines.push(
        "  mode: real_mean_std",
        `  mean: ${num(d.mean)}`,
        `  std: ${num(d.std)}`,
      );
    }
    lines.push(`  min_value: ${Math.max(1, t.min)}`);
    if (which === "output" && fit.max_tokens !== undefined) {
      lines.push(`  max_tokens: ${fit.max_tokens}`);
    }
  }
  return lines.join("\n") + "\n";
}

// A trace's rows left out (bad, failed, outside the window), for messages.
function skippedRows(source: RequestSource): string {
  const stats = (source as Partial<TraceSource>).stats;
  if (!stats) return "";
  const parts = [
    [stats.skipped, "bad"],
    [stats.failed, "failed"],
    [stats.outside_window, "outside the window"],
  ].filter(([n]) => (n as number) > 0).map(([n, what]) => `${n} ${what}`);
  return parts.length > 0 ? ` (rows left out: ${parts.join(", ")})` : "";
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** The value of rank ceil(q n) of an ascending sample. */
function quantile(sorted: Int32Array, q: number): number {
  // The small slack keeps q n that should be an integer (0.9 * 50000 is
  // 45000.000000000007 in binary) from rounding up a rank.
  const rank = Math.max(1, Math.ceil(q * sorted.length - 1e-9));
  return sorted[rank - 1];
}

function lengthStats(sorted: Int32Array): LengthStats {
  const n = sorted.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (sorted[i] - mean) ** 2;
  const max = sorted[n - 1];
  let atMax = 0;
  while (atMax < n && sorted[n - 1 - atMax] === max) atMax++;
  return {
    mean,
    std: n > 1 ? Math.sqrt(ss / (n - 1)) : 0,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    min: sorted[0],
    max,
    share_at_max: atMax / n,
  };
}

function detectCap(sorted: Int32Array): number | undefined {
  const n = sorted.length;
  const max = sorted[n - 1];
  let i = n - 1;
  while (i >= 0 && sorted[i] === max) i--;
  const atMax = n - 1 - i;
  const width = Math.max(1, Math.round(0.05 * max));
  let below = 0;
  while (i >= 0 && sorted[i] >= max - width) {
    below++;
    i--;
  }
  const perValue = below / width;
  return atMax >= 10 && atMax >= 10 * perValue ? max : undefined;
}

function implied(dist: TokenDistribution): ImpliedStats {
  const p = lognormalParams(dist)!;
  const m = realMoments(p);
  // Flooring lowers the mean by about half a token and each quantile to
  // the integer below it; the variance grows by ~1/12, which is negligible.
  return {
    mean: m.mean - 0.5,
    std: m.std,
    p50: Math.floor(Math.exp(p.mu)),
    p90: Math.floor(Math.exp(p.mu + Z90 * p.sigma)),
  };
}

/** Six significant digits, without trailing zeros. */
function num(x: number): string {
  return String(Number(x.toPrecision(6)));
}

/** A length statistic: integers as they are, others to one decimal. */
function len(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}
