import assert from "node:assert/strict";
import {
  activeParameterCount,
  GPUS,
  MODELS,
  type ModelSpec,
  parameterBreakdown,
  parameterCount,
} from "../lib/perf/catalog.ts";
import { kvBytesPerToken } from "../lib/perf/memory.ts";
import { modelFromHfConfig } from "../lib/perf/hf_config.ts";
import { InputError } from "../lib/errors.ts";
import { loadScenarioText, parseScenario } from "../lib/scenario/load.ts";
import { resolveHardware } from "../lib/scenario/hardware.ts";
import { poolSettings } from "../lib/scenario/pool_settings.ts";
import { runCli } from "./_cli.ts";

const FIXTURES = "tests/fixtures/hf";
const read = (name: string) =>
  JSON.parse(Deno.readTextFileSync(`${FIXTURES}/${name}/config.json`));

// The architecture fields: everything but the names and reported sizes.
function architecture(m: ModelSpec): Record<string, unknown> {
  const {
    name: _n,
    params_reported: _p,
    params_active_reported: _a,
    ...rest
  } = m;
  // Absent and default-valued optional fields mean the same.
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rest)) {
    if (v === undefined) continue;
    if (k === "tied_embeddings" && v === false) continue;
    if (k === "moe_layer_step" && v === 1) continue;
    if (k === "shared_experts" && v === 0) continue;
    if (k === "dense_layers" && v === 0) continue;
    out[k] = v;
  }
  return out;
}

Deno.test("every catalog model that has a fixture config reads back as its entry", () => {
  let checked = 0;
  for (const entry of Deno.readDirSync(FIXTURES)) {
    if (!entry.isDirectory) continue;
    const want = MODELS[entry.name];
    assert.ok(want, `${entry.name} is a catalog model`);
    const got = modelFromHfConfig(read(entry.name), { name: entry.name });
    // expert_ffn_size defaults to ffn_size: compare the resolved widths.
    const g = architecture(got), w = architecture(want);
    if (g.expert_ffn_size === undefined && got.num_experts) {
      g.expert_ffn_size = got.ffn_size;
    }
    if (w.expert_ffn_size === undefined && want.num_experts) {
      w.expert_ffn_size = want.ffn_size;
    }
    assert.deepEqual(g, w, entry.name);
    const ratio = parameterCount(got) / parameterCount(want);
    assert.ok(Math.abs(ratio - 1) <= 0.005, `${entry.name}: ${ratio}`);
    assert.equal(got.params_reported, parameterCount(got));
    checked++;
  }
  // Every catalog model but OPT-13B (model_type opt is not read).
  assert.equal(checked, Object.keys(MODELS).length - 1);
});

// Recomputes docs/validation.md A6's parameter and KV rows.
Deno.test("new catalog models: implied total and active parameters within 3% of the reported, KV bytes per token", () => {
  const cases: [string, number, number, number][] = [
    // name, total (B), active (B), KV bytes per token in bf16
    ["Qwen3-235B-A22B", 235.09, 22.19, 2 * 94 * 4 * 128 * 2],
    ["Qwen3-30B-A3B", 30.53, 3.35, 2 * 48 * 4 * 128 * 2],
    ["Llama-4-Scout-17B-16E", 107.77, 17.17, 2 * 48 * 8 * 128 * 2],
    ["Llama-4-Maverick-17B-128E", 400.71, 17.18, 2 * 48 * 8 * 128 * 2],
    ["gpt-oss-120b", 116.79, 5.71, 2 * 36 * 8 * 64 * 2],
    ["DeepSeek-V3", 671.03, 37.55, 61 * 576 * 2],
  ];
  for (const [name, total, active, kv] of cases) {
    const m = MODELS[name];
    const t = parameterCount(m), a = activeParameterCount(m);
    assert.ok(Math.abs(t / 1e9 - total) < 0.005, `${name} total ${t}`);
    assert.ok(Math.abs(a / 1e9 - active) < 0.005, `${name} active ${a}`);
    assert.ok(Math.abs(t / m.params_reported - 1) <= 0.03, name);
    // gpt-oss's card counts active parameters without the embedding.
    const comparable = name === "gpt-oss-120b"
      ? a - parameterBreakdown(m).embedding
      : a;
    assert.ok(
      Math.abs(comparable / m.params_active_reported! - 1) <= 0.03,
      `${name} active ${comparable} vs ${m.params_active_reported}`,
    );
    assert.equal(kvBytesPerToken(m, "bf16"), kv, name);
  }
  assert.equal(MODELS["DeepSeek-V3"].mtp_layers, 1);
});

