import { strict as assert } from "node:assert";
import { parseStepTable, type StepTable } from "../lib/perf/step_table.ts";
import { tableStepTime } from "../lib/perf/table_step_time.ts";
import { InputError } from "../lib/errors.ts";
import type { IterationShape } from "../lib/perf/step_time.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import { planCluster } from "../lib/analysis/pools.ts";
import { simulate } from "../lib/analysis/simulate.ts";
import { RandomStream } from "../lib/engine/random.ts";

const HEADER = "prefill_tokens,decode_batch,context_tokens,step_s";

// Multilinear in (P, B, C), so trilinear interpolation and linear
// extrapolation reproduce it exactly.
function f(p: number, b: number, c: number): number {
  return 0.001 + 2e-5 * p + 1e-4 * b + 3e-7 * b * c;
}

const PS = [0, 256, 1024];
const BS = [0, 1, 8, 32];
const CS = [0, 512, 2048];

function gridCsv(
  ps: number[],
  bs: number[],
  cs: number[],
  time: (p: number, b: number, c: number) => number = f,
): string {
  const lines = [HEADER];
  for (const p of ps) {
    for (const b of bs) {
      for (const c of cs) lines.push(`${p},${b},${c},${time(p, b, c)}`);
    }
  }
  return lines.join("\n");
}

// An iteration with decode batch b at mean context c.
function shape(p: number, b: number, c: number): IterationShape {
  return {
    prefillTokens: p,
    prefillSequences: p > 0 ? 1 : 0,
    prefillAttendedTokens: 0,
    prefillPastTokens: 0,
    decodeTokens: b,
    decodeContextTokens: b * c,
  };
}

function close(actual: number, expected: number, tol = 1e-12): void {
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `got ${actual}, expected ${expected}`,
  );
}

function parseError(text: string, source = "gpu.csv"): string {
  let caught: unknown;
  try {
    parseStepTable(text, { source });
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof InputError, `expected an InputError`);
  assert.ok(!caught.message.includes("\n"), "message is one line");
  return caught.message;
}

Deno.test("parse: axes sorted, times laid out prefill-major", () => {
  // Rows in a scrambled order and columns in a different order.
  const rows: string[] = [];
  for (const c of [...CS].reverse()) {
    for (const p of [...PS].reverse()) {
      for (const b of BS) rows.push(`${b},${f(p, b, c)},${c},${p}`);
    }
  }
  const table: StepTable = parseStepTable(
    ["decode_batch,step_s,context_tokens,prefill_tokens", ...rows].join("\n"),
    { source: "t.csv" },
  );
  assert.equal(table.source, "t.csv");
  assert.deepEqual([...table.prefillTokens], PS);
  assert.deepEqual([...table.decodeBatch], BS);
  assert.deepEqual([...table.contextTokens], CS);
  for (let i = 0; i < PS.length; i++) {
    for (let j = 0; j < BS.length; j++) {
      for (let k = 0; k < CS.length; k++) {
        assert.equal(
          table.stepS[(i * BS.length + j) * CS.length + k],
          f(PS[i], BS[j], CS[k]),
        );
      }
    }
  }
});

Deno.test("lookup reproduces every grid point exactly", () => {
  const m = tableStepTime(parseStepTable(gridCsv(PS, BS, CS)));
  for (const p of PS) {
    for (const b of BS) {
      if (p + b === 0) continue;
      for (const c of CS) {
        // With no decode the context is irrelevant: it reads the smallest.
        const expected = b === 0 ? f(p, 0, CS[0]) : f(p, b, c);
        assert.equal(m.iterationTimeS(shape(p, b, c)), expected);
      }
    }
  }
  assert.equal(m.extrapolated, 0);
});

