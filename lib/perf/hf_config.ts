/**
 * Reads a model's architecture from its Hugging Face `config.json` (the
 * parsed JSON; nothing is downloaded), so that any model of a supported
 * family can be simulated without a catalog entry.
 *
 * Field mapping, by `model_type` (the transformers configuration classes
 * name the fields; their defaults apply where a field is absent):
 *
 * | ModelSpec               | config.json                                                                |
 * | ----------------------- | -------------------------------------------------------------------------- |
 * | num_layers              | num_hidden_layers                                                          |
 * | hidden_size             | hidden_size                                                                |
 * | num_attention_heads     | num_attention_heads                                                        |
 * | num_kv_heads            | num_key_value_heads (default: num_attention_heads)                         |
 * | head_dim                | head_dim (default hidden/heads); MLA: qk_nope_head_dim + qk_rope_head_dim  |
 * | ffn_size                | intermediate_size (Llama-4: intermediate_size_mlp)                         |
 * | vocab_size              | vocab_size                                                                 |
 * | tied_embeddings         | tie_word_embeddings (default false in every family read here)              |
 * | num_experts             | num_local_experts (Mixtral, Llama-4, gpt-oss), num_experts (Qwen3-MoE), n_routed_experts (DeepSeek) |
 * | active_experts          | num_experts_per_tok (gpt-oss also experts_per_token)                       |
 * | expert_ffn_size         | moe_intermediate_size (Qwen3-MoE, DeepSeek); intermediate_size (Mixtral, Llama-4, gpt-oss) |
 * | shared_experts          | n_shared_experts (DeepSeek); 1 for Llama-4                                 |
 * | dense_layers            | first_k_dense_replace (DeepSeek); a leading run of mlp_only_layers (Qwen3-MoE) |
 * | moe_layer_step          | interleave_moe_layer_step (Llama-4), decoder_sparse_step (Qwen3-MoE)       |
 * | mla, kv_cache_dim       | q_lora_rank (null: 0), kv_lora_rank, qk_*_head_dim, v_head_dim (DeepSeek-V2/V3) |
 * | mtp_layers              | num_nextn_predict_layers (DeepSeek-V3)                                     |
 * | max_context             | max_position_embeddings                                                    |
 *
 * A multimodal config (Llama-4's `Llama4ForConditionalGeneration`) is read
 * from its `text_config`; the vision tower is not counted. What ModelSpec
 * does not hold is dropped, as for the catalog entries: biases, norms,
 * gpt-oss's attention sinks, sliding-window and chunked attention (those
 * layers are counted as full attention: the KV cache is overstated) and the
 * checkpoint's quantisation (weights are sized at `hardware.weight_dtype`).
 *
 * @module
 */

import { InputError } from "../errors.ts";
import { type ModelSpec, parameterCount } from "./catalog.ts";

/** Options of {@linkcode modelFromHfConfig}. */
export interface HfConfigOptions {
  /**
   * The model's name in reports. Default: the config's `_name_or_path`
   * (its last path component), else "hf model".
   */
  name?: string;
  /** The file the config came from, for errors (default `config.json`). */
  source?: string;
}

/** The `model_type` values {@linkcode modelFromHfConfig} reads. */
export const HF_MODEL_TYPES: readonly string[] = Object.freeze([
  "llama",
  "mistral",
  "qwen2",
  "qwen3",
  "qwen3_moe",
  "mixtral",
  "deepseek_v2",
  "deepseek_v3",
  "llama4",
  "llama4_text",
  "gpt_oss",
]);

type Json = Record<string, unknown>;

