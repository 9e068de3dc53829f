import assert from "node:assert/strict";
import { InputError } from "../lib/errors.ts";
import { RandomStream } from "../lib/engine/random.ts";
import { RequestRecords } from "../lib/metrics/records.ts";
import { BATCH_POLICIES } from "../lib/serving/batch_policies/mod.ts";
import {
  type RoutedInstance,
  router,
  ROUTERS,
} from "../lib/serving/routers/mod.ts";

Deno.test("registries: the batch policies and routers, in help order", () => {
  assert.deepEqual(BATCH_POLICIES.names, [
    "prefill_first",
    "decode_first",
    "chunked",
  ]);
  assert.deepEqual(ROUTERS.names, [
    "round_robin",
    "least_outstanding",
    "least_kv",
    "power_of_two",
    "prefix_aware",
  ]);
  for (const e of [...BATCH_POLICIES.entries(), ...ROUTERS.entries()]) {
    assert.ok(e.doc.length > 10, `${e.name} has a doc`);
  }
});

Deno.test("registries: an unknown name lists the allowed ones and the closest", () => {
  assert.throws(
    () => BATCH_POLICIES.get("prefil_first", ["scheduler", "policy"]),
    (e: unknown) =>
      e instanceof InputError &&
      /must be one of prefill_first, decode_first, chunked/.test(e.message) &&
      /did you mean "prefill_first"/.test(e.message),
  );
  assert.throws(
    () => ROUTERS.get("least_kvs"),
    /did you mean "least_kv"/,
  );
});

// A fixed pool: outstanding requests, KV blocks and cached prefix tokens.
function pool(rows: [number, number, number][]): RoutedInstance[] {
  return rows.map(([outstanding, kvUsedBlocks, cached]) => ({
    outstanding,
    kvUsedBlocks,
    cachedPrefixTokens: () => cached,
  }));
}

Deno.test("routers: each picks as documented", () => {
  const records = new RequestRecords();
  records.add(0, 100, 1);
  const ctx = { rng: new RandomStream(1, "router"), records };
  const p = pool([[4, 10, 0], [2, 30, 512], [2, 5, 1024], [9, 1, 0]]);
  const rr = router("round_robin", p, ctx);
  assert.deepEqual([rr(0), rr(0), rr(0), rr(0), rr(0)], [0, 1, 2, 3, 0]);
  assert.equal(router("least_outstanding", p, ctx)(0), 1); // ties: lowest
  assert.equal(router("least_kv", p, ctx)(0), 3);
  assert.equal(router("prefix_aware", p, ctx)(0), 2); // longest prefix
  // Too much busier than the least loaded: the least loaded instead.
  const busy = pool([[0, 0, 0], [9, 0, 512]]);
  assert.equal(router("prefix_aware", busy, ctx)(0), 0);
  // Power of two: the less loaded of the two draws, from the run's stream.
  const draws = new RandomStream(7, "router");
  const two = router("power_of_two", p, {
    rng: new RandomStream(7, "router"),
    records,
  });
  for (let k = 0; k < 20; k++) {
    const a = Math.floor(draws.next() * 4), b = Math.floor(draws.next() * 4);
    assert.equal(two(0), p[b].outstanding < p[a].outstanding ? b : a);
  }
});
