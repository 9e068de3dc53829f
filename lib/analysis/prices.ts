/**
 * GPU prices for a plan: dollars per GPU-hour by GPU type, turned into what
 * a placement costs per hour and per million output tokens at its
 * capacity.
 *
 *     usd_per_hour            = sum over pools of GPUs x price of the pool's GPU
 *     usd_per_m_output_tokens = usd_per_hour / (output tokens/s x 3600) x 1e6
 *
 * with the output tokens per second the capacity search's summary measured
 * at the capacity rate (every finished request's tokens, in the
 * measurement window). A price is the user's: llmsim ships none, since
 * what a GPU-hour costs depends on the contract.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import { layoutGpus, type Placement, placementLayout } from "./placement.ts";

/** Dollars per GPU-hour, by GPU catalog name (or an inline GPU's `name`). */
export type GpuPrices = Readonly<Record<string, number>>;

/** The price per GPU-hour of each pool's GPU in one plan's base scenario. */
export interface PoolPrices {
  /** Mono: the GPU's price. */
  gpu: number;
  /** Disagg: the prefill pool's GPU's price. */
  prefill: number;
  /** Disagg: the decode pool's GPU's price. */
  decode: number;
}

/**
 * Reads `--price NAME=USD,...`.
 *
 * @param text The flag's value.
 * @returns The prices.
 * @throws {InputError} On a malformed entry, a price that is not a positive
 * number, or a GPU given twice.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePrices } from "./prices.ts";
 * assert.deepEqual(parsePrices("H100-SXM=2.5, A100-80G=1.6"), {
 *   "H100-SXM": 2.5,
 *   "A100-80G": 1.6,
 * });
 * assert.throws(() => parsePrices("H100-SXM=free"), /--price: H100-SXM/);
 * ```
 */
export function parsePrices(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of text.split(",").map((s) => s.trim())) {
    const eq = item.indexOf("=");
    if (eq <= 0) {
      throw new InputError(
        `--price: expected GPU=USD_PER_GPU_HOUR,..., got "${item}"`,
      );
    }
    const name = item.slice(0, eq).trim();
    const valueText = item.slice(eq + 1).trim();
    const value = Number(valueText);
    if (valueText === "" || !Number.isFinite(value) || value <= 0) {
      throw new InputError(
        `--price: ${name}: a price per GPU-hour is a positive number, got "${valueText}"`,
      );
    }
    if (name in out) throw new InputError(`--price: ${name} is given twice`);
    out[name] = value;
  }
  return out;
}

/**
 * The price per GPU-hour of each pool, from the GPU each pool runs on.
 *
 * @param prices The prices by GPU name.
 * @param gpus Each pool's GPU name (undefined: the pool names no GPU).
 * @param pools The pools the plan's placements use.
 * @returns The pools' prices (0 for a pool no placement uses).
 * @throws {InputError} When a pool names no GPU or its GPU has no price.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { poolPrices } from "./prices.ts";
 * const p = poolPrices({ "H100-SXM": 2.5, "A100-80G": 1.6 },
 *   { gpu: "H100-SXM", prefill: "H100-SXM", decode: "A100-80G" },
 *   ["gpu", "prefill", "decode"]);
 * assert.deepEqual(p, { gpu: 2.5, prefill: 2.5, decode: 1.6 });
 * assert.throws(
 *   () => poolPrices({ "H100-SXM": 2.5 }, { gpu: "B200" }, ["gpu"]),
 *   /--price: no price for B200/,
 * );
 * ```
 */
