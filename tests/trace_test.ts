/**
 * Trace replay against the shipped slices and fixtures. Expected values come
 * from a deliberately simple parse of the same files in this test (whole-file
 * read, split, Date.UTC for the whole seconds of Azure times), independent of
 * the streaming reader's in-place parsers.
 *
 * @module
 */

import assert from "node:assert/strict";
import { InputError } from "../lib/errors.ts";
import { LineReader } from "../lib/workload/line_reader.ts";
import { openTrace, type TraceSource } from "../lib/workload/trace.ts";
import {
  parseTraceOptions,
  type TraceOptionsInput as TraceOptions,
} from "../lib/workload/trace_formats/mod.ts";

const TRACES = new URL("../examples/traces/", import.meta.url);
const FIXTURES = new URL("./fixtures/", import.meta.url);
const AZURE_CONV = new URL("azure_conv_slice.csv", TRACES).pathname;
const AZURE_CODE = new URL("azure_code_slice.csv", TRACES).pathname;
const MOONCAKE = new URL("mooncake_conversation_slice.jsonl", TRACES).pathname;
const BURSTGPT = new URL("burstgpt_small.csv", FIXTURES).pathname;
const GENERIC_CSV = new URL("generic_small.csv", FIXTURES).pathname;
const GENERIC_JSONL = new URL("generic_small.jsonl", FIXTURES).pathname;

interface Row {
  t: number; // trace seconds after the first row
  prompt: number;
  output: number;
  ids: number[];
}

interface Replayed {
  arrival: number;
  prompt: number;
  output: number;
  ids: number[];
}

function replay(trace: TraceSource): Replayed[] {
  const out: Replayed[] = [];
  while (trace.next()) {
    out.push({
      arrival: trace.arrivalS,
      prompt: trace.promptTokens,
      output: trace.outputTokens,
      ids: trace.prefixIds,
    });
  }
  return out;
}

function dataLines(path: string): string[] {
  return Deno.readTextFileSync(path).split(/\r?\n/).filter((l) => l !== "");
}

/** Azure rows, times as (whole seconds - first) + (fraction - first). */
function azureRows(path: string): Row[] {
  const parsed = dataLines(path).slice(1).map((line) => {
    const [ts, prompt, output] = line.split(",");
    const [date, time] = ts.split(" ");
    const [y, mo, d] = date.split("-").map(Number);
    const [hms, frac] = time.split(".");
    const [h, mi, s] = hms.split(":").map(Number);
    return {
      whole: Date.UTC(y, mo - 1, d, h, mi, s) / 1000,
      frac: Number(`0.${frac}`),
      prompt: Number(prompt),
      output: Number(output),
    };
  });
  const w0 = parsed[0].whole;
  const f0 = parsed[0].frac;
  return parsed.map((r) => ({
    t: r.whole - w0 + (r.frac - f0),
    prompt: r.prompt,
    output: r.output,
    ids: [],
  }));
}

function mooncakeRows(path: string): Row[] {
  const parsed = dataLines(path).map((l) => JSON.parse(l));
  const t0 = parsed[0].timestamp;
  return parsed.map((r) => ({
    t: (r.timestamp - t0) / 1000,
    prompt: r.input_length,
    output: r.output_length,
    ids: r.hash_ids,
  }));
}

/** Asserts the replay is exactly `rows`, arriving at (t - startS) / scale. */
function assertReplay(
  got: Replayed[],
  rows: Row[],
  scale = 1,
  startS = 0,
): void {
  assert.equal(got.length, rows.length);
  for (let i = 0; i < rows.length; i++) {
    const want = (rows[i].t - startS) / scale;
    assert.ok(
      Math.abs(got[i].arrival - want) <= 1e-9,
      `row ${i}: arrival ${got[i].arrival}, want ${want}`,
    );
    assert.equal(got[i].prompt, rows[i].prompt, `row ${i} prompt`);
    assert.equal(got[i].output, rows[i].output, `row ${i} output`);
    assert.deepEqual(got[i].ids, rows[i].ids, `row ${i} ids`);
  }
}

