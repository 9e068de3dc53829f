import assert from "node:assert/strict";
import { ExactStore } from "../lib/metrics/exact_store.ts";
import {
  quantilesInPlace,
  quantilesOfChunks,
} from "../lib/metrics/percentile.ts";
import { latencyStats, SummaryAccumulator } from "../lib/metrics/summary.ts";
import { RequestRecords } from "../lib/metrics/records.ts";
import { simulate } from "../lib/analysis/simulate.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import { makeTrace } from "../bench/make_trace.ts";

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
}

Deno.test("chunked quickselect gives the flat one's quantiles, NaN included", () => {
  const r = rng(7);
  for (const n of [1, 2, 5, 1000, 70_000]) {
    for (const nan of [false, true]) {
      const values = Float64Array.from(
        { length: n },
        (_, i) => nan && i % 97 === 3 ? NaN : Math.floor(r() * 50) / 7,
      );
      const chunks: Float64Array[] = [];
      for (let i = 0; i < n; i += 1 << 10) {
        chunks.push(values.slice(i, i + (1 << 10)));
      }
      const qs = [0.5, 0.9, 0.95, 0.99];
      assert.deepEqual(
        quantilesOfChunks(chunks, n, 10, qs),
        quantilesInPlace(values.slice(), qs),
        `n=${n} nan=${nan}`,
      );
    }
  }
});

Deno.test("the store's figures are those of the values kept whole", () => {
  const r = rng(3);
  const n = 150_000; // three chunks
  const store = new ExactStore({ extra: ["first_decode"], classes: true });
  const cols = {
    ttft: [] as number[],
    e2e: [] as number[],
    tpot: [] as number[],
    fd: [] as number[],
  };
  const byClass = [[], []] as number[][];
  for (let i = 0; i < n; i++) {
    const ttft = r() * 3, e2e = ttft + r() * 20, fd = r() / 50;
    const output = 1 + Math.floor(r() * 3);
    const cls = i % 3 === 0 ? 1 : 0;
    store.add(ttft, e2e, 0, 0, NaN, NaN, NaN, fd, output, cls);
    cols.ttft.push(ttft);
    cols.e2e.push(e2e);
    cols.fd.push(fd);
    if (output > 1) cols.tpot.push((e2e - ttft) / (output - 1));
    if (cls === 1) byClass[1].push(ttft);
  }
  const f = store.figures(2);
  const want = (name: string, v: number[]) =>
    Object.values(latencyStats(name, Float64Array.from(v)));
  assert.deepEqual([...f.get("ttft")!], want("ttft", cols.ttft));
  assert.deepEqual([...f.get("e2e")!], want("e2e", cols.e2e));
  assert.deepEqual([...f.get("tpot")!], want("tpot", cols.tpot));
  assert.deepEqual([...f.get("first_decode")!], want("fd", cols.fd));
  assert.deepEqual([...f.perClass[1].get("ttft")!], want("ttft", byClass[1]));
});

const RUN = {
  mode: "mono" as const,
  batching: "none" as const,
  randomSeed: 1,
  window: [0, 1e9] as const,
  arrivalRatePerS: 1,
  firstTokenAtDecode: false,
  pools: { gpu: { gpus: 1, prefillTokensPerS: 100, decodeTokensPerS: 10 } },
};

Deno.test("past its limit, exact percentiles go on as a sketch would, with a notice", () => {
  const r = rng(11);
  const rec = new RequestRecords();
  for (let i = 0; i < 5000; i++) {
    const a = i * 0.1, s = a + r(), e = s + r();
    const k = rec.add(a, 100, 1 + Math.floor(r() * 9));
    rec.prefillStartS[k] = s;
    rec.prefillEndS[k] = e;
    rec.decodeStartS[k] = e;
    rec.firstTokenS[k] = e + 0.1;
    rec.finishS[k] = e + 1 + r();
  }
  const run = (
    options: ConstructorParameters<typeof SummaryAccumulator>[1],
  ) => {
    const acc = new SummaryAccumulator(RUN, options);
    for (let i = 0; i < rec.count; i++) acc.observe(rec, i);
    return { summary: acc.summary(1e9), notices: acc.notices };
  };
  const sketch = run({ sketch: true });
  // 35 bytes a row: TTFT, e2e, queue wait and prefill compute (8 bytes
  // each), the first decode step as a 1-byte dictionary code (it takes a
  // few values here) and 2 bytes of output length.
  const switched = run({ exactLimitBytes: 35 * 1000 });
  const exact = run({});
  assert.deepEqual(switched.summary, sketch.summary);
  assert.equal(switched.notices.length, 1);
  assert.match(switched.notices[0], /past 1000 measured requests.*sketch/);
  assert.equal(exact.notices.length, 0);
  assert.notDeepEqual(exact.summary, sketch.summary);
});

