/**
 * The samples behind exact percentiles, kept compactly: one typed column per
 * latency the summary reports (8 bytes a value), the output length (2 bytes,
 * 4 once one exceeds 65,535; TPOT is derived from it at the end rather than
 * stored) and, with
 * request classes, the class (1 byte). The latencies beyond TTFT, e2e, queue
 * wait and prefill compute start as dictionaries of at most 255 values (1
 * byte a row) and become 8-byte values at the first they cannot hold: the
 * exclusive model's first decode step takes a handful. Columns grow in chunks of 2^16 rows
 * (the first chunk by doubling up to that), so a long run never copies or
 * doubles a whole column, and percentiles are selected in the chunks in
 * place ({@linkcode quantilesOfChunks}): no contiguous copy either.
 *
 * @module
 */

import { quantilesInPlace, quantilesOfChunks } from "./percentile.ts";

/** The latencies the store can keep, in the order the store holds them. */
export const STORE_LATENCIES = [
  "ttft",
  "e2e",
  "queue_wait",
  "prefill_compute",
  "prefill_wait",
  "decode_wait",
  "kv_transfer",
  "first_decode",
] as const;

/** A latency the store keeps (TPOT is derived from `ttft`, `e2e` and the output length). */
export type StoreLatency = typeof STORE_LATENCIES[number];

/** Mean, p50, p90, p95 and p99 of one latency. */
export type Figures = readonly [number, number, number, number, number];

/** Options of {@linkcode ExactStore}. */
export interface ExactStoreOptions {
  /** The latencies to keep besides `ttft`, `e2e`, `queue_wait` and `prefill_compute` (always kept). */
  extra?: readonly StoreLatency[];
  /** Whether to keep each row's class (two or more classes). */
  classes?: boolean;
  /** Rows expected (sizes the first chunk; default 1024). */
  capacity?: number;
}

const SHIFT = 16;
const CHUNK = 1 << SHIFT;
const QS = [0.5, 0.9, 0.95, 0.99] as const;
const ALWAYS: readonly StoreLatency[] = [
  "ttft",
  "e2e",
  "queue_wait",
  "prefill_compute",
];

/**
 * Measured requests' latencies, row by row in the order they are added.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ExactStore } from "./exact_store.ts";
 * const s = new ExactStore();
 * s.add(0.5, 2.5, 0, 0.5, NaN, NaN, NaN, NaN, 11, 0);
 * s.add(1.5, 3.5, 1, 0.5, NaN, NaN, NaN, NaN, 1, 0);
 * const f = s.figures();
 * assert.deepEqual(f.get("ttft"), [1, 1, 1.4, 1.45, 1.49]);
 * assert.deepEqual(f.get("tpot"), [0.2, 0.2, 0.2, 0.2, 0.2]);
 * ```
 */
export class ExactStore {
  /** Rows added. */
  rows = 0;
  /** Bytes each row takes. */
  bytesPerRow: number;
  readonly #keep: boolean[];
  // Kept as 8-byte values (the others kept are small dictionaries).
  readonly #float: boolean[];
  readonly #dicts: (SmallDictionary | null)[];
  readonly #columns: Float64Array[][] = [];
  #outputs: (Uint16Array | Int32Array)[] = [];
  readonly #classes: Uint8Array[] | null;
  // The current chunk of each column and the room in it.
  #cur: Float64Array[] = [];
  #curOutputs: Uint16Array | Int32Array;
  #curClasses: Uint8Array;
  #pos = 0;
  #room: number;