/** Writes files into a fresh temp dir, runs fn with their paths, cleans up. */
function withFiles(
  files: Record<string, string>,
  fn: (paths: Record<string, string>) => void,
): void {
  const dir = Deno.makeTempDirSync({ prefix: "trace_test_" });
  try {
    const paths: Record<string, string> = {};
    for (const [name, text] of Object.entries(files)) {
      paths[name] = `${dir}/${name}`;
      Deno.writeTextFileSync(paths[name], text);
    }
    fn(paths);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

function assertInputError(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `not an InputError: ${e}`);
    assert.equal(e.message, message);
    assert.ok(!e.message.includes("\n"), "message on one line");
    return true;
  });
}

/** Opens and drains a trace, so that row errors surface. */
function drain(options: TraceOptions): TraceSource {
  const trace = openTrace(options);
  while (trace.next());
  return trace;
}

const AZURE_HEADER = "TIMESTAMP,ContextTokens,GeneratedTokens\n";

// ---------------------------------------------------------------------------
// Exact replay of the shipped slices

Deno.test("azure conv slice: replay equals the file's rows, 7-digit fractions kept", () => {
  const rows = azureRows(AZURE_CONV);
  assert.equal(rows.length, 2000);
  const trace = openTrace({ file: AZURE_CONV, format: "azure" });
  assertReplay(replay(trace), rows);
  assert.deepEqual(trace.stats, {
    rows: 2000,
    skipped: 0,
    failed: 0,
    outside_window: 0,
  });
  // Row 2 is 4.3145790 s after row 1: a sub-millisecond difference survives.
  assert.ok(Math.abs(rows[1].t - 4.314579) < 1e-12);
});

Deno.test("azure code slice: replay with time_scale divides trace seconds", () => {
  const rows = azureRows(AZURE_CODE);
  assert.equal(rows.length, 1000);
  const trace = openTrace({
    file: AZURE_CODE,
    format: "azure",
    time_scale: 2.5,
  });
  assertReplay(replay(trace), rows, 2.5);
  assert.equal(trace.stats.rows, 1000);
});

Deno.test("mooncake slice: replay equals the file's rows, with prefixIds", () => {
  const rows = mooncakeRows(MOONCAKE);
  assert.equal(rows.length, 1000);
  const trace = openTrace({ file: MOONCAKE, format: "mooncake" });
  const got = replay(trace);
  assertReplay(got, rows);
  // hash_ids are 512-token blocks: one per started block of the prompt.
  for (const r of got) {
    assert.equal(r.ids.length, Math.ceil(r.prompt / 512));
  }
  // Conversations share prefixes: block 0 is everywhere.
  assert.ok(got.filter((r) => r.ids[0] === 0).length > 100);
});

// ---------------------------------------------------------------------------
// Scaling, windows, row limits, spreading

function assertRate(got: Replayed[], target: number): void {
  const span = got[got.length - 1].arrival - got[0].arrival;
  const rate = got.length / span;
  assert.ok(
    Math.abs(rate - target) <= 1e-9 * target,
    `rate ${rate}, target ${target}`,
  );
}

Deno.test("target_rate_per_s: replayed rows / replayed span equals the target", () => {
  for (const file of [AZURE_CONV, AZURE_CODE]) {
    const rows = azureRows(file);
    const got = replay(
      openTrace({ file, format: "azure", target_rate_per_s: 40 }),
    );
    assertRate(got, 40);
    // Still the file's rows, uniformly scaled.
    const scale = 40 * rows[rows.length - 1].t / rows.length;
    assertReplay(got, rows, scale);
  }
  assertRate(
    replay(
      openTrace({ file: MOONCAKE, format: "mooncake", target_rate_per_s: 2 }),
    ),
    2,
  );
});

Deno.test("target_rate_per_s: measured over the window, spreading and max_rows", () => {
  const got = replay(
    openTrace({
      file: MOONCAKE,
      format: "mooncake",
      target_rate_per_s: 7,
      spread_s: 3,
      start_s: 30,
      end_s: 200,
      max_rows: 300,
    }),
  );
  assert.equal(got.length, 300);
  assertRate(got, 7);
});

