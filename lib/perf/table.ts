/**
 * The `table` step-time model: iteration times the user measured on their
 * own engine, read from a CSV file and interpolated trilinearly.
 *
 * ## File format
 *
 * A header row names exactly these four columns, in any order:
 *
 * - `prefill_tokens`: prompt tokens in the iteration (integer >= 0);
 * - `decode_batch`: decoding sequences in the iteration (integer >= 0);
 * - `context_tokens`: mean context length of the decoding sequences (>= 0);
 * - `step_s`: measured duration of the iteration, seconds (finite, > 0).
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
 * @module
 */

import { didYouMean, InputError } from "../scenario/errors.ts";
import type { IterationShape, StepTimeModel } from "../serving/step_time.ts";

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
type Column = typeof COLUMNS[number];

// Stricter than Number(): it would take "", "0x10" and "Infinity".
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

interface Row {
  line: number;
  p: number;
  b: number;
  c: number;
  s: number;
}

/**
 * Parses a CSV of measured step times (format in the module documentation).
 *
 * @param text The file's contents.
 * @param options The file name to cite in errors.
 * @returns The grid.
 * @throws {InputError} On a bad header, a bad value, a duplicate or missing
 * grid point, an axis not starting at 0, or no data rows; the message names
 * the file and, for a row, its 1-based line number.
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
  const rows: Row[] = [];
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i].trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const line = i + 1;
    const fields = trimmed.split(",").map((f) => f.trim());
    if (order === undefined) {
      order = parseHeader(fields, line, fail);
      continue;
    }
    if (fields.length !== COLUMNS.length) {
      fail(line, `expected ${COLUMNS.length} fields, got ${fields.length}`);
    }
    const row: Row = { line, p: 0, b: 0, c: 0, s: 0 };
    for (let k = 0; k < fields.length; k++) {
      const column = order[k];
      const v = parseValue(column, fields[k], line, fail);
      if (column === "prefill_tokens") row.p = v;
      else if (column === "decode_batch") row.b = v;
      else if (column === "context_tokens") row.c = v;
      else row.s = v;
    }
    rows.push(row);
  }
  if (rows.length === 0) {
    throw new InputError(
      `${source}: no data rows (expected a header naming ${
        COLUMNS.join(", ")
      }, then one row per measurement)`,
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
  for (const r of rows) {
    const p = prefillTokens.indexOf(r.p);
    const b = decodeBatch.indexOf(r.b);
    const c = contextTokens.indexOf(r.c);
    stepS[(p * nB + b) * nC + c] = r.s;
  }
  return { source, prefillTokens, decodeBatch, contextTokens, stepS };
}

function parseHeader(
  fields: string[],
  line: number,
  fail: (line: number, what: string) => never,
): Column[] {
  const order: Column[] = [];
  for (const name of fields) {
    if (!(COLUMNS as readonly string[]).includes(name)) {
      const hint = didYouMean(name, COLUMNS);
      fail(
        line,
        `unknown column "${name}" in the header${
          hint ? ` (did you mean "${hint}"?)` : ""
        }; expected ${COLUMNS.join(", ")}`,
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
  } else if (column === "context_tokens") {
    if (v < 0) fail(line, `context_tokens must be >= 0, got ${field}`);
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
 * @param table The measured grid, as {@linkcode parseStepTable} returns it.
 * @param options A fixed overhead to add to every iteration.
 * @returns The model; `iterationTimeS` throws a `RangeError` when an
 * extrapolated time is not positive (a table that decreases at its edge).
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
      const i010 = i000 + strideB;
      const i100 = i000 + strideP;
      const i110 = i100 + strideB;
      const c00 = ts[i000] + wc * (ts[i000 + strideC] - ts[i000]);
      const c01 = ts[i010] + wc * (ts[i010 + strideC] - ts[i010]);
      const c10 = ts[i100] + wc * (ts[i100 + strideC] - ts[i100]);
      const c11 = ts[i110] + wc * (ts[i110 + strideC] - ts[i110]);
      const b0 = c00 + wb * (c01 - c00);
      const b1 = c10 + wb * (c11 - c10);
      const t = b0 + wp * (b1 - b0);
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
