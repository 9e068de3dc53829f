/**
 * The `table` step-time model: iteration times the user measured on their
 * own engine, read from a CSV file and interpolated trilinearly, with an
 * optional attention term fitted from the same rows.
 *
 * ## File format
 *
 * A header row names these four columns, in any order:
 *
 * - `prefill_tokens`: prompt tokens in the iteration (integer >= 0);
 * - `decode_batch`: decoding sequences in the iteration (integer >= 0);
 * - `context_tokens`: mean context length of the decoding sequences (>= 0);
 * - `step_s`: measured duration of the iteration, seconds (finite, > 0);
 *
 * and optionally a fifth:
 *
 * - `prefill_attended_tokens`: the (query, key) pairs of the measured
 *   prefill, i.e. the sum over its prompt tokens of the context each one
 *   attends to. A chunk of n tokens after s cached ones adds
 *   n s + n (n + 1) / 2, so one prompt of P tokens measured alone has
 *   P (P + 1) / 2, and 8 prompts of 256 have 8 x 256 x 257 / 2. It must be
 *   0 when `prefill_tokens` is 0 and at least `prefill_tokens` otherwise
 *   (each token attends at least to itself); there is no upper bound, since
 *   a cached prefix adds pairs.
 *
 * Then one row per measurement. Empty lines and lines starting with `#` are
 * comments. The rows must form a full grid: every combination of the
 * distinct values of the three axes appears exactly once. An axis may have
 * a single value (say `context_tokens` only 0 when it was not varied); the
 * model is then constant along it.
 *
 * The `prefill_tokens` and `decode_batch` axes must start at 0, so a lookup
 * never falls below them. An iteration always has some work, so the point
 * (0, 0, *) is never asked for on its own, but it anchors interpolation
 * towards small batches: give the engine's fixed per-iteration overhead
 * there, or repeat the (0, 1, *) time when that was not measured.
 *
 * ```csv
 * # H100, Llama-3-8B, vLLM 0.6
 * prefill_tokens,decode_batch,context_tokens,step_s
 * 0,0,0,0.004
 * 0,64,0,0.012
 * 2048,0,0,0.095
 * 2048,64,0,0.105
 * ```
 *
 * ## The attention term
 *
 * A prefill's time depends on how its tokens split into sequences, not only
 * on their total: 8 prompts of 256 tokens attend to 263,168 pairs, one of
 * 2,048 to 2,098,176. Without the fifth column the table cannot tell them
 * apart and charges every prefill of P tokens what its rows measured. With
 * it, the model is
 *
 *     step(P, B, C, A) = S(P, B, C) + a (A - Aref(P, B, C))
 *
 * where S and Aref are the trilinear interpolations of the rows' `step_s`
 * and `prefill_attended_tokens` at the iteration's prefill tokens P, decode
 * batch B and mean context C, A is the iteration's attended pairs
 * (`IterationShape.prefillAttendedTokens`) and a is `attentionSPerPair`.
 * Equivalently, the grid interpolated is the residual `step_s - a x
 * prefill_attended_tokens` and a A is added back. Each row keeps its own
 * attended count, so the same P may carry different counts on different
 * rows (say batches of short prompts measured alongside decodes): Aref is
 * interpolated between rows exactly like the step time. At a row's own
 * shape the term is 0, so the table is reproduced exactly; a prefill with
 * fewer pairs than the rows around it (many short prompts) costs a per pair
 * less, one with more (a long cached prefix, or a prompt beyond the grid,
 * where Aref grows only linearly) costs more.
 *
 * a is fitted once, by least squares in closed form, from the prefill-only
 * rows (`decode_batch` 0, `prefill_tokens` > 0): along each of their
 * `context_tokens` lines the model `step_s = alpha + beta P + a A` is fitted
 * with alpha and beta free per line and a shared, that is
 *
 *     a = sum(rs x rA) / sum(rA^2)
 *
 * over those rows, where rs and rA are the residuals of `step_s` and
 * `prefill_attended_tokens` after a least-squares line in P on their own
 * context line. So a is the cost per pair that makes the prefill-only time
 * closest to linear in the tokens. Rows with decodes are left out: there a
 * small prefill can hide under a memory-bound decode step, a curvature that
 * is not attention (on the shipped example, fitting all rows gives 2.8
 * times the attention cost of the roofline that made it, the prefill-only
 * rows 1.3 times). The fit is an error when it is not determined (fewer than
 * three distinct `prefill_tokens` > 0, or attended pairs linear in P) or
 * negative beyond rounding (the times grow no faster than linearly, so they
 * show no attention cost: drop the column; a rounding-size negative is 0),
 * and when some row's `step_s - a (prefill_attended_tokens -
 * prefill_tokens)` is not > 0. That last check keeps the model well-posed:
 * a real iteration has A >= P, so inside the grid its time is at least a
 * convex mix of those positive values. The Llama-3.1-8B example,
 * `examples/step_table_llama3_8b_h100_attention.csv`, shows the column.
 *
 * @module
 */

