import { strict as assert } from "node:assert";
import {
  DEFAULT_ENGINE_PRESET,
  ENGINE_PRESETS,
  engineIterationS,
  GPUS,
  MODELS,
  planCluster,
  rateStepTime,
  rooflineStepTime,
  simulate,
  validateScenario,
  withEngine,
} from "../mod.ts";
import type { EngineParams, IterationShape } from "../mod.ts";
import { runCli } from "./_cli.ts";
import { decode } from "./_shapes.ts";
import { enginePresetTable } from "../lib/perf/engines/table.ts";

const NONE = ENGINE_PRESETS.get("none").params;

Deno.test("engine time: each term of the stated formula", () => {
  const p: EngineParams = {
    ...NONE,
    iteration_s: 1e-3,
    per_seq_s: 1e-4,
    per_prefill_seq_s: 5e-4,
    per_collective_s: 2e-6,
    tp_sync_s: 3e-3,
    tp_sync_per_seq_s: 1e-5,
  };
  const shape: IterationShape = {
    ...decode(6),
    prefillTokens: 900,
    prefillSequences: 2,
    prefillAttendedTokens: 100_000,
  };
  // 8 sequences; TP 4 of an 80-layer model: 160 all-reduces, log2 4 = 2.
  const want = 1e-3 + 8 * 1e-4 + 2 * 5e-4 +
    (160 * 2e-6 + 3e-3 + 2 * 1e-5 * 8);
  assert.ok(
    Math.abs(engineIterationS(p, { tp: 4, layers: 80 }, shape) - want) < 1e-15,
  );
  // At TP 1 the TP terms vanish.
  assert.ok(
    Math.abs(
      engineIterationS(p, { tp: 1, layers: 80 }, shape) -
        (1e-3 + 8 * 1e-4 + 2 * 5e-4),
    ) < 1e-15,
  );
  // The engine adds to any step-time model exactly.
  const gpu = rateStepTime({
    prefillTokensPerS: 9000,
    decodeTokensPerS: 80,
  });
  const m = withEngine(gpu, p, { tp: 4, layers: 80 });
  assert.ok(
    Math.abs(m.iterationTimeS(shape) - gpu.iterationTimeS(shape) - want) <
      1e-15,
  );
});

Deno.test("engine presets: complete, cited, and a real engine by default", () => {
  const keys = Object.keys(NONE) as (keyof EngineParams)[];
  assert.deepEqual([...ENGINE_PRESETS.names].sort(), [
    "none",
    "sglang",
    "trtllm",
    "vllm-v0",
    "vllm-v1",
  ]);
  for (
    const [name, preset] of ENGINE_PRESETS.entries().map((p) =>
      [p.name, p] as const
    )
  ) {
    assert.equal(preset.name, name);
    for (const k of keys) {
      assert.ok(k in preset.params, `${name}.${k}`);
      if (name !== "none") {
        assert.ok(
          (preset.sources[k] ?? "").length > 10,
          `${name}.${k} has no source`,
        );
      }
    }
    // fp8 kernels reach a smaller share of their peak than bf16 ones.
    if (name !== "none") {
      assert.ok(
        preset.params.compute_efficiency.fp8 <
          preset.params.compute_efficiency.bf16,
        name,
      );
    }
  }
  assert.equal(DEFAULT_ENGINE_PRESET, "vllm-v1");
  for (const k of keys) {
    if (k !== "compute_efficiency" && k !== "memory_efficiency") {
      assert.equal(NONE[k], 0, `none.${k}`);
    }
  }
  // A scenario that names no engine runs the default one.
  const s = validateScenario({ batching: "continuous" });
  assert.equal(simulate(s).summary.engine, "vllm-v1");
});

Deno.test("vllm-v0: decode steps of a 70B model stop halving from TP 4 to TP 8", () => {
  const gpu = GPUS["H100-SXM"], model = MODELS["Llama-3.1-70B"];
  const v0 = ENGINE_PRESETS.get("vllm-v0").params;
  const step = (tp: number, engine: EngineParams, batch: number) =>
    withEngine(
      rooflineStepTime(gpu, model, {
        tp,
        computeEfficiency: engine.compute_efficiency.bf16,
        memoryEfficiency: engine.memory_efficiency,
      }),
      engine,
      { tp, layers: model.num_layers },
    ).iterationTimeS(decode(batch));
  for (const batch of [1, 8, 32]) {
    // The roofline alone nearly halves from TP 4 to 8; with the engine the
    // step keeps a floor that TP does not divide.
    const bare = step(4, NONE, batch) / step(8, NONE, batch);
    const real = step(4, v0, batch) / step(8, v0, batch);
    assert.ok(bare > 1.75, `roofline ${bare}`);
    assert.ok(real < 1.5, `engine ${real}`);
    // The engine never makes a step faster.
    assert.ok(step(8, v0, batch) > step(8, NONE, batch));
  }
});

