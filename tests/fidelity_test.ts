// Recomputes every llmsim figure of the Fidelity table in docs/model.md, so
// the table cannot drift from the model, and checks that the errors stay
// within the bands the docs state.
import assert from "node:assert/strict";
import { rooflineStepTime } from "../lib/perf/roofline.ts";
import { type DType, GPUS, MODELS } from "../lib/perf/catalog.ts";
import { decode, prefill } from "./_shapes.ts";
import type { IterationShape } from "../lib/perf/step_time.ts";
import { simulate } from "../lib/analysis/simulate.ts";
import { validateScenario } from "../lib/scenario/validate.ts";

const docs = await Deno.readTextFile(
  new URL("../docs/model.md", import.meta.url),
);
const fidelity = docs.slice(docs.indexOf("### Fidelity"));

function stepMs(
  gpu: string,
  model: string,
  tp: number,
  dtype: DType,
  shape: IterationShape,
): number {
  const m = rooflineStepTime(GPUS[gpu], MODELS[model], {
    tp,
    weightDtype: dtype,
    kvDtype: dtype,
  });
  return m.iterationTimeS(shape) * 1000;
}

// [what, llmsim ms, measured ms, largest |error| the docs allow]
const STEPS: [string, number, number, number][] = [
  [
    "7B A100 decode",
    stepMs("A100-80G", "Llama-2-7B", 1, "bf16", decode(1, 105)),
    9.53,
    0.05,
  ],
  [
    "70B TP2 decode",
    stepMs("A100-80G", "Llama-2-70B", 2, "bf16", decode(1, 105)),
    46.9,
    0.15,
  ],
  [
    "70B TP4 decode",
    stepMs("A100-80G", "Llama-2-70B", 4, "bf16", decode(1, 105)),
    26.3,
    0.15,
  ],
  [
    "70B TP8 decode",
    stepMs("A100-80G", "Llama-2-70B", 8, "bf16", decode(1, 105)),
    16.0,
    0.15,
  ],
  [
    "7B A100 prefill 2048",
    stepMs("A100-80G", "Llama-2-7B", 1, "fp16", prefill(1, 2048)),
    133,
    0.36,
  ],
  [
    "7B A100 prefill 128",
    stepMs("A100-80G", "Llama-2-7B", 1, "fp16", prefill(1, 128)),
    16,
    0.6,
  ],
  [
    "70B A100 TP4 prefill 2048",
    stepMs("A100-80G", "Llama-2-70B", 4, "fp16", prefill(1, 2048)),
    377,
    0.36,
  ],
  [
    "70B A100 TP4 prefill 128",
    stepMs("A100-80G", "Llama-2-70B", 4, "fp16", prefill(1, 128)),
    47,
    0.6,
  ],
  [
    "7B H100 fp8 prefill 2048",
    stepMs("H100-SXM", "Llama-2-7B", 1, "fp8", prefill(1, 2048)),
    36,
    0.36,
  ],
  [
    "7B H100 fp8 prefill 128",
    stepMs("H100-SXM", "Llama-2-7B", 1, "fp8", prefill(1, 128)),
    7,
    0.6,
  ],
  [
    "70B H100 TP4 fp8 prefill 2048",
    stepMs("H100-SXM", "Llama-2-70B", 4, "fp8", prefill(1, 2048)),
    109,
    0.36,
  ],
  [
    "70B H100 TP4 fp8 prefill 128",
    stepMs("H100-SXM", "Llama-2-70B", 4, "fp8", prefill(1, 128)),
    26,
    0.6,
  ],
  [
    "7B A100 batch 60 decode",
    stepMs("A100-80G", "Llama-2-7B", 1, "fp16", decode(60, 1152)),
    31.1,
    0.15,
  ],
  [
    "70B fp8 TP2 ITL",
    stepMs("H100-SXM", "Llama-3.1-70B", 2, "fp8", decode(1, 5250)),
    18.58,
    0.15,
  ],
  [
    "70B fp8 TP2 TTFT",
    stepMs("H100-SXM", "Llama-3.1-70B", 2, "fp8", prefill(1, 5000)),
    406.77,
    0.36,
  ],
];

Deno.test("fidelity: step times in the docs table are the model's, within the stated bands", () => {
  for (const [what, llmsim, measured, band] of STEPS) {
    const shown = llmsim.toFixed(2);
    assert.ok(
      fidelity.includes(shown),
      `${what}: ${shown} ms not in the docs table`,
    );
    const error = (llmsim - measured) / measured;
    assert.ok(Math.abs(error) <= band, `${what}: error ${error}`);
  }
});

Deno.test("fidelity: serving runs against SGLang's ShareGPT benchmark", () => {
  const run = (gpu: string, model: string, tp: number) =>
    simulate(validateScenario({
      mode: "mono",
      batching: "continuous",
      sim_seconds: 1200,
      warmup_seconds: 60,
      random_seed: 1,
      arrival: { rate_per_s: 4 },
      prompt_tokens: {
        mode: "real_mean_std",
        mean: 202,
        std: 202,
        min_value: 4,
      },
      output_tokens: {
        mode: "real_mean_std",
        mean: 179,
        std: 179,
        min_value: 1,
      },
      hardware: { gpu, model },
      step_time: { kind: "roofline" },
      cluster_mono: { num_gpus: tp, tp },
      scheduler: {
        policy: "chunked",
        max_num_batched_tokens: 8192,
      },
      // The roofline alone, with the fixed 1 ms step cost the table states.
      engine: { preset: "none", iteration_s: 0.001 },
    })).summary;
  const cases: [string, ReturnType<typeof run>, number, number][] = [
    ["8B A100", run("A100-80G", "Llama-3.1-8B", 1), 13.17, 31.98],
    ["70B 4xH100", run("H100-SXM", "Llama-3.1-70B", 4), 25.03, 53.94],
  ];
  for (const [what, s, tpot, ttft] of cases) {
    const ms = (k: "p50_tpot_s" | "p50_ttft_s") => (s[k] * 1000).toFixed(2);
    assert.ok(
      fidelity.includes(`${ms("p50_tpot_s")} / ${ms("p50_ttft_s")} ms`),
      what,
    );
    // Optimistic, as the docs explain: no per-request fixed costs.
    assert.ok(
      Number(ms("p50_tpot_s")) < tpot && Number(ms("p50_tpot_s")) > tpot * 0.7,
      what,
    );
    assert.ok(
      Number(ms("p50_ttft_s")) < ttft && Number(ms("p50_ttft_s")) > ttft * 0.5,
      what,
    );
  }
});
