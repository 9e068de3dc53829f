// A prompt whose whole prefix sits in a DRAM tier, served alone: its TTFT
// when the instance fetches it and when it prefills it again (B7 in
// docs/validation.md, and the crossover tests).
import { Instance, type InstanceConfig } from "../lib/serving/instance.ts";
import { RequestRecords } from "../lib/metrics/records.ts";
import type { KvOffloadPolicy, KvTiers } from "../lib/serving/kv_tiers.ts";
import type { StepTimeModel } from "../lib/perf/step_time.ts";

/** How {@linkcode cachedPromptTtft} runs. */
export interface CachedPromptSetup {
  stepTime: StepTimeModel;
  /** Bytes of KV per token. */
  bytesPerToken: number;
  /** DRAM link, bytes per second. */
  bandwidthBytesPerS: number;
  latencyS?: number;
  policy: KvOffloadPolicy;
  maxNumBatchedTokens?: number;
  /**
   * Where the prefix is when it comes back: "dram" (evicted by another
   * prompt; the default) or "hbm" (still in the prefix cache).
   */
  cachedIn?: "dram" | "hbm";
}

// Runs an idle instance until nothing is left, waking it at fetch ends.
function drain(inst: Instance, now: number): number {
  for (;;) {
    const end = inst.startIteration(now);
    if (end < 0) {
      if (inst.nextFetchS === Infinity) return now;
      now = inst.nextFetchS;
      continue;
    }
    now = end;
    inst.finishIteration(now);
  }
}

/**
 * TTFT of a prompt of `tokens` + 1 tokens whose first `tokens` (whole
 * 512-token entries) were evicted from HBM to DRAM by another prompt (or,
 * with `cachedIn: "hbm"`, are still in HBM).
 *
 * @returns TTFT, seconds; the first, uncached, prompt's TTFT (a miss); and
 * the instance's tiers.
 */
export function cachedPromptTtft(
  tokens: number,
  setup: CachedPromptSetup,
): { ttftS: number; missS: number; tiers: KvTiers; records: RequestRecords } {
  const entries = tokens / 512;
  const records = new RequestRecords();
  const config: InstanceConfig = {
    policy: "chunked",
    maxNumSeqs: 4,
    maxNumBatchedTokens: setup.maxNumBatchedTokens ?? 8192,
    // Room for one prompt and its entries, not two prompts' entries.
    kvCapacityBlocks: tokens / 16 + 2,
    blockSize: 16,
    stepTime: setup.stepTime,
    prefixCaching: true,
    offload: {
      entryBytes: setup.bytesPerToken * 512,
      policy: setup.policy,
      tiers: [{
        tier: "dram",
        capacityEntries: 4 * entries,
        bandwidthBytesPerS: setup.bandwidthBytesPerS,
        latencyS: setup.latencyS ?? 0,
      }],
    },
  };
  const inst = new Instance(config, records);
  const ids = (base: number) =>
    Array.from({ length: entries }, (_, k) => base + k);
  const add = (at: number, base: number) =>
    records.addRequest({
      arrivalS: at,
      promptTokens: tokens + 1,
      outputTokens: 1,
      prefixIds: ids(base),
    });
  // A caches the prefix, B (another prefix) evicts it to DRAM, C finds it.
  let now = 0;
  const a = add(now, 0);
  inst.enqueue(a);
  now = drain(inst, now);
  if (setup.cachedIn !== "hbm") {
    inst.enqueue(add(now, 1_000_000));
    now = drain(inst, now);
  }
  const c = add(now, 0);
  inst.enqueue(c);
  drain(inst, now);
  return {
    ttftS: records.firstTokenS[c] - records.arrivalS[c],
    missS: records.firstTokenS[a] - records.arrivalS[a],
    tiers: inst.kvTiers!,
    records,
  };
}
