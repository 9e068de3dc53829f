/**
 * What a plan reports, made from its description and its capacity
 * searches alone (see shard.ts), so that merged shards report the same:
 * the ranked placements (per crossover value), the cheapest placement per
 * rate, where the winning architecture flips, and the sentences that say
 * so. `llmsim plan` writes and prints exactly these.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import { cheapestByRate, type RateBand } from "./plan_bands.ts";
import { type PlanRow, planRow, rankPlan } from "./plan.ts";
import type { StudySpec } from "./shard.ts";
import type { TaskOutcome } from "./tasks.ts";
import { placementLayout } from "./placement.ts";
import {
  placementCost,
  placementGpus,
  type PoolPrices,
  usdPerHour,
} from "./prices.ts";

/** Where the winning architecture flips along the crossover axis. */
export interface PlanCrossover {
  /** The crossover's key path. */
  key: string;
  /** At each value, the best capacity per GPU of each architecture. */
  best_capacity_rps_per_gpu: {
    value: unknown;
    mono: number;
    disagg: number;
    winner: "mono" | "disagg";
  }[];
  /** Consecutive values between which the winner changes. */
  flips: { between: [unknown, unknown]; winner: "mono" | "disagg" }[];
}

/** What `llmsim plan` reports (plan.json), in this key order. */
export interface PlanReport {
  /** One row per placement (per crossover value), ranked; infeasible ones last with their reason. */
  placements: Record<string, unknown>[];
  /** The cheapest placement per rate (of the last crossover value). */
  cheapest_by_rate: RateBand[];
  /** With a crossover axis: where the winner flips. */
  crossover?: PlanCrossover;
}

/** A plan's results. */
export interface PlanResults {
  /** The report (plan.json). */
  report: PlanReport;
  /** The ranked rows of the last crossover value (the Pareto chart's). */
  ranked: PlanRow[];
  /** The rate and key crossovers, in words. */
  notes: string[];
  /** The columns a person reads first (the table of `--format table`). */
  columns: string[];
}

// A plan row as plan.csv and plan.json give it; the degrees beyond TP
// only when the plan tries them, the costs only with prices.
function planRowOut(
  row: PlanRow,
  rank: number | null,
  layouts: boolean,
  prices: PoolPrices | undefined,
): Record<string, unknown> {
  const p = row.placement;
  const c = row.capacity;
  const degrees = (prefix: "" | "prefill_" | "decode_", on: boolean) => {
    if (!layouts) return {};
    const pool = prefix === ""
      ? "gpu"
      : prefix === "prefill_"
      ? "prefill"
      : "decode";
    const l = on ? placementLayout(p, pool) : undefined;
    return {
      [`${prefix}pp`]: l?.pp,
      [`${prefix}ep`]: l?.ep,
      [`${prefix}dp_attention`]: l?.dp_attention,
    };
  };
  const mono = p.mode === "mono";
  const cost = prices && c
    ? placementCost(placementGpus(p), prices, c.summary.output_tokens_per_s)
    : undefined;
  return {
    rank,
    placement: p.name,
    mode: p.mode,
    gpus: p.gpus,
    tp: p.tp,
    ...degrees("", mono),
    instances: p.instances,
    prefill_tp: p.prefill_tp,
    ...degrees("prefill_", !mono),
    prefill_instances: p.prefill_instances,
    decode_tp: p.decode_tp,
    ...degrees("decode_", !mono),
    decode_instances: p.decode_instances,
    capacity_rps: c?.rate_per_s,
    capacity_rps_per_gpu: c?.rate_per_s_per_gpu,
    criterion_value: c?.value,
    p90_ttft_s: c?.summary.p90_ttft_s,
    p90_tpot_s: c?.summary.p90_tpot_s,
    ...(prices
      ? {
        output_tokens_per_s: c?.summary.output_tokens_per_s,
        usd_per_hour: cost?.usd_per_hour,
        usd_per_m_output_tokens: cost?.usd_per_m_output_tokens,
      }
      : {}),
    capacity_bound_rps: row.bound_rps,
    reason: row.skipped,
  };
}

/**
 * A plan's report from its tasks' outcomes.
 *
 * @param spec The plan.
 * @param outcomes Per task (placement, per crossover value), its capacity
 * search's outcome, or null for a placement that cannot run.
 * @returns The report, the last value's ranking and the notes.
 * @throws {InputError} When no placement is feasible.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { planResults } from "./plan_results.ts";
 * import type { CapacityResult } from "./capacity.ts";
 * const cap = (rate: number, gpus: number) =>
 *   ({ rate_per_s: rate, rate_per_s_per_gpu: rate / gpus, value: 0.9, summary: {} }) as unknown as CapacityResult;
 * const r = planResults({
 *   kind: "plan",
 *   placements: [{ name: "a", mode: "mono", gpus: 1 }, { name: "b", mode: "disagg", gpus: 2 }],
 *   skipped: [null, null],
 *   fingerprint: "",
 * }, [cap(2, 1), cap(6, 2)]);
 * assert.deepEqual(r.report.placements.map((p) => p.placement), ["b", "a"]);
 * assert.deepEqual(r.report.cheapest_by_rate.map((b) => b.placement), ["a", "b"]);
 * assert.match(r.notes[0], /^rate crossover: above 2\.000 req\/s the cheapest placement is disagg/);
 * ```
 */
