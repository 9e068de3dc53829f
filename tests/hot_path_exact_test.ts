// The batched loop's shortcuts must give exactly what the plain computation
// gives: the ITL histogram's cached bucket edges, the roofline's time
// without its cost breakdown, and the instance's running outstanding count.
import assert from "node:assert/strict";
import { LogHistogram } from "../lib/metrics/log_histogram.ts";
import { RandomStream } from "../lib/engine/random.ts";
import { rooflineStepTime } from "../lib/perf/roofline.ts";
import { GPUS, MODELS } from "../lib/perf/catalog.ts";
import { Instance } from "../lib/serving/instance.ts";
import { rateStepTime } from "../lib/perf/step_time.ts";
import { RequestRecords } from "../lib/metrics/records.ts";

// The bucket as the histogram has always computed it.
const MIN = 1e-7, LOG_GAMMA = Math.log(1.01);
const BUCKETS = Math.ceil(Math.log(1e5 / MIN) / LOG_GAMMA) + 1;
function logBucket(v: number): number {
  const b = v <= MIN ? 0 : Math.floor(Math.log(v / MIN) / LOG_GAMMA) + 1;
  return b >= BUCKETS ? BUCKETS - 1 : b;
}

Deno.test("a histogram cursor adds exactly what direct adds do, bucket by bucket", () => {
  const rng = new RandomStream(5, "cursor");
  const direct = new LogHistogram();
  const cached = new LogHistogram();
  const cursors = [cached.cursor(), cached.cursor(), cached.cursor()];
  // Values near bucket edges, slow drifts, jumps, repeats and end buckets.
  const values: number[] = [0, 1e-9, 1e-7, 2e5, Infinity];
  let v = 0.01;
  for (let i = 0; i < 200_000; i++) {
    const r = rng.next();
    if (r < 0.6) v *= 1 + 1e-4 * (rng.next() - 0.3);
    else if (r < 0.8) v = Math.exp(-9 + 8 * rng.next());
    else if (r < 0.9) {
      // Exactly at an edge and one double either side.
      const b = 1 + Math.floor(rng.next() * 2000);
      const e = MIN * Math.pow(1.01, b - 1);
      v = [e, e * (1 + 2 ** -52), e * (1 - 2 ** -53)][i % 3];
    }
    values.push(v);
  }
  for (let i = 0; i < values.length; i++) {
    const times = 1 + (i % 4);
    direct.addCount(values[i], times);
    cursors[i % 3].add(values[i], times);
  }
  assert.equal(cached.count, direct.count);
  assert.equal(cached.sum, direct.sum);
  for (const q of [0, 0.001, 0.1, 0.5, 0.9, 0.99, 0.9999, 1]) {
    assert.equal(cached.quantile(q), direct.quantile(q), `q ${q}`);
  }
  // Each value's bucket, as a lone histogram sees it, is the logarithm's.
  for (let i = 0; i < 5000; i++) {
    const x = values[Math.floor(rng.next() * values.length)];
    const one = new LogHistogram();
    one.cursor().add(x, 1);
    const ref = new LogHistogram();
    ref.add(x);
    assert.equal(one.quantile(0.5), ref.quantile(0.5));
    const b = logBucket(x);
    const mid = b === 0 ? MIN : MIN * Math.pow(1.01, b - 0.5);
    assert.equal(one.quantile(0.5), mid, `value ${x}`);
  }
});

Deno.test("the roofline's iteration time equals its cost breakdown's total", () => {
  const rng = new RandomStream(9, "roofline");
  for (
    const [gpu, model, tp] of [
      ["H100-SXM", "Llama-3.1-8B", 1],
      ["H100-SXM", "Llama-3.1-70B", 4],
      ["H100-SXM", "Mixtral-8x7B", 2],
    ] as const
  ) {
    const m = rooflineStepTime(GPUS[gpu], MODELS[model], { tp });
    for (let i = 0; i < 2000; i++) {
      const decodes = Math.floor(rng.next() * 256);
      const chunk = rng.next() < 0.5 ? 0 : Math.floor(rng.next() * 2048);
      const past = Math.floor(rng.next() * 4096);
      const shape = {
        prefillTokens: chunk,
        prefillSequences: chunk > 0 ? 1 : 0,
        prefillAttendedTokens: chunk * past + chunk * (chunk + 1) / 2,
        prefillPastTokens: chunk > 0 ? past : 0,
        decodeTokens: decodes,
        decodeContextTokens: decodes * Math.floor(1 + rng.next() * 8000),
      };
      assert.equal(m.iterationTimeS(shape), m.cost(shape).totalS);
    }
  }
});

Deno.test("an instance's outstanding count follows its waiting and running requests", () => {
  const records = new RequestRecords();
  const inst = new Instance({
    policy: "chunked",
    maxNumSeqs: 4,
    maxNumBatchedTokens: 256,
    kvCapacityBlocks: 40,
    blockSize: 16,
    stepTime: rateStepTime({ prefillTokensPerS: 10000, decodeTokensPerS: 50 }),
  }, records);
  for (let i = 0; i < 10; i++) inst.enqueue(records.add(0, 100 + 10 * i, 30));
  assert.equal(inst.outstanding, 10);
  let now = 0, done = 0;
  while (true) {
    const end = inst.startIteration(now);
    if (end < 0) break;
    now = end;
    done += inst.finishIteration(now);
    assert.equal(inst.outstanding, 10 - done);
  }
  assert.equal(done, 10);
  assert.equal(inst.outstanding, 0);
  assert.equal(inst.kvUsedBlocks, 0);
});