Deno.test("window: rows in [start_s, end_s) arrive at t - start_s", () => {
  const rows = azureRows(AZURE_CONV);
  const inside = rows.filter((r) => r.t >= 60 && r.t < 120);
  const before = rows.filter((r) => r.t < 60).length;
  assert.ok(inside.length > 100 && before > 100);
  const trace = openTrace({
    file: AZURE_CONV,
    format: "azure",
    start_s: 60,
    end_s: 120,
  });
  assertReplay(replay(trace), inside, 1, 60);
  // Reading stops at the first row past the window, which is counted.
  assert.deepEqual(trace.stats, {
    rows: inside.length,
    skipped: 0,
    failed: 0,
    outside_window: before + 1,
  });
});

Deno.test("window with time_scale: arrival = (t - t_first - start_s) / scale", () => {
  const rows = azureRows(AZURE_CODE);
  const inside = rows.filter((r) => r.t >= 100);
  const got = replay(
    openTrace({
      file: AZURE_CODE,
      format: "azure",
      start_s: 100,
      time_scale: 4,
    }),
  );
  assertReplay(got, inside, 4, 100);
});

Deno.test("max_rows: stops after that many replayed rows", () => {
  const rows = azureRows(AZURE_CONV);
  const trace = openTrace({ file: AZURE_CONV, format: "azure", max_rows: 10 });
  assertReplay(replay(trace), rows.slice(0, 10));
  assert.equal(trace.next(), false);
  assert.equal(trace.stats.rows, 10);

  const windowed = openTrace({
    file: AZURE_CONV,
    format: "azure",
    start_s: 30,
    max_rows: 5,
  });
  assertReplay(
    replay(windowed),
    rows.filter((r) => r.t >= 30).slice(0, 5),
    1,
    30,
  );
});

Deno.test("spread_s: mooncake 3-second buckets spread evenly in file order", () => {
  const rows = mooncakeRows(MOONCAKE);
  const got = replay(
    openTrace({ file: MOONCAKE, format: "mooncake", spread_s: 3 }),
  );
  assert.equal(got.length, rows.length);
  let i = 0;
  let buckets = 0;
  while (i < rows.length) {
    let j = i;
    while (j < rows.length && rows[j].t === rows[i].t) j++;
    const n = j - i;
    buckets++;
    for (let k = i; k < j; k++) {
      const a = got[k].arrival;
      assert.ok(a >= rows[i].t && a < rows[i].t + 3, `row ${k}: ${a}`);
      assert.ok(Math.abs(a - (rows[i].t + 3 * (k - i) / n)) < 1e-9);
      if (k > i) {
        assert.ok(a > got[k - 1].arrival, `row ${k} equals row ${k - 1}`);
      }
      assert.equal(got[k].prompt, rows[k].prompt);
      assert.deepEqual(got[k].ids, rows[k].ids);
    }
    i = j;
  }
  assert.ok(buckets > 50 && buckets < rows.length / 3);
});

Deno.test("spread_s: a bucket spread past the next timestamp is an error", () => {
  withFiles({
    "wide.csv": "t,p,o\n0,1,1\n0,1,1\n0,1,1\n1,1,1\n",
  }, ({ "wide.csv": file }) => {
    const columns = { timestamp: "t", prompt_tokens: "p", output_tokens: "o" };
    // 3 rows over 1.5 s: the last at 1.0, not past the next bucket.
    assert.equal(
      replay(openTrace({ file, format: "csv", columns, spread_s: 1.5 })).length,
      4,
    );
    assertInputError(
      () => drain({ file, format: "csv", columns, spread_s: 3 }),
      `${file}:5: spread_s 3 would move the 3 rows of the previous timestamp past this row's, out of order; use a smaller spread_s`,
    );
  });
});

// ---------------------------------------------------------------------------
// Other formats

Deno.test("burstgpt: failed requests (0 response tokens) are counted and skipped", () => {
  const trace = openTrace({ file: BURSTGPT, format: "burstgpt" });
  assert.deepEqual(replay(trace), [
    { arrival: 0, prompt: 472, output: 18, ids: [] },
    { arrival: 113, prompt: 417, output: 276, ids: [] },
    { arrival: 113, prompt: 1360, output: 312, ids: [] },
    { arrival: 155, prompt: 230, output: 54, ids: [] },
  ]);
  assert.deepEqual(trace.stats, {
    rows: 4,
    skipped: 0,
    failed: 2,
    outside_window: 0,
  });
});

