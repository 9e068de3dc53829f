// KV offload tiers: conservation of entries and bytes per tier, LRU order,
// the fetch-or-recompute choice at its crossover, fetches queueing on one
// link, and the scenario errors and warnings.
import assert from "node:assert/strict";
import { choosesFetch, KvTiers } from "../lib/serving/kv_tiers.ts";
import { rateStepTime } from "../lib/perf/step_time.ts";
import { loadScenarioText, parseScenario } from "../lib/scenario/load.ts";
import { scenarioWarnings } from "../lib/scenario/no_ops.ts";
import { simulate } from "../lib/analysis/simulate.ts";
import { InputError } from "../lib/errors.ts";
import { cachedPromptTtft } from "./_kv_tiers.ts";
import { expectInputError } from "./_cli.ts";

const tiers2 = (dram: number, ssd: number) =>
  new KvTiers({
    entryBytes: 1e6,
    entryTokens: 512,
    tiers: [
      {
        tier: "dram",
        capacityEntries: dram,
        bandwidthBytesPerS: 1e9,
        latencyS: 0,
      },
      {
        tier: "ssd",
        capacityEntries: ssd,
        bandwidthBytesPerS: 1e8,
        latencyS: 0,
      },
    ],
  });

Deno.test("kv tiers: each tier evicts its least recently stored entry to the next; the last drops it", () => {
  const t = tiers2(2, 2);
  for (const id of [1, 2, 3, 4, 5]) t.store(id);
  // DRAM keeps the newest two; 1, 2, 3 went down in order, and 1 fell off
  // the SSD when 3 arrived.
  assert.deepEqual([1, 2, 3, 4, 5].map((id) => t.where(id)), [-1, 1, 1, 0, 0]);
  assert.deepEqual(t.counts.map((c) => c.evictedEntries), [3, 1]);
  // A fetch takes 4 out of DRAM: the next store evicts 5, not the new one.
  t.fetch([4], 0, 1, 0, true);
  t.store(6);
  t.store(7);
  assert.deepEqual([5, 6, 7].map((id) => t.where(id)), [1, 0, 0]);
  // Conservation per tier: written = fetched + evicted + replaced + held.
  t.store(6); // a copy again: the old one is replaced, not counted twice
  t.counts.forEach((c, k) => {
    assert.equal(
      c.writtenEntries,
      c.fetchedEntries + c.evictedEntries + c.replacedEntries + t.sizes[k],
    );
  });
  assert.equal(t.counts[0].replacedEntries, 1);
});

Deno.test("kv tiers: fetches and write-backs on one link queue; tiers run in parallel", () => {
  const t = tiers2(8, 8);
  t.now = 0;
  for (const id of [1, 2, 3]) t.store(id); // DRAM link busy 3 ms
  // Two fetches asked for at once: the second ends one transfer later.
  const a = t.fetch([1], 0, 1, 0, true);
  const b = t.fetch([2], 0, 1, 0, true);
  assert.ok(Math.abs(a - 0.004) < 1e-12, `first ${a}`);
  assert.ok(Math.abs(b - 0.005) < 1e-12, `second ${b}`);
  // Its estimate, asked before it starts, is what it then takes.
  assert.ok(Math.abs(t.fetchS([3], 0, 1, 0) - 0.006) < 1e-12);
  // One fetch over two tiers ends when the slower part does.
  const u = tiers2(1, 8);
  u.store(10);
  u.store(11); // 10 goes down to the SSD (its link: 10 ms for the write)
  const end = u.fetch([10, 11], 0, 2, 0.5, true);
  assert.ok(Math.abs(end - 0.51) < 1e-12, `end ${end}`);
  assert.equal(u.fetches, 1);
  assert.ok(Math.abs(u.fetchTimeSumS - 0.01) < 1e-12);
});