Deno.test("linear midway along each axis", () => {
  const m = tableStepTime(parseStepTable(gridCsv(PS, BS, CS)));
  // Hand-computed midpoints, one axis at a time.
  close(m.iterationTimeS(shape(128, 1, 0)), (f(0, 1, 0) + f(256, 1, 0)) / 2);
  close(m.iterationTimeS(shape(640, 0, 0)), (f(256, 0, 0) + f(1024, 0, 0)) / 2);
  close(
    m.iterationTimeS(shape(0, 20, 512)),
    (f(0, 8, 512) + f(0, 32, 512)) / 2,
  );
  close(
    m.iterationTimeS(shape(256, 8, 1280)),
    (f(256, 8, 512) + f(256, 8, 2048)) / 2,
  );
  // Centre of the cell [256, 1024] x [1, 8] x [0, 512]: mean of its corners.
  let sum = 0;
  for (const p of [256, 1024]) {
    for (const b of [1, 8]) for (const c of [0, 512]) sum += f(p, b, c);
  }
  close(m.iterationTimeS(shape(640, 4.5, 256)), sum / 8);
  assert.equal(m.extrapolated, 0);
});

Deno.test("interior and extrapolated points match a multilinear function", () => {
  const m = tableStepTime(parseStepTable(gridCsv(PS, BS, CS)), {
    iterationOverheadS: 0.002,
  });
  const interior: [number, number, number][] = [
    [100, 3, 700],
    [777, 17, 1999],
    [1, 1, 1],
    [1000, 31, 30],
    [300, 0, 0],
  ];
  for (const [p, b, c] of interior) {
    close(m.iterationTimeS(shape(p, b, c)), f(p, b, c) + 0.002);
  }
  assert.equal(m.extrapolated, 0);
  const beyond: [number, number, number][] = [
    [4096, 4, 100], // prefill above the grid
    [0, 64, 1000], // decode batch above
    [200, 16, 8192], // context above
    [5000, 100, 10000], // all three
  ];
  for (const [p, b, c] of beyond) {
    close(m.iterationTimeS(shape(p, b, c)), f(p, b, c) + 0.002, 1e-11);
  }
  assert.equal(m.extrapolated, beyond.length);
  // Back inside: the count stays.
  m.iterationTimeS(shape(10, 2, 10));
  assert.equal(m.extrapolated, beyond.length);
});

Deno.test("context below a grid that does not start at 0 extrapolates down", () => {
  const m = tableStepTime(parseStepTable(gridCsv(PS, BS, [512, 2048])));
  close(m.iterationTimeS(shape(256, 8, 100)), f(256, 8, 100));
  assert.equal(m.extrapolated, 1);
  // No decode: the smallest context value, not an extrapolation.
  close(m.iterationTimeS(shape(256, 0, 0)), f(256, 0, 512));
  assert.equal(m.extrapolated, 1);
});

Deno.test("decode-free iterations read the (P, B=0) row", () => {
  const table = parseStepTable(gridCsv(PS, BS, CS, (p, b, c) =>
    // The B=0 times differ by context, to show which one is read.
    b === 0 ? 0.01 + 1e-5 * p + 1e-6 * c : f(p, b, c)));
  const m = tableStepTime(table);
  for (const p of [1, 256, 300, 1024]) {
    const s: IterationShape = {
      prefillTokens: p,
      prefillSequences: 2,
      prefillAttendedTokens: p * p,
      prefillPastTokens: 50,
      decodeTokens: 0,
      decodeContextTokens: 0,
    };
    close(m.iterationTimeS(s), 0.01 + 1e-5 * p);
  }
  assert.equal(m.extrapolated, 0);
});

Deno.test("a single-value axis is constant and never counts as extrapolated", () => {
  const m = tableStepTime(parseStepTable(gridCsv(PS, BS, [0])));
  for (const c of [0, 100, 100000]) {
    close(m.iterationTimeS(shape(300, 5, c)), f(300, 5, 0));
  }
  assert.equal(m.extrapolated, 0);
  // A decode-only table (prefill axis {0}).
  const d = tableStepTime(parseStepTable(gridCsv([0], BS, CS)));
  close(d.iterationTimeS(shape(0, 10, 600)), f(0, 10, 600));
  close(d.iterationTimeS(shape(99, 10, 600)), f(0, 10, 600));
  assert.equal(d.extrapolated, 0);
});