import { didYouMean, InputError } from "../errors.ts";
import type { IterationShape, StepTimeModel } from "./step_time.ts";

/**
 * A parsed grid of measured step times. The axes are sorted ascending, and
 * the time at axis indices (p, b, c) is
 * `stepS[(p * decodeBatch.length + b) * contextTokens.length + c]`.
 *
 * @example Usage
 * ```ts
 * import { parseStepTable } from "./table.ts";
 * const t = parseStepTable(
 *   "prefill_tokens,decode_batch,context_tokens,step_s\n0,0,0,0.01\n0,8,0,0.02\n512,0,0,0.05\n512,8,0,0.06",
 * );
 * if (t.decodeBatch[1] !== 8 || t.stepS[1 * 2 + 1] !== 0.06) throw new Error();
 * ```
 */
export interface StepTable {
  /** Where the table came from (a file name), for error messages. */
  readonly source: string;
  /** Distinct prefill token counts, ascending, starting at 0. */
  readonly prefillTokens: Float64Array;
  /** Distinct decode batch sizes, ascending, starting at 0. */
  readonly decodeBatch: Float64Array;
  /** Distinct mean decode context lengths, ascending. */
  readonly contextTokens: Float64Array;
  /** Step times in seconds, prefill-major then decode batch then context. */
  readonly stepS: Float64Array;
  /**
   * The attended (query, key) pairs of each row's prefill, laid out like
   * `stepS`; absent when the file has no `prefill_attended_tokens` column.
   */
  readonly prefillAttendedTokens?: Float64Array;
}

/**
 * Options for {@linkcode parseStepTable}.
 *
 * @example Usage
 * ```ts
 * import type { ParseStepTableOptions } from "./table.ts";
 * const options: ParseStepTableOptions = { source: "h100.csv" };
 * if (options.source !== "h100.csv") throw new Error();
 * ```
 */
export interface ParseStepTableOptions {
  /** Name of the file the text came from, used in error messages. */
  source?: string;
}

const COLUMNS = [
  "prefill_tokens",
  "decode_batch",
  "context_tokens",
  "step_s",
] as const;
const ATTENDED = "prefill_attended_tokens";
const ALL_COLUMNS = [...COLUMNS, ATTENDED] as const;
type Column = typeof ALL_COLUMNS[number];
const EXPECTED = `${COLUMNS.join(", ")} and optionally ${ATTENDED}`;

// Stricter than Number(): it would take "", "0x10" and "Infinity".
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

interface Row {
  line: number;
  p: number;
  b: number;
  c: number;
  s: number;
  a: number;
}

/**
 * Parses a CSV of measured step times (format in the module documentation).
 *
 * @param text The file's contents.
 * @param options The file name to cite in errors.
 * @returns The grid.
 * @throws {InputError} On a bad header, a bad value, a duplicate or missing
 * grid point, an axis not starting at 0, or no data rows, and with the
 * `prefill_attended_tokens` column when the attention cost cannot be fitted
 * or makes a row's one-token prompts take no time; the message names the
 * file and, for a row, its 1-based line number.
 *
 * @example Usage
 * ```ts
 * import { parseStepTable } from "./table.ts";
 * const csv = [
 *   "# measured with context_tokens fixed",
 *   "step_s,prefill_tokens,decode_batch,context_tokens",
 *   "0.010,0,0,0",
 *   "0.020,0,8,0",
 *   "0.050,512,0,0",
 *   "0.060,512,8,0",
 * ].join("\n");
 * const t = parseStepTable(csv, { source: "h100.csv" });
 * if (t.prefillTokens.length !== 2 || t.contextTokens.length !== 1) throw new Error();
 * let message = "";
 * try {
 *   parseStepTable(csv.replace("0.020", "fast"), { source: "h100.csv" });
 * } catch (e) {
 *   message = (e as Error).message;
 * }
 * if (!message.startsWith("h100.csv:4: ")) throw new Error(message);
 *
 * // With the attention column: one prompt per row, P (P + 1) / 2 pairs.
 * const withPairs = parseStepTable([
 *   "prefill_tokens,decode_batch,context_tokens,step_s,prefill_attended_tokens",
 *   "0,0,0,0.010,0",
 *   "0,8,0,0.020,0",
 *   "512,0,0,0.050,131328",
 *   "512,8,0,0.060,131328",
 *   "1024,0,0,0.110,524800",
 *   "1024,8,0,0.120,524800",
 *   "2048,0,0,0.250,2098176",
 *   "2048,8,0,0.260,2098176",
 * ].join("\n"));
 * if (withPairs.prefillAttendedTokens?.[2 * 2] !== 524800) throw new Error();
 * ```
 */