export function poolPrices(
  prices: GpuPrices,
  gpus: Partial<Record<keyof PoolPrices, string>>,
  pools: readonly (keyof PoolPrices)[],
): PoolPrices {
  const out: PoolPrices = { gpu: 0, prefill: 0, decode: 0 };
  for (const pool of pools) {
    const name = gpus[pool];
    const where = pool === "gpu" ? "the cluster" : `the ${pool} pool`;
    if (name === undefined) {
      throw new InputError(
        `--price: ${where} names no GPU (price needs hardware.gpu)`,
      );
    }
    const price = prices[name];
    if (price === undefined) {
      throw new InputError(
        `--price: no price for ${name} (the GPU of ${where}); give ${name}=USD`,
      );
    }
    out[pool] = price;
  }
  return out;
}

/** What a placement's GPUs are, pool by pool. */
export interface PlacementGpus {
  /** `mono` or `disagg`. */
  mode: "mono" | "disagg";
  /** GPUs the placement uses. */
  gpus: number;
  /** Disagg: GPUs of the prefill pool. */
  prefill_gpus?: number;
  /** Disagg: GPUs of the decode pool. */
  decode_gpus?: number;
}

/**
 * A placement's GPUs pool by pool.
 *
 * @param placement The placement.
 * @returns Its GPUs, and in disagg each pool's.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { placementGpus } from "./prices.ts";
 * const g = placementGpus({ mode: "disagg", gpus: 12, name: "d", prefill_tp: 2, prefill_instances: 2, decode_tp: 1, decode_dp_attention: 4, decode_ep: 4, decode_instances: 2 });
 * assert.deepEqual(g, { mode: "disagg", gpus: 12, prefill_gpus: 4, decode_gpus: 8 });
 * ```
 */
export function placementGpus(placement: Placement): PlacementGpus {
  if (placement.mode === "mono") {
    return { mode: "mono", gpus: placement.gpus };
  }
  return {
    mode: "disagg",
    gpus: placement.gpus,
    prefill_gpus: placement.prefill_instances! *
      layoutGpus(placementLayout(placement, "prefill")),
    decode_gpus: placement.decode_instances! *
      layoutGpus(placementLayout(placement, "decode")),
  };
}

/**
 * A placement's cost per hour and per million output tokens (module doc).
 *
 * @param placement Its GPUs per pool.
 * @param prices Each pool's price per GPU-hour.
 * @param outputTokensPerS Output tokens per second at its capacity.
 * @returns The two costs (the second Infinity when no token is output).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { placementCost } from "./prices.ts";
 * const c = placementCost({ mode: "mono", gpus: 8 },
 *   { gpu: 2.5, prefill: 0, decode: 0 }, 5000);
 * assert.equal(c.usd_per_hour, 20);
 * // 20 $/h over 18 M tokens/h
 * assert.ok(Math.abs(c.usd_per_m_output_tokens - 20 / 18) < 1e-12);
 * ```
 */
export function placementCost(
  placement: PlacementGpus,
  prices: PoolPrices,
  outputTokensPerS: number,
): { usd_per_hour: number; usd_per_m_output_tokens: number } {
  const perHour = placement.mode === "mono"
    ? placement.gpus * prices.gpu
    : placement.prefill_gpus! * prices.prefill +
      placement.decode_gpus! * prices.decode;
  return {
    usd_per_hour: perHour,
    usd_per_m_output_tokens: outputTokensPerS > 0
      ? perHour / (outputTokensPerS * 3600) * 1e6
      : Infinity,
  };
}

/**
 * A placement's dollars per hour: its GPUs pool by pool at their prices.
 *
 * @param placement The placement.
 * @param prices Each pool's price per GPU-hour.
 * @returns Dollars per hour.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { usdPerHour } from "./prices.ts";
 * const p = { mode: "disagg" as const, gpus: 3, name: "d", prefill_tp: 1, prefill_instances: 1, decode_tp: 1, decode_instances: 2 };
 * assert.equal(usdPerHour(p, { gpu: 0, prefill: 2.5, decode: 1.5 }), 5.5);
 * ```
 */
export function usdPerHour(placement: Placement, prices: PoolPrices): number {
  return placementCost(placementGpus(placement), prices, 1).usd_per_hour;
}