Deno.test("comments, blank lines, CRLF and spaces are ignored", () => {
  const text = [
    "# H100 measurements",
    "",
    "  # indented comment",
    " prefill_tokens , decode_batch,context_tokens,step_s ",
    "0,0,0,0.01",
    "",
    "# mid-table comment",
    "0, 4, 0, 0.02",
    "100,0,0,0.03",
    "100,4,0,0.04",
    "",
  ].join("\r\n");
  const table = parseStepTable("\uFEFF" + text);
  assert.deepEqual([...table.stepS], [0.01, 0.02, 0.03, 0.04]);
  const m = tableStepTime(table);
  close(m.iterationTimeS(shape(50, 2, 0)), 0.025);
});

Deno.test("overhead is added and validated", () => {
  const table = parseStepTable(gridCsv(PS, BS, CS));
  const m = tableStepTime(table, { iterationOverheadS: 0.5 });
  assert.equal(m.iterationTimeS(shape(256, 1, 512)), f(256, 1, 512) + 0.5);
  assert.throws(
    () => tableStepTime(table, { iterationOverheadS: -1 }),
    RangeError,
  );
});

Deno.test("an extrapolated time <= 0 throws a RangeError", () => {
  const m = tableStepTime(parseStepTable(
    [HEADER, "0,0,0,1", "0,1,0,1", "100,0,0,0.5", "100,1,0,0.5"].join("\n"),
    { source: "falling.csv" },
  ));
  close(m.iterationTimeS(shape(150, 0, 0)), 0.25);
  assert.throws(
    () => m.iterationTimeS(shape(300, 0, 0)),
    (e: unknown) =>
      e instanceof RangeError && e.message.includes("falling.csv") &&
      e.message.includes("prefill_tokens=300"),
  );
});

Deno.test("header errors cite the header line", () => {
  const rows = "0,0,0,1\n0,1,0,1";
  let m = parseError(`# c\n${HEADER},extra\n${rows}`);
  assert.match(m, /^gpu\.csv:2: unknown column "extra"/);
  m = parseError(`\n${HEADER.replace("step_s", "step_sec")}\n${rows}`);
  assert.match(
    m,
    /^gpu\.csv:2: unknown column "step_sec".*did you mean "step_s"/,
  );
  m = parseError(`prefill_tokens,decode_batch,step_s\n0,0,1`);
  assert.match(m, /^gpu\.csv:1: .*missing the column context_tokens/);
  m = parseError(`${HEADER},step_s\n${rows}`);
  assert.match(m, /^gpu\.csv:1: duplicate column "step_s"/);
});

Deno.test("row errors cite the file and line", () => {
  const head = `# comment\n${HEADER}\n0,0,0,1\n`; // data from line 3
  const cases: [string, RegExp][] = [
    ["0,1,0", /^gpu\.csv:4: expected 4 fields, got 3$/],
    ["0,1,0,1,", /^gpu\.csv:4: expected 4 fields, got 5$/],
    ["0,x,0,1", /^gpu\.csv:4: decode_batch is not a number: "x"$/],
    ["0,1,,1", /^gpu\.csv:4: context_tokens is not a number: ""$/],
    ["0,1,0,Infinity", /^gpu\.csv:4: step_s is not a number/],
    ["0,1,0,1e999", /^gpu\.csv:4: step_s is not finite/],
    ["-1,1,0,1", /^gpu\.csv:4: prefill_tokens must be a non-negative integer/],
    ["0,1.5,0,1", /^gpu\.csv:4: decode_batch must be a non-negative integer/],
    ["0,1,-2,1", /^gpu\.csv:4: context_tokens must be >= 0, got -2$/],
    ["0,1,0,0", /^gpu\.csv:4: step_s must be > 0, got 0$/],
    ["0,1,0,-0.1", /^gpu\.csv:4: step_s must be > 0/],
  ];
  for (const [row, pattern] of cases) {
    assert.match(parseError(head + row), pattern);
  }
});

