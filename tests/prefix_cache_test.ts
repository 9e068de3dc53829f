import assert from "node:assert/strict";
import { RandomStream } from "../lib/engine/random.ts";
import { runBatchedCluster } from "../lib/serving/batched.ts";
import { rateStepTime } from "../lib/perf/step_time.ts";
import type { RequestSource } from "../lib/workload/request_source.ts";
import type { InstanceConfig } from "../lib/serving/instance.ts";

// A source replaying fixed rows [arrival, prompt, output, prefix ids].
function rows(list: [number, number, number, number[]][]): RequestSource {
  let k = -1;
  const src: RequestSource = {
    arrivalS: 0,
    promptTokens: 0,
    outputTokens: 0,
    prefixIds: [],
    next() {
      if (++k >= list.length) return false;
      [src.arrivalS, src.promptTokens, src.outputTokens, src.prefixIds] =
        list[k];
      return true;
    },
  };
  return src;
}

const config = (blocks: number): InstanceConfig => ({
  policy: "chunked",
  maxNumSeqs: 64,
  maxNumBatchedTokens: 8192,
  kvCapacityBlocks: blocks,
  blockSize: 16,
  stepTime: rateStepTime({
    prefillTokensPerS: 10000,
    decodeTokensPerS: 100,
  }),
  prefixCaching: true,
  prefixBlockTokens: 512,
});

Deno.test("prefix cache: the hit rate of a constructed trace equals the hand count", () => {
  // Requests far apart, so each finds the cache as the previous left it.
  const run = runBatchedCluster(
    rows([
      [0, 1536, 4, [1, 2, 3]], // cold: caches blocks 1, 2, 3
      [10, 1600, 4, [1, 2, 4]], // 1, 2 cached: 1,024 tokens skip prefill
      [20, 1536, 4, [1, 2, 3]], // all cached, but its last token must be computed: 1,024
      [30, 600, 4, [5]], // nothing shared; its first 512 tokens are cached
    ]),
    { instances: 1, instance: config(10_000) },
  );
  const [inst] = run.instances;
  assert.equal(inst.stats.prefixHitTokens, 2048);
  assert.equal(inst.stats.prefixPromptTokens, 1536 + 1600 + 1536 + 600);
  // A hit skips its prefill: 576 tokens at 10,000 per second, not 1,600.
  const r = run.records;
  assert.ok(Math.abs(r.prefillEndS[1] - r.prefillStartS[1] - 0.0576) < 1e-9);
  // Left cached: blocks 1 to 5, 32 KV blocks each.
  assert.equal(inst.cachedPrefixBlocks, 5 * 32);
  assert.equal(inst.kvUsedBlocks, 5 * 32);
});

Deno.test("prefix cache: least recently used entries go first, deepest first", () => {
  // 104 blocks: two cached 512-token entries (64) leave 40, less than the
  // 64 a cold 1,024-token prompt needs.
  const run = runBatchedCluster(
    rows([
      // Caches 1 and 2; released deepest first, so 2 is the older.
      [0, 1024, 2, [1, 2]],
      // Needs 64: evicts 2 (not the root 1) and caches 3, 4.
      [10, 1024, 2, [3, 4]],
      // Finds 1 (512-token hit), evicts 4 for its chunk, caches 2 again.
      [20, 1024, 2, [1, 2]],
      // Finds 1 again (512), evicts 3.
      [30, 1024, 2, [1, 9]],
    ]),
    { instances: 1, instance: config(104) },
  );
  const [inst] = run.instances;
  assert.equal(inst.stats.prefixHitTokens, 1024);
  assert.equal(inst.stats.prefixEvictions, 3);
  assert.ok(inst.stats.peakKvBlocks <= 104);
});

Deno.test("prefix cache: cached plus active KV never exceeds capacity (random)", () => {
  const rng = new RandomStream(5, "prefix");
  for (let trial = 0; trial < 20; trial++) {
    const list: [number, number, number, number[]][] = [];
    let t = 0;
    for (let i = 0; i < 400; i++) {
      t += rng.exponential(0.05);
      // A few conversations that keep extending their prefix.
      const conv = Math.floor(rng.next() * 8);
      const depth = 1 + Math.floor(rng.next() * 6);
      const ids = Array.from({ length: depth }, (_, j) => conv * 100 + j);
      const prompt = depth * 512 - Math.floor(rng.next() * 300);
      list.push([t, prompt, 1 + Math.floor(rng.next() * 60), ids]);
    }
    const capacity = 600 + Math.floor(rng.next() * 600);
    const run = runBatchedCluster(rows(list), {
      instances: 1 + (trial % 3),
      router: trial % 2 ? "prefix_aware" : "least_outstanding",
      instance: config(capacity),
    });
    let hits = 0;
    for (const inst of run.instances) {
      assert.ok(inst.stats.peakKvBlocks <= capacity, `trial ${trial}`);
      // After the drain only cache entries hold KV, none of it leaked.
      assert.equal(inst.kvUsedBlocks, inst.cachedPrefixBlocks);
      hits += inst.stats.prefixHitTokens;
    }
    for (let i = 0; i < run.records.count; i++) {
      assert.ok(run.records.finishS[i] >= run.records.firstTokenS[i]);
    }
    assert.ok(hits > 0, `trial ${trial}: no hit`);
  }
});

Deno.test("prefix-aware routing finds more cached prefixes than least-outstanding", () => {
  const rng = new RandomStream(9, "route");
  const list: [number, number, number, number[]][] = [];
  let t = 0;
  for (let i = 0; i < 2000; i++) {
    t += rng.exponential(0.02);
    const conv = Math.floor(rng.next() * 40);
    list.push([t, 4 * 512 + 100, 20, [
      conv * 10,
      conv * 10 + 1,
      conv * 10 + 2,
      conv * 10 + 3,
      i + 1e6,
    ]]);
  }
  const hitRate = (router: "prefix_aware" | "least_outstanding") => {
    const run = runBatchedCluster(rows(list), {
      instances: 4,
      router,
      instance: config(2000),
    });
    let hit = 0, prompt = 0;
    for (const inst of run.instances) {
      hit += inst.stats.prefixHitTokens;
      prompt += inst.stats.prefixPromptTokens;
    }
    return hit / prompt;
  };
  const aware = hitRate("prefix_aware");
  const blind = hitRate("least_outstanding");
  assert.ok(aware > blind + 0.1, `${aware} vs ${blind}`);
});
