/**
 * A plan's rate bands: for each required rate, the cheapest placement able
 * to serve it, from the capacities the plan already found. Where the bands
 * change architecture is the plan's rate crossover.
 *
 * @module
 */

import type { Placement, PlanRow } from "./plan.ts";

/** The cheapest placement able to serve rates up to a bound. */
export interface RateBand {
  /** Rates up to this (from the previous band's bound) are served by it. */
  up_to_rate_per_s: number;
  /** The placement's name. */
  placement: string;
  /** Its architecture. */
  mode: string;
  /** Its GPUs. */
  gpus: number;
  /** With prices: what it costs, dollars per hour (the bands' measure then). */
  usd_per_hour?: number;
}

/**
 * For each capacity level, the cheapest placement whose capacity reaches
 * it (ties: the higher capacity); consecutive levels with the same
 * placement merge into one band. Cheapest is fewest GPUs, or with a cost
 * (a plan's `--price`) fewest dollars per hour.
 *
 * @param rows Planned placements with their capacities.
 * @param cost A placement's cost (default: its GPUs); given, each band says
 * it as `usd_per_hour`.
 * @returns The bands, by increasing rate.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { cheapestByRate } from "./plan_bands.ts";
 * const row = (name: string, mode: "mono" | "disagg", gpus: number, rate: number) => ({
 *   placement: { name, mode, gpus },
 *   capacity: { rate_per_s: rate } as never,
 * });
 * const bands = cheapestByRate([row("m1", "mono", 1, 10), row("m2", "mono", 2, 18), row("d2", "disagg", 2, 25)]);
 * assert.deepEqual(bands, [
 *   { up_to_rate_per_s: 10, placement: "m1", mode: "mono", gpus: 1 },
 *   { up_to_rate_per_s: 25, placement: "d2", mode: "disagg", gpus: 2 },
 * ]);
 * ```
 */
export function cheapestByRate(
  rows: readonly PlanRow[],
  cost?: (placement: Placement) => number,
): RateBand[] {
  const price = cost ?? ((p: Placement) => p.gpus);
  const able = rows.filter((r) => r.capacity);
  const levels = [...new Set(able.map((r) => r.capacity!.rate_per_s))]
    .sort((a, b) => a - b);
  const bands: RateBand[] = [];
  for (const rate of levels) {
    let best: PlanRow | undefined;
    for (const r of able) {
      if (r.capacity!.rate_per_s < rate) continue;
      if (
        !best || price(r.placement) < price(best.placement) ||
        (price(r.placement) === price(best.placement) &&
          r.capacity!.rate_per_s > best.capacity!.rate_per_s)
      ) best = r;
    }
    const last = bands[bands.length - 1];
    if (last && last.placement === best!.placement.name) {
      last.up_to_rate_per_s = rate;
    } else {
      bands.push({
        up_to_rate_per_s: rate,
        placement: best!.placement.name,
        mode: best!.placement.mode,
        gpus: best!.placement.gpus,
        ...(cost && { usd_per_hour: cost(best!.placement) }),
      });
    }
  }
  return bands;
}
