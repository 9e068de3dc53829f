/**
 * Reading the `table` step-time model's CSV of measured iteration times:
 * the file format, its validation into a {@link StepTable} grid, and the
 * fit of the optional attention term from the same rows. The model that
 * interpolates the grid is {@link tableStepTime} in `./table_step_time.ts`.
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

/**
 * A parsed grid of measured step times. The axes are sorted ascending, and
 * the time at axis indices (p, b, c) is
 * `stepS[(p * decodeBatch.length + b) * contextTokens.length + c]`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseStepTable } from "./step_table.ts";
 * const t = parseStepTable(
 *   "prefill_tokens,decode_batch,context_tokens,step_s\n0,0,0,0.01\n0,8,0,0.02\n512,0,0,0.05\n512,8,0,0.06",
 * );
 * assert.equal(t.decodeBatch[1], 8);
 * assert.equal(t.stepS[1 * 2 + 1], 0.06);
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
 * import assert from "node:assert/strict";
 * import { type ParseStepTableOptions, parseStepTable } from "./step_table.ts";
 * const options: ParseStepTableOptions = { source: "h100.csv" };
 * // The source names the file in the table and in its errors.
 * assert.equal(parseStepTable("step_s,prefill_tokens,decode_batch,context_tokens\n0.01,0,0,0", options).source, "h100.csv");
 * assert.throws(() => parseStepTable("step_s\n", options), /^InputError: h100\.csv:1: /);
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
 * import assert from "node:assert/strict";
 * import { parseStepTable } from "./step_table.ts";
 * const csv = [
 *   "# measured with context_tokens fixed",
 *   "step_s,prefill_tokens,decode_batch,context_tokens",
 *   "0.010,0,0,0",
 *   "0.020,0,8,0",
 *   "0.050,512,0,0",
 *   "0.060,512,8,0",
 * ].join("\n");
 * const t = parseStepTable(csv, { source: "h100.csv" });
 * assert.equal(t.prefillTokens.length, 2);
 * assert.equal(t.contextTokens.length, 1);
 * assert.throws(
 *   () => parseStepTable(csv.replace("0.020", "fast"), { source: "h100.csv" }),
 *   { message: 'h100.csv:4: step_s is not a number: "fast"' },
 * );
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
 * assert.equal(withPairs.prefillAttendedTokens?.[2 * 2], 524800);
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
export interface FitProblem {
  /** What is wrong, for an error message. */
  what: string;
  /** The grid index (laid out like `StepTable.stepS`) of the row at fault. */
  index?: number;
}

/**
 * The attention cost per pair of a table with attended counts (the module
 * documentation gives the estimator), or what makes it unusable. 0 when the
 * table has no counts.
 *
 * @param table The grid, with or without `prefillAttendedTokens`.
 * @returns Seconds per attended pair, or the problem.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitAttention, parseStepTable } from "./step_table.ts";
 * const t = parseStepTable("prefill_tokens,decode_batch,context_tokens,step_s\n0,0,0,0.01\n512,0,0,0.05");
 * assert.equal(fitAttention(t), 0);
 * ```
 */
export function fitAttention(table: StepTable): number | FitProblem {
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

/**
 * A grid point as error messages name it.
 *
 * @param p Prefill tokens.
 * @param b Decode batch.
 * @param c Mean context tokens.
 * @returns The point as `prefill_tokens=..., decode_batch=..., context_tokens=...`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { pointName } from "./step_table.ts";
 * assert.equal(pointName(512, 8, 0), "prefill_tokens=512, decode_batch=8, context_tokens=0");
 * ```
 */
export function pointName(p: number, b: number, c: number): string {
  return `prefill_tokens=${p}, decode_batch=${b}, context_tokens=${c}`;
}