Deno.test("Llama-4 Maverick interleaves: 24 MoE and 24 dense layers; Scout is all MoE", () => {
  const mav = parameterBreakdown(MODELS["Llama-4-Maverick-17B-128E"]);
  assert.equal(mav.moeLayers, 24);
  assert.equal(mav.denseLayers, 24);
  assert.equal(mav.denseFfnPerLayer, 3 * 5120 * 16384);
  assert.equal(mav.expertParams, 3 * 5120 * 8192);
  assert.equal(mav.sharedExperts, 1);
  const scout = parameterBreakdown(MODELS["Llama-4-Scout-17B-16E"]);
  assert.equal(scout.moeLayers, 48);
  assert.equal(scout.denseLayers, 0);
  // A step with leading dense layers: layers 3..9, MoE where i + 1 is even.
  const p = parameterBreakdown({
    ...MODELS["Mixtral-8x7B"],
    num_layers: 10,
    dense_layers: 3,
    moe_layer_step: 2,
  });
  assert.equal(p.moeLayers, 4); // layers 3, 5, 7, 9
  assert.equal(p.denseLayers, 6);
});

Deno.test("GPU catalog: node size and scale-out bandwidth on every GPU; GB200, MI325X and H20 per GPU", () => {
  for (const g of Object.values(GPUS)) {
    assert.ok(g.gpus_per_node !== undefined && g.gpus_per_node >= 8, g.name);
    assert.ok(g.scale_out_bytes_per_s !== undefined, g.name);
  }
  const gb = GPUS["GB200"];
  assert.equal(gb.gpus_per_node, 72);
  // NVIDIA rounds 130 TB/s / 72 GPUs to 1.8 TB/s per GPU.
  assert.equal(gb.interconnect_bytes_per_s, 1.8e12);
  assert.ok(Math.abs(gb.interconnect_bytes_per_s / (130e12 / 72) - 1) < 0.01);
  assert.equal(gb.memory_bandwidth_bytes_per_s, 576e12 / 72);
  assert.equal(gb.flops_per_s.fp4, 1440e15 / 72 / 2);
  assert.equal(gb.flops_per_s.bf16, 360e15 / 72 / 2);
  const mi = GPUS["MI325X"];
  assert.equal(mi.memory_bytes, 256 * 2 ** 30);
  assert.equal(mi.memory_bandwidth_bytes_per_s, 6e12);
  assert.deepEqual(mi.flops_per_s, GPUS["MI300X"].flops_per_s);
  // H20: the H100's memory system, a seventh of its tensor FLOP/s (dense,
  // as given), so its roofline ridge sits near 37 FLOP per byte, not 295.
  const h20 = GPUS["H20"];
  assert.equal(h20.memory_bandwidth_bytes_per_s, 4e12);
  assert.equal(h20.flops_per_s.fp8, 2 * h20.flops_per_s.bf16!);
  assert.equal(h20.flops_per_s.bf16! / h20.memory_bandwidth_bytes_per_s, 37);
  assert.equal(
    h20.interconnect_bytes_per_s,
    GPUS["H100-SXM"].interconnect_bytes_per_s,
  );
  assert.equal(GPUS["H100-SXM"].scale_out_bytes_per_s, 400e9 / 8);
  assert.equal(GPUS["A100-80G"].scale_out_bytes_per_s, 200e9 / 8);
});

