// docs/validation.md, B6: DeepSeek-V3 with expert parallelism and DP
// attention on H100 nodes, against SGLang's published per-node throughput
// (LMSYS blog, 2025-05-05, https://lmsys.org/blog/2025-05-05-large-scale-ep/,
// "Overall Throughput" tables). The test recomputes the figures the page
// shows and the errors it states.
import assert from "node:assert/strict";
import { rooflineStepTime } from "../lib/perf/roofline.ts";
import { withEngine } from "../lib/perf/engine.ts";
import { GPUS, MODELS, parameterBreakdown } from "../lib/perf/catalog.ts";
import { ENGINE_PRESETS } from "../lib/perf/engines/mod.ts";
import type { Parallelism } from "../lib/perf/parallel.ts";
import type { IterationShape } from "../lib/perf/step_time.ts";

const GPU = GPUS["H100-SXM"];
const MODEL = MODELS["DeepSeek-V3"];
const SGLANG = ENGINE_PRESETS.get("sglang").params;

// Per node of 8 GPUs: tokens of one iteration of every rank, over its time.
function perNodeTokensPerS(
  parallel: Parallelism,
  shape: IterationShape,
  tokensPerGpu: number,
): number {
  const gpuWork = rooflineStepTime(GPU, MODEL, {
    weightDtype: "fp8", // DeepSeek-V3's released weights
    kvDtype: "bf16",
    parallel,
    computeEfficiency: SGLANG.compute_efficiency.fp8,
    memoryEfficiency: SGLANG.memory_efficiency,
  });
  const step = withEngine(gpuWork, SGLANG, {
    tp: parallel.tp,
    layers: MODEL.num_layers,
    parallel,
    moeLayers: parameterBreakdown(MODEL).moeLayers,
  });
  return 8 * tokensPerGpu / step.iterationTimeS(shape);
}

const one = (x: number) => Math.round(x * 10) / 10;

// The page's B6 rows, cells trimmed.
const page = await Deno.readTextFile(
  new URL("../docs/validation.md", import.meta.url),
);
const b6 = page.slice(page.indexOf("### B6."), page.indexOf("### Summary"));
const rows = b6.split("\n").filter((l) => l.startsWith("|")).map((l) =>
  l.split("|").slice(1, -1).map((c) => c.trim())
);
function assertRow(phase: string, measured: number, got: number): void {
  const e = (got / measured - 1) * 100;
  const row = rows.find((r) => r[0] === phase);
  assert.ok(row, `B6 has a ${phase} row`);
  assert.deepEqual(row.slice(2), [
    measured.toLocaleString("en-US"),
    Math.round(got).toLocaleString("en-US"),
    `${e > 0 ? "+" : ""}${e.toFixed(1)}%`,
  ]);
}
const error = (got: number, want: number) => one((got / want - 1) * 100);

// SGLang's 72 decode ranks hold 288 physical experts (256 plus 32
// redundant copies, 4 per GPU); the model's 256 over 72 GPUs is the same
// load.
function decodeFigure(): number {
  const ranks = 72;
  const perRank = 256;
  return perNodeTokensPerS(
    { tp: 1, pp: 1, ep: 72, dp: ranks, microbatches: 1 },
    {
      prefillTokens: 0,
      prefillSequences: 0,
      prefillAttendedTokens: 0,
      prefillPastTokens: 0,
      decodeTokens: perRank * ranks,
      decodeContextTokens: perRank * ranks * 2000,
    },
    perRank,
  );
}

function prefillFigure(): number {
  const ranks = 32;
  const tokens = 16384;
  const prompts = tokens / 4096;
  return perNodeTokensPerS(
    { tp: 1, pp: 1, ep: 32, dp: ranks, microbatches: 1 },
    {
      prefillTokens: tokens * ranks,
      prefillSequences: prompts * ranks,
      prefillAttendedTokens: prompts * ranks * 4096 * 4097 / 2,
      prefillPastTokens: 0,
      decodeTokens: 0,
      decodeContextTokens: 0,
    },
    tokens,
  );
}

Deno.test("B6 decode: 9 nodes, DP attention 72 x EP72, 256 sequences per GPU at 2,000 tokens of KV", () => {
  const got = decodeFigure();
  assertRow("decode", 22282, got);
  // What the page says of it: optimistic, within 25%.
  const e = error(got, 22282);
  assert.ok(e > 0 && e < 25, `decode error ${e}%`);
});

Deno.test("B6 prefill: 4 nodes, DP attention 32 x EP32, 16,384 tokens per GPU of 4,096-token prompts", () => {
  const got = prefillFigure();
  assertRow("prefill", 50302, got);
  // Pessimistic (the all-to-all is added, not overlapped), within 25%.
  const e = error(got, 50302);
  assert.ok(e < 0 && e > -25, `prefill error ${e}%`);
});

Deno.test("B6: the median absolute error in the section and the summary table", () => {
  const errors = [
    Math.abs(decodeFigure() / 22282 - 1),
    Math.abs(prefillFigure() / 50302 - 1),
  ];
  const median = `${(100 * (errors[0] + errors[1]) / 2).toFixed(1)}%`;
  const text = page.replace(/\s+/g, " ");
  assert.ok(
    text.includes(`B6 median absolute error: ${median} (2 figures)`),
    `B6 states a median of ${median}`,
  );
  assert.ok(
    text.includes(
      `| B6. DeepSeek-V3 EP on H100 nodes (\`sglang\`) | 2 | ${median} |`,
    ),
    `the summary table gives B6 ${median}`,
  );
});
