/**
 * What the report and study charts show, worked out from summaries and
 * study rows: the parts of mean TTFT, and the series of a sweep's chart.
 * This module draws nothing and loads no native library; the specs it
 * returns go to `./line_chart.ts` and `./stacked_bar_chart.ts`.
 *
 * @module
 */

import type { LineChartSpec, LineSeries } from "./line_chart.ts";
import type { BarStack } from "./stacked_bar_chart.ts";
import type { Summary } from "../metrics/summary_types.ts";

/** A part of TTFT: the stem of its summary keys (`mean_KEY_s`). */
export type TtftPartKey =
  | "queue_wait"
  | "prefill_wait"
  | "prefill_compute"
  | "decode_wait"
  | "kv_transfer"
  | "first_decode";

/** Every part of TTFT a summary can give, in the order they happen. */
export const TTFT_PARTS: readonly (readonly [
  key: TtftPartKey | "unaccounted",
  label: string,
])[] = Object.freeze([
  ["queue_wait", "queue wait"],
  ["prefill_wait", "prefill wait"],
  ["prefill_compute", "prefill compute"],
  ["decode_wait", "decode wait"],
  ["kv_transfer", "KV transfer"],
  ["first_decode", "first decode"],
  ["unaccounted", "unaccounted"],
]);

/** One part of mean TTFT. */
export interface TtftPart {
  /** The summary key's stem (`mean_KEY_s`), or `unaccounted`. */
  key: TtftPartKey | "unaccounted";
  /** Name shown in the legend. */
  label: string;
  /** Mean seconds. */
  value: number;
}

// The mean of a part, NaN where the summary lacks it.
function meanOf(summary: Partial<Summary>, key: TtftPartKey): number {
  return summary[`mean_${key}_s`] ?? NaN;
}

/**
 * Splits a run's mean TTFT (first token - arrival) into parts that add up
 * to it, for the mode the summary says:
 *
 * - colocated (`mode: mono`): queue wait + prefill compute, + first decode
 *   when the summary has it (exclusive service, where the first token
 *   comes one decode step after the prefill; batched, it comes with the
 *   prefill's last chunk);
 * - disaggregated: prefill wait + prefill compute, and when the first
 *   token is counted at the decode side (the summary then has
 *   `mean_first_decode_s`) also decode wait + KV transfer (when given) +
 *   first decode.
 *
 * Whatever the parts miss of `mean_ttft_s` (relative 1e-9 or more) is
 * shown as an `unaccounted` part rather than dropped, so a bar never
 * silently differs from the mean.
 *
 * @param summary A run's summary (`mode`, `mean_ttft_s`, `mean_*_s`).
 * @returns The parts, in the order they happen; empty without a finite mean TTFT.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ttftParts } from "./study_charts.ts";
 * const parts = ttftParts({
 *   mode: "mono",
 *   mean_ttft_s: 0.041,
 *   mean_queue_wait_s: 0.009,
 *   mean_prefill_compute_s: 0.032,
 * });
 * assert.deepEqual(parts.map((p) => p.key), ["queue_wait", "prefill_compute"]);
 * assert.equal(parts[0].label, "queue wait");
 * ```
 */
export function ttftParts(summary: Partial<Summary>): TtftPart[] {
  const ttft = summary.mean_ttft_s ?? NaN;
  if (!Number.isFinite(ttft)) return [];
  const has = (key: TtftPartKey) => Number.isFinite(meanOf(summary, key));
  const keys: TtftPartKey[] = summary.mode === "disagg"
    ? has("first_decode")
      ? [
        ...(["prefill_wait", "prefill_compute", "decode_wait"] as const),
        ...(has("kv_transfer") ? ["kv_transfer" as const] : []),
        "first_decode",
      ]
      : ["prefill_wait", "prefill_compute"]
    : [
      "queue_wait",
      "prefill_compute",
      ...(has("first_decode") ? ["first_decode" as const] : []),
    ];
  const labels = new Map(TTFT_PARTS);
  const parts: TtftPart[] = keys.map((key) => ({
    key,
    label: labels.get(key)!,
    value: meanOf(summary, key),
  })).filter((p) => Number.isFinite(p.value));
  const rest = ttft - parts.reduce((a, p) => a + p.value, 0);
  if (Math.abs(rest) > 1e-9 * Math.abs(ttft)) {
    parts.push({ key: "unaccounted", label: "unaccounted", value: rest });
  }
  return parts;
}

/**
 * The stacks of a "mean TTFT by part" bar chart, one bar per summary:
 * each bar is {@link ttftParts} of its summary, so it is exactly as tall
 * as that run's mean TTFT. Parts no run has are left out; a part a run
 * lacks is `null` in its bar.
 *
 * @param summaries One summary per bar.
 * @returns The stacks, bottom to top in the order the parts happen.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ttftBreakdownStacks } from "./study_charts.ts";
 * const stacks = ttftBreakdownStacks([
 *   { mode: "mono", mean_ttft_s: 3, mean_queue_wait_s: 1, mean_prefill_compute_s: 2 },
 * ]);
 * assert.deepEqual(stacks, [
 *   { label: "queue wait", values: [1] },
 *   { label: "prefill compute", values: [2] },
 * ]);
 * ```
 */
