/**
 * The `table` step-time model: iteration times the user measured on their
 * own engine, interpolated trilinearly over the grid `./step_table.ts`
 * parses, with the optional attention term fitted there. The file format
 * and the attention term are documented in that module.
 *
 * @module
 */

import { fitAttention, pointName, type StepTable } from "./step_table.ts";
import type { IterationShape, StepTimeModel } from "./step_time.ts";

/**
 * Options for {@linkcode tableStepTime}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseStepTable } from "./step_table.ts";
 * import { type TableStepTimeOptions, tableStepTime } from "./table_step_time.ts";
 * const table = parseStepTable("prefill_tokens,decode_batch,context_tokens,step_s\n0,0,0,0.01\n0,8,0,0.02");
 * const options: TableStepTimeOptions = { iterationOverheadS: 0.002 };
 * // The overhead is added to the table's time of every iteration.
 * const shape = { prefillTokens: 0, prefillSequences: 0, prefillAttendedTokens: 0, prefillPastTokens: 0, decodeTokens: 8, decodeContextTokens: 0 };
 * assert.equal(tableStepTime(table, options).iterationTimeS(shape), 0.02 + 0.002);
 * ```
 */
export interface TableStepTimeOptions {
  /** Seconds added to every iteration on top of the table (default 0). */
  iterationOverheadS?: number;
}

/**
 * A step-time model backed by a measured table, which also tells how often
 * it had to extrapolate.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseStepTable } from "./step_table.ts";
 * import { tableStepTime } from "./table_step_time.ts";
 * const m = tableStepTime(parseStepTable(
 *   "prefill_tokens,decode_batch,context_tokens,step_s\n0,0,0,0.01\n0,8,0,0.02\n512,0,0,0.05\n512,8,0,0.06",
 * ));
 * m.iterationTimeS({ prefillTokens: 1024, prefillSequences: 1, prefillAttendedTokens: 0, prefillPastTokens: 0, decodeTokens: 0, decodeContextTokens: 0 });
 * assert.equal(m.extrapolated, 1);
 * ```
 */
export interface TableStepTimeModel extends StepTimeModel {
  /**
   * Iterations so far whose shape fell outside the table on some axis (and
   * were extrapolated), so callers can warn. Axes with a single value are
   * constant by design and never count.
   */
  readonly extrapolated: number;
  /**
   * Seconds per attended (query, key) pair fitted from the table's
   * `prefill_attended_tokens` column (the module documentation gives the
   * fit), 0 when the table has no such column.
   */
  readonly attentionSPerPair: number;
}