Deno.test("a duplicate grid point names both lines", () => {
  const m = parseError(
    [HEADER, "0,0,0,1", "0,1,0,1", "", "0,0,0.0,2"].join("\n"),
  );
  assert.match(
    m,
    /^gpu\.csv:5: duplicate grid point prefill_tokens=0, decode_batch=0, context_tokens=0 \(also on line 2\)$/,
  );
});

Deno.test("a missing grid point is named", () => {
  const m = parseError(
    [HEADER, "0,0,0,1", "0,1,0,1", "10,0,0,1", "0,0,5,1", "0,1,5,1", "10,0,5,1"]
      .join("\n"),
  );
  assert.equal(
    m,
    "gpu.csv: missing the row prefill_tokens=10, decode_batch=1, context_tokens=0 (the rows must form a full grid)",
  );
});

Deno.test("prefill and decode axes must start at 0", () => {
  let m = parseError([HEADER, "16,0,0,1", "16,1,0,1"].join("\n"));
  assert.match(m, /^gpu\.csv: the prefill_tokens axis must start at 0/);
  m = parseError([HEADER, "0,1,0,1", "16,1,0,1"].join("\n"));
  assert.match(m, /^gpu\.csv: the decode_batch axis must start at 0/);
});

Deno.test("a table without data rows is an error", () => {
  assert.match(parseError(""), /^gpu\.csv: no data rows/);
  assert.match(parseError("# only a comment\n\n"), /^gpu\.csv: no data rows/);
  assert.match(parseError(`${HEADER}\n# nothing\n`), /^gpu\.csv: no data rows/);
});

Deno.test("a million lookups in and beyond the grid stay finite", () => {
  const m = tableStepTime(parseStepTable(gridCsv(PS, BS, CS)));
  const s = shape(0, 0, 0);
  let sum = 0;
  for (let i = 0; i < 1_000_000; i++) {
    s.prefillTokens = i % 1500;
    s.decodeTokens = (i % 40) + 1;
    s.decodeContextTokens = s.decodeTokens * (i % 3000);
    sum += m.iterationTimeS(s);
  }
  assert.ok(Number.isFinite(sum) && sum > 0);
});

// ---------------------------------------------------------------------------
// The prefill_attended_tokens column and its attention term.

const PAIRED_HEADER = `${HEADER},prefill_attended_tokens`;

/** Attended pairs of one prompt of p tokens with no cached prefix. */
function single(p: number): number {
  return p * (p + 1) / 2;
}

/** Attended pairs of k prompts of n tokens, each after `cached` ones. */
function pairs(k: number, n: number, cached = 0): number {
  return k * (n * cached + n * (n + 1) / 2);
}

const A0 = 4e-10; // seconds per pair of the synthetic tables

/** Linear in P along each (B, C) line plus A0 per attended pair. */
function g(p: number, b: number, c: number, a: number): number {
  return f(p, b, c) + A0 * a;
}

const PPS = [0, 256, 512, 1024, 2048, 4096];

function pairedCsv(
  ps: number[],
  bs: number[],
  cs: number[],
  time: (p: number, b: number, c: number, a: number) => number = g,
  attended: (p: number, b: number, c: number) => number = single,
): string {
  const lines = [PAIRED_HEADER];
  for (const p of ps) {
    for (const b of bs) {
      for (const c of cs) {
        const a = attended(p, b, c);
        lines.push(`${p},${b},${c},${time(p, b, c, a)},${a}`);
      }
    }
  }
  return lines.join("\n");
}

// An iteration with decode batch b at mean context c and `a` attended pairs.
function pairedShape(
  p: number,
  b: number,
  c: number,
  a: number,
  sequences = 1,
): IterationShape {
  return {
    ...shape(p, b, c),
    prefillSequences: sequences,
    prefillAttendedTokens: a,
  };
}