Deno.test("modelFromHfConfig: one-line errors naming the file and the field", () => {
  const base = read("Llama-3.1-8B");
  const cases: [unknown, RegExp][] = [
    [[], /^f\.json: a config\.json holds one JSON object$/],
    [{ ...base, model_type: undefined }, /^f\.json: missing model_type/],
    [
      { model_type: "opt", architectures: ["OPTForCausalLM"] },
      /^f\.json: unsupported model_type "opt" \(OPTForCausalLM\); readable: llama,/,
    ],
    [
      { ...base, num_hidden_layers: undefined },
      /^f\.json: missing num_hidden_layers \(model_type llama\)$/,
    ],
    [
      { ...base, hidden_size: "4096" },
      /^f\.json: hidden_size must be an integer >= 1, got "4096"$/,
    ],
    [
      { ...read("Qwen3-30B-A3B"), mlp_only_layers: [5, 7] },
      /^f\.json: mlp_only_layers \[5,7\] is not supported/,
    ],
    [
      { ...read("DeepSeek-V3"), moe_layer_freq: 2 },
      /^f\.json: moe_layer_freq 2 is not supported/,
    ],
    [
      { ...read("Mixtral-8x7B"), num_experts_per_tok: 9 },
      /^f\.json: num_experts_per_tok \(9\) exceeds the experts \(8\)$/,
    ],
    [
      {
        model_type: "llama4",
        architectures: ["Llama4ForConditionalGeneration"],
      },
      /^f\.json: missing text_config \(llama4\)$/,
    ],
  ];
  for (const [config, message] of cases) {
    assert.throws(
      () => modelFromHfConfig(config, { source: "f.json" }),
      (e: unknown) =>
        e instanceof InputError && message.test(e.message) &&
        !e.message.includes("\n"),
      String(message),
    );
  }
  // Llama-4's text_config fields are named with their prefix.
  const l4 = read("Llama-4-Scout-17B-16E");
  delete l4.text_config.intermediate_size_mlp;
  assert.throws(
    () => modelFromHfConfig(l4, { source: "f.json" }),
    (e: unknown) =>
      e instanceof InputError &&
      e.message ===
        "f.json: missing text_config.intermediate_size_mlp (model_type llama4)",
  );
});

Deno.test("modelFromHfConfig: defaults, DeepSeek-V2-Lite's absent q_lora_rank, mlp_only_layers as leading dense layers", () => {
  const m = modelFromHfConfig({
    model_type: "qwen2",
    _name_or_path: "Qwen/Qwen2.5-7B",
    num_hidden_layers: 28,
    hidden_size: 3584,
    num_attention_heads: 28,
    num_key_value_heads: 4,
    intermediate_size: 18944,
    vocab_size: 152064,
    max_position_embeddings: 131072,
  });
  assert.equal(m.name, "Qwen2.5-7B");
  assert.equal(m.head_dim, 128);
  assert.equal(m.tied_embeddings, false);
  assert.equal(m.num_experts, undefined);
  // No num_key_value_heads: MHA.
  const mha = modelFromHfConfig({
    model_type: "llama",
    num_hidden_layers: 2,
    hidden_size: 64,
    num_attention_heads: 4,
    intermediate_size: 128,
    vocab_size: 100,
    max_position_embeddings: 128,
  });
  assert.equal(mha.num_kv_heads, 4);
  assert.equal(mha.name, "hf model");
  const lite = modelFromHfConfig({
    ...read("DeepSeek-V3"),
    model_type: "deepseek_v2",
    q_lora_rank: null,
    num_nextn_predict_layers: undefined,
  });
  assert.equal(lite.mla!.q_lora_rank, 0);
  assert.equal(lite.mtp_layers, undefined);
  assert.equal(lite.kv_cache_dim_per_layer, 576);
  const q = modelFromHfConfig({
    ...read("Qwen3-30B-A3B"),
    mlp_only_layers: [0, 1],
  });
  assert.equal(q.dense_layers, 2);
  assert.equal(parameterBreakdown(q).moeLayers, 46);
});