export function parseStepTable(
  text: string,
  options: ParseStepTableOptions = {},
): StepTable {
  const source = options.source ?? "<step table>";
  const fail = (line: number, what: string): never => {
    throw new InputError(`${source}:${line}: ${what}`);
  };
  // Spreadsheets often save a byte-order mark, which would glue onto the
  // first column name.
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n|\r/);
  let order: Column[] | undefined;
  let withPairs = false;
  const rows: Row[] = [];
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i].trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const line = i + 1;
    const fields = trimmed.split(",").map((f) => f.trim());
    if (order === undefined) {
      order = parseHeader(fields, line, fail);
      withPairs = order.includes(ATTENDED);
      continue;
    }
    if (fields.length !== order.length) {
      fail(line, `expected ${order.length} fields, got ${fields.length}`);
    }
    const row: Row = { line, p: 0, b: 0, c: 0, s: 0, a: 0 };
    for (let k = 0; k < fields.length; k++) {
      const column = order[k];
      const v = parseValue(column, fields[k], line, fail);
      if (column === "prefill_tokens") row.p = v;
      else if (column === "decode_batch") row.b = v;
      else if (column === "context_tokens") row.c = v;
      else if (column === "step_s") row.s = v;
      else row.a = v;
    }
    if (withPairs) checkAttended(row, fail);
    rows.push(row);
  }
  if (rows.length === 0) {
    throw new InputError(
      `${source}: no data rows (expected a header naming ${EXPECTED}, then one row per measurement)`,
    );
  }

  const seen = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.p},${r.b},${r.c}`;
    const first = seen.get(key);
    if (first !== undefined) {
      fail(
        r.line,
        `duplicate grid point ${
          pointName(r.p, r.b, r.c)
        } (also on line ${first})`,
      );
    }
    seen.set(key, r.line);
  }

  const prefillTokens = axis(rows.map((r) => r.p));
  const decodeBatch = axis(rows.map((r) => r.b));
  const contextTokens = axis(rows.map((r) => r.c));
  for (
    const [name, values] of [
      ["prefill_tokens", prefillTokens],
      ["decode_batch", decodeBatch],
    ] as const
  ) {
    if (values[0] !== 0) {
      throw new InputError(
        `${source}: the ${name} axis must start at 0, its smallest value is ${
          values[0]
        } (measure ${name}=0 so small iterations interpolate rather than extrapolate)`,
      );
    }
  }

  const nB = decodeBatch.length;
  const nC = contextTokens.length;
  const size = prefillTokens.length * nB * nC;
  if (size !== rows.length) {
    // Without duplicates there are fewer rows than grid points, so this
    // scan finds a gap within rows.length + 1 probes however sparse the grid.
    for (const p of prefillTokens) {
      for (const b of decodeBatch) {
        for (const c of contextTokens) {
          if (!seen.has(`${p},${b},${c}`)) {
            throw new InputError(
              `${source}: missing the row ${
                pointName(p, b, c)
              } (the rows must form a full grid)`,
            );
          }
        }
      }
    }
  }

  const stepS = new Float64Array(size);
  const attended = new Float64Array(size);
  const lineAt = new Array<number>(size);
  for (const r of rows) {
    const p = prefillTokens.indexOf(r.p);
    const b = decodeBatch.indexOf(r.b);
    const c = contextTokens.indexOf(r.c);
    const i = (p * nB + b) * nC + c;
    stepS[i] = r.s;
    attended[i] = r.a;
    lineAt[i] = r.line;
  }
  const table: StepTable = {
    source,
    prefillTokens,
    decodeBatch,
    contextTokens,
    stepS,
  };
  if (!withPairs) return table;
  const paired = { ...table, prefillAttendedTokens: attended };
  const fit = fitAttention(paired);
  if (typeof fit !== "number") {
    if (fit.index === undefined) throw new InputError(`${source}: ${fit.what}`);
    fail(lineAt[fit.index], fit.what);
  }
  return paired;
}

// The bounds every attended count obeys whatever the cached prefixes.
function checkAttended(
  row: Row,
  fail: (line: number, what: string) => never,
): void {
  if (row.p === 0 && row.a !== 0) {
    fail(
      row.line,
      `${ATTENDED} must be 0 when prefill_tokens is 0, got ${row.a}`,
    );
  }
  if (row.p > 0 && row.a < row.p) {
    fail(
      row.line,
      `${ATTENDED} must be >= prefill_tokens (${row.p}: each token attends at least to itself), got ${row.a}`,
    );
  }
}

/** Why {@linkcode fitAttention} failed, and at which grid index if a row. */
interface FitProblem {
  what: string;
  index?: number;
}

/**
 * The attention cost per pair of a table with attended counts (the module
 * documentation gives the estimator), or what makes it unusable. 0 when the
 * table has no counts.
 */
function fitAttention(table: StepTable): number | FitProblem {
  const as = table.prefillAttendedTokens;
  if (as === undefined) return 0;
  const { prefillTokens: ps, decodeBatch: bs, contextTokens: cs } = table;
  const ts = table.stepS;
  const nP = ps.length, nBC = bs.length * cs.length;
  // The prefill-only rows are ip >= 1 at decode batch index 0 (both axes
  // start at 0), one line in P per context value. Per line, take out the
  // least-squares line in P from the times (y) and the pairs (z); the
  // shared slope of the residuals is a.
  const n = nP - 1;
  let syz = 0, szz = 0, szzCentred = 0, syyTotal = 0;
  for (let ic = 0; n > 0 && ic < cs.length; ic++) {
    let mx = 0, my = 0, mz = 0;
    for (let ip = 1; ip < nP; ip++) {
      mx += ps[ip];
      my += ts[ip * nBC + ic];
      mz += as[ip * nBC + ic];
      syyTotal += ts[ip * nBC + ic] ** 2;
    }
    mx /= n;
    my /= n;
    mz /= n;
    let sxx = 0, sxy = 0, sxz = 0;
    for (let ip = 1; ip < nP; ip++) {
      const dx = ps[ip] - mx;
      const dz = as[ip * nBC + ic] - mz;
      sxx += dx * dx;
      sxy += dx * (ts[ip * nBC + ic] - my);
      sxz += dx * dz;
      szzCentred += dz * dz;
    }
    const beta = sxx > 0 ? sxy / sxx : 0;
    const gamma = sxx > 0 ? sxz / sxx : 0;
    for (let ip = 1; ip < nP; ip++) {
      const dx = ps[ip] - mx;
      const ry = ts[ip * nBC + ic] - my - beta * dx;
      const rz = as[ip * nBC + ic] - mz - gamma * dx;
      syz += ry * rz;
      szz += rz * rz;
    }
  }
  // Pairs exactly linear in P leave residuals of rounding size (about
  // 1e-16 of the counts); below 1e-6 of them there is no curvature to fit.
  if (!(szz > 1e-12 * szzCentred)) {
    return {
      what:
        `cannot fit the attention cost from ${ATTENDED}: on the decode_batch=0 rows the attended pairs are linear in prefill_tokens (the fit needs at least three prefill_tokens values > 0 with pairs growing faster than the tokens, as P (P + 1) / 2 does for one prompt)`,
    };
  }
  let a = syz / szz;
  // The fitted term's share of the times: a cost this small is the rounding
  // of times that are linear in P, not a negative cost.
  if (a < 0 && -a * Math.sqrt(szz) <= 1e-9 * Math.sqrt(syyTotal)) a = 0;
  if (a < 0) {
    return {
      what:
        `the fitted attention cost is ${a} s per pair, < 0: the decode_batch=0 step times grow no faster than linearly in prefill_tokens, so they show no attention cost (drop the ${ATTENDED} column)`,
    };
  }
  for (let i = 0; i < ts.length; i++) {
    const p = ps[Math.floor(i / nBC)];
    const floorS = ts[i] - a * (as[i] - p);
    if (!(floorS > 0)) {
      return {
        index: i,
        what:
          `with the fitted attention cost of ${a} s per pair, ${p} one-token prompts would take ${floorS} s here, not > 0 (step_s is too small for this row's ${ATTENDED})`,
      };
    }
  }
  return a;
}