// The least-squares objective of the fit, computed independently: for a
// given cost per pair, fit a line in P to step_s - a pairs on each
// context line of the prefill-only rows and sum the squared residuals.
function objective(
  rows: { p: number; c: number; s: number; a: number }[],
  a: number,
): number {
  let total = 0;
  for (const c of new Set(rows.map((r) => r.c))) {
    const line = rows.filter((r) => r.c === c);
    const n = line.length;
    const mx = line.reduce((t, r) => t + r.p, 0) / n;
    const my = line.reduce((t, r) => t + r.s - a * r.a, 0) / n;
    let sxx = 0, sxy = 0;
    for (const r of line) {
      sxx += (r.p - mx) ** 2;
      sxy += (r.p - mx) * (r.s - a * r.a - my);
    }
    for (const r of line) {
      total += (r.s - a * r.a - my - sxy / sxx * (r.p - mx)) ** 2;
    }
  }
  return total;
}

Deno.test("attention: each row is reproduced exactly at its own shape", () => {
  // Rows at the same P measured with different splits, to show that each
  // row keeps its own count.
  const attended = (p: number, b: number) =>
    p === 0 ? 0 : b === 8 ? pairs(4, p / 4) : single(p);
  const table = parseStepTable(pairedCsv(PPS, BS, CS, g, attended));
  const m = tableStepTime(table);
  close(m.attentionSPerPair, A0, 1e-20);
  for (const p of PPS) {
    for (const b of BS) {
      if (p + b === 0) continue;
      for (const c of CS) {
        const cc = b === 0 ? CS[0] : c;
        const a = attended(p, b);
        assert.equal(
          m.iterationTimeS(pairedShape(p, b, c, a)),
          g(p, b, cc, a),
          `at ${p}, ${b}, ${c}`,
        );
      }
    }
  }
  assert.equal(m.extrapolated, 0);
});

Deno.test("attention: 8 prompts of 256 cost a x the pair difference less than one of 2,048", () => {
  const m = tableStepTime(parseStepTable(pairedCsv(PPS, BS, CS)), {
    iterationOverheadS: 0.003,
  });
  const a = m.attentionSPerPair;
  assert.ok(a > 0);
  const gap = single(2048) - pairs(8, 256);
  assert.equal(gap, 1_835_008);
  // On a grid point, beside decodes, and between grid points.
  for (const [b, c] of [[0, 0], [0, 512], [8, 512], [20, 1000]]) {
    const one = m.iterationTimeS(pairedShape(2048, b, c, single(2048)));
    const eight = m.iterationTimeS(pairedShape(2048, b, c, pairs(8, 256), 8));
    assert.ok(eight < one);
    close(one - eight, a * gap, 1e-15);
  }
  // The single prompt is still the table's own row.
  assert.equal(
    m.iterationTimeS(pairedShape(2048, 0, 0, single(2048))),
    g(2048, 0, 0, single(2048)) + 0.003,
  );
  // A cached prefix adds its pairs: 512 new tokens after 1,536 cached ones.
  const chunk = m.iterationTimeS(pairedShape(512, 0, 0, pairs(1, 512, 1536)));
  close(
    chunk - m.iterationTimeS(pairedShape(512, 0, 0, single(512))),
    a * 512 * 1536,
    1e-15,
  );
});

Deno.test("attention: a linear-plus-pairs table is exact anywhere, beyond the grid too", () => {
  const m = tableStepTime(parseStepTable(pairedCsv(PPS, BS, CS)));
  const shapes: [number, number, number, number][] = [
    [300, 3, 700, single(300)], // one prompt between grid points
    [3000, 17, 100, pairs(3, 1000)], // three prompts
    [1000, 0, 0, pairs(10, 100, 400)], // ten chunks after cached prefixes
    [8192, 4, 600, single(8192)], // beyond the prefill axis
    [6000, 64, 9000, pairs(2, 3000)], // beyond all three
  ];
  for (const [p, b, c, a] of shapes) {
    close(m.iterationTimeS(pairedShape(p, b, c, a)), g(p, b, c, a), 1e-12);
  }
  assert.equal(m.extrapolated, 2);
});

