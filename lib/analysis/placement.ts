/**
 * A placement of a model on GPUs, colocated or disaggregated: what `plan`
 * enumerates (plan.ts) and searches (plan_search.ts).
 *
 * @module
 */

/**
 * How one instance is split over its GPUs: tensor, pipeline and expert
 * parallelism and data-parallel attention ranks; it uses tp x pp x
 * dp_attention GPUs.
 */
export interface PoolLayout {
  /** Tensor-parallel degree. */
  tp: number;
  /** Pipeline stages. */
  pp: number;
  /** GPUs the routed experts are split over (1: every GPU holds all). */
  ep: number;
  /** Data-parallel attention ranks. */
  dp_attention: number;
}

/** One placement. */
export interface Placement {
  /** `mono` or `disagg`. */
  mode: "mono" | "disagg";
  /** Mono: GPUs per instance. */
  tp?: number;
  /** Mono: pipeline stages, when more than 1. */
  pp?: number;
  /** Mono: expert-parallel degree, when more than 1. */
  ep?: number;
  /** Mono: data-parallel attention ranks, when more than 1. */
  dp_attention?: number;
  /** Mono: instances. */
  instances?: number;
  /** Disagg: GPUs per prefill instance. */
  prefill_tp?: number;
  /** Disagg: prefill pipeline stages, when more than 1. */
  prefill_pp?: number;
  /** Disagg: prefill expert-parallel degree, when more than 1. */
  prefill_ep?: number;
  /** Disagg: prefill data-parallel attention ranks, when more than 1. */
  prefill_dp_attention?: number;
  /** Disagg: prefill instances. */
  prefill_instances?: number;
  /** Disagg: GPUs per decode instance. */
  decode_tp?: number;
  /** Disagg: decode pipeline stages, when more than 1. */
  decode_pp?: number;
  /** Disagg: decode expert-parallel degree, when more than 1. */
  decode_ep?: number;
  /** Disagg: decode data-parallel attention ranks, when more than 1. */
  decode_dp_attention?: number;
  /** Disagg: decode instances. */
  decode_instances?: number;
  /** GPUs the placement uses. */
  gpus: number;
  /** A short name, e.g. `mono 4x TP2` or `disagg 1P(TP4) 2D(TP2-DP4-EP8)`. */
  name: string;
}

/**
 * GPUs one instance of a layout uses.
 *
 * @param layout The layout.
 * @returns tp x pp x dp_attention.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { layoutGpus } from "./placement.ts";
 * assert.equal(layoutGpus({ tp: 2, pp: 2, ep: 8, dp_attention: 2 }), 8);
 * ```
 */
export function layoutGpus(layout: PoolLayout): number {
  return layout.tp * layout.pp * layout.dp_attention;
}

/**
 * A layout's short name: `TP4`, and the degrees above 1 after it.
 *
 * @param layout The layout.
 * @returns The name.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { layoutName } from "./placement.ts";
 * assert.equal(layoutName({ tp: 4, pp: 1, ep: 1, dp_attention: 1 }), "TP4");
 * assert.equal(layoutName({ tp: 1, pp: 1, ep: 8, dp_attention: 8 }), "TP1-DP8-EP8");
 * ```
 */
export function layoutName(layout: PoolLayout): string {
  let name = `TP${layout.tp}`;
  if (layout.pp > 1) name += `-PP${layout.pp}`;
  if (layout.dp_attention > 1) name += `-DP${layout.dp_attention}`;
  if (layout.ep > 1) name += `-EP${layout.ep}`;
  return name;
}

/**
 * A pool's layout in a placement (degrees it leaves out are 1).
 *
 * @param placement The placement.
 * @param pool `gpu` (mono), `prefill` or `decode`.
 * @returns The layout.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { placementLayout } from "./placement.ts";
 * const l = placementLayout({ mode: "disagg", gpus: 4, name: "d", prefill_tp: 2, prefill_instances: 1, decode_tp: 1, decode_ep: 2, decode_dp_attention: 2, decode_instances: 1 }, "decode");
 * assert.deepEqual(l, { tp: 1, pp: 1, ep: 2, dp_attention: 2 });
 * ```
 */
export function placementLayout(
  placement: Placement,
  pool: "gpu" | "prefill" | "decode",
): PoolLayout {
  const p = placement;
  return pool === "gpu"
    ? {
      tp: p.tp!,
      pp: p.pp ?? 1,
      ep: p.ep ?? 1,
      dp_attention: p.dp_attention ?? 1,
    }
    : pool === "prefill"
    ? {
      tp: p.prefill_tp!,
      pp: p.prefill_pp ?? 1,
      ep: p.prefill_ep ?? 1,
      dp_attention: p.prefill_dp_attention ?? 1,
    }
    : {
      tp: p.decode_tp!,
      pp: p.decode_pp ?? 1,
      ep: p.decode_ep ?? 1,
      dp_attention: p.decode_dp_attention ?? 1,
    };
}

/**
 * The placement's fields of one pool's layout: the TP degree always, the
 * other degrees only when above 1 (so a TP-only plan reads as before).
 *
 * @param layout The layout.
 * @param prefix `""` (mono), `prefill_` or `decode_`.
 * @returns The fields.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { layoutFields } from "./placement.ts";
 * assert.deepEqual(layoutFields({ tp: 2, pp: 1, ep: 4, dp_attention: 2 }, "decode_"),
 *   { decode_tp: 2, decode_ep: 4, decode_dp_attention: 2 });
 * ```
 */
export function layoutFields(
  layout: PoolLayout,
  prefix: "" | "prefill_" | "decode_",
): Partial<Placement> {
  const out: Record<string, number> = { [`${prefix}tp`]: layout.tp };
  if (layout.pp > 1) out[`${prefix}pp`] = layout.pp;
  if (layout.ep > 1) out[`${prefix}ep`] = layout.ep;
  if (layout.dp_attention > 1) {
    out[`${prefix}dp_attention`] = layout.dp_attention;
  }
  return out as Partial<Placement>;
}

/**
 * Whether two layouts are the same.
 *
 * @param a A layout.
 * @param b Another.
 * @returns True when every degree matches.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sameLayout } from "./placement.ts";
 * assert.ok(sameLayout({ tp: 1, pp: 1, ep: 1, dp_attention: 1 }, { tp: 1, pp: 1, ep: 1, dp_attention: 1 }));
 * ```
 */
export function sameLayout(a: PoolLayout, b: PoolLayout): boolean {
  return a.tp === b.tp && a.pp === b.pp && a.ep === b.ep &&
    a.dp_attention === b.dp_attention;
}