function parseHeader(
  fields: string[],
  line: number,
  fail: (line: number, what: string) => never,
): Column[] {
  const order: Column[] = [];
  for (const name of fields) {
    if (!(ALL_COLUMNS as readonly string[]).includes(name)) {
      const hint = didYouMean(name, ALL_COLUMNS);
      fail(
        line,
        `unknown column "${name}" in the header${
          hint ? ` (did you mean "${hint}"?)` : ""
        }; expected ${EXPECTED}`,
      );
    }
    if (order.includes(name as Column)) {
      fail(line, `duplicate column "${name}" in the header`);
    }
    order.push(name as Column);
  }
  for (const column of COLUMNS) {
    if (!order.includes(column)) {
      fail(line, `the header is missing the column ${column}`);
    }
  }
  return order;
}

function parseValue(
  column: Column,
  field: string,
  line: number,
  fail: (line: number, what: string) => never,
): number {
  if (!DECIMAL.test(field)) {
    fail(line, `${column} is not a number: "${field}"`);
  }
  // Adding 0 turns -0 into 0, so "-0" and "0" are one grid value.
  const v = Number(field) + 0;
  if (!Number.isFinite(v)) fail(line, `${column} is not finite: "${field}"`);
  if (column === "step_s") {
    if (!(v > 0)) fail(line, `step_s must be > 0, got ${field}`);
  } else if (column === "context_tokens" || column === ATTENDED) {
    if (v < 0) fail(line, `${column} must be >= 0, got ${field}`);
  } else if (v < 0 || !Number.isInteger(v)) {
    fail(line, `${column} must be a non-negative integer, got ${field}`);
  }
  return v;
}