/**
 * Builds the `table` step-time model. An iteration is looked up at prefill
 * tokens P, decode batch B and mean decode context C (its decode context
 * tokens / B, or the smallest context value when B is 0) by trilinear
 * interpolation. Beyond an axis's range the two outermost grid values on that
 * side are extrapolated linearly, never clamped. The prefill and decode axes
 * start at 0, so only they extrapolate upwards; context can extrapolate both
 * ways when its axis does not start at 0.
 *
 * When the table carries attended pairs, an iteration with A of them costs
 * `S(P, B, C) + a (A - Aref(P, B, C))` instead, with S and Aref the
 * interpolated step times and attended pairs and a the fitted
 * `attentionSPerPair` (see the module documentation). Without them the
 * iteration's attended pairs are ignored.
 *
 * @param table The measured grid, as {@linkcode parseStepTable} returns it.
 * @param options A fixed overhead to add to every iteration.
 * @returns The model; `iterationTimeS` throws a `RangeError` when a time
 * is not positive: an extrapolated one from a table that decreases at its
 * edge, or, with the attention term, a shape with fewer attended pairs than
 * prefill tokens (which no real batch has).
 * @throws {RangeError} On a malformed grid, a bad overhead, or attended
 * pairs from which no attention cost can be fitted (the errors
 * {@linkcode parseStepTable} reports with the file's line).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseStepTable } from "./step_table.ts";
 * import { tableStepTime } from "./table_step_time.ts";
 * const table = parseStepTable([
 *   "prefill_tokens,decode_batch,context_tokens,step_s",
 *   "0,0,0,0.010",
 *   "0,8,0,0.020",
 *   "512,0,0,0.050",
 *   "512,8,0,0.060",
 * ].join("\n"), { source: "h100.csv" });
 * const m = tableStepTime(table, { iterationOverheadS: 0.001 });
 * // Halfway along both axes: the mean of the four corners, plus overhead.
 * const t = m.iterationTimeS({ prefillTokens: 256, prefillSequences: 1, prefillAttendedTokens: 0, prefillPastTokens: 0, decodeTokens: 4, decodeContextTokens: 4000 });
 * assert.ok(Math.abs(t - 0.036) <= 1e-12, String(t));
 * assert.equal(m.extrapolated, 0);
 *
 * // Rows of one prompt each, made with 2 ns per attended pair on top of a
 * // cost linear in the tokens: the fit finds the 2 ns again.
 * const rows = [
 *   "prefill_tokens,decode_batch,context_tokens,step_s,prefill_attended_tokens",
 * ];
 * for (const p of [0, 512, 1024, 2048]) {
 *   for (const b of [0, 8]) {
 *     const pairs = p * (p + 1) / 2;
 *     rows.push(`${p},${b},0,${0.01 + 2e-5 * p + 1e-3 * b + 2e-9 * pairs},${pairs}`);
 *   }
 * }
 * const a = tableStepTime(parseStepTable(rows.join("\n")));
 * assert.ok(Math.abs(a.attentionSPerPair - 2e-9) <= 1e-18, String(a.attentionSPerPair));
 * // Eight prompts of 256 attend to 1,835,008 fewer pairs than one of 2,048.
 * const prefill = { prefillTokens: 2048, prefillPastTokens: 0, decodeTokens: 0, decodeContextTokens: 0 };
 * const one = a.iterationTimeS({ ...prefill, prefillSequences: 1, prefillAttendedTokens: 2048 * 2049 / 2 });
 * const eight = a.iterationTimeS({ ...prefill, prefillSequences: 8, prefillAttendedTokens: 8 * 256 * 257 / 2 });
 * assert.ok(Math.abs(one - eight - 1835008 * 2e-9) <= 1e-12, String(one - eight));
 * ```
 */