Deno.test("scenario engine: overrides, fp8 efficiency, older scheduler names", () => {
  const hardware = {
    gpu: "H100-SXM",
    model: "Llama-3.1-8B",
    weight_dtype: "fp8",
  };
  const base = {
    batching: "continuous",
    step_time: { kind: "roofline" },
    hardware,
  };
  const shape = { ...decode(4), prefillTokens: 4096, prefillSequences: 2 };
  const stepOf = (extra: Record<string, unknown>) =>
    planCluster(validateScenario({ ...base, ...extra })).pools[0].stepTime
      .iterationTimeS(shape);
  const p = ENGINE_PRESETS.get("vllm-v1").params;
  // The preset's fp8 compute share is the roofline's, unless step_time
  // gives its own.
  const roof = (eff: number) =>
    rooflineStepTime(GPUS["H100-SXM"], MODELS["Llama-3.1-8B"], {
      weightDtype: "fp8",
      computeEfficiency: eff,
      memoryEfficiency: p.memory_efficiency,
    }).iterationTimeS(shape);
  const engine = engineIterationS(p, { tp: 1, layers: 32 }, shape);
  assert.ok(
    Math.abs(stepOf({}) - (roof(p.compute_efficiency.fp8) + engine)) < 1e-12,
  );
  assert.ok(
    Math.abs(
      stepOf({ step_time: { kind: "roofline", compute_efficiency: 0.3 } }) -
        (roof(0.3) + engine),
    ) < 1e-12,
  );
  assert.ok(
    Math.abs(
      stepOf({ engine: { compute_efficiency: { fp8: 0.3 } } }) -
        (roof(0.3) + engine),
    ) < 1e-12,
  );
  // scheduler.iteration_overhead_s is engine.iteration_s by another name.
  const a = stepOf({ scheduler: { iteration_overhead_s: 0.004 } });
  const b = stepOf({ engine: { iteration_s: 0.004 } });
  assert.equal(a, b);
  assert.throws(
    () =>
      validateScenario({
        scheduler: { iteration_overhead_s: 0.004 },
        engine: { iteration_s: 0.001 },
      }),
    /scheduler\.iteration_overhead_s: is another name for engine\.iteration_s/,
  );
  assert.throws(
    () => validateScenario({ engine: { preset: "vllm-v2" } }),
    /engine\.preset: must be one of .*\(did you mean "vllm-v[01]"\?\)/,
  );
  assert.throws(
    () => validateScenario({ engine: { per_seq_s: -1 } }),
    /engine\.per_seq_s: must be >= 0/,
  );
});

Deno.test("per-request engine time: request_s adds to TTFT, finish_s to e2e, exactly", () => {
  const base = {
    batching: "continuous",
    sim_seconds: 60,
    warmup_seconds: 6,
    arrival: { rate_per_s: 3 },
  };
  const plain = simulate(validateScenario({
    ...base,
    engine: { preset: "none" },
  })).records;
  const late = simulate(validateScenario({
    ...base,
    engine: { preset: "none", request_s: 0.02, finish_s: 0.005 },
  })).records;
  assert.equal(plain.count, late.count);
  for (let i = 0; i < plain.count; i++) {
    const ttft = (r: typeof plain) => r.firstTokenS[i] - r.arrivalS[i];
    const e2e = (r: typeof plain) => r.finishS[i] - r.arrivalS[i];
    assert.ok(Math.abs(ttft(late) - ttft(plain) - 0.02) < 1e-9);
    assert.ok(Math.abs(e2e(late) - e2e(plain) - 0.025) < 1e-9);
  }
});

Deno.test("an engine that cannot act is a warning, not silence", async () => {
  const none = simulate(validateScenario({ engine: { preset: "vllm-v0" } }));
  assert.ok(
    none.warnings.some((w) => w.startsWith("engine: has no effect")),
    none.warnings.join("; "),
  );
  // batching none without an engine section: nothing to warn about.
  assert.deepEqual(
    simulate(validateScenario({ sim_seconds: 30, warmup_seconds: 3 }))
      .warnings,
    [],
  );
  const run = await runCli([
    "simulate",
    "--config",
    "examples/measured_step_table.yaml",
    "--set",
    "engine.preset=none",
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(!run.stderr.includes("engine:"), run.stderr);
});

Deno.test("docs/model.md shows the presets' values as the code has them", async () => {
  const page = await Deno.readTextFile(
    new URL("../docs/model.md", import.meta.url),
  );
  const cells = (line: string) =>
    line.split("|").slice(1, -1).map((c) => c.trim());
  const rows = page.split("\n").filter((l) => l.startsWith("|")).map(cells);
  for (const line of enginePresetTable().split("\n").slice(2)) {
    const want = cells(line);
    assert.ok(
      rows.some((r) => JSON.stringify(r) === JSON.stringify(want)),
      `docs/model.md lacks the row ${line}`,
    );
  }
});
