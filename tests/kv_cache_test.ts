import assert from "node:assert/strict";
import { KvCache, type KvEvictor } from "../lib/serving/kv_cache.ts";

// An evictor holding `entries` entries of `blocks` blocks each, counting
// what it gave back.
function evictor(entries: number, blocks: number) {
  const e = {
    evictable: entries,
    evicted: 0,
    evictOldest(): number {
      e.evictable--;
      e.evicted++;
      return blocks;
    },
  } satisfies KvEvictor & { evicted: number };
  return e;
}

Deno.test("kv cache: blocks round up and capacity bounds room", () => {
  const kv = new KvCache({ capacityBlocks: 8, blockSize: 16, slots: 4 });
  assert.equal(kv.blocksFor(0), 0);
  assert.equal(kv.blocksFor(1), 1);
  assert.equal(kv.blocksFor(16), 1);
  assert.equal(kv.blocksFor(17), 2);
  kv.usedBlocks += 5;
  assert.ok(kv.makeRoom(3));
  assert.ok(!kv.makeRoom(4));
  // makeRoom never takes the blocks itself.
  assert.equal(kv.usedBlocks, 5);
  kv.usedBlocks -= 5;
  assert.ok(kv.makeRoom(8));
});

Deno.test("kv cache: a full cache evicts only as many entries as it needs", () => {
  const ev = evictor(3, 2);
  const kv = new KvCache({ capacityBlocks: 10, blockSize: 16, slots: 4 }, ev);
  kv.usedBlocks = 10; // 6 blocks of the evictor's, 4 of requests'
  assert.ok(kv.makeRoom(3));
  assert.equal(ev.evicted, 2);
  assert.equal(kv.usedBlocks, 6);
  // The last entry cannot free enough for 7 more: it goes, and it fails.
  assert.ok(!kv.makeRoom(7));
  assert.equal(ev.evicted, 3);
  assert.equal(kv.usedBlocks, 4);
});

Deno.test("kv cache: the victim is the newest running request", () => {
  const kv = new KvCache({ capacityBlocks: 10, blockSize: 16, slots: 4 });
  assert.equal(kv.victim(), -1);
  for (const s of [3, 1, 2]) kv.track(s);
  assert.equal(kv.victim(), 2);
  kv.untrack(1); // an older one leaving does not change the newest
  assert.equal(kv.victim(), 2);
  kv.untrack(2);
  assert.equal(kv.victim(), 3);
  kv.track(0);
  assert.equal(kv.victim(), 0);
  kv.untrack(0);
  kv.untrack(3);
  assert.equal(kv.victim(), -1);
});

Deno.test("kv cache: decode growth needs a block exactly when a block fills", () => {
  const bs = 16;
  const kv = new KvCache({ capacityBlocks: 100, blockSize: bs, slots: 4 });
  // Two requests entering decode at iteration 3 with 20 and 35 KV tokens.
  const entries = [[20, 3], [35, 3]] as const;
  const residues = entries.map(([tokens, d]) => kv.startGrowing(tokens, d));
  for (let d = 3; d < 60; d++) {
    // By hand: request j's KV at iteration d is tokens + d - 3; it needs a
    // new block when that is a multiple of the block size.
    let expected = 0;
    for (const [tokens, d0] of entries) {
      if ((tokens + d - d0) % bs === 0) expected++;
    }
    assert.equal(kv.blocksToGrow(d), expected, `iteration ${d}`);
  }
  kv.stopGrowing(residues[0]);
  assert.equal(kv.blocksToGrow(15), 0); // 20 + 12 = 32 no longer counted
  assert.equal(kv.blocksToGrow(16), 1); // 35 + 13 = 48
});