  /**
   * Creates an empty store.
   *
   * @param options The latencies to keep, classes, the rows expected.
   */
  constructor(options: ExactStoreOptions = {}) {
    const extra = options.extra ?? [];
    this.#keep = STORE_LATENCIES.map((n) =>
      ALWAYS.includes(n) || extra.includes(n)
    );
    // The extra latencies often take a handful of values (the exclusive
    // model's first decode step: one token time, give or take rounding):
    // they start as dictionaries, 1 byte a row.
    this.#dicts = STORE_LATENCIES.map((n, k) =>
      this.#keep[k] && !ALWAYS.includes(n) ? new SmallDictionary() : null
    );
    this.#float = this.#keep.map((keep, k) => keep && !this.#dicts[k]);
    const first = Math.min(
      CHUNK,
      Math.max(1024, Math.ceil(options.capacity ?? 1024)),
    );
    this.#room = first;
    for (let k = 0; k < STORE_LATENCIES.length; k++) {
      const chunk = new Float64Array(this.#float[k] ? first : 0);
      this.#columns.push([chunk]);
      this.#cur.push(chunk);
      this.#dicts[k]?.start(first);
    }
    this.#curOutputs = new Uint16Array(first);
    this.#outputs.push(this.#curOutputs);
    this.#curClasses = new Uint8Array(options.classes ? first : 0);
    this.#classes = options.classes ? [this.#curClasses] : null;
    this.bytesPerRow = 8 * this.#float.filter((k) => k).length +
      this.#dicts.filter((d) => d).length + 2 + (options.classes ? 1 : 0);
  }

  /**
   * Appends one measured request (values of latencies not kept are ignored).
   *
   * @param ttft Time to first token.
   * @param e2e End-to-end latency.
   * @param queueWait Queue wait.
   * @param prefillCompute Prefill compute time.
   * @param prefillWait Prefill wait.
   * @param decodeWait Decode wait.
   * @param kvTransfer KV transfer time.
   * @param firstDecode First decode step.
   * @param output Output tokens.
   * @param cls Class index.
   */
  add(
    ttft: number,
    e2e: number,
    queueWait: number,
    prefillCompute: number,
    prefillWait: number,
    decodeWait: number,
    kvTransfer: number,
    firstDecode: number,
    output: number,
    cls: number,
  ): void {
    if (this.#pos === this.#room) this.#grow();
    if (output > 0xffff && this.#curOutputs instanceof Uint16Array) {
      this.#widen();
    }
    const j = this.#pos++;
    const c = this.#cur;
    c[0][j] = ttft;
    c[1][j] = e2e;
    c[2][j] = queueWait;
    c[3][j] = prefillCompute;
    // Columns not kept have no room: writes past a typed array's end are
    // dropped, so no test per column is needed here.
    c[4][j] = prefillWait;
    c[5][j] = decodeWait;
    c[6][j] = kvTransfer;
    c[7][j] = firstDecode;
    const d = this.#dicts;
    if (d[4] && !d[4].put(j, prefillWait)) this.#toFloat(4, j, prefillWait);
    if (d[5] && !d[5].put(j, decodeWait)) this.#toFloat(5, j, decodeWait);
    if (d[6] && !d[6].put(j, kvTransfer)) this.#toFloat(6, j, kvTransfer);
    if (d[7] && !d[7].put(j, firstDecode)) this.#toFloat(7, j, firstDecode);
    this.#curOutputs[j] = output;
    this.#curClasses[j] = cls;
    this.rows++;
  }

  // A dictionary column that met a value it cannot hold (a 256th distinct
  // one, or NaN) becomes 8-byte values: the rows so far, then this one.
  #toFloat(k: number, j: number, value: number): void {
    const dict = this.#dicts[k]!;
    this.#columns[k] = dict.chunks.map((codes) => {
      const out = new Float64Array(codes.length);
      for (let i = 0; i < codes.length; i++) out[i] = dict.values[codes[i]];
      return out;
    });
    this.#cur[k] = this.#columns[k][this.#columns[k].length - 1];
    this.#cur[k][j] = value;
    this.#dicts[k] = null;
    this.#float[k] = true;
    this.bytesPerRow += 7;
  }

  // An output length past 65,535: the lengths take 4 bytes from now on.
  #widen(): void {
    this.#outputs = this.#outputs.map((c) => Int32Array.from(c));
    this.#curOutputs = this.#outputs[this.#outputs.length - 1];
    this.bytesPerRow += 2;
  }

  #grow(): void {
    const doubling = this.#columns[0].length === 1 && this.#room < CHUNK;
    const size = doubling ? Math.min(CHUNK, this.#room * 2) : CHUNK;
    const next = <
      T extends Float64Array | Int32Array | Uint16Array | Uint8Array,
    >(
      list: T[],
      make: (n: number) => T,
      keep: boolean,
    ): T => {
      const chunk = make(keep ? size : 0);
      if (doubling) {
        chunk.set(list[0] as never);
        list[0] = chunk;
      } else list.push(chunk);
      return chunk;
    };
    for (let k = 0; k < STORE_LATENCIES.length; k++) {
      this.#cur[k] = next(
        this.#columns[k],
        (n) => new Float64Array(n),
        this.#float[k],
      );
      const dict = this.#dicts[k];
      if (dict) dict.cur = next(dict.chunks, (n) => new Uint8Array(n), true);
    }
    this.#curOutputs = this.#curOutputs instanceof Uint16Array
      ? next(this.#outputs as Uint16Array[], (n) => new Uint16Array(n), true)
      : next(this.#outputs as Int32Array[], (n) => new Int32Array(n), true);
    if (this.#classes) {
      this.#curClasses = next(this.#classes, (n) => new Uint8Array(n), true);
    }
    if (!doubling) this.#pos = 0;
    this.#room = size;
  }

  /**
   * Calls `f` with every row's values in the order they were added.
   *
   * @param f Receives the values of a row (NaN for latencies not kept), keyed like {@linkcode STORE_LATENCIES}, its output length and class.
   */
  forEach(
    f: (values: readonly number[], output: number, cls: number) => void,
  ): void {
    const values: number[] = new Array(STORE_LATENCIES.length).fill(NaN);
    for (let r = 0; r < this.rows; r++) {
      const c = r >>> SHIFT, j = r & (CHUNK - 1);
      for (let k = 0; k < STORE_LATENCIES.length; k++) {
        const dict = this.#dicts[k];
        if (dict) values[k] = dict.values[dict.chunks[c][j]];
        else if (this.#keep[k]) values[k] = this.#columns[k][c][j];
      }
      f(values, this.#outputs[c][j], this.#classes ? this.#classes[c][j] : 0);
    }
  }

  /**
   * The figures of every kept latency and of TPOT, over all rows and, with
   * classes, per class (`ttft`, `tpot`, `e2e` and `queue_wait`). The means
   * sum the values in the order they were added and the percentiles are
   * selected as {@linkcode quantilesInPlace} does, so the figures are those
   * of the values kept whole. The store is spent: call this once.
   *
   * @param classes Number of classes whose figures to give (0: none).
   * @returns Figures by latency name, and by class then name.
   */
  figures(
    classes = 0,
  ): Map<string, Figures> & { perClass: Map<string, Figures>[] } {
    const out = new Map<string, Figures>() as
      & Map<string, Figures>
      & { perClass: Map<string, Figures>[] };
    out.perClass = [];
    const n = this.rows;
    // Per class first, while the columns are in their order.
    if (classes > 0 && this.#classes) {
      const counts = new Float64Array(classes);
      this.#eachRow((c, j) => counts[this.#classes![c][j]]++);
      const scratch = new Float64Array(Math.max(...counts));
      for (let k = 0; k < classes; k++) {
        const m = new Map<string, Figures>();
        for (const name of ["ttft", "tpot", "e2e", "queue_wait"] as const) {
          let len = 0;
          const col = name === "tpot" ? -1 : STORE_LATENCIES.indexOf(name);
          this.#eachRow((c, j) => {
            if (this.#classes![c][j] !== k) return;
            if (col >= 0) scratch[len++] = this.#columns[col][c][j];
            else {
              const output = this.#outputs[c][j];
              if (output > 1) {
                scratch[len++] = (this.#columns[1][c][j] -
                  this.#columns[0][c][j]) / (output - 1);
              }
            }
          });
          m.set(name, flatFigures(scratch.subarray(0, len)));
        }
        out.perClass.push(m);
      }
    }
    // Columns whose order TPOT does not need go first; TPOT then takes the
    // prefill-compute column's room (it has no more rows than it).
    const order = [3, 2, 4, 5, 6, 7];
    for (const k of order) {
      const dict = this.#dicts[k];
      if (dict) out.set(STORE_LATENCIES[k], dict.figures(n));
      else if (this.#keep[k]) {
        out.set(STORE_LATENCIES[k], chunkFigures(this.#columns[k], n));
      }
    }
    const room = this.#columns[3];
    let m = 0, sum = 0;
    this.#eachRow((c, j) => {
      const output = this.#outputs[c][j];
      if (output <= 1) return;
      const tpot = (this.#columns[1][c][j] - this.#columns[0][c][j]) /
        (output - 1);
      sum += tpot;
      room[m >>> SHIFT][m & (CHUNK - 1)] = tpot;
      m++;
    });
    const [p50, p90, p95, p99] = m > 0
      ? quantilesOfChunks(room, m, SHIFT, QS)
      : [NaN, NaN, NaN, NaN];
    out.set("tpot", [m > 0 ? sum / m : NaN, p50, p90, p95, p99]);
    out.set("ttft", chunkFigures(this.#columns[0], n));
    out.set("e2e", chunkFigures(this.#columns[1], n));
    return out;
  }

  #eachRow(f: (chunk: number, j: number) => void): void {
    const n = this.rows;
    for (let c = 0; c * CHUNK < n; c++) {
      const end = Math.min(CHUNK, n - c * CHUNK);
      for (let j = 0; j < end; j++) f(c, j);
    }
  }
}

// The mean (summed in order) and percentiles of a chunked column.
function chunkFigures(chunks: readonly Float64Array[], n: number): Figures {
  if (n === 0) return [NaN, NaN, NaN, NaN, NaN];
  let s = 0;
  for (let i = 0; i < n; i++) s += chunks[i >>> SHIFT][i & (CHUNK - 1)];
  const [p50, p90, p95, p99] = quantilesOfChunks(chunks, n, SHIFT, QS);
  return [s / n, p50, p90, p95, p99];
}

function flatFigures(values: Float64Array): Figures {
  const n = values.length;
  if (n === 0) return [NaN, NaN, NaN, NaN, NaN];
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i];
  const [p50, p90, p95, p99] = quantilesInPlace(values, QS);
  return [s / n, p50, p90, p95, p99];
}

// A column of at most 255 distinct values (never NaN), one byte a row: the
// code of its value. Rows live in chunks shaped like the float columns'.
class SmallDictionary {
  values: number[] = [];
  #codes = new Map<number, number>();
  chunks: Uint8Array[] = [];
  cur: Uint8Array = new Uint8Array(0);

  start(size: number): void {
    this.cur = new Uint8Array(size);
    this.chunks = [this.cur];
  }

  // Stores a row's value; false when it cannot (the caller converts).
  put(j: number, value: number): boolean {
    let code = this.#codes.get(value);
    if (code === undefined) {
      if (value !== value || this.values.length === 255) return false;
      code = this.values.length;
      this.values.push(value);
      this.#codes.set(value, code);
    }
    this.cur[j] = code;
    return true;
  }

  // What chunkFigures gives for the same values: the mean summed in row
  // order, and each percentile from the order statistics, which the
  // counts give exactly (no NaN: quickselect finds the true k-th value;
  // -0 and 0 merge, which changes neither a sum from 0 nor any output).
  figures(n: number): Figures {
    if (n === 0) return [NaN, NaN, NaN, NaN, NaN];
    const counts = new Float64Array(this.values.length);
    let s = 0;
    for (let i = 0; i < n; i++) {
      const code = this.chunks[i >>> SHIFT][i & (CHUNK - 1)];
      s += this.values[code];
      counts[code]++;
    }
    const order = this.values.map((_, k) => k).sort((a, b) =>
      this.values[a] - this.values[b]
    );
    const kth = (k: number) => {
      let seen = 0;
      for (const code of order) {
        seen += counts[code];
        if (seen > k) return this.values[code];
      }
      return NaN;
    };
    const q = QS.map((p) => {
      const rank = (n - 1) * p;
      const lo = Math.floor(rank);
      const a = kth(lo);
      const b = lo + 1 < n && rank > lo ? kth(lo + 1) : a;
      return a + (b - a) * (rank - lo);
    });
    return [s / n, q[0], q[1], q[2], q[3]];
  }
}
