// Recomputes section B7 of docs/validation.md (KV offload tiers): a prompt
// whose prefix is in host DRAM, fetched against prefilled again, on one
// H100 with Llama-3.1-8B, against vLLM's published TTFT speed-up; and the
// Mooncake replay with and without a DRAM tier. Every row printed here must
// be in the page.
import assert from "node:assert/strict";
import { planCluster } from "../lib/analysis/pools.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import { KV_TIER_DEFAULTS } from "../lib/serving/kv_tiers.ts";
import { kvBytesPerToken } from "../lib/perf/memory.ts";
import { MODELS } from "../lib/perf/catalog.ts";
import { loadScenarioFile } from "../lib/scenario/load.ts";
import { simulate } from "../lib/analysis/simulate.ts";
import { cachedPromptTtft } from "./_kv_tiers.ts";

const page = await Deno.readTextFile(
  new URL("../docs/validation.md", import.meta.url),
);
const rows = new Set(
  page.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("|"))
    .map((l) => l.split("|").slice(1, -1).map((c) => c.trim()).join(" | ")),
);
const text = page.replace(/\s+/g, " ");
function assertPage(want: string[][], lines: string[] = []): void {
  const missing = [
    ...want.map((r) => r.join(" | ")).filter((r) => !rows.has(r))
      .map((r) => `| ${r} |`),
    ...lines.filter((l) => !text.includes(l)),
  ];
  assert.deepEqual(missing, [], "not in docs/validation.md");
}
function pct(x: number): string {
  const r = (100 * x).toFixed(1);
  if (Number(r) === 0) return "0.0%";
  return r.startsWith("-") ? `${r}%` : `+${r}%`;
}
const ms = (s: number) => (1000 * s).toFixed(1);

Deno.test("validation B7: TTFT of a prompt cached in DRAM, fetched against recomputed (vLLM's offloading connector)", () => {
  const s = validateScenario({
    batching: "continuous",
    step_time: { kind: "roofline" },
    hardware: { gpu: "H100-SXM", model: "Llama-3.1-8B" },
    engine: { preset: "vllm-v1" },
  });
  const pool = planCluster(s).pools[0];
  const setup = {
    stepTime: pool.stepTime,
    bytesPerToken: kvBytesPerToken(MODELS["Llama-3.1-8B"], "bf16"),
    bandwidthBytesPerS: KV_TIER_DEFAULTS.dram.bandwidthBytesPerS,
    maxNumBatchedTokens: pool.settings.scheduler.max_num_batched_tokens,
  };
  const out: string[][] = [];
  const speedups: number[] = [];
  for (const n of [1024, 2048, 4096, 8192, 16384, 32768, 65536]) {
    const fetch = cachedPromptTtft(n, { ...setup, policy: "fetch" });
    const redo = cachedPromptTtft(n, { ...setup, policy: "recompute" });
    // The default policy picks the faster: a fetch, at every length.
    const best = cachedPromptTtft(n, { ...setup, policy: "fastest" });
    assert.equal(best.tiers.fetches, 1);
    const x = redo.ttftS / fetch.ttftS;
    speedups.push(x);
    out.push([
      String(n),
      ms(redo.ttftS),
      ms(fetch.ttftS),
      `${x.toFixed(2)}x`,
    ]);
  }
  const lo = speedups[0], hi = speedups[speedups.length - 1];
  const median = (Math.abs(lo - 2) / 2 + Math.abs(hi - 22) / 22) / 2;
  out.push([
    "B7. DRAM-cached prompt TTFT speed-up (range)",
    "2",
    `${(100 * median).toFixed(1)}%`,
  ]);
  assertPage(out, [
    `llmsim spans ${lo.toFixed(2)}x to ${
      hi.toFixed(2)
    }x over 1,024 to 65,536 tokens: ${pct((lo - 2) / 2)} at the low end and ${
      pct((hi - 22) / 22)
    } at the high end`,
  ]);
});

Deno.test("validation B7: the Mooncake replay with a DRAM tier", async () => {
  const dir = new URL("../examples/", import.meta.url).pathname;
  const tier = simulate(
    await loadScenarioFile(`${dir}mooncake_dram_tier.yaml`),
  ).summary;
  const hbm = simulate(
    await loadScenarioFile(`${dir}mooncake_prefix_cache.yaml`),
  ).summary;
  const row = (name: string, x: typeof tier) => [
    name,
    `${(100 * x.prefix_cache_hit_rate!).toFixed(1)}%`,
    x.mean_ttft_s.toFixed(3),
    x.p50_ttft_s.toFixed(3),
    x.p90_ttft_s.toFixed(3),
    x.p99_ttft_s.toFixed(3),
  ];
  assertPage([row("HBM only", hbm), row("HBM + 256 GiB DRAM", tier)], [
    `mean TTFT ${pct((tier.mean_ttft_s - hbm.mean_ttft_s) / hbm.mean_ttft_s)}`,
  ]);
});