Deno.test("records kept or recycled, the summary is the same bit for bit", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const trace = makeTrace(3000, new URL(`file://${dir}/`));
    const scenarios = [
      { mode: "mono", sim_seconds: 300, warmup_seconds: 30 },
      { mode: "disagg", sim_seconds: 300, warmup_seconds: 30 },
      {
        mode: "mono",
        batching: "continuous",
        sim_seconds: 60,
        warmup_seconds: 6,
        arrival: { rate_per_s: 4 },
      },
      {
        mode: "disagg",
        batching: "continuous",
        sim_seconds: 60,
        warmup_seconds: 6,
        arrival: { rate_per_s: 4 },
        cluster_disagg: { ttft_at: "decode" },
      },
      {
        mode: "mono",
        sim_seconds: 300,
        warmup_seconds: 30,
        slo: { ttft_s: 1, tpot_s: 0.1 },
        classes: [
          { name: "a", weight: 1 },
          {
            name: "b",
            weight: 2,
            output_tokens: { mode: "constant", value: 1 },
          },
        ],
      },
      {
        mode: "mono",
        sim_seconds: 1e9,
        warmup_seconds: 1,
        trace: { file: trace, format: "azure" },
        cluster_mono: {
          num_gpus: 16,
          prefill_tokens_per_s: 8000,
          decode_tokens_per_s: 2000,
        },
      },
    ];
    for (const s of scenarios) {
      const scenario = validateScenario(s);
      const kept = simulate(scenario);
      const recycled = simulate(scenario, { keepRecords: false });
      assert.equal(
        JSON.stringify(recycled.summary),
        JSON.stringify(kept.summary),
        JSON.stringify(s),
      );
      assert.ok(
        recycled.records.count < kept.records.count,
        "records were kept",
      );
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("an extra latency kept as a small dictionary has the float column's figures", () => {
  const r = rng(5);
  const figures = (values: (i: number) => number, n: number) => {
    const store = new ExactStore({ extra: ["first_decode"], capacity: 16 });
    const flat = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      flat[i] = values(i);
      store.add(1, 2, 0, 0.5, NaN, NaN, NaN, flat[i], 3, 0);
    }
    let sum = 0;
    for (let i = 0; i < n; i++) sum += flat[i];
    const [p50, p90, p95, p99] = quantilesInPlace(flat, [0.5, 0.9, 0.95, 0.99]);
    return {
      bytes: store.bytesPerRow,
      got: store.figures().get("first_decode"),
      want: [sum / n, p50, p90, p95, p99],
    };
  };
  // A few values, past a chunk of 2^16 rows: 1 byte a row.
  const few = figures(
    (i) => [0.02, 0.0200001, 0.5, -0, 0][i % 7 % 5] * (1 + (i % 3)),
    70_000,
  );
  assert.equal(few.bytes, 8 * 4 + 1 + 2);
  assert.deepEqual(few.got, few.want);
  // A 256th distinct value, or a NaN, turns the column into 8-byte values
  // with the rows it had.
  const many = figures(() => Math.floor(r() * 1000) / 3, 5000);
  assert.equal(many.bytes, 8 * 5 + 2);
  assert.deepEqual(many.got, many.want);
  const nan = figures((i) => i === 4000 ? NaN : 0.25 * (i % 4), 5000);
  assert.equal(nan.bytes, 8 * 5 + 2);
  assert.deepEqual(nan.got, nan.want);
});