Deno.test("attention: least squares recovers a known cost from the prefill-only rows", () => {
  // Each context line of the prefill-only rows has its own intercept and
  // slope in P, and the rows' prefills were measured with mixed splits.
  // k prompts of p / k tokens, k in 1, 2, 4 by the row.
  const split = (p: number, _b: number, c: number) => {
    const k = [1, 2, 4][(p / 256 + c) % 3];
    return p === 0 ? 0 : pairs(k, p / k);
  };
  const time = (p: number, b: number, c: number, a: number) =>
    b === 0
      ? 0.002 + 1e-6 * c + (1.5e-5 + 1e-9 * c) * p + 7e-10 * a
      // Rows with decodes bend in P (a prefill hiding under a
      // memory-bound decode step): they must not enter the fit.
      : Math.max(0.004 + 1e-4 * b, 2e-5 * p) + 7e-10 * a;
  const ps = [0, 256, 768, 1024, 2048, 3072];
  const m = tableStepTime(parseStepTable(pairedCsv(ps, BS, CS, time, split)));
  close(m.attentionSPerPair, 7e-10, 7e-10 * 1e-9);

  // With noise the fit is the minimum of the least-squares objective.
  const rng = new RandomStream(9, "step-table-noise");
  const noise = () => (rng.next() - 0.5) * 2e-4;
  const rows: { p: number; b: number; c: number; s: number; a: number }[] = [];
  for (const p of ps) {
    for (const b of BS) {
      for (const c of CS) {
        const a = single(p);
        rows.push({ p, b, c, a, s: time(p, b, c, a) + (p > 0 ? noise() : 0) });
      }
    }
  }
  const noisy = tableStepTime(parseStepTable(
    [PAIRED_HEADER, ...rows.map((r) => `${r.p},${r.b},${r.c},${r.s},${r.a}`)]
      .join("\n"),
  ));
  const a = noisy.attentionSPerPair;
  assert.ok(Math.abs(a - 7e-10) < 3e-10, `fitted ${a}`);
  const fitRows = rows.filter((r) => r.b === 0 && r.p > 0);
  const best = objective(fitRows, a);
  for (const d of [1e-12, -1e-12, 1e-11, -1e-11]) {
    assert.ok(objective(fitRows, a + d) > best, `a + ${d}`);
  }
});

Deno.test("attention: a table without the column ignores the pairs, as before", () => {
  const table = parseStepTable(gridCsv(PS, BS, CS));
  assert.equal(table.prefillAttendedTokens, undefined);
  const m = tableStepTime(table);
  assert.equal(m.attentionSPerPair, 0);
  for (const a of [0, 300, single(777), 1e12]) {
    assert.equal(
      m.iterationTimeS(pairedShape(777, 5, 900, a)),
      m.iterationTimeS(shape(777, 5, 900)),
    );
  }
  // Times exactly linear in P fit no cost per pair (rounding in the fit is
  // not a negative cost), and then the column changes nothing.
  const plain = tableStepTime(parseStepTable(gridCsv(PPS, BS, CS)));
  const paired = tableStepTime(
    parseStepTable(pairedCsv(PPS, BS, CS, (p, b, c) => f(p, b, c))),
  );
  assert.equal(paired.attentionSPerPair, 0);
  for (const a of [777, single(777), 1e9]) {
    assert.equal(
      paired.iterationTimeS(pairedShape(777, 5, 900, a)),
      plain.iterationTimeS(shape(777, 5, 900)),
    );
  }
});

Deno.test("attention: the column may come first and parses into the grid layout", () => {
  const lines = pairedCsv(PPS, [0, 4], [0]).split("\n");
  const moved = lines.map((l) => {
    const f = l.split(",");
    return [f[4], ...f.slice(0, 4)].join(",");
  });
  const t = parseStepTable(moved.join("\n"));
  assert.deepEqual(
    [...t.prefillAttendedTokens!],
    PPS.flatMap((p) => [single(p), single(p)]),
  );
});