Deno.test("csv with a column mapping: quoted fields, ms timestamps, prefix ids", () => {
  const trace = openTrace({
    file: GENERIC_CSV,
    format: "csv",
    columns: {
      timestamp: "arrival_ms",
      prompt_tokens: "input",
      output_tokens: "output",
      hash_ids: "blocks",
    },
    timestamp_unit: "ms",
  });
  assert.deepEqual(replay(trace), [
    { arrival: 0, prompt: 600, output: 20, ids: [0, 1] },
    { arrival: 0.2505, prompt: 1100, output: 7, ids: [0, 1, 2] },
    { arrival: 0.2505, prompt: 80, output: 3, ids: [] },
    { arrival: 3, prompt: 513, output: 100, ids: [5, 6] },
  ]);
});

Deno.test("jsonl with a key mapping: seconds, extra keys, blank lines", () => {
  const trace = openTrace({
    file: GENERIC_JSONL,
    format: "jsonl",
    columns: {
      timestamp: "at",
      prompt_tokens: "prompt",
      output_tokens: "completion",
      hash_ids: "blocks",
    },
    time_scale: 0.5,
  });
  assert.deepEqual(replay(trace), [
    { arrival: 0, prompt: 300, output: 12, ids: [7] },
    { arrival: 0.5, prompt: 1024, output: 1, ids: [7, 8] },
    { arrival: 5, prompt: 5, output: 40, ids: [] },
  ]);
});

Deno.test("csv and jsonl: us and datetime units", () => {
  withFiles({
    "us.csv": "t,p,o\n1700000000000000,5,6\n1700000000250001,7,8\n",
    "dt.jsonl": '{"t": "2024-02-28T23:59:59.5Z", "p": 1, "o": 2}\n' +
      '{"t": "2024-03-01 00:00:00.0000001", "p": 3, "o": 4}\n',
  }, (paths) => {
    const columns = { timestamp: "t", prompt_tokens: "p", output_tokens: "o" };
    const us = replay(
      openTrace({
        file: paths["us.csv"],
        format: "csv",
        columns,
        timestamp_unit: "us",
      }),
    );
    assert.equal(us.length, 2);
    assert.ok(Math.abs(us[1].arrival - 0.250001) < 1e-12);
    const dt = replay(
      openTrace({
        file: paths["dt.jsonl"],
        format: "jsonl",
        columns,
        timestamp_unit: "datetime",
      }),
    );
    // 2024 is a leap year: 29 February lies between.
    assert.ok(Math.abs(dt[1].arrival - (86400 + 0.5 + 1e-7)) < 1e-9);
  });
});

// ---------------------------------------------------------------------------
// Line handling

Deno.test("a CRLF file whose last line has no newline", () => {
  withFiles({
    "crlf.csv": "TIMESTAMP,ContextTokens,GeneratedTokens\r\n" +
      "2023-11-16 18:17:03.9799600,4808,10\r\n" +
      "2023-11-16 18:17:04.0319600,3180,8\r\n" +
      "2023-11-16 18:17:05.1000000,12,1",
    "lf_no_newline.jsonl":
      '{"timestamp": 0, "input_length": 1, "output_length": 2, "hash_ids": [0]}\n' +
      '{"timestamp": 5, "input_length": 3, "output_length": 4, "hash_ids": [1]}',
  }, (paths) => {
    const azure = replay(
      openTrace({ file: paths["crlf.csv"], format: "azure" }),
    );
    assert.equal(azure.length, 3);
    assert.ok(Math.abs(azure[2].arrival - 1.12004) < 1e-12);
    assert.deepEqual(azure.map((r) => r.output), [10, 8, 1]);
    const moon = replay(
      openTrace({ file: paths["lf_no_newline.jsonl"], format: "mooncake" }),
    );
    assert.deepEqual(moon, [
      { arrival: 0, prompt: 1, output: 2, ids: [0] },
      { arrival: 0.005, prompt: 3, output: 4, ids: [1] },
    ]);
  });
});

