/**
 * Validation B8 (docs/validation.md): speculative decoding's speed-up at
 * small batches against published figures, the published acceptance fed
 * in. The test recomputes every llmsim figure of the section's table and
 * checks the table quotes it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { planCluster } from "../lib/analysis/pools.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import { decodeShape } from "../lib/perf/step_time.ts";

/** One published figure and the scenario llmsim runs for it. */
interface Case {
  /** The row's label in docs/validation.md. */
  label: string;
  /** The published speed-up (tokens per second with / without). */
  published: number;
  hardware: Record<string, unknown>;
  tp: number;
  speculative: Record<string, unknown>;
  batch: number;
  context: number;
}

/** Qwen3-8B's config.json (https://huggingface.co/Qwen/Qwen3-8B/blob/main/config.json). */
const QWEN3_8B = {
  name: "Qwen3-8B",
  num_layers: 36,
  hidden_size: 4096,
  num_attention_heads: 32,
  num_kv_heads: 8,
  head_dim: 128,
  ffn_size: 12288,
  vocab_size: 151936,
  max_context: 40960,
};

/** Solves (1 - a^(k+1)) / (1 - a) = tau for a (bisection). */
function alphaFor(tau: number, k: number): number {
  let lo = 0, hi = 1;
  for (let i = 0; i < 100; i++) {
    const a = (lo + hi) / 2;
    let sum = 0, p = 1;
    for (let j = 0; j <= k; j++) {
      sum += p;
      p *= a;
    }
    if (sum < tau) lo = a;
    else hi = a;
  }
  return (lo + hi) / 2;
}

/** The published figures (sources in docs/validation.md, B8). */
export const B8_CASES: readonly Case[] = [
  {
    // AngelSlim's EAGLE-3 table: Qwen3-8B, mean of four tasks, 151.81 ->
    // 257.52 tokens/s at acceptance length 1.99.
    label: "EAGLE-3, Qwen3-8B",
    published: 257.52 / 151.81,
    hardware: { gpu: "H100-SXM", model: QWEN3_8B },
    tp: 1,
    speculative: {
      method: "eagle",
      num_tokens: 3,
      acceptance: alphaFor(1.99, 3),
    },
    batch: 1,
    context: 1024,
  },
  {
    // DeepSeek-V3 technical report, 5.4.3: second-token acceptance 85-90%,
    // 1.8x tokens per second.
    label: "MTP, DeepSeek-V3, acceptance 0.85",
    published: 1.8,
    hardware: { gpu: "H200", model: "DeepSeek-V3", weight_dtype: "fp8" },
    tp: 8,
    speculative: {
      method: "mtp",
      num_tokens: 1,
      acceptance: 0.85,
      draft_layers: 1,
    },
    batch: 64,
    context: 4096,
  },
  {
    label: "MTP, DeepSeek-V3, acceptance 0.90",
    published: 1.8,
    hardware: { gpu: "H200", model: "DeepSeek-V3", weight_dtype: "fp8" },
    tp: 8,
    speculative: {
      method: "mtp",
      num_tokens: 1,
      acceptance: 0.9,
      draft_layers: 1,
    },
    batch: 64,
    context: 4096,
  },
];

/**
 * llmsim's speed-up for a case: the decode step without speculation over
 * the step with it (k draft steps, k + 1 tokens verified per sequence),
 * times the expected tokens per step.
 */
export function b8SpeedUp(c: Case): { speedUp: number; tokensPerStep: number } {
  const base = {
    mode: "mono",
    batching: "continuous",
    step_time: { kind: "roofline" },
    hardware: c.hardware,
    cluster_mono: { num_gpus: c.tp, tp: c.tp },
  };
  const off = planCluster(validateScenario(base)).pools[0];
  const on = planCluster(
    validateScenario({ ...base, speculative: c.speculative }),
  ).pools[0];
  const shape = decodeShape(c.batch, c.context);
  const t0 = off.stepTime.iterationTimeS(shape);
  shape.decodeQueryTokens = c.batch *
    ((c.speculative.num_tokens as number) + 1);
  const t1 = on.stepTime.iterationTimeS(shape);
  const tokensPerStep = on.speculative!.expectedTokensPerStep;
  return { speedUp: t0 * tokensPerStep / t1, tokensPerStep };
}

Deno.test("validation B8: speculative speed-ups against EAGLE-3 and DeepSeek-V3's MTP", async () => {
  const doc = await Deno.readTextFile("docs/validation.md");
  const section = doc.slice(doc.indexOf("### B8."));
  for (const c of B8_CASES) {
    const { speedUp, tokensPerStep } = b8SpeedUp(c);
    const error = (speedUp / c.published - 1) * 100;
    const cells = [
      c.label,
      tokensPerStep.toFixed(3),
      `${c.published.toFixed(2)}x`,
      `${speedUp.toFixed(2)}x`,
      `${error >= 0 ? "+" : ""}${error.toFixed(1)}%`,
    ];
    // The table's rows, cells trimmed (deno fmt pads them).
    const rows = section.split("\n").filter((l) => l.startsWith("|")).map(
      (l) => l.split("|").slice(1, -1).map((x) => x.trim()),
    );
    assert.ok(
      rows.some((r) => r.join("|") === cells.join("|")),
      `docs/validation.md B8 lacks the row ${cells.join(" | ")}`,
    );
    // The model's claim: within 25% of the published speed-up.
    assert.ok(Math.abs(error) < 25, `${c.label}: ${error}%`);
  }
});

Deno.test("validation B8: the median absolute error in the section and the summary table", async () => {
  const doc = (await Deno.readTextFile("docs/validation.md")).replace(
    /\s+/g,
    " ",
  );
  const errors = B8_CASES.map((c) =>
    Math.abs(b8SpeedUp(c).speedUp / c.published - 1)
  ).sort((a, b) => a - b);
  const mid = errors.length >> 1;
  const median = errors.length % 2
    ? errors[mid]
    : (errors[mid - 1] + errors[mid]) / 2;
  const text = `${(100 * median).toFixed(1)}%`;
  assert.ok(
    doc.includes(`B8 median absolute error: ${text} (${errors.length} rows)`),
    `B8 states a median of ${text}`,
  );
  assert.ok(
    doc.includes(
      `| B8. Speculative decoding speed-up, batch 1-64 | ${errors.length} | ${text} |`,
    ),
    `the summary table gives B8 ${text}`,
  );
});
