import assert from "node:assert/strict";
import { quantileSorted } from "../lib/metrics/percentile.ts";
import { toCsv } from "../lib/report/csv.ts";
import { toJson } from "../lib/report/json.ts";
import { renderTable } from "../lib/report/table.ts";
import { writeFilesAtomic } from "../lib/report/files.ts";
import { parseScenario } from "../lib/scenario/load.ts";

Deno.test("percentiles interpolate linearly like numpy", () => {
  const v = Float64Array.of(10, 20, 30, 40, 50);
  assert.equal(quantileSorted(v, 0), 10);
  assert.equal(quantileSorted(v, 1), 50);
  assert.equal(quantileSorted(v, 0.9), 46); // rank 3.6
  assert.equal(quantileSorted(v, 0.99), 49.6);
  assert.ok(Number.isNaN(quantileSorted(new Float64Array(0), 0.5)));
});

Deno.test("JSON replaces NaN and Infinity with null and names them", () => {
  const warnings: string[] = [];
  const text = toJson({ a: NaN, b: { c: -Infinity }, d: [1, NaN] }, warnings);
  assert.deepEqual(JSON.parse(text), { a: null, b: { c: null }, d: [1, null] });
  assert.deepEqual(warnings.map((w) => w.split(" ")[0]), ["a", "b.c", "d[1]"]);
});

Deno.test("CSV flattens groups, quotes and leaves undefined cells empty", () => {
  const csv = toCsv([{ a: 1, g: { x: 2 } }, { a: NaN, s: 'q"t', g: { x: 3 } }]);
  assert.equal(csv, 'a,g.x,s\n1,2,\n,3,"q""t"\n');
});

Deno.test("tables align columns", () => {
  const t = renderTable(["k", "v"], [["long_key", 1.23456], ["k", null]]);
  assert.equal(
    t,
    "k             v\n--------  -----\nlong_key  1.235\nk             -\n",
  );
});

Deno.test("atomic writes leave no file when one write fails", async () => {
  const dir = await Deno.makeTempDir();
  // A missing folder is created; one under a file cannot be.
  await Deno.writeTextFile(`${dir}/f`, "");
  await assert.rejects(
    writeFilesAtomic(
      new Map([[`${dir}/new/a.txt`, "a"], [`${dir}/f/b.txt`, "b"]]),
    ),
    /f\/b\.txt: cannot write/,
  );
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["f"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("scenario defaults are the prototype's", () => {
  const s = parseScenario("");
  assert.equal(s.mode, "disagg");
  assert.equal(s.sim_seconds, 600);
  assert.equal(s.warmup_seconds, 60);
  assert.equal(s.random_seed, 42);
  assert.equal(s.arrival.rate_per_s, 2);
  assert.deepEqual(s.prompt_tokens, {
    mode: "log",
    mean: 6,
    sigma: 1,
    min_value: 1,
  });
  assert.equal(s.cluster_mono.num_gpus, 4);
  assert.equal(s.cluster_disagg.prefill_gpus, 2);
  assert.equal(s.cluster_disagg.decode_gpus, 2);
  assert.equal(s.cluster_mono.prefill_tokens_per_s, 8000);
  assert.equal(s.cluster_disagg.decode_tokens_per_s, 2000);
});

Deno.test("quickselect quantiles equal sorted quantiles exactly", async () => {
  const { quantilesInPlace } = await import("../lib/metrics/percentile.ts");
  const { RandomStream } = await import("../lib/engine/random.ts");
  const rng = new RandomStream(5, "q");
  const qs = [0, 0.01, 0.5, 0.9, 0.95, 0.99, 1];
  for (const n of [1, 2, 3, 10, 101, 5000]) {
    for (const ties of [false, true]) {
      const v = Float64Array.from(
        { length: n },
        () => ties ? Math.floor(rng.next() * 5) : rng.exponential(1),
      );
      const sorted = v.slice().sort();
      const got = quantilesInPlace(v, qs);
      qs.forEach((q, j) => assert.equal(got[j], quantileSorted(sorted, q)));
    }
  }
});
