/**
 * The trace-format registry and the trace options' schema: names agree
 * with the schema, errors are the validator's, and the shipped traces and
 * fixtures replay byte for byte as they did before trace.ts was split
 * (digests of every replayed row and the row counts, recorded from the
 * code before the split).
 *
 * @module
 */

import assert from "node:assert/strict";
import { z } from "../lib/schema/zod.ts";
import { InputError } from "../lib/errors.ts";
import { openTrace } from "../lib/workload/trace.ts";
import {
  LENGTH_TRACE_FORMATS,
  parseTraceOptions,
  TIMESTAMP_UNITS,
  TRACE_FORMATS,
  type TraceOptionsInput,
  traceSchema,
} from "../lib/workload/trace_formats/mod.ts";

const ROOT = new URL("../", import.meta.url);

function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

interface Option {
  properties: {
    format: { const: string };
    timestamp_unit?: { enum: string[] };
    columns?: unknown;
  };
}

Deno.test("registry names are the schema's formats and units", () => {
  const json = z.toJSONSchema(traceSchema, { io: "input" });
  const options = json.oneOf as unknown as Option[];
  assert.deepEqual(
    options.map((o) => o.properties.format.const),
    TRACE_FORMATS.names,
  );
  for (const o of options) {
    const entry = TRACE_FORMATS.get(o.properties.format.const);
    // A mapping exactly for the formats without fixed columns.
    assert.equal(
      o.properties.columns === undefined,
      entry.columns !== undefined,
    );
    if (o.properties.timestamp_unit) {
      assert.deepEqual(o.properties.timestamp_unit.enum, TIMESTAMP_UNITS.names);
    }
  }
  assert.deepEqual(
    LENGTH_TRACE_FORMATS,
    TRACE_FORMATS.entries().filter((e) => e.lengths).map((e) => e.name),
  );
});

Deno.test("bad options give the validator's errors", () => {
  const file = "t.csv";
  const columns = { timestamp: "t", prompt_tokens: "p", output_tokens: "o" };
  const cases: [unknown, string][] = [
    [
      { file, format: "azur" },
      'trace.format: must be one of azure, mooncake, burstgpt, csv, jsonl, got "azur" (did you mean "azure"?)',
    ],
    [{ file, format: "csv" }, "trace.columns: is required with format csv"],
    [
      { file, format: "burstgpt", columns },
      "trace.columns: is only for format csv or jsonl (burstgpt has fixed columns)",
    ],
    [
      { file, format: "jsonl", columns, timestamp_unit: "h" },
      'trace.timestamp_unit: must be one of s, ms, us, datetime, got "h" (did you mean "s"?)',
    ],
    [
      { file, format: "csv", columns: { timestamp: "t" } },
      "trace.columns.prompt_tokens: is required",
    ],
    [
      { file, format: "azure", time_scale: 2, target_rate_per_s: 3 },
      "trace.target_rate_per_s: give time_scale or target_rate_per_s, not both",
    ],
    [
      { file, format: "azure", start_s: 10, end_s: 5 },
      "trace.end_s: must be > start_s (10), got 5",
    ],
    [
      { file, format: "azure", max_rows: 0 },
      "trace.max_rows: must be >= 1, got 0",
    ],
    [
      { file, format: "azure", on_bad_row: "ignore" },
      'trace.on_bad_row: must be one of error, skip, got "ignore"',
    ],
    [{ file, format: "azure", foo: 1 }, "trace.foo: unknown key"],
  ];
  for (const [raw, message] of cases) {
    assert.throws(() => parseTraceOptions(raw, ["trace"]), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.equal(e.message, message);
      return true;
    });
  }
});

Deno.test("parsing fills defaults, drops undefined keys, and is idempotent", () => {
  const raw = {
    file: "t.jsonl",
    format: "mooncake",
    columns: undefined,
    spread_s: 3,
  };
  const o = parseTraceOptions(raw);
  assert.deepEqual(o, {
    file: "t.jsonl",
    format: "mooncake",
    spread_s: 3,
    on_bad_row: "error",
  });
  assert.deepEqual(parseTraceOptions(o), o);
});

Deno.test("shipped traces replay as they did before the split", () => {
  const generic = {
    timestamp: "arrival_ms",
    prompt_tokens: "input",
    output_tokens: "output",
  };
  const jsonl = {
    timestamp: "at",
    prompt_tokens: "prompt",
    output_tokens: "completion",
    hash_ids: "blocks",
  };
  const azureAsCsv = {
    timestamp: "TIMESTAMP",
    prompt_tokens: "ContextTokens",
    output_tokens: "GeneratedTokens",
  };
  // [file, options, FNV-1a of the JSON of { rows, stats }, rows].
  const recorded: [string, Record<string, unknown>, string, number][] = [
    // examples/azure_conv_replay.yaml's trace.
    [
      "examples/traces/azure_conv_slice.csv",
      { format: "azure", time_scale: 2 },
      "5ab8c7b7",
      2000,
    ],
    [
      "examples/traces/azure_conv_slice.csv",
      {
        format: "azure",
        target_rate_per_s: 7,
        start_s: 3,
        end_s: 150,
        max_rows: 900,
      },
      "6094bbf2",
      612,
    ],
    [
      "examples/traces/mooncake_conversation_slice.jsonl",
      { format: "mooncake" },
      "e46a73fb",
      1000,
    ],
    [
      "examples/traces/mooncake_conversation_slice.jsonl",
      { format: "mooncake", spread_s: 3 },
      "3e1f0cc2",
      1000,
    ],
    [
      "tests/fixtures/burstgpt_small.csv",
      { format: "burstgpt", on_bad_row: "skip" },
      "94dc2a05",
      4,
    ],
    [
      "tests/fixtures/generic_small.csv",
      {
        format: "csv",
        timestamp_unit: "ms",
        columns: { ...generic, hash_ids: "blocks" },
      },
      "4199ba2f",
      4,
    ],
    [
      "tests/fixtures/generic_small.csv",
      { format: "csv", on_bad_row: "skip", columns: generic },
      "010cf67c",
      4,
    ],
    [
      "tests/fixtures/generic_small.jsonl",
      { format: "jsonl", columns: jsonl },
      "f0449043",
      3,
    ],
    [
      "examples/traces/azure_code_slice.csv",
      { format: "azure", spread_s: 0.001, start_s: 2 },
      "6831a14d",
      988,
    ],
    [
      "examples/traces/azure_code_slice.csv",
      { format: "csv", timestamp_unit: "datetime", columns: azureAsCsv },
      "c495a3cd",
      1000,
    ],
  ];
  for (const [file, options, digest, count] of recorded) {
    const trace = openTrace({
      file: new URL(file, ROOT).pathname,
      ...options,
    } as TraceOptionsInput);
    const rows: unknown[] = [];
    while (trace.next()) {
      rows.push([
        trace.arrivalS,
        trace.promptTokens,
        trace.outputTokens,
        [...trace.prefixIds],
      ]);
    }
    assert.equal(rows.length, count, `${file} ${JSON.stringify(options)}`);
    assert.equal(
      fnv(JSON.stringify({ rows, stats: trace.stats })),
      digest,
      `${file} ${JSON.stringify(options)}`,
    );
  }
});