Deno.test("kv tiers: the fastest policy fetches exactly when the fetch beats the prefill", () => {
  // Rate model: a prefill of n tokens takes n / 10,000 s, the fetch of n
  // tokens n x 100 kB / bandwidth: the crossover is at 1 GB/s.
  const stepTime = rateStepTime({
    prefillTokensPerS: 1e4,
    decodeTokensPerS: 50,
  });
  const run = (bandwidthBytesPerS: number) =>
    cachedPromptTtft(4096, {
      stepTime,
      bytesPerToken: 1e5,
      bandwidthBytesPerS,
      policy: "fastest",
    });
  const above = run(1.01e9), below = run(0.99e9);
  assert.equal(above.tiers.fetches, 1);
  assert.equal(above.tiers.recomputedTokens, 0);
  assert.equal(above.tiers.counts[0].hitTokens, 4096);
  assert.equal(below.tiers.fetches, 0);
  assert.equal(below.tiers.recomputedTokens, 4096);
  assert.equal(below.tiers.counts[0].hitTokens, 0);
  // The fetch is on the request's path: TTFT = the transfer + the last
  // token's prefill; recomputing, the whole prompt's.
  assert.ok(Math.abs(above.ttftS - (4096 * 1e5 / 1.01e9 + 1 / 1e4)) < 1e-9);
  assert.ok(Math.abs(below.ttftS - 4097 / 1e4) < 1e-9);
  // Each side is the faster one, and forced policies do as told.
  assert.ok(above.ttftS < 4097 / 1e4);
  const forced = cachedPromptTtft(4096, {
    stepTime,
    bytesPerToken: 1e5,
    bandwidthBytesPerS: 0.5e9,
    policy: "fetch",
  });
  assert.equal(forced.tiers.fetches, 1);
  assert.ok(forced.ttftS > 4097 / 1e4);
  assert.ok(choosesFetch("fastest", 1, 2) && !choosesFetch("fastest", 2, 1));
});

Deno.test("kv tiers: a fetched prefix leaves DRAM for HBM and counts as a DRAM hit", () => {
  const stepTime = rateStepTime({
    prefillTokensPerS: 1e4,
    decodeTokensPerS: 50,
  });
  const { tiers, records } = cachedPromptTtft(2048, {
    stepTime,
    bytesPerToken: 1e5,
    bandwidthBytesPerS: 1e10,
    policy: "fetch",
  });
  // A and B missed, C hit all 2,048 cached tokens, from DRAM.
  assert.deepEqual(Array.from(records.prefixHitTokens.slice(0, 3)), [
    0,
    0,
    2048,
  ]);
  assert.equal(tiers.counts[0].fetchedEntries, 4);
  // C's fetch evicted B's four entries to DRAM (4 + 4 written in all).
  assert.equal(tiers.counts[0].writtenEntries, 8);
  assert.deepEqual(tiers.sizes, [4]);
});

const MOONCAKE = await Deno.readTextFile(
  new URL("../examples/mooncake_dram_tier.yaml", import.meta.url),
);
const mooncake = (offload: string, extra = "") =>
  loadScenarioText(
    MOONCAKE.replace(
      / {2}offload:\n( {4}.*\n)+/,
      `  offload: ${offload}\n${extra}`,
    ),
    { baseDir: new URL("../examples", import.meta.url).pathname },
  );

