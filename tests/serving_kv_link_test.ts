import assert from "node:assert/strict";
import { FifoKvLinks, type KvLink } from "../lib/serving/kv_link.ts";
import { runDisaggBatched } from "../lib/serving/disagg_batched.ts";
import { rateStepTime } from "../lib/perf/step_time.ts";
import type { RequestSource } from "../lib/workload/request_source.ts";

Deno.test("kv link: a transfer takes latency + bytes / bandwidth", () => {
  const links = new FifoKvLinks(1, {
    bandwidthBytesPerS: 50e9,
    latencyS: 2e-4,
  });
  const bytes = 1000 * 131072;
  assert.equal(links.transfer(0, 0, bytes, 3), 3 + bytes / 50e9 + 2e-4);
});

Deno.test("kv link: transfers on one link go first in, first out", () => {
  const links = new FifoKvLinks(2, { bandwidthBytesPerS: 100, latencyS: 1 });
  // Three asked at once on link 0: each waits for the ones before.
  assert.equal(links.transfer(0, 0, 100, 0), 2);
  assert.equal(links.transfer(0, 1, 200, 0), 4);
  assert.equal(links.transfer(0, 0, 100, 0), 5);
  // The latency does not hold the link; a link idle by then starts at once.
  assert.equal(links.transfer(0, 0, 100, 10), 12);
  // Link 1 is independent.
  assert.equal(links.transfer(1, 0, 100, 0), 2);
});

// Requests far apart, each with a 1,000-token prompt and 3 output tokens.
function spaced(n: number, gapS: number): RequestSource {
  let k = -1;
  const src: RequestSource = {
    arrivalS: 0,
    promptTokens: 1000,
    outputTokens: 3,
    next() {
      if (++k >= n) return false;
      src.arrivalS = k * gapS;
      return true;
    },
  };
  return src;
}

Deno.test("kv link: the disaggregated loop asks its link for every transfer", () => {
  const calls: [number, number, number, number][] = [];
  const fixed: KvLink = {
    transfer(from, to, bytes, now) {
      calls.push([from, to, bytes, now]);
      return now + 0.5;
    },
  };
  const config = {
    policy: "chunked" as const,
    maxNumSeqs: 8,
    maxNumBatchedTokens: 2048,
    kvCapacityBlocks: 1000,
    blockSize: 16,
    stepTime: rateStepTime({ prefillTokensPerS: 10000, decodeTokensPerS: 50 }),
  };
  const run = runDisaggBatched(spaced(3, 0), {
    prefillInstances: 1,
    decodeInstances: 2,
    prefill: config,
    // One request per decode instance: the third waits for room.
    decode: { ...config, maxNumSeqs: 1 },
    link: { bytesPerToken: 100, bandwidthBytesPerS: 1, latencyS: 99 },
    kvLink: fixed,
    firstTokenAtDecode: false,
  });
  assert.equal(calls.length, 3);
  for (let i = 0; i < 3; i++) {
    const [from, , bytes, now] = calls[i];
    assert.equal(from, 0);
    assert.equal(bytes, 1000 * 100);
    assert.equal(run.records.kvTransferStartS[i], now);
    // The KV arrives when the link says, and decoding starts then.
    assert.equal(run.records.decodeStartS[i], now + 0.5);
  }
  // The decode side's router: the least loaded instance with room.
  assert.deepEqual(calls.slice(0, 2).map((c) => c[1]), [0, 1]);
  assert.ok(calls[2][3] > calls[1][3], "the third transfer waited for room");
});