export function planResults(
  spec: Extract<StudySpec, { kind: "plan" }>,
  outcomes: readonly (TaskOutcome | null)[],
): PlanResults {
  const n = spec.placements.length;
  const groups = spec.crossover ? spec.crossover.values : [undefined];
  // Degrees beyond TP get columns when some placement has one.
  const layouts = spec.placements.some((p) =>
    ["gpu", "prefill", "decode"].some((pool) => {
      if ((pool === "gpu") !== (p.mode === "mono")) return false;
      const l = placementLayout(p, pool as "gpu" | "prefill" | "decode");
      return l.pp > 1 || l.ep > 1 || l.dp_attention > 1;
    })
  );
  const rows: Record<string, unknown>[] = [];
  const best: { value: unknown; mono: number; disagg: number }[] = [];
  const ranked: PlanRow[][] = [];
  groups.forEach((value, g) => {
    const planRows: PlanRow[] = spec.placements.map((placement, k) => {
      const outcome = outcomes[g * n + k];
      return outcome
        ? planRow(placement, outcome)
        : { placement, skipped: spec.skipped[g * n + k] ?? undefined };
    });
    const order = rankPlan(planRows);
    ranked.push(order);
    const top = (mode: string) =>
      Math.max(
        0,
        ...order.filter((r) => r.placement.mode === mode && r.capacity).map((
          r,
        ) => r.capacity!.rate_per_s_per_gpu),
      );
    best.push({ value, mono: top("mono"), disagg: top("disagg") });
    order.forEach((row, k) =>
      rows.push({
        ...(spec.crossover
          ? { [`crossover_${spec.crossover.path}`]: value }
          : {}),
        // Only feasible placements are ranked; rankPlan puts them first.
        ...planRowOut(
          row,
          row.capacity ? k + 1 : null,
          layouts,
          spec.prices?.[g],
        ),
      })
    );
  });
  if (!ranked.some((order) => order.some((r) => r.capacity))) {
    const reasons = [
      ...new Set(ranked.flat().map((r) => r.skipped).filter((r) => r)),
    ];
    const g = spec.placements.reduce((m, p) => Math.max(m, p.gpus), 0);
    throw new InputError(
      `no placement of ${g} GPU${g > 1 ? "s" : ""} fits: ${
        reasons.slice(0, 2).join("; ")
      }`,
    );
  }
  const last = ranked[ranked.length - 1];
  // The cheapest placement for each required rate, from the capacities
  // already found: where it changes architecture is the rate crossover.
  const lastPrices = spec.prices?.[ranked.length - 1];
  const cheapest = cheapestByRate(
    last,
    lastPrices && ((p) => usdPerHour(p, lastPrices)),
  );
  const report: PlanReport = { placements: rows, cheapest_by_rate: cheapest };
  if (spec.crossover) {
    const flips: PlanCrossover["flips"] = [];
    for (let k = 1; k < best.length; k++) {
      const before = best[k - 1].disagg > best[k - 1].mono;
      const after = best[k].disagg > best[k].mono;
      if (before !== after) {
        flips.push({
          between: [best[k - 1].value, best[k].value],
          winner: after ? "disagg" : "mono",
        });
      }
    }
    report.crossover = {
      key: spec.crossover.path,
      best_capacity_rps_per_gpu: best.map((b) => ({
        value: b.value,
        mono: b.mono,
        disagg: b.disagg,
        winner: b.disagg > b.mono ? "disagg" : "mono",
      })),
      flips,
    };
  }
  const notes: string[] = [];
  for (let k = 1; k < cheapest.length; k++) {
    if (cheapest[k].mode !== cheapest[k - 1].mode) {
      notes.push(
        `rate crossover: above ${
          cheapest[k - 1].up_to_rate_per_s.toPrecision(4)
        } req/s the cheapest placement is ${cheapest[k].mode} (${
          cheapest[k].placement
        }, ${cheapest[k].gpus} GPUs)`,
      );
    }
  }
  if (report.crossover) {
    const key = report.crossover.key;
    if (report.crossover.flips.length === 0) {
      notes.push(`no crossover: the same architecture wins at every ${key}`);
    }
    for (const f of report.crossover.flips) {
      notes.push(
        `crossover: ${f.winner} starts to win between ${key}=${
          f.between[0]
        } and ${f.between[1]}`,
      );
    }
  }
  const columns = [
    ...(spec.crossover ? [`crossover_${spec.crossover.path}`] : []),
    "rank",
    "placement",
    "gpus",
    "capacity_rps",
    "capacity_rps_per_gpu",
    "p90_ttft_s",
    "p90_tpot_s",
    ...(spec.prices ? ["usd_per_m_output_tokens"] : []),
    "reason",
  ];
  return { report, ranked: last, notes, columns };
}