Deno.test("attention: bad counts and unusable fits are one-line errors naming file:line", () => {
  const head = `# c\n${PAIRED_HEADER}\n0,0,0,1,0\n`; // data from line 3
  const cases: [string, RegExp][] = [
    [
      "0,1,0,1,x",
      /^gpu\.csv:4: prefill_attended_tokens is not a number: "x"$/,
    ],
    ["0,1,0,1,", /^gpu\.csv:4: prefill_attended_tokens is not a number: ""$/],
    [
      "0,1,0,1,-5",
      /^gpu\.csv:4: prefill_attended_tokens must be >= 0, got -5$/,
    ],
    ["0,1,0,1", /^gpu\.csv:4: expected 5 fields, got 4$/],
    [
      "0,1,0,1,3",
      /^gpu\.csv:4: prefill_attended_tokens must be 0 when prefill_tokens is 0, got 3$/,
    ],
    [
      "256,1,0,1,100",
      /^gpu\.csv:4: prefill_attended_tokens must be >= prefill_tokens \(256: each token attends at least to itself\), got 100$/,
    ],
  ];
  for (const [row, pattern] of cases) {
    assert.match(parseError(head + row), pattern);
  }

  // A typo in the header suggests the column.
  assert.match(
    parseError(`${HEADER},prefill_attended_token\n0,0,0,1,0`),
    /^gpu\.csv:1: unknown column "prefill_attended_token".*did you mean "prefill_attended_tokens"/,
  );

  // Two prefill values > 0 leave the fit undetermined; so do pairs linear
  // in P. Neither is a row's fault: the message names the file only.
  for (
    const text of [
      pairedCsv([0, 512, 1024], BS, CS),
      pairedCsv(PPS, BS, CS, g, (p) => 10 * p),
    ]
  ) {
    assert.match(
      parseError(text),
      /^gpu\.csv: cannot fit the attention cost from prefill_attended_tokens: .*linear in prefill_tokens/,
    );
  }

  // Times growing slower than linearly in P: a negative cost.
  assert.match(
    parseError(
      pairedCsv(PPS, BS, CS, (p, b, c) => f(p, b, c) + 1e-3 * Math.sqrt(p)),
    ),
    /^gpu\.csv: the fitted attention cost is -[0-9.e-]+ s per pair, < 0: .*drop the prefill_attended_tokens column\)$/,
  );

  // A row whose pairs would make one-token prompts take no time: its line.
  const rows = pairedCsv(PPS, [0, 8], [0]).split("\n");
  const at = rows.findIndex((l) => l.startsWith("1024,8,"));
  rows[at] = rows[at].replace(/,\d+$/, ",1000000000");
  assert.match(
    parseError(rows.join("\n")),
    new RegExp(
      `^gpu\\.csv:${
        at + 1
      }: with the fitted attention cost of [0-9.e-]+ s per pair, 1024 one-token prompts would take -[0-9.e-]+ s here, not > 0`,
    ),
  );
});

Deno.test("attention: tableStepTime checks a hand-built table and the shapes it gets", () => {
  const table = parseStepTable(pairedCsv(PPS, [0, 4], [0]));
  const bad: StepTable = {
    ...table,
    // Ten pairs per token: linear in P, so no cost per pair can be fitted.
    prefillAttendedTokens: table.prefillAttendedTokens!.map((_, i) =>
      10 * PPS[i >> 1]
    ),
  };
  assert.throws(
    () => tableStepTime(bad),
    (e: unknown) =>
      e instanceof RangeError && e.message.startsWith("<step table>: ") &&
      e.message.includes("cannot fit"),
  );
  assert.throws(
    () =>
      tableStepTime({ ...table, prefillAttendedTokens: new Float64Array(3) }),
    /3 attended counts for 12 step times/,
  );
  // A cost per token below a per pair: rows are positive, yet a shape with
  // fewer pairs than tokens (no real batch) would take negative time.
  const steep = tableStepTime(parseStepTable(
    pairedCsv(
      PPS,
      [0, 4],
      [0],
      (p, b, _c, a) => 1e-4 + 1e-4 * b - 5e-7 * p + 1e-6 * a,
    ),
    { source: "steep.csv" },
  ));
  close(steep.attentionSPerPair, 1e-6, 1e-15);
  assert.ok(steep.iterationTimeS(pairedShape(1024, 0, 0, 1024)) > 0);
  assert.throws(
    () => steep.iterationTimeS(pairedShape(1024, 0, 0, 0)),
    (e: unknown) =>
      e instanceof RangeError && e.message.startsWith("steep.csv: ") &&
      e.message.includes("with 0 attended pairs"),
  );
});