Deno.test("kv tiers: on the Mooncake replay, entries, bytes and hits add up tier by tier", async () => {
  // Small tiers, so that DRAM passes entries to the SSD and the SSD drops.
  const s = await mooncake(
    "[{tier: dram, capacity_gib: 16}, {tier: ssd, capacity_gib: 32}]",
  );
  const sum = simulate(s).summary;
  const o = sum.kv_offload!;
  const dram = o.tiers.dram, ssd = o.tiers.ssd;
  const entryBytes = 131072 * 512;
  // Every HBM eviction is written to DRAM; every DRAM eviction to the SSD.
  assert.equal(dram.written_entries, sum.prefix_cache_evictions);
  assert.equal(ssd.written_entries, dram.evicted_entries);
  assert.ok(ssd.evicted_entries > 0, "the SSD dropped entries");
  for (const t of [dram, ssd]) {
    assert.equal(
      t.written_entries,
      t.fetched_entries + t.evicted_entries + t.replaced_entries +
        t.held_entries,
    );
    assert.equal(t.written_bytes, t.written_entries * entryBytes);
    assert.equal(t.fetched_bytes, t.fetched_entries * entryBytes);
    assert.ok(t.held_entries <= 4 * t.capacity_bytes / entryBytes);
  }
  assert.ok(dram.hit_tokens > 0 && ssd.hit_tokens > 0);
  // HBM's hits and the tiers' make up the prefix-cache hits.
  assert.equal(
    o.hbm.hit_tokens + dram.hit_tokens + ssd.hit_tokens,
    sum.prefix_cache_hit_tokens,
  );
  assert.ok(o.fetches > 0 && o.mean_fetch_s > 0);
});

Deno.test("kv tiers: a DRAM tier lifts the Mooncake replay's hit rate to the unbounded cache's and cuts TTFT", async () => {
  const without = simulate(
    await mooncake("[{tier: dram, capacity_gib: 256}]").then((s) => ({
      ...s,
      kv_cache: { ...s.kv_cache, offload: undefined },
    })),
  ).summary;
  const withDram = simulate(await mooncake("[{tier: dram, capacity_gib: 256}]"))
    .summary;
  assert.ok(Math.abs(without.prefix_cache_hit_rate! - 0.0693) < 5e-4);
  assert.ok(Math.abs(withDram.prefix_cache_hit_rate! - 0.2151) < 5e-4);
  assert.ok(withDram.mean_ttft_s < 0.9 * without.mean_ttft_s);
  assert.ok(withDram.p99_ttft_s < without.p99_ttft_s);
});

Deno.test("kv tiers: a pooled remote store serves every instance, and its entries add up once", async () => {
  // The same 4,096 entries in all: 64 GiB per GPU of each instance's own,
  // or one 256 GiB store for the pool. Routing that ignores the cache sends
  // a conversation's turns to any instance: only the pooled store finds
  // what another instance evicted.
  const own = await mooncake("[{tier: remote, capacity_gib: 64}]");
  const pooled = await mooncake(
    "[{tier: remote, capacity_gib: 256, shared: true}]",
  );
  const router = (x: typeof own) => ({
    ...x,
    scheduler: { ...x.scheduler, router: "least_outstanding" as const },
  });
  const a = simulate(router(own)).summary;
  const b = simulate(router(pooled)).summary;
  const r = b.kv_offload!.tiers.remote;
  const entryBytes = 131072 * 512;
  assert.equal(r.shared, true);
  assert.equal(a.kv_offload!.tiers.remote.shared, undefined);
  assert.equal(r.capacity_bytes, 4096 * entryBytes);
  // A fetch copies: what was written is what the store evicted or holds.
  assert.equal(r.written_entries, r.evicted_entries + r.held_entries);
  assert.ok(r.held_entries <= 4096);
  assert.ok(r.deduplicated_entries! > 0, "instances wrote entries it held");
  assert.equal(r.written_bytes, r.written_entries * entryBytes);
  assert.equal(
    b.kv_offload!.hbm.hit_tokens + r.hit_tokens,
    b.prefix_cache_hit_tokens,
  );
  // Sharing finds more, and the TTFT follows.
  assert.ok(
    b.prefix_cache_hit_rate! > 1.5 * a.prefix_cache_hit_rate!,
    `${b.prefix_cache_hit_rate} against ${a.prefix_cache_hit_rate}`,
  );
  assert.ok(b.mean_ttft_s < a.mean_ttft_s);
});