export function tableStepTime(
  table: StepTable,
  options: TableStepTimeOptions = {},
): TableStepTimeModel {
  const { source, prefillTokens: ps, decodeBatch: bs, contextTokens: cs } =
    table;
  const ts = table.stepS;
  const overheadS = options.iterationOverheadS ?? 0;
  if (!(overheadS >= 0 && Number.isFinite(overheadS))) {
    throw new RangeError(
      `iterationOverheadS must be finite and >= 0, got ${overheadS}`,
    );
  }
  for (
    const [name, xs] of [["prefill_tokens", ps], ["decode_batch", bs], [
      "context_tokens",
      cs,
    ]] as const
  ) {
    if (xs.length === 0) throw new RangeError(`${source}: empty ${name} axis`);
    for (let i = 1; i < xs.length; i++) {
      if (!(xs[i] > xs[i - 1])) {
        throw new RangeError(`${source}: ${name} axis is not ascending`);
      }
    }
  }
  if (ps[0] !== 0 || bs[0] !== 0) {
    throw new RangeError(
      `${source}: the prefill_tokens and decode_batch axes must start at 0`,
    );
  }
  const nP = ps.length, nB = bs.length, nC = cs.length;
  if (ts.length !== nP * nB * nC) {
    throw new RangeError(
      `${source}: ${ts.length} step times for a ${nP} x ${nB} x ${nC} grid`,
    );
  }
  const as = table.prefillAttendedTokens;
  if (as !== undefined && as.length !== ts.length) {
    throw new RangeError(
      `${source}: ${as.length} attended counts for ${ts.length} step times`,
    );
  }
  const fit = fitAttention(table);
  if (typeof fit !== "number") throw new RangeError(`${source}: ${fit.what}`);
  const a = fit;
  const maxP = ps[nP - 1], maxB = bs[nB - 1];
  const minC = cs[0], maxC = cs[nC - 1];
  // Strides along each axis; 0 on a single-value axis so its two "corners"
  // coincide and the weight does not matter.
  const strideP = nP > 1 ? nB * nC : 0;
  const strideB = nB > 1 ? nC : 0;
  const strideC = nC > 1 ? 1 : 0;
  let extrapolated = 0;

  return {
    get extrapolated(): number {
      return extrapolated;
    },
    attentionSPerPair: a,
    iterationTimeS(shape: IterationShape): number {
      const p = shape.prefillTokens;
      const b = shape.decodeTokens;
      const c = b > 0 ? shape.decodeContextTokens / b : minC;
      const ip = lowerIndex(ps, p);
      const ib = lowerIndex(bs, b);
      const ic = lowerIndex(cs, c);
      const wp = nP > 1 ? (p - ps[ip]) / (ps[ip + 1] - ps[ip]) : 0;
      const wb = nB > 1 ? (b - bs[ib]) / (bs[ib + 1] - bs[ib]) : 0;
      const wc = nC > 1 ? (c - cs[ic]) / (cs[ic + 1] - cs[ic]) : 0;
      const i000 = (ip * nB + ib) * nC + ic;
      let t = trilinear(ts, i000, strideP, strideB, strideC, wp, wb, wc);
      if (as !== undefined) {
        // Interpolating the times and the pairs apart, rather than the
        // residual step_s - a pairs, keeps a row's own shape exact.
        const aRef = trilinear(as, i000, strideP, strideB, strideC, wp, wb, wc);
        t += a * (shape.prefillAttendedTokens - aRef);
        if (!(t > 0)) {
          throw new RangeError(
            `${source}: the step time at ${
              pointName(p, b, c)
            } with ${shape.prefillAttendedTokens} attended pairs is ${t} s, not > 0 (a real batch attends to at least one pair per prefill token)`,
          );
        }
      }
      if (
        (nP > 1 && p > maxP) || (nB > 1 && b > maxB) ||
        (nC > 1 && (c > maxC || c < minC))
      ) {
        extrapolated++;
        // Inside the grid t is a convex mix of positive times; only
        // extrapolation from a table that falls at its edge can reach 0.
        if (!(t > 0)) {
          throw new RangeError(
            `${source}: the step time extrapolated to ${
              pointName(p, b, c)
            } is ${t} s, not > 0 (the table decreases at its edge; measure larger iterations)`,
          );
        }
      }
      return t + overheadS;
    },
  };
}

// The value of a grid laid out like StepTable.stepS at weights (wp, wb, wc)
// within the cell whose lowest corner is i000.
function trilinear(
  grid: Float64Array,
  i000: number,
  strideP: number,
  strideB: number,
  strideC: number,
  wp: number,
  wb: number,
  wc: number,
): number {
  const i010 = i000 + strideB;
  const i100 = i000 + strideP;
  const i110 = i100 + strideB;
  const c00 = grid[i000] + wc * (grid[i000 + strideC] - grid[i000]);
  const c01 = grid[i010] + wc * (grid[i010 + strideC] - grid[i010]);
  const c10 = grid[i100] + wc * (grid[i100 + strideC] - grid[i100]);
  const c11 = grid[i110] + wc * (grid[i110 + strideC] - grid[i110]);
  const b0 = c00 + wb * (c01 - c00);
  const b1 = c10 + wb * (c11 - c10);
  return b0 + wp * (b1 - b0);
}

// The segment [xs[i], xs[i + 1]] to interpolate x in: the largest i <= n - 2
// with xs[i] <= x, so points beyond either end use the outermost segment.
function lowerIndex(xs: Float64Array, x: number): number {
  let hi = xs.length - 2;
  if (hi <= 0 || x >= xs[hi]) return hi > 0 ? hi : 0;
  let lo = 0;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  return lo;
}
