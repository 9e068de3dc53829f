/**
 * What a sweep and a capacity study report, made from the study's
 * description and its task outcomes alone (see shard.ts): the same rows
 * and objects whether the tasks ran in one process, on workers, or in
 * shards merged later. `llmsim sweep` and `llmsim capacity` write and print
 * exactly these.
 *
 * @module
 */

import type { Summary } from "../metrics/summary.ts";
import type { CapacityResult } from "./capacity.ts";
import type { StudySpec } from "./shard.ts";
import { aggregateReplications, gridPoints } from "./study.ts";
import type { SimulateOutcome, TaskOutcome } from "./tasks.ts";

const AXIS_COLUMNS: Record<string, string> = {
  mode: "sweep_mode",
  "arrival.rate_per_s": "sweep_rate_per_s",
  "cluster_mono.prefill_tokens_per_s": "sweep_prefill_tokens_per_s",
  "cluster_disagg.prefill_tokens_per_s": "sweep_prefill_tokens_per_s",
};

/**
 * The column of a sweep's rows that holds an axis' value: `sweep_` and the
 * key path, with short names for the mode, the rate and the prefill speed.
 *
 * @param path The axis' key path.
 * @returns The column name.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { axisColumn } from "./study_results.ts";
 * assert.equal(axisColumn("arrival.rate_per_s"), "sweep_rate_per_s");
 * assert.equal(axisColumn("scheduler.policy"), "sweep_scheduler.policy");
 * ```
 */
export function axisColumn(path: string): string {
  return AXIS_COLUMNS[path] ?? `sweep_${path}`;
}

/** A sweep's results. */
export interface SweepTable {
  /** One row per grid point: axis columns, then the (mean) summary, then `_ci95` keys. */
  rows: Record<string, unknown>[];
  /** Per row, the 95% half-widths by summary key (empty without replications). */
  cis: Record<string, number>[];
  /** The runs' warnings, each prefixed with its point (and replication). */
  warnings: string[];
  /** The columns a person reads first (the table of `--format table`). */
  columns: string[];
}

/**
 * A sweep's rows from its simulations' outcomes.
 *
 * @param spec The sweep.
 * @param outcomes The simulate outcomes, in task order (point by point,
 * replications of a point together).
 * @returns Rows, intervals, warnings and the columns to show.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sweepTable } from "./study_results.ts";
 * import type { SimulateOutcome } from "./tasks.ts";
 * const run = (p90: number) =>
 *   ({ summary: { p90_ttft_s: p90 }, warnings: [] }) as unknown as SimulateOutcome;
 * const t = sweepTable(
 *   { kind: "sweep", name: "sweep", axes: [{ path: "arrival.rate_per_s", values: [1, 2] }], replications: 1, fingerprint: "" },
 *   [run(0.5), run(0.7)],
 * );
 * assert.deepEqual(t.rows, [
 *   { sweep_rate_per_s: 1, p90_ttft_s: 0.5 },
 *   { sweep_rate_per_s: 2, p90_ttft_s: 0.7 },
 * ]);
 * assert.equal(t.columns[0], "sweep_rate_per_s");
 * ```
 */
export function sweepTable(
  spec: Extract<StudySpec, { kind: "sweep" }>,
  outcomes: readonly TaskOutcome[],
): SweepTable {
  const points = gridPoints(spec.axes);
  const R = spec.replications;
  const warnings: string[] = [];
  const rows: Record<string, unknown>[] = [];
  const cis: Record<string, number>[] = [];
  for (const p of points) {
    const runs = outcomes.slice(
      p.index * R,
      p.index * R + R,
    ) as SimulateOutcome[];
    const at = Object.entries(p.params).map(([k, v]) => `${k}=${v}`).join(
      ", ",
    );
    runs.forEach((run, r) =>
      warnings.push(
        ...run.warnings.map((w) =>
          `${at}${R > 1 ? ` (replication ${r})` : ""}: ${w}`
        ),
      )
    );
    const { summary, ci95 } = R > 1
      ? aggregateReplications(runs.map((x) => x.summary))
      : { summary: runs[0].summary, ci95: {} };
    const row: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(p.params)) row[axisColumn(k)] = v;
    if (R > 1) row.replications = R;
    Object.assign(row, summary);
    for (const [k, v] of Object.entries(ci95)) row[`${k}_ci95`] = v;
    rows.push(row);
    cis.push(ci95);
  }
  const columns = [
    ...spec.axes.map((a) => axisColumn(a.path)),
    "p50_ttft_s",
    "p90_ttft_s",
    "p99_ttft_s",
    ...(R > 1 ? ["p90_ttft_s_ci95"] : []),
    "saturation",
  ];
  return { rows, cis, warnings, columns };
}

