/**
 * The documented types of a token-length section (`prompt_tokens`,
 * `output_tokens`), one interface per mode. The modes' zod schemas stay the
 * one definition (validation, defaults, JSON Schema); each mode's file
 * checks at compile time that its interface is its schema's output.
 *
 * @module
 */

import type { LengthTraceFormat } from "../trace_formats/mod.ts";

/** A token-length mode's name (the `mode` key). */
export type TokenMode =
  | "log"
  | "real_mean_std"
  | "p50_p90"
  | "constant"
  | "exponential"
  | "uniform"
  | "empirical";

/** The keys every mode takes besides its own. */
export interface TokenLimits {
  /** Smallest length a sample can take, in tokens (default 1). */
  min_value: number;
  /**
   * Cap every sample at this length (a max-tokens limit; it makes the
   * pile-up at the cap that real traces show).
   */
  max_tokens?: number;
}

/** Mode `log` (the default): a lognormal by its log-space mu and sigma. */
export interface LogTokens extends TokenLimits {
  /** How the lengths are given. */
  mode: "log";
  /** The log-space mu, the mean of ln(tokens) (default 6.0). */
  mean: number;
  /** The log-space sigma (> 0, default 1.0). */
  sigma: number;
}

/** Mode `real_mean_std`: a lognormal by its real-space mean and std. */
export interface RealMeanStdTokens extends TokenLimits {
  /** How the lengths are given. */
  mode: "real_mean_std";
  /** The mean in tokens (> 0). */
  mean: number;
  /** Standard deviation in tokens (> 0). */
  std: number;
}

/** Mode `p50_p90`: a lognormal by its median and 90th percentile. */
export interface P50P90Tokens extends TokenLimits {
  /** How the lengths are given. */
  mode: "p50_p90";
  /** Median in tokens. */
  p50: number;
  /** 90th percentile in tokens (> p50). */
  p90: number;
}

/** Mode `constant`: every length is `value`. */
export interface ConstantTokens extends TokenLimits {
  /** How the lengths are given. */
  mode: "constant";
  /** The length in tokens. */
  value: number;
}

/** Mode `exponential`: exponential lengths of mean `mean`. */
export interface ExponentialTokens extends TokenLimits {
  /** How the lengths are given. */
  mode: "exponential";
  /** The mean in tokens (> 0). */
  mean: number;
}

/** Mode `uniform`: whole numbers uniform from `low` to `high`. */
export interface UniformTokens extends TokenLimits {
  /** How the lengths are given. */
  mode: "uniform";
  /** Smallest length (inclusive). */
  low: number;
  /** Largest length (inclusive, >= low). */
  high: number;
}

/**
 * Mode `empirical`: lengths drawn uniformly from `values`, or from a
 * trace's prompt (or output) lengths (`trace_file` and `trace_format`;
 * loading the scenario from its file fills `values`).
 */
export interface EmpiricalTokens extends TokenLimits {
  /** How the lengths are given. */
  mode: "empirical";
  /** Observed lengths, drawn uniformly (or give `trace_file`). */
  values?: number[];
  /**
   * A trace whose prompt (or output) lengths are drawn, relative to the
   * scenario file.
   */
  trace_file?: string;
  /** The trace's format. */
  trace_format?: LengthTraceFormat;
}

/**
 * A validated token-length distribution: one mode's settings (defaults
 * filled).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TokenDistribution } from "./distribution.ts";
 * const dist: TokenDistribution = { mode: "p50_p90", p50: 200, p90: 900, min_value: 1 };
 * assert.equal(dist.mode === "p50_p90" ? dist.p90 / dist.p50 : 0, 4.5);
 * ```
 */
export type TokenDistribution =
  | LogTokens
  | RealMeanStdTokens
  | P50P90Tokens
  | ConstantTokens
  | ExponentialTokens
  | UniformTokens
  | EmpiricalTokens;
