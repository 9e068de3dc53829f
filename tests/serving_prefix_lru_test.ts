import assert from "node:assert/strict";
import { PrefixCache } from "../lib/serving/prefix_cache.ts";

const make = (enabled = true) => {
  const stats = { prefixEvictions: 0 };
  const cache = new PrefixCache(
    { enabled, blockTokens: 512, blockSize: 16 },
    stats,
  );
  return { cache, stats };
};

Deno.test("prefix cache: hits are leading entries only, and keep one token to compute", () => {
  const { cache } = make();
  assert.equal(cache.adopt([1, 2, 3], 0, 3), 3 * 32);
  assert.equal(cache.size, 3);
  assert.equal(cache.blocks, 96);
  assert.equal(cache.cachedTokens([1, 2, 3]), 1536);
  assert.equal(cache.cachedTokens([1, 9, 3]), 512); // stops at the first miss
  assert.equal(cache.cachedTokens([9, 2, 3]), 0);
  assert.equal(cache.cachedTokens(undefined), 0);
  // A 1,536-token prompt may reuse two entries: its last token is computed.
  assert.equal(cache.match([1, 2, 3], 1536), 2);
  assert.equal(cache.match([1, 2, 3], 1537), 3);
  // Entries already cached are pinned, not added again.
  assert.equal(cache.adopt([1, 2, 4], 0, 3), 32);
  assert.equal(cache.size, 4);
});

Deno.test("prefix cache: held entries are never evictable; released ones go LRU, deepest first", () => {
  const { cache, stats } = make();
  cache.adopt([1, 2], 0, 2); // request A holds 1, 2
  cache.adopt([5], 0, 1); // request B holds 5
  assert.equal(cache.evictable, 0);
  cache.unpin([5], 1); // B leaves first
  cache.unpin([1, 2], 2); // then A: 2 before its root 1
  assert.equal(cache.evictable, 3);
  // A new request pins 1 again: it leaves the LRU list.
  cache.pin([1], 1);
  assert.equal(cache.evictable, 2);
  // Oldest first: 5, then 2; 1 is held.
  assert.equal(cache.evictOldest(), 32);
  assert.equal(cache.cachedTokens([5]), 0);
  assert.equal(cache.cachedTokens([1, 2]), 1024);
  cache.evictOldest();
  assert.equal(cache.cachedTokens([1, 2]), 512);
  assert.equal(cache.evictable, 0);
  assert.equal(stats.prefixEvictions, 2);
  // Released again, it is the only one left to evict.
  cache.unpin([1], 1);
  cache.evictOldest();
  assert.equal(cache.size, 0);
  assert.equal(stats.prefixEvictions, 3);
});

Deno.test("prefix cache: a disabled cache never matches", () => {
  const { cache } = make(false);
  cache.adopt([1, 2], 0, 2);
  assert.equal(cache.cachedTokens([1, 2]), 0);
  assert.equal(cache.match([1, 2], 4096), 0);
});