/** What `llmsim capacity` reports (capacity.json), in this key order. */
export interface CapacityReport {
  /** The capacity (mean over replications): the highest rate meeting the target. */
  capacity_rps: number;
  /** The capacity per GPU. */
  capacity_rps_per_gpu: number;
  /** GPUs of the scenario's architecture. */
  gpus: number;
  /** The criterion's value at the capacity. */
  criterion_value: number;
  /** The base seed. */
  random_seed: number;
  /** Seeds run. */
  replications: number;
  /** With replications: the seeds, `"42..46"` when consecutive. */
  random_seeds?: string;
  /** With replications: the 95% half-width of `capacity_rps`. */
  capacity_rps_ci95?: number;
  /** With replications: the 95% half-width of `capacity_rps_per_gpu`. */
  capacity_rps_per_gpu_ci95?: number;
  /** With replications: the 95% half-width of `criterion_value`. */
  criterion_value_ci95?: number;
  /** With replications: each one's capacity. */
  per_replication?: number[];
  /** The first replication's evaluations. */
  evaluations: CapacityResult["evaluations"];
  /** The first replication's summary at its capacity. */
  summary_at_capacity: Summary;
}

/**
 * A capacity study's report from its replications' searches.
 *
 * @param spec The study.
 * @param runs The capacity searches, one per replication, in order.
 * @returns The report (`capacity_rps` is the capacity; the summary's
 * `goodput_rps` counts the requests meeting their SLO at one rate).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { capacityReport } from "./study_results.ts";
 * import type { CapacityResult } from "./capacity.ts";
 * const run = { rate_per_s: 4, rate_per_s_per_gpu: 1, gpus: 4, value: 0.95, summary: { random_seed: 42 }, evaluations: [] } as unknown as CapacityResult;
 * const r = capacityReport({ kind: "capacity", replications: 1, fingerprint: "" }, [run]);
 * assert.equal(r.capacity_rps, 4);
 * assert.equal(r.random_seed, 42);
 * assert.equal(r.per_replication, undefined);
 * ```
 */
export function capacityReport(
  spec: Extract<StudySpec, { kind: "capacity" }>,
  runs: readonly CapacityResult[],
): CapacityReport {
  const keys = ["rate_per_s", "rate_per_s_per_gpu", "value"] as const;
  const summaries = runs.map((r) =>
    Object.fromEntries(keys.map((k) => [k, r[k]]))
  ) as unknown as Summary[];
  const { summary, ci95 } = aggregateReplications(summaries);
  const mean = summary as unknown as Record<string, number>;
  const seeds = runs.map((r) => r.summary.random_seed as number);
  const out: CapacityReport = {
    capacity_rps: mean.rate_per_s,
    capacity_rps_per_gpu: mean.rate_per_s_per_gpu,
    gpus: runs[0].gpus,
    criterion_value: mean.value,
    random_seed: seeds[0],
    replications: spec.replications,
  } as CapacityReport;
  if (spec.replications > 1) {
    out.random_seeds = seeds.every((x, k) => x === seeds[0] + k)
      ? `${seeds[0]}..${seeds[seeds.length - 1]}`
      : seeds.join(",");
    out.capacity_rps_ci95 = ci95.rate_per_s;
    out.capacity_rps_per_gpu_ci95 = ci95.rate_per_s_per_gpu;
    out.criterion_value_ci95 = ci95.value;
    out.per_replication = runs.map((r) => r.rate_per_s);
  }
  out.evaluations = runs[0].evaluations;
  out.summary_at_capacity = runs[0].summary;
  return out;
}