Deno.test("attention: the shipped example fits and charges batched prefills less", async () => {
  const path = new URL(
    "../examples/step_table_llama3_8b_h100_attention.csv",
    import.meta.url,
  );
  const plainPath = new URL(
    "../examples/step_table_llama3_8b_h100.csv",
    import.meta.url,
  );
  const m = tableStepTime(parseStepTable(await Deno.readTextFile(path)));
  const plain = tableStepTime(
    parseStepTable(await Deno.readTextFile(plainPath)),
  );
  // The fit its header comment quotes.
  close(m.attentionSPerPair, 1.13e-9, 0.005e-9);
  // Every row of the plain table, as the single prompt it was measured as.
  for (const p of [256, 512, 1024, 2048, 4096]) {
    for (const b of [0, 1, 8, 32, 64, 128, 256]) {
      for (const c of [256, 1024, 4096]) {
        assert.equal(
          m.iterationTimeS(pairedShape(p, b, c, single(p))),
          plain.iterationTimeS(shape(p, b, c)),
        );
      }
    }
  }
  const one = m.iterationTimeS(pairedShape(2048, 0, 0, single(2048)));
  const eight = m.iterationTimeS(pairedShape(2048, 0, 0, pairs(8, 256), 8));
  close(one - eight, 2.07e-3, 0.01e-3);
});

Deno.test("attention: the offered load of a table scenario uses the term", () => {
  const run = (csv: string) => {
    const scenario = validateScenario({
      mode: "mono",
      batching: "continuous",
      sim_seconds: 20,
      warmup_seconds: 2,
      arrival: { rate_per_s: 2 },
      prompt_tokens: { mode: "constant", value: 256 },
      output_tokens: { mode: "constant", value: 4 },
      cluster_mono: { num_gpus: 2 },
      scheduler: { max_num_batched_tokens: 2048 },
      step_time: { kind: "table", table_file: "steps.csv" },
    });
    // As the loader does with table_file.
    scenario.step_time.table = parseStepTable(csv, { source: "steps.csv" });
    const plan = planCluster(scenario);
    const offered = simulate(scenario).summary.offered_load as Record<
      string,
      number
    >;
    return { plan, offered };
  };
  const withTerm = run(pairedCsv(PPS, BS, CS));
  // The same times, without the column: every prefill of P tokens is
  // charged as the single prompt of P it was measured as.
  const without = run(gridCsv(PPS, BS, CS, (p, b, c) => g(p, b, c, single(p))));
  close(withTerm.plan.tables[0].attentionSPerPair, A0, 1e-20);
  assert.equal(without.plan.tables[0].attentionSPerPair, 0);
  // A full budget of 2,048 prompt tokens is 8 prompts of 256: with the term
  // each budget's step costs A0 x 1,835,008 s less, and offered load is
  // rate x prompt tokens x step / budget / instances.
  assert.ok(withTerm.offered.prefill < without.offered.prefill);
  close(
    without.offered.prefill - withTerm.offered.prefill,
    2 * 256 * A0 * (single(2048) - pairs(8, 256)) / 2048 / 2,
    1e-15,
  );
  // Decode steps have no prefill pairs: the same either way.
  assert.equal(withTerm.offered.decode, without.offered.decode);
});
