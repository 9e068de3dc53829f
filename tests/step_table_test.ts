import { strict as assert } from "node:assert";
import {
  parseStepTable,
  type StepTable,
  tableStepTime,
} from "../lib/perf/table.ts";
import { InputError } from "../lib/scenario/errors.ts";
import type { IterationShape } from "../lib/serving/step_time.ts";

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