function axis(values: number[]): Float64Array {
  return Float64Array.from(new Set(values)).sort();
}

function pointName(p: number, b: number, c: number): string {
  return `prefill_tokens=${p}, decode_batch=${b}, context_tokens=${c}`;
}

/**
 * Options for {@linkcode tableStepTime}.
 *
 * @example Usage
 * ```ts
 * import type { TableStepTimeOptions } from "./table.ts";
 * const options: TableStepTimeOptions = { iterationOverheadS: 0.002 };
 * if (options.iterationOverheadS !== 0.002) throw new Error();
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
 * import { parseStepTable, tableStepTime } from "./table.ts";
 * const m = tableStepTime(parseStepTable(
 *   "prefill_tokens,decode_batch,context_tokens,step_s\n0,0,0,0.01\n0,8,0,0.02\n512,0,0,0.05\n512,8,0,0.06",
 * ));
 * m.iterationTimeS({ prefillTokens: 1024, prefillSequences: 1, prefillAttendedTokens: 0, prefillPastTokens: 0, decodeTokens: 0, decodeContextTokens: 0 });
 * if (m.extrapolated !== 1) throw new Error();
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
 * import { parseStepTable, tableStepTime } from "./table.ts";
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
 * if (Math.abs(t - 0.036) > 1e-12 || m.extrapolated !== 0) throw new Error(String(t));
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
 * if (Math.abs(a.attentionSPerPair - 2e-9) > 1e-18) throw new Error();
 * // Eight prompts of 256 attend to 1,835,008 fewer pairs than one of 2,048.
 * const prefill = { prefillTokens: 2048, prefillPastTokens: 0, decodeTokens: 0, decodeContextTokens: 0 };
 * const one = a.iterationTimeS({ ...prefill, prefillSequences: 1, prefillAttendedTokens: 2048 * 2049 / 2 });
 * const eight = a.iterationTimeS({ ...prefill, prefillSequences: 8, prefillAttendedTokens: 8 * 256 * 257 / 2 });
 * if (Math.abs(one - eight - 1835008 * 2e-9) > 1e-12) throw new Error(String(one - eight));
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