Deno.test("line reader: lines split across chunks, CRLF split, multi-byte text", () => {
  for (const file of [AZURE_CONV, MOONCAKE]) {
    const want = Deno.readTextFileSync(file).split(/\r?\n/);
    if (want[want.length - 1] === "") want.pop();
    for (const chunkBytes of [1, 7, 4096]) {
      const reader = new LineReader(file, { chunkBytes });
      const got: string[] = [];
      while (reader.next()) got.push(reader.line());
      assert.deepEqual(got, want, `${file}, chunks of ${chunkBytes}`);
      assert.equal(reader.lineNumber, want.length);
    }
  }
  withFiles({ "utf8.txt": "\uFEFFé€😀\r\n\r\nx\r" }, ({ "utf8.txt": file }) => {
    for (const chunkBytes of [1, 2, 3, 5]) {
      const reader = new LineReader(file, { chunkBytes });
      const got: string[] = [];
      while (reader.next()) got.push(reader.line());
      assert.deepEqual(got, ["é€😀", "", "x"]);
    }
  });
});

Deno.test("replay across 1 MiB read chunks equals the file's rows", () => {
  // About 2.6 MB: rows straddle at least two chunk boundaries.
  let text = AZURE_HEADER;
  let micros = 0;
  for (let i = 0; i < 70_000; i++) {
    micros += (i * 7919) % 500_000;
    const s = Math.floor(micros / 1e6);
    const frac = String(micros % 1e6).padStart(6, "0");
    const hh = String(Math.floor(s / 3600)).padStart(2, "0");
    const mm = String(Math.floor(s / 60) % 60).padStart(2, "0");
    const ss = String(s % 60).padStart(2, "0");
    text += `2023-11-16 ${hh}:${mm}:${ss}.${frac}1,${1 + i % 4000},${
      1 + i % 977
    }\r\n`;
  }
  withFiles({ "big.csv": text }, ({ "big.csv": file }) => {
    const rows = azureRows(file);
    assert.equal(rows.length, 70_000);
    assertReplay(replay(openTrace({ file, format: "azure" })), rows);
  });
});

// ---------------------------------------------------------------------------
// Errors