Deno.test("hardware.model.hf_config: read relative to the scenario file, the same run as the catalog entry", async () => {
  const yaml = (model: string) =>
    `mode: mono\nbatching: continuous\nhardware: {gpu: H200, model: ${model}, weight_dtype: fp8}\n` +
    `step_time: {kind: roofline}\ncluster_mono: {num_gpus: 8, tp: 8}\n`;
  const fromFile = await loadScenarioText(
    yaml("{hf_config: DeepSeek-V3/config.json}"),
    { baseDir: FIXTURES },
  );
  const fromName = parseScenario(yaml("DeepSeek-V3"));
  const a = resolveHardware(fromFile.hardware!).model;
  const b = resolveHardware(fromName.hardware!).model;
  assert.equal(a.name, "DeepSeek-V3");
  assert.deepEqual(architecture(a), architecture(b));
  assert.equal(
    poolSettings(fromFile, "gpu").maxModelLen,
    poolSettings(fromName, "gpu").maxModelLen,
  );
  // A given name wins; a file not called config.json names the model.
  const named = await loadScenarioText(
    yaml("{hf_config: Qwen3-30B-A3B/config.json, name: mine}"),
    { baseDir: FIXTURES },
  );
  assert.equal(resolveHardware(named.hardware!).model.name, "mine");
  // A disagg pool may read its own model.
  const disagg = await loadScenarioText(
    "mode: disagg\nbatching: continuous\nhardware: {gpu: H100-SXM, model: Llama-3.1-8B}\n" +
      "cluster_disagg: {prefill_gpus: 1, decode_gpus: 1, decode: {hardware: {model: {hf_config: Llama-3.1-8B/config.json}}}}\n",
    { baseDir: FIXTURES },
  );
  assert.equal(poolSettings(disagg, "prefill").hardware!.model, "Llama-3.1-8B");
  assert.deepEqual(poolSettings(disagg, "decode").hardware!.model, {
    hf_config: `${FIXTURES}/Llama-3.1-8B/config.json`,
  });
  assert.equal(
    resolveHardware(poolSettings(disagg, "decode").hardware!).model.num_layers,
    32,
  );
});

Deno.test("hardware.model.hf_config errors: exit 2 with one line naming the file and the field", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/config.json`,
      JSON.stringify({ ...read("Llama-3.1-8B"), vocab_size: undefined }),
    );
    await Deno.writeTextFile(`${dir}/broken.json`, "{not json");
    const scenario = (file: string) =>
      "mode: mono\nbatching: continuous\n" +
      `hardware: {gpu: H100-SXM, model: {hf_config: ${file}}}\n`;
    const cases: [string, RegExp][] = [
      [
        "config.json",
        /config\.json: missing vocab_size \(model_type llama\) \(hardware\.model\.hf_config\)$/,
      ],
      ["broken.json", /broken\.json: not JSON \(hardware\.model\.hf_config\)/],
      [
        "none.json",
        /none\.json: file not found \(hardware\.model\.hf_config\)$/,
      ],
    ];
    for (const [file, message] of cases) {
      await Deno.writeTextFile(`${dir}/s.yaml`, scenario(file));
      const run = await runCli(["simulate", "--config", `${dir}/s.yaml`]);
      assert.equal(run.code, 2, run.stderr);
      const lines = run.stderr.trim().split("\n");
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0], message);
      assert.ok(
        lines[0].includes(dir),
        "the path is resolved from the scenario's folder",
      );
    }
    // A wrong value type names the key, not the inline model's keys.
    await Deno.writeTextFile(
      `${dir}/s.yaml`,
      "mode: mono\nbatching: continuous\nhardware: {gpu: H100-SXM, model: {hf_config: 3}}\n",
    );
    const run = await runCli(["simulate", "--config", `${dir}/s.yaml`]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /hardware\.model\.hf_config: must be a text, got 3/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
