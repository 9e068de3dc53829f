/**
 * A placement of a model on GPUs, colocated or disaggregated: what `plan`
 * enumerates (plan.ts) and searches (plan_search.ts).
 *
 * @module
 */

/** One placement. */
export interface Placement {
  /** `mono` or `disagg`. */
  mode: "mono" | "disagg";
  /** Mono: GPUs per instance. */
  tp?: number;
  /** Mono: instances. */
  instances?: number;
  /** Disagg: GPUs per prefill instance. */
  prefill_tp?: number;
  /** Disagg: prefill instances. */
  prefill_instances?: number;
  /** Disagg: GPUs per decode instance. */
  decode_tp?: number;
  /** Disagg: decode instances. */
  decode_instances?: number;
  /** GPUs the placement uses. */
  gpus: number;
  /** A short name, e.g. `mono 4x TP2` or `disagg 1P(TP4) 2D(TP2)`. */
  name: string;
}