Deno.test("errors name the file and the line", () => {
  const mooncake = (t: number | string, i: unknown = 10, o: unknown = 2) =>
    JSON.stringify({
      timestamp: t,
      input_length: i,
      output_length: o,
      hash_ids: [0],
    });
  withFiles({
    "bad_number.csv": AZURE_HEADER +
      "2023-11-16 18:17:03.9799600,4808,10\n" +
      "2023-11-16 18:17:04.0319600,3180,abc\n",
    "zero_tokens.csv": AZURE_HEADER +
      "2023-11-16 18:17:03.9799600,0,10\n",
    "missing_field.csv": AZURE_HEADER +
      "2023-11-16 18:17:03.9799600,4808,10\n\n" +
      "2023-11-16 18:17:04.0319600,3180\n",
    "extra_field.csv": AZURE_HEADER +
      "2023-11-16 18:17:03.9799600,4808,10,7\n",
    "bad_time.csv": AZURE_HEADER + "2023-11-16 18:17:63.1,4808,10\n",
    "decreasing.csv": AZURE_HEADER +
      "2023-11-16 18:17:04.0000001,1,1\n" +
      "2023-11-16 18:17:04.0000002,1,1\n" +
      "2023-11-16 18:17:04.0000001,1,1\n",
    "bad_json.jsonl": mooncake(0) + "\n" + mooncake(5) + "\n" +
      '{"timestamp": 9, "input_length": 1,\n',
    "decreasing.jsonl": mooncake(0) + "\n" + mooncake(5) + "\n" +
      mooncake(4) + "\n",
    "float_tokens.jsonl": mooncake(0, 10.5) + "\n",
    "missing_key.jsonl": mooncake(0) + "\n" +
      JSON.stringify({ timestamp: 1, input_length: 5, hash_ids: [] }) + "\n",
    "unknown.csv": "t,p,o\n0,1,1\n",
    "unknown.jsonl": '{"t": 0, "p": 1, "o": 1}\n',
    "quote.csv": 't,p,o\n0,"1,1\n',
    "empty.csv": "",
  }, (f) => {
    assertInputError(
      () => drain({ file: f["bad_number.csv"], format: "azure" }),
      `${
        f["bad_number.csv"]
      }:3: GeneratedTokens: must be a whole number >= 1, got "abc"`,
    );
    assertInputError(
      () => drain({ file: f["zero_tokens.csv"], format: "azure" }),
      `${
        f["zero_tokens.csv"]
      }:2: ContextTokens: must be a whole number >= 1, got "0"`,
    );
    assertInputError(
      () => drain({ file: f["missing_field.csv"], format: "azure" }),
      `${
        f["missing_field.csv"]
      }:4: missing field "GeneratedTokens" (2 fields, the header has 3)`,
    );
    assertInputError(
      () => drain({ file: f["extra_field.csv"], format: "azure" }),
      `${f["extra_field.csv"]}:2: 4 fields, the header has 3`,
    );
    assertInputError(
      () => drain({ file: f["bad_time.csv"], format: "azure" }),
      `${
        f["bad_time.csv"]
      }:2: TIMESTAMP: must be a date-time like "2023-11-16 18:17:03.9799600" (UTC), got "2023-11-16 18:17:63.1"`,
    );
    assertInputError(
      () => drain({ file: f["decreasing.csv"], format: "azure" }),
      `${
        f["decreasing.csv"]
      }:4: timestamps must not decrease: TIMESTAMP "2023-11-16 18:17:04.0000001" is earlier than line 3's`,
    );
    assert.throws(
      () => drain({ file: f["bad_json.jsonl"], format: "mooncake" }),
      (e: unknown) =>
        e instanceof InputError &&
        e.message.startsWith(`${f["bad_json.jsonl"]}:3: bad JSON: `) &&
        !e.message.includes("\n"),
    );
    assertInputError(
      () => drain({ file: f["decreasing.jsonl"], format: "mooncake" }),
      `${
        f["decreasing.jsonl"]
      }:3: timestamps must not decrease: timestamp 4 is earlier than line 2's`,
    );
    assertInputError(
      () => drain({ file: f["float_tokens.jsonl"], format: "mooncake" }),
      `${
        f["float_tokens.jsonl"]
      }:1: input_length: must be a whole number >= 1, got 10.5`,
    );
    assertInputError(
      () => drain({ file: f["missing_key.jsonl"], format: "mooncake" }),
      `${f["missing_key.jsonl"]}:2: missing field "output_length"`,
    );
    assertInputError(
      () =>
        openTrace({
          file: f["unknown.csv"],
          format: "csv",
          columns: {
            timestamp: "t",
            prompt_tokens: "prompt",
            output_tokens: "o",
          },
        }),
      `${
        f["unknown.csv"]
      }:1: columns.prompt_tokens: column "prompt" is not in the header (columns: t, p, o)`,
    );
    assertInputError(
      () =>
        drain({
          file: f["unknown.jsonl"],
          format: "jsonl",
          columns: { timestamp: "t", prompt_tokens: "p", output_tokens: "out" },
          on_bad_row: "skip",
        }),
      `${
        f["unknown.jsonl"]
      }:1: columns.output_tokens: key "out" is not in the first row (keys: t, p, o)`,
    );
    assertInputError(
      () => openTrace({ file: f["unknown.csv"], format: "azure" }),
      `${
        f["unknown.csv"]
      }:1: missing column "TIMESTAMP" for format "azure" (columns: t, p, o)`,
    );
    assertInputError(
      () =>
        drain({
          file: f["quote.csv"],
          format: "csv",
          columns: { timestamp: "t", prompt_tokens: "p", output_tokens: "o" },
        }),
      `${f["quote.csv"]}:2: unterminated quoted field (field 2)`,
    );
    assertInputError(
      () => openTrace({ file: f["empty.csv"], format: "azure" }),
      `${f["empty.csv"]}: empty file, expected a header line`,
    );
  });
  assertInputError(
    () => openTrace({ file: "/nonexistent/azure.csv", format: "azure" }),
    "/nonexistent/azure.csv: file not found",
  );
  const dir = Deno.makeTempDirSync();
  try {
    assert.throws(
      () => drain({ file: dir, format: "mooncake" }),
      (e: unknown) =>
        e instanceof InputError &&
        e.message.startsWith(`${dir}: cannot read: `),
    );
  } finally {
    Deno.removeSync(dir);
  }
});