export function ttftBreakdownStacks(
  summaries: readonly Partial<Summary>[],
): BarStack[] {
  const parts = summaries.map((s) =>
    new Map(ttftParts(s).map((p) => [p.key, p.value]))
  );
  return TTFT_PARTS.filter(([key]) => parts.some((p) => p.has(key))).map((
    [key, label],
  ) => ({ label, values: parts.map((p) => p.get(key) ?? null) }));
}

/** One axis of a sweep grid. */
export interface SweepAxis {
  /** Dotted key path, e.g. `arrival.rate_per_s`. */
  path: string;
  /** Its values, in order. */
  values: readonly unknown[];
}

/** What a sweep chart is made from. */
export interface SweepChartInput {
  /** `sweep` (any grid) or `sweep_prefill` (P50 per prefill speed). */
  name: "sweep" | "sweep_prefill";
  /** The grid's axes. */
  axes: readonly SweepAxis[];
  /** Replications per point; more than 1 draws 95% bands. */
  replications: number;
  /** One row per grid point, in grid order (axis columns and summary keys). */
  rows: readonly Record<string, unknown>[];
  /** 95% half-widths per row, by summary key. */
  cis: readonly Record<string, number>[];
  /** The row column holding an axis' value. */
  column: (path: string) => string;
}

function finiteOrNull(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/**
 * The line chart of a sweep: TTFT percentiles against the rate axis (or
 * the last numeric one; with no numeric axis, against the last axis as
 * categories), one group of series per combination of the other axes,
 * with 95% bands (clamped at 0) when replicated. Points of rows with
 * `stable: false` are marked unstable.
 *
 * @param input The study's axes, rows and intervals.
 * @returns The spec for `renderLineChart`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sweepChartSpec } from "./study_charts.ts";
 * const spec = sweepChartSpec({
 *   name: "sweep",
 *   axes: [{ path: "scheduler.policy", values: ["fcfs", "sjf"] }],
 *   replications: 1,
 *   rows: [
 *     { sweep_policy: "fcfs", p50_ttft_s: 1, p90_ttft_s: 2, p99_ttft_s: 3, stable: true },
 *     { sweep_policy: "sjf", p50_ttft_s: 1, p90_ttft_s: 2, p99_ttft_s: 3, stable: false },
 *   ],
 *   cis: [{}, {}],
 *   column: () => "sweep_policy",
 * });
 * assert.deepEqual(spec.series[0].x, ["fcfs", "sjf"]);
 * assert.deepEqual(spec.series[0].unstable, [false, true]);
 * ```
 */
export function sweepChartSpec(input: SweepChartInput): LineChartSpec {
  const { axes, rows, cis, column, name, replications } = input;
  const numeric = axes.filter((a) =>
    a.values.every((v) => typeof v === "number")
  );
  const xAxis = axes.find((a) => a.path === "arrival.rate_per_s") ??
    numeric[numeric.length - 1] ?? axes[axes.length - 1];
  const categorical = !numeric.includes(xAxis);
  const others = axes.filter((a) => a !== xAxis);
  const quantiles = name === "sweep_prefill"
    ? ["p50"]
    : others.length <= 1
    ? ["p50", "p90", "p99"]
    : ["p90"];
  const groups = new Map<string, number[]>();
  rows.forEach((row, k) => {
    const key = others.map((a) => `${a.path}=${row[column(a.path)]}`)
      .join(", ");
    groups.set(key, [...(groups.get(key) ?? []), k]);
  });
  const series: LineSeries[] = [];
  const band = replications > 1;
  let g = 0;
  for (const [key, idx] of groups) {
    for (const q of quantiles) {
      const metric = `${q}_ttft_s`;
      const y = idx.map((k) => finiteOrNull(rows[k][metric]));
      const half = idx.map((k) => cis[k]?.[metric] ?? 0);
      series.push({
        label: name === "sweep_prefill"
          ? `prefill ${rows[idx[0]][column(others[0]?.path ?? "")]} tok/s`
          : `${key ? key.replace(/^mode=/, "") + " " : ""}${q.toUpperCase()}`,
        x: idx.map((k) => {
          const v = rows[k][column(xAxis.path)];
          return categorical ? String(v) : Number(v);
        }),
        y,
        yLow: band
          ? y.map((v, j) => v === null ? null : v - half[j])
          : undefined,
        yHigh: band
          ? y.map((v, j) => v === null ? null : v + half[j])
          : undefined,
        dashed: g % 2 === 1,
        unstable: idx.map((k) => rows[k].stable === false),
      });
    }
    g++;
  }
  const xLabel = xAxis.path === "arrival.rate_per_s"
    ? "arrival rate (requests/s)"
    : xAxis.path;
  return {
    title: name === "sweep_prefill"
      ? "P50 TTFT against arrival rate"
      : `TTFT against ${xLabel}${replications > 1 ? " (95% CI)" : ""}`,
    xLabel,
    yLabel: name === "sweep_prefill" ? "P50 TTFT (s)" : "TTFT (s)",
    series,
    // Latencies: a band never reaches below 0.
    nonNegative: true,
    ...(categorical ? { xCategories: xAxis.values.map(String) } : {}),
  };
}