Deno.test("kv tiers: only a remote tier, the last, can be a pooled store", () => {
  const base = "batching: continuous\n";
  assert.throws(
    () =>
      parseScenario(
        base +
          "kv_cache: {prefix_caching: true, offload: [{tier: dram, capacity_gib: 8, shared: true}]}\n",
      ),
    /kv_cache\.offload\[0\]\.shared: a dram tier is the instance's own: only a remote tier can be a pooled store/,
  );
  assert.throws(
    () =>
      parseScenario(
        base +
          "kv_cache: {prefix_caching: true, offload: [{tier: remote, capacity_gib: 8, shared: true}, {tier: ssd, capacity_gib: 8}]}\n",
      ),
    /kv_cache\.offload\[0\]\.shared: a pooled store must be the last tier/,
  );
});

Deno.test("kv tiers: offload without a prefix cache, a tier named twice, or too small, is an error naming the key", async () => {
  const base = "batching: continuous\n";
  assert.throws(
    () =>
      parseScenario(
        base + "kv_cache: {offload: [{tier: dram, capacity_gib: 8}]}\n",
      ),
    (e: Error) =>
      e instanceof InputError &&
      /kv_cache\.offload: needs kv_cache\.prefix_caching: true/.test(e.message),
  );
  assert.throws(
    () =>
      parseScenario(
        base +
          "kv_cache: {prefix_caching: true, offload: [{tier: dram, capacity_gib: 8}, {tier: dram, capacity_gib: 8}]}\n",
      ),
    /kv_cache\.offload\[1\]\.tier: names tier dram twice/,
  );
  assert.throws(
    () =>
      parseScenario(
        base +
          "kv_cache: {prefix_caching: true, offload: [{tier: tape, capacity_gib: 8}]}\n",
      ),
    /kv_cache\.offload\[0\]\.tier/,
  );
  const tiny = await mooncake("[{tier: dram, capacity_gib: 0.01}]");
  assert.throws(
    () => simulate(tiny),
    /kv_cache\.offload\[0\]\.capacity_gib: holds no 512-token prefix entry/,
  );
});

Deno.test("kv tiers: an offload key with no effect is warned of", () => {
  const policyOnly = parseScenario(
    "batching: continuous\nkv_cache: {prefix_caching: true, offload_policy: fetch}\n",
  );
  assert.ok(
    scenarioWarnings(policyOnly).some((w) =>
      /kv_cache\.offload_policy: has no effect without kv_cache\.offload/.test(
        w,
      )
    ),
  );
  const decode = parseScenario(
    "mode: disagg\nbatching: continuous\nkv_cache: {prefix_caching: true}\n" +
      "cluster_disagg: {decode: {kv_cache: {offload: [{tier: dram, capacity_gib: 8}]}}}\n",
  );
  assert.ok(
    scenarioWarnings(decode).some((w) =>
      /cluster_disagg\.decode\.kv_cache\.offload: has no effect on the decode pool/
        .test(w)
    ),
  );
  const none = parseScenario(
    "batching: none\nkv_cache: {offload: [{tier: dram, capacity_gib: 8}]}\n",
  );
  assert.ok(
    scenarioWarnings(none).some((w) => /kv_cache: has no effect/.test(w)),
  );
});

Deno.test("kv tiers: the CLI reports a bad offload key in one line with exit code 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bad = `${dir}/bad.yaml`;
    await Deno.writeTextFile(
      bad,
      "batching: continuous\nkv_cache: {offload: [{tier: dram, capacity_gib: 8}]}\n",
    );
    await expectInputError(
      ["simulate", "--config", bad],
      /kv_cache\.offload: needs kv_cache\.prefix_caching: true/,
    );
    // A policy that is not one.
    await expectInputError(
      [
        "simulate",
        "--config",
        "examples/mooncake_dram_tier.yaml",
        "--set",
        "kv_cache.offload_policy=sometimes",
      ],
      /kv_cache\.offload_policy/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