Deno.test("on_bad_row skip: bad rows are counted and skipped", () => {
  withFiles({
    "mixed.csv": AZURE_HEADER +
      "2023-11-16 18:17:03.0000000,10,1\n" + // line 2: good
      "2023-11-16 18:17:04.0000000,x,1\n" + // bad number
      "2023-11-16 18:17:05.0000000,10\n" + // missing field
      "2023-11-16 18:17:02.0000000,10,1\n" + // decreasing
      "not a time,10,1\n" + // bad timestamp
      "2023-11-16 18:17:06.5000000,20,2\n", // line 7: good
    "mixed.jsonl":
      '{"timestamp": 0, "input_length": 1, "output_length": 1, "hash_ids": []}\n' +
      "{oops\n" +
      '{"timestamp": 1000, "input_length": 0, "output_length": 1, "hash_ids": []}\n' +
      '{"timestamp": 2000, "input_length": 1, "output_length": 1, "hash_ids": "x"}\n' +
      "[1, 2]\n" +
      '{"timestamp": 3000, "input_length": 2, "output_length": 2, "hash_ids": [4]}\n',
  }, (f) => {
    const azure = openTrace({
      file: f["mixed.csv"],
      format: "azure",
      on_bad_row: "skip",
    });
    assert.deepEqual(replay(azure), [
      { arrival: 0, prompt: 10, output: 1, ids: [] },
      { arrival: 3.5, prompt: 20, output: 2, ids: [] },
    ]);
    assert.deepEqual(azure.stats, {
      rows: 2,
      skipped: 4,
      failed: 0,
      outside_window: 0,
    });
    const moon = openTrace({
      file: f["mixed.jsonl"],
      format: "mooncake",
      on_bad_row: "skip",
    });
    assert.deepEqual(replay(moon), [
      { arrival: 0, prompt: 1, output: 1, ids: [] },
      { arrival: 3, prompt: 2, output: 2, ids: [4] },
    ]);
    assert.equal(moon.stats.skipped, 4);
  });
});

Deno.test("option errors", () => {
  const file = AZURE_CONV;
  assertInputError(
    () =>
      openTrace({ file, format: "azure", time_scale: 2, target_rate_per_s: 3 }),
    "target_rate_per_s: give time_scale or target_rate_per_s, not both",
  );
  assertInputError(
    () => openTrace({ file, format: "azure", time_scale: 0 }),
    "time_scale: must be > 0, got 0",
  );
  assertInputError(
    () => openTrace({ file, format: "azure", start_s: 10, end_s: 5 }),
    "end_s: must be > start_s (10), got 5",
  );
  assertInputError(
    () => openTrace({ file, format: "azure", max_rows: 1.5 }),
    "max_rows: must be an integer, got 1.5",
  );
  // Options the types already reject: a library caller validates them.
  assertInputError(
    () =>
      parseTraceOptions({
        file,
        format: "azure",
        columns: { timestamp: "a", prompt_tokens: "b", output_tokens: "c" },
      }),
    "columns: is only for format csv or jsonl (azure has fixed columns)",
  );
  assertInputError(
    () => parseTraceOptions({ file, format: "mooncake", timestamp_unit: "s" }),
    "timestamp_unit: is only for format csv or jsonl (mooncake has fixed columns)",
  );
  assertInputError(
    () => parseTraceOptions({ file, format: "csv" }),
    "columns: is required with format csv",
  );
  assertInputError(
    () =>
      openTrace({ file, format: "azure", start_s: 1e9, target_rate_per_s: 1 }),
    `${file}: target_rate_per_s needs at least two replayed rows at different times, got 0 row(s) spanning 0 s`,
  );
});

Deno.test("close() ends the replay early", () => {
  const trace = openTrace({ file: AZURE_CONV, format: "azure" });
  assert.ok(trace.next());
  trace.close();
  assert.equal(trace.next(), false);
  assert.equal(trace.stats.rows, 1);
});