function isObject(x: unknown): x is Json {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/**
 * A ModelSpec from a parsed Hugging Face `config.json` (field mapping in
 * the module doc). Its `params_reported` is the implied parameter count,
 * since a config states none.
 *
 * @param config The parsed JSON of the file.
 * @param options The model's name and the file's name for errors.
 * @returns The architecture.
 * @throws {InputError} On one line, naming the file and the field: an
 * unsupported `model_type`, a missing or non-integer field, or a layer
 * layout ModelSpec cannot hold.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { modelFromHfConfig } from "./hf_config.ts";
 * const m = modelFromHfConfig({
 *   model_type: "llama", num_hidden_layers: 32, hidden_size: 4096,
 *   num_attention_heads: 32, num_key_value_heads: 8, intermediate_size: 14336,
 *   vocab_size: 128256, max_position_embeddings: 131072,
 * }, { name: "Llama-3.1-8B" });
 * assert.equal(m.head_dim, 128);
 * assert.ok(Math.abs(m.params_reported / 8.03e9 - 1) < 0.005);
 * assert.throws(
 *   () => modelFromHfConfig({ model_type: "t5" }, { source: "t5/config.json" }),
 *   /: t5\/config\.json: unsupported model_type "t5"/,
 * );
 * ```
 */
export function modelFromHfConfig(
  config: unknown,
  options: HfConfigOptions = {},
): ModelSpec {
  const source = options.source ?? "config.json";
  const fail = (what: string): never => {
    throw new InputError(`${source}: ${what}`);
  };
  if (!isObject(config)) fail("a config.json holds one JSON object");
  const outer = config as Json;
  const type = outer.model_type;
  if (typeof type !== "string") {
    fail(`missing model_type (readable: ${HF_MODEL_TYPES.join(", ")})`);
  }
  if (!HF_MODEL_TYPES.includes(type as string)) {
    const arch = Array.isArray(outer.architectures)
      ? ` (${outer.architectures.join(", ")})`
      : "";
    fail(
      `unsupported model_type "${type}"${arch}; readable: ${
        HF_MODEL_TYPES.join(", ")
      }`,
    );
  }
  // Llama-4 keeps the language model's fields in text_config.
  let c: Json = outer;
  if (type === "llama4") {
    if (!isObject(outer.text_config)) fail("missing text_config (llama4)");
    c = { ...(outer.text_config as Json) };
    if (c.tie_word_embeddings === undefined) {
      c.tie_word_embeddings = outer.tie_word_embeddings;
    }
  }
  const where = c === outer ? "" : "text_config.";
  const int = (key: string, fallback?: number, min = 1): number => {
    const v = c[key];
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      return fail(`missing ${where}${key} (model_type ${type})`);
    }
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
      return fail(
        `${where}${key} must be an integer >= ${min}, got ${JSON.stringify(v)}`,
      );
    }
    return v;
  };

  const layers = int("num_hidden_layers");
  const hidden = int("hidden_size");
  const heads = int("num_attention_heads");
  const spec: ModelSpec = {
    name: options.name ?? defaultName(outer),
    num_layers: layers,
    hidden_size: hidden,
    num_attention_heads: heads,
    num_kv_heads: int("num_key_value_heads", heads),
    head_dim: int("head_dim", Math.floor(hidden / heads)),
    ffn_size: type === "llama4" || type === "llama4_text"
      ? int("intermediate_size_mlp")
      : int("intermediate_size"),
    // Every family read here uses a SwiGLU FFN (hidden_act silu).
    gated_ffn: true,
    vocab_size: int("vocab_size"),
    tied_embeddings: c.tie_word_embeddings === true,
    params_reported: 0,
    max_context: int("max_position_embeddings", undefined, 2),
  };

  switch (type) {
    case "mixtral":
      spec.num_experts = int("num_local_experts");
      spec.active_experts = int("num_experts_per_tok");
      break;
    case "gpt_oss":
      spec.num_experts = int("num_local_experts");
      spec.active_experts = int(
        "num_experts_per_tok",
        c.experts_per_token === undefined
          ? undefined
          : int("experts_per_token"),
      );
      break;
    case "qwen3_moe": {
      spec.num_experts = int("num_experts");
      spec.active_experts = int("num_experts_per_tok");
      spec.expert_ffn_size = int("moe_intermediate_size");
      spec.moe_layer_step = int("decoder_sparse_step", 1);
      spec.dense_layers = leadingRun(c.mlp_only_layers, "mlp_only_layers");
      break;
    }
    case "llama4":
    case "llama4_text": {
      spec.num_experts = int("num_local_experts");
      spec.active_experts = int("num_experts_per_tok");
      spec.expert_ffn_size = int("intermediate_size");
      // Llama4TextMoe: one shared expert of the routed experts' width.
      spec.shared_experts = 1;
      const step = int("interleave_moe_layer_step", 1);
      spec.moe_layer_step = step;
      if (Array.isArray(c.moe_layers)) {
        const want: number[] = [];
        for (let i = step - 1; i < layers; i += step) want.push(i);
        if (JSON.stringify(c.moe_layers) !== JSON.stringify(want)) {
          fail(
            `${where}moe_layers is not every ${step}th layer (${
              JSON.stringify(want)
            }): a layout llmsim cannot hold`,
          );
        }
      }
      break;
    }
    case "deepseek_v2":
    case "deepseek_v3": {
      spec.num_experts = int("n_routed_experts");
      spec.active_experts = int("num_experts_per_tok");
      spec.expert_ffn_size = int("moe_intermediate_size");
      spec.shared_experts = int("n_shared_experts", 0, 0);
      spec.dense_layers = int("first_k_dense_replace", 0, 0);
      // DeepSeek's rule is i % moe_layer_freq == 0 after the dense layers:
      // only 1 (every layer, as every released DeepSeek model) fits ModelSpec.
      if (int("moe_layer_freq", 1) !== 1) {
        fail(
          `moe_layer_freq ${c.moe_layer_freq} is not supported (only 1: every layer after first_k_dense_replace)`,
        );
      }
      const rope = int("qk_rope_head_dim");
      const nope = int("qk_nope_head_dim");
      const kvLora = int("kv_lora_rank");
      spec.mla = {
        q_lora_rank: int("q_lora_rank", 0, 0),
        kv_lora_rank: kvLora,
        qk_nope_head_dim: nope,
        qk_rope_head_dim: rope,
        v_head_dim: int("v_head_dim"),
      };
      spec.head_dim = nope + rope;
      spec.kv_cache_dim_per_layer = kvLora + rope;
      const mtp = int("num_nextn_predict_layers", 0, 0);
      if (mtp > 0) spec.mtp_layers = mtp;
      break;
    }
  }
  if (
    spec.num_experts !== undefined && spec.active_experts !== undefined &&
    spec.active_experts > spec.num_experts
  ) {
    fail(
      `num_experts_per_tok (${spec.active_experts}) exceeds the experts (${spec.num_experts})`,
    );
  }
  spec.params_reported = parameterCount(spec);
  return spec;

  // Qwen3-MoE's mlp_only_layers: ModelSpec holds only a leading run of
  // dense layers (0, 1, ..., k-1).
  function leadingRun(v: unknown, key: string): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x, i) => x !== i)) {
      return fail(
        `${key} ${
          JSON.stringify(v)
        } is not supported (only leading layers 0, 1, ..., k-1 may be dense)`,
      );
    }
    return v.length > 0 ? v.length : undefined;
  }
}

// The last component of `_name_or_path` ("Qwen/Qwen3-30B-A3B" -> its model).
function defaultName(config: Json): string {
  const n = config._name_or_path;
  if (typeof n === "string" && n.length > 0) {
    const parts = n.split("/").filter((p) => p.length > 0);
    if (parts.length > 0) return parts[parts.length - 1];
  }
  return "hf model";
}
