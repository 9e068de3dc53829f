/**
 * The one definition of every scenario key: its type, range, default and
 * meaning. The validator walks it, and the JSON Schema for editors is made
 * from it, so the two cannot disagree.
 *
 * @module
 */

import { GPUS, MODELS } from "../perf/catalog.ts";
import { DEFAULT_ENGINE_PRESET, ENGINE_PRESETS } from "../perf/engines/mod.ts";

/** A numeric key. */
export interface NumberField {
  /** Discriminant. */
  kind: "number";
  /** What the key means, with its unit. */
  description: string;
  /** Value used when the key is absent. */
  default?: number;
  /** Whether the value must be a whole number. */
  integer?: boolean;
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  exclusiveMin?: number;
  /** Inclusive upper bound. */
  max?: number;
  /** Whether the key must be given when its section is. */
  required?: boolean;
}

/** A key that takes one of a fixed set of words. */
export interface EnumField {
  /** Discriminant. */
  kind: "enum";
  /** What the key means. */
  description: string;
  /** The allowed words. */
  values: readonly string[];
  /** Value used when the key is absent. */
  default?: string;
}

/** A free-text key (a file path, a name). */
export interface StringField {
  /** Discriminant. */
  kind: "string";
  /** What the key means. */
  description: string;
  /** Value used when the key is absent. */
  default?: string;
  /** Whether the key must be given when its section is. */
  required?: boolean;
}

/** A list of values of one kind. */
export interface ArrayField {
  /** Discriminant. */
  kind: "array";
  /** What the list holds. */
  description: string;
  /** Each element's definition. */
  items: FieldSpec;
  /** Fewest elements. */
  minItems?: number;
  /** Whether the key must be given when its section is. */
  required?: boolean;
}

/** A yes/no key. */
export interface BooleanField {
  /** Discriminant. */
  kind: "boolean";
  /** What the key means. */
  description: string;
  /** Value used when the key is absent. */
  default?: boolean;
}

/** A key naming a catalog entry, or defining one inline as a mapping. */
export interface CatalogField {
  /** Discriminant. */
  kind: "catalog";
  /** What the key means. */
  description: string;
  /** The catalog's names. */
  values: readonly string[];
  /** The keys of an inline definition. */
  inline: ObjectField;
  /** Whether the key must be given when its section is. */
  required?: boolean;
}

/** A nested mapping of keys. */
export interface ObjectField {
  /** Discriminant. */
  kind: "object";
  /** What the section holds. */
  description: string;
  /** The section's keys. */
  fields: Record<string, FieldSpec>;
  /** Whether the section may be left out entirely (no defaults then). */
  optional?: boolean;
}

/** Any key of the scenario definition. */
export type FieldSpec =
  | NumberField
  | EnumField
  | ObjectField
  | StringField
  | BooleanField
  | CatalogField
  | ArrayField;

/** The token-length modes and the keys each one uses besides `min_value`. */
export const TOKEN_MODE_KEYS: Readonly<Record<string, readonly string[]>> = {
  log: ["mean", "sigma"],
  real_mean_std: ["mean", "std"],
  p50_p90: ["p50", "p90"],
  constant: ["value"],
  exponential: ["mean"],
  uniform: ["low", "high"],
  empirical: ["values", "trace_file", "trace_format"],
};

/** The arrival processes and the keys each one uses. */
export const ARRIVAL_PROCESS_KEYS: Readonly<Record<string, readonly string[]>> =
  {
    poisson: ["rate_per_s"],
    gamma: ["rate_per_s", "cv"],
    deterministic: ["rate_per_s"],
    schedule: ["schedule"],
    diurnal: ["rate_per_s", "amplitude", "period_s", "peak_s"],
    on_off: ["rate_per_s", "mean_on_s", "mean_off_s"],
  };

/** Trace formats `trace.format` and `empirical` lengths read. */
export const TRACE_FORMATS: readonly string[] = [
  "azure",
  "mooncake",
  "burstgpt",
  "csv",
  "jsonl",
];

function arrivalField(optional: boolean): ObjectField {
  return {
    kind: "object",
    description: "Request arrivals.",
    optional,
    fields: {
      process: {
        kind: "enum",
        description:
          "`poisson` (default), `gamma` (i.i.d. gamma gaps with coefficient " +
          "of variation `cv`: bursty above 1), `deterministic` (evenly " +
          "spaced), `schedule` (piecewise-constant Poisson rates, repeating), " +
          "`diurnal` (Poisson with rate x (1 + amplitude cos(2 pi (t - " +
          "peak_s) / period_s))), `on_off` (Poisson at rate_per_s during " +
          "exponential on periods, none during off periods).",
        values: Object.keys(ARRIVAL_PROCESS_KEYS),
        default: "poisson",
      },
      rate_per_s: {
        kind: "number",
        description:
          "Mean arrival rate, requests per second (`on_off`: the rate while " +
          "on). Default 2 at the top level.",
        exclusiveMin: 0,
      },
      cv: positive("`gamma`: coefficient of variation of the gaps."),
      schedule: {
        kind: "array",
        description: "`schedule`: steps, repeated cyclically.",
        minItems: 1,
        items: {
          kind: "object",
          description: "One step of the schedule.",
          fields: {
            duration_s: positive("How long the step lasts, seconds.", {
              required: true,
            }),
            rate_per_s: {
              kind: "number",
              description: "Poisson rate during the step (0: none).",
              min: 0,
              required: true,
            },
          },
        },
      },
      amplitude: {
        kind: "number",
        description: "`diurnal`: relative swing of the rate, 0 to 1.",
        min: 0,
        max: 1,
      },
      period_s: positive("`diurnal`: period, seconds (86400: a day)."),
      peak_s: {
        kind: "number",
        description: "`diurnal`: time of the peak within the period, seconds.",
        min: 0,
      },
      mean_on_s: positive("`on_off`: mean length of an on period, seconds."),
      mean_off_s: positive("`on_off`: mean length of an off period, seconds."),
    },
  };
}

function tokenField(description: string, optional = false): ObjectField {
  return {
    kind: "object",
    description,
    optional,
    fields: {
      mode: {
        kind: "enum",
        description:
          "How the lengths are given: `log` (lognormal by its log-space mu " +
          "`mean` and `sigma`; the default), `real_mean_std` (lognormal by " +
          "its real-space `mean` and `std`), `p50_p90` (lognormal by its " +
          "median and 90th percentile), `constant` (`value`), `exponential` " +
          "(`mean`), `uniform` (`low` to `high`), `empirical` (drawn from " +
          "`values` or a trace's lengths). A sample is max(floor(x), " +
          "min_value), then at most `max_tokens`.",
        values: Object.keys(TOKEN_MODE_KEYS),
        default: "log",
      },
      mean: {
        kind: "number",
        description:
          "Mode `log`: the log-space mu (default 6.0). Modes `real_mean_std` " +
          "and `exponential`: the mean in tokens (> 0).",
      },
      sigma: {
        kind: "number",
        description: "Mode `log`: the log-space sigma (> 0, default 1.0).",
        exclusiveMin: 0,
      },
      std: {
        kind: "number",
        description: "Mode `real_mean_std`: standard deviation in tokens.",
        exclusiveMin: 0,
      },
      p50: {
        kind: "number",
        description: "Mode `p50_p90`: median in tokens.",
        exclusiveMin: 0,
      },
      p90: {
        kind: "number",
        description: "Mode `p50_p90`: 90th percentile in tokens (> p50).",
        exclusiveMin: 0,
      },
      value: {
        kind: "number",
        description: "Mode `constant`: the length in tokens.",
        integer: true,
        min: 1,
      },
      low: {
        kind: "number",
        description: "Mode `uniform`: smallest length (inclusive).",
        integer: true,
        min: 1,
      },
      high: {
        kind: "number",
        description: "Mode `uniform`: largest length (inclusive, >= low).",
        integer: true,
        min: 1,
      },
      values: {
        kind: "array",
        description:
          "Mode `empirical`: observed lengths, drawn uniformly (or give " +
          "`trace_file`).",
        minItems: 1,
        items: {
          kind: "number",
          description: "A length in tokens.",
          integer: true,
          min: 1,
        },
      },
      trace_file: {
        kind: "string",
        description:
          "Mode `empirical`: a trace whose prompt (or output) lengths are " +
          "drawn, relative to the scenario file.",
      },
      trace_format: {
        kind: "enum",
        description: "Mode `empirical`: the trace's format.",
        values: TRACE_FORMATS.slice(0, 3),
      },
      max_tokens: {
        kind: "number",
        description:
          "Any mode: cap every sample at this length (a max-tokens limit; " +
          "it makes the pile-up at the cap that real traces show).",
        integer: true,
        min: 1,
      },
      min_value: {
        kind: "number",
        description: "Smallest length a sample can take, in tokens.",
        integer: true,
        min: 1,
        default: 1,
      },
    },
  };
}

// A whole number >= min that an inline definition must give.
function wholeNumber(description: string, min = 1): NumberField {
  return { kind: "number", description, integer: true, min, required: true };
}

function positive(description: string, extra: Partial<NumberField> = {}) {
  return {
    kind: "number",
    description,
    exclusiveMin: 0,
    ...extra,
  } as NumberField;
}

function nonNegative(description: string): NumberField {
  return { kind: "number", description, min: 0 };
}

function share(description: string, value: number): NumberField {
  return positive(description, { max: 1, default: value });
}

/** Data types of weights and KV cache. */
export const DTYPES: readonly string[] = [
  "fp32",
  "bf16",
  "fp16",
  "fp8",
  "int8",
  "fp4",
];

const GPU_INLINE: ObjectField = {
  kind: "object",
  description: "A GPU defined inline (figures from its datasheet, dense).",
  fields: {
    name: {
      kind: "string",
      description: "A name for reports.",
      default: "custom GPU",
    },
    memory_bytes: positive("Memory per GPU, bytes.", { required: true }),
    memory_bandwidth_bytes_per_s: positive(
      "Memory bandwidth, bytes per second.",
      {
        required: true,
      },
    ),
    flops_per_s: {
      kind: "object",
      description:
        "Dense FLOP/s by data type (no sparsity); give at least the weight type's.",
      fields: Object.fromEntries(
        [...DTYPES, "tf32"].map((t) => [t, positive(`${t} FLOP/s.`)]),
      ),
    },
    interconnect_bytes_per_s: positive(
      "GPU-to-GPU bandwidth within a node, bytes per second, both directions " +
        "together (as NVLink datasheets state it).",
      { required: true },
    ),
  },
};

const MODEL_INLINE: ObjectField = {
  kind: "object",
  description: "A model defined inline (keys as in its config.json).",
  fields: {
    name: {
      kind: "string",
      description: "A name for reports.",
      default: "custom model",
    },
    num_layers: wholeNumber("num_hidden_layers."),
    hidden_size: wholeNumber("hidden_size."),
    num_attention_heads: wholeNumber("num_attention_heads."),
    num_kv_heads: wholeNumber("num_key_value_heads (= heads without GQA)."),
    head_dim: wholeNumber("Dimension of one attention head."),
    ffn_size: wholeNumber(
      "intermediate_size of the dense FFN (of an expert in MoE).",
    ),
    gated_ffn: {
      kind: "boolean",
      description: "Whether the FFN is gated (SwiGLU: 3 matrices) or not (2).",
      default: true,
    },
    vocab_size: wholeNumber("vocab_size."),
    tied_embeddings: {
      kind: "boolean",
      description: "Whether the LM head shares the embedding matrix.",
      default: false,
    },
    max_context: {
      kind: "number",
      description: "Context length (max_position_embeddings); the default " +
        "scheduler.max_model_len.",
      integer: true,
      min: 2,
    },
    num_experts: {
      kind: "number",
      description: "MoE: routed experts per layer (0: dense).",
      integer: true,
      min: 0,
      default: 0,
    },
    active_experts: {
      kind: "number",
      description: "MoE: routed experts per token.",
      integer: true,
      min: 1,
    },
    expert_ffn_size: {
      kind: "number",
      description: "MoE: intermediate size of one expert (default ffn_size).",
      integer: true,
      min: 1,
    },
    shared_experts: {
      kind: "number",
      description: "MoE: always-active shared experts per layer.",
      integer: true,
      min: 0,
    },
    dense_layers: {
      kind: "number",
      description: "MoE: leading layers with a dense FFN.",
      integer: true,
      min: 0,
    },
    kv_cache_dim_per_layer: {
      kind: "number",
      description:
        "MLA: cached elements per token and layer (kv_lora_rank + rope dim), " +
        "replacing 2 x KV heads x head dim.",
      integer: true,
      min: 1,
    },
  },
};

/** Batch scheduling of batched instances (also per pool in disagg). */
const SCHEDULER: ObjectField = {
  kind: "object",
  description: "Batch scheduling of `batching: continuous` instances.",
  fields: {
    policy: {
      kind: "enum",
      description: "`prefill_first` (whole prompts first; decodes stall), " +
        "`decode_first` (decodes, then whole prompts in the budget), " +
        "`chunked` (decodes, then prompt chunks in the budget). Default: " +
        "the engine's (vllm-v0 prefill_first, otherwise chunked).",
      values: ["prefill_first", "decode_first", "chunked"],
    },
    max_num_seqs: {
      kind: "number",
      description:
        "Most requests in one iteration's batch. Default: the engine's " +
        "(vllm-v1 1024 on GPUs of 70 GiB or more other than the A100, " +
        "otherwise 256).",
      integer: true,
      min: 1,
    },
    max_num_batched_tokens: {
      kind: "number",
      description:
        "Most tokens (prefill plus decode) in one iteration. Default: the " +
        "engine's (vllm-v0 max(max_model_len, 2048); vllm-v1 8192 on GPUs " +
        "of 70 GiB or more other than the A100; otherwise 2048).",
      integer: true,
      min: 1,
    },
    iteration_overhead_s: {
      kind: "number",
      description: "Fixed cost of every iteration, seconds: another name for " +
        "`engine.iteration_s` (give one of them).",
      min: 0,
    },
    request_overhead_s: {
      kind: "number",
      description: "Fixed time from a request's arrival to its reaching an " +
        "instance, seconds: another name for `engine.request_s` (give one " +
        "of them).",
      min: 0,
    },
    max_model_len: {
      kind: "number",
      description:
        "Longest request (prompt plus output tokens) the engine serves, " +
        "vLLM's max_model_len. Default: the model's context length when " +
        "`hardware` is given, else no limit. Longer requests are handled " +
        "as `on_overlong` says.",
      integer: true,
      min: 2,
    },
    on_overlong: {
      kind: "enum",
      description:
        "A request longer than max_model_len: `reject` (the engine refuses " +
        "it, as vLLM's API server does; counted in `rejected_requests`) or " +
        "`error` (an input error).",
      values: ["reject", "error"],
      default: "reject",
    },
    router: {
      kind: "enum",
      description: "How arrivals are spread over instances.",
      values: [
        "round_robin",
        "least_outstanding",
        "least_kv",
        "power_of_two",
        "prefix_aware",
      ],
      default: "least_outstanding",
    },
  },
};

/** The GPU and model (also per pool in disagg). */
const HARDWARE: ObjectField = {
  kind: "object",
  description: "The GPU and model that instances run: for `step_time.kind: " +
    "roofline`, and to size the KV cache and KV transfers when their " +
    "keys are not given.",
  optional: true,
  fields: {
    gpu: {
      kind: "catalog",
      description: "A catalog GPU by name, or a mapping defining one.",
      values: Object.keys(GPUS),
      inline: GPU_INLINE,
      required: true,
    },
    model: {
      kind: "catalog",
      description: "A catalog model by name, or a mapping defining one.",
      values: Object.keys(MODELS),
      inline: MODEL_INLINE,
      required: true,
    },
    weight_dtype: {
      kind: "enum",
      description:
        "Weight data type; matrix multiplies run at the GPU's FLOP/s for it.",
      values: DTYPES,
      default: "bf16",
    },
    kv_dtype: {
      kind: "enum",
      description: "KV-cache data type.",
      values: DTYPES,
      default: "bf16",
    },
    gpu_memory_utilization: share(
      "Share of GPU memory the engine uses (vLLM's default 0.9).",
      0.9,
    ),
    reserved_bytes: {
      kind: "number",
      description:
        "Bytes per GPU outside PyTorch's allocator (CUDA context, cuBLAS " +
        "and NCCL workspaces), kept from the KV cache; doubled under TP " +
        "for all-reduce buffers. Default 1.79 GiB, vLLM's logged figure " +
        "for Llama-3-8B on an H100 (PR #10511).",
      min: 0,
      default: 1.79 * 2 ** 30,
    },
  },
};

/** The step-time model (also per pool in disagg). */
const STEP_TIME: ObjectField = {
  kind: "object",
  description: "How long a `batching: continuous` iteration takes.",
  fields: {
    kind: {
      kind: "enum",
      description:
        "`rate`: from the clusters' tokens-per-second figures (a prefill " +
        "costs tokens / prefill rate, a decode step 1 / decode rate). " +
        "`roofline`: from `hardware` (max of compute and memory time, " +
        "plus all-reduce). `table`: interpolated in measured step times " +
        "(`table_file`).",
      values: ["rate", "roofline", "table"],
      default: "rate",
    },
    table_file: {
      kind: "string",
      description:
        "`table`: CSV of measured step times with columns prefill_tokens, " +
        "decode_batch, context_tokens, step_s (a full grid) and, " +
        "optionally, prefill_attended_tokens (the attention term), " +
        "relative to the scenario file.",
    },
    compute_efficiency: positive(
      "`roofline`: share of the GPU's dense FLOP/s achieved. Default: " +
        "the engine's figure for the weight data type.",
      { max: 1 },
    ),
    memory_efficiency: positive(
      "`roofline`: share of the memory bandwidth achieved. Default: the " +
        "engine's figure.",
      { max: 1 },
    ),
    interconnect_efficiency: share(
      "`roofline`: share of the interconnect bandwidth achieved.",
      0.7,
    ),
    all_reduce_latency_s: {
      kind: "number",
      description: "`roofline`: fixed latency of one all-reduce, seconds.",
      min: 0,
      default: 10e-6,
    },
  },
};

/** The KV cache of each instance. */
const KV_CACHE: ObjectField = {
  kind: "object",
  description: "KV cache of each `batching: continuous` instance.",
  fields: {
    capacity_tokens: {
      kind: "number",
      description:
        "KV-cache capacity of one instance, in tokens. Default: from " +
        "`hardware` when given (free memory after weights and reserve " +
        "over KV bytes per token), else 131072.",
      integer: true,
      min: 1,
    },
    block_size: {
      kind: "number",
      description: "Tokens per KV block (vLLM's default is 16).",
      integer: true,
      min: 1,
      default: 16,
    },
    prefix_caching: {
      kind: "boolean",
      description:
        "Keep finished prompts' prefix blocks (trace `hash_ids`, a " +
        "class's shared prefix) in an LRU cache inside the KV capacity; " +
        "a request whose prompt starts with cached blocks skips their " +
        "prefill. Reports `prefix_cache_hit_rate`.",
      default: false,
    },
  },
};

/** The serving engine's own time (lib/perf/engine.ts). */
const ENGINE: ObjectField = {
  kind: "object",
  description:
    "The serving engine's own time on top of the step-time model's GPU " +
    "work, per iteration and per request, and the share of peak its " +
    "kernels reach. `preset` names a measured engine; any other key " +
    "overrides one of its values.",
  fields: {
    preset: {
      kind: "enum",
      description:
        "The engine: `vllm-v0` (vLLM before V1, 2023-24), `vllm-v1`, " +
        "`sglang`, `trtllm`, or `none` (no engine time: the roofline's " +
        "upper bound on speed). Default: `" + DEFAULT_ENGINE_PRESET + "`.",
      values: Object.keys(ENGINE_PRESETS),
    },
    iteration_s: nonNegative("Fixed cost of every iteration, seconds."),
    per_layer_s: nonNegative(
      "Per layer and iteration: the floor of the small kernels (norms, " +
        "rotary embedding, activation, adds), seconds.",
    ),
    per_seq_s: nonNegative(
      "Cost per sequence in an iteration's batch, seconds.",
    ),
    per_prefill_seq_s: nonNegative(
      "Extra cost per prompt (or chunk) prefilled in an iteration, seconds.",
    ),
    per_collective_s: nonNegative(
      "Launch and synchronisation of each TP all-reduce (2 per layer, " +
        "tp > 1), seconds.",
    ),
    tp_sync_s: nonNegative(
      "Per iteration under TP (tp > 1): handing the step's inputs to the " +
        "workers and waiting for them, seconds.",
    ),
    tp_sync_per_seq_s: nonNegative(
      "Per iteration under TP, per sequence in the batch and per log2(tp), " +
        "seconds.",
    ),
    request_s: nonNegative(
      "Per request, arrival to reaching the scheduler (HTTP, " +
        "tokenisation), seconds; counts in TTFT.",
    ),
    finish_s: nonNegative(
      "Per request, last token to the end of the response, seconds; " +
        "counts in e2e and TPOT as a client measures them.",
    ),
    compute_efficiency: {
      kind: "object",
      description:
        "`roofline`: share of the dense FLOP/s reached, per weight type.",
      optional: true,
      fields: Object.fromEntries(
        DTYPES.map((d) => [d, positive(`${d} matrix multiplies.`, { max: 1 })]),
      ),
    },
    memory_efficiency: positive(
      "`roofline`: share of the memory bandwidth reached.",
      { max: 1 },
    ),
  },
};

/**
 * A section's keys as overrides: no defaults, nothing required, so that only
 * what the user wrote is kept (the rest comes from the top-level section).
 */
function overrides(field: ObjectField, keep?: readonly string[]): ObjectField {
  const fields: Record<string, FieldSpec> = {};
  for (const [key, f] of Object.entries(field.fields)) {
    if (keep && !keep.includes(key)) continue;
    fields[key] = stripDefaults(f);
  }
  return { ...field, fields, optional: true };
}

function stripDefaults(field: FieldSpec): FieldSpec {
  if (field.kind === "object") return overrides(field);
  const { ...copy } = field as FieldSpec & {
    default?: unknown;
    required?: boolean;
  };
  delete copy.default;
  delete copy.required;
  return copy as FieldSpec;
}

/** Keys of the scheduler that a disagg pool may set for itself. */
export const POOL_SCHEDULER_KEYS: readonly string[] = [
  "policy",
  "max_num_seqs",
  "max_num_batched_tokens",
];

/** One disagg pool's own settings, each defaulting to the top-level one. */
function poolField(pool: string): ObjectField {
  return {
    kind: "object",
    description:
      `The ${pool} pool's own settings (heterogeneous GPUs, scheduler ` +
      "limits, step-time model, engine); every key defaults to the " +
      "top-level section's.",
    optional: true,
    fields: {
      hardware: overrides(HARDWARE),
      scheduler: overrides(SCHEDULER, POOL_SCHEDULER_KEYS),
      step_time: overrides(STEP_TIME),
      engine: overrides(ENGINE),
      kv_cache: overrides(KV_CACHE, ["capacity_tokens"]),
    },
  };
}

/** The scenario's keys, with the prototype's defaults. */
export const SCENARIO_SCHEMA: ObjectField = {
  kind: "object",
  description: "An llmsim scenario: workload, cluster and run settings.",
  fields: {
    mode: {
      kind: "enum",
      description:
        "`mono`: colocated GPUs that each serve whole requests. `disagg`: a " +
        "prefill pool then a decode pool.",
      values: ["mono", "disagg"],
      default: "disagg",
    },
    sim_seconds: {
      kind: "number",
      description:
        "Arrival horizon in simulated seconds; requests stop arriving then " +
        "and the system drains.",
      exclusiveMin: 0,
      default: 600,
    },
    warmup_seconds: {
      kind: "number",
      description:
        "Requests arriving before this time are simulated but not measured.",
      min: 0,
      default: 60,
    },
    random_seed: {
      kind: "number",
      description: "Seed of every random stream.",
      integer: true,
      min: 0,
      default: 42,
    },
    batching: {
      kind: "enum",
      description:
        "Serving model. `none`: each GPU serves one request at a time, the " +
        "prototype's exclusive-service model. `continuous`: each GPU is an " +
        "instance with iteration-level batching and a KV cache; see " +
        "`scheduler`, `kv_cache` and, for disagg, `kv_transfer`.",
      values: ["none", "continuous"],
      default: "none",
    },
    scheduler: SCHEDULER,
    slo: {
      kind: "object",
      description:
        "Latency targets. With them the summary adds slo_attainment (share " +
        "of measured requests meeting both) and goodput_rps.",
      optional: true,
      fields: {
        ttft_s: {
          kind: "number",
          description: "Time-to-first-token limit, seconds.",
          exclusiveMin: 0,
          required: true,
        },
        tpot_s: {
          kind: "number",
          description: "Time-per-output-token limit, seconds.",
          exclusiveMin: 0,
          required: true,
        },
      },
    },
    hardware: HARDWARE,
    step_time: STEP_TIME,
    engine: ENGINE,
    kv_cache: KV_CACHE,
    arrival: arrivalField(false),
    prompt_tokens: tokenField("Prompt (input) length distribution."),
    output_tokens: tokenField("Output (generated) length distribution."),
    classes: {
      kind: "array",
      description:
        "Request classes mixed in one workload (chat, code, summarisation, " +
        "...), each with its lengths, SLO and either a share of `arrival` " +
        "(`weight`) or its own `arrival`. Metrics are reported per class " +
        "(`per_class`) and overall.",
      minItems: 1,
      items: {
        kind: "object",
        description: "One request class.",
        fields: {
          name: {
            kind: "string",
            description: "The class's name in reports.",
            required: true,
          },
          weight: positive(
            "Share of the top-level `arrival` process's requests (relative " +
              "to the other weighted classes).",
          ),
          arrival: arrivalField(true),
          prompt_tokens: tokenField(
            "Prompt lengths of the class (default: the top-level ones).",
            true,
          ),
          output_tokens: tokenField(
            "Output lengths of the class (default: the top-level ones).",
            true,
          ),
          slo: {
            kind: "object",
            description: "The class's latency targets (default: `slo`).",
            optional: true,
            fields: {
              ttft_s: positive("Time-to-first-token limit, seconds.", {
                required: true,
              }),
              tpot_s: positive("Time-per-output-token limit, seconds.", {
                required: true,
              }),
            },
          },
          shared_prefix_tokens: {
            kind: "number",
            description:
              "Leading prompt tokens every request of the class shares (a " +
              "system prompt), which a prefix cache can reuse.",
            integer: true,
            min: 0,
            default: 0,
          },
        },
      },
    },
    trace: {
      kind: "object",
      description:
        "Replay a request trace instead of generating arrivals and lengths " +
        "(`arrival`, `prompt_tokens`, `output_tokens` and `classes` are then " +
        "not used). The file is streamed: memory does not grow with it.",
      optional: true,
      fields: {
        file: {
          kind: "string",
          description: "The trace, relative to the scenario file.",
          required: true,
        },
        format: {
          kind: "enum",
          description:
            "`azure` (Azure LLM inference trace 2023 CSV), `mooncake` " +
            "(JSON lines with hash_ids), `burstgpt` (CSV; failed requests, " +
            "with 0 response tokens, are skipped and counted), or `csv` / " +
            "`jsonl` with a `columns` mapping.",
          values: TRACE_FORMATS,
        },
        columns: {
          kind: "object",
          description: "`csv` / `jsonl`: which column or key holds each field.",
          optional: true,
          fields: {
            timestamp: {
              kind: "string",
              description: "Arrival time.",
              required: true,
            },
            prompt_tokens: {
              kind: "string",
              description: "Prompt length.",
              required: true,
            },
            output_tokens: {
              kind: "string",
              description: "Output length.",
              required: true,
            },
            hash_ids: {
              kind: "string",
              description: "Prefix block ids (a JSON list), optional.",
            },
          },
        },
        timestamp_unit: {
          kind: "enum",
          description:
            "`csv` / `jsonl`: unit of the timestamps (`datetime`: text like " +
            "`2023-11-16 18:17:03.9799600`).",
          values: ["s", "ms", "us", "datetime"],
        },
        time_scale: positive("Replay this many times faster."),
        target_rate_per_s: positive(
          "Instead of time_scale: scale time so the mean rate is this.",
        ),
        start_s: {
          kind: "number",
          description: "Window start, trace seconds after its first row.",
          min: 0,
        },
        end_s: positive(
          "Window end (exclusive), trace seconds after its first row.",
        ),
        max_rows: {
          kind: "number",
          description: "Replay at most this many rows.",
          integer: true,
          min: 1,
        },
        spread_s: positive(
          "Timestamps come in buckets of this width (Mooncake's conversation " +
            "trace: 3): spread each bucket's rows evenly across it.",
        ),
        on_bad_row: {
          kind: "enum",
          description:
            "`error` (default: the file and line) or `skip` (counted in " +
            "`trace_skipped_rows`).",
          values: ["error", "skip"],
          default: "error",
        },
      },
    },
    metrics: {
      kind: "object",
      description: "How the summary is computed.",
      fields: {
        percentiles: {
          kind: "enum",
          description:
            "`exact` (default; keeps every request's timeline) or `sketch` " +
            "(within 0.5% relative; memory follows the requests in flight, " +
            "for long traces; no --dump-requests).",
          values: ["exact", "sketch"],
          default: "exact",
        },
      },
    },
    cluster_mono: {
      kind: "object",
      description: "Colocated cluster, used when mode is `mono`.",
      fields: {
        num_gpus: {
          kind: "number",
          description:
            "Number of GPUs. `batching: none`: each serves one request at a " +
            "time. `continuous`: num_gpus / tp batched instances.",
          integer: true,
          min: 1,
          default: 4,
        },
        tp: {
          kind: "number",
          description:
            "`batching: continuous`: GPUs per instance (tensor parallelism); " +
            "must divide num_gpus.",
          integer: true,
          min: 1,
          default: 1,
        },
        prefill_tokens_per_s: {
          kind: "number",
          description:
            "Prompt tokens one GPU (one instance, with tp > 1) processes per " +
            "second.",
          exclusiveMin: 0,
          default: 8000,
        },
        decode_tokens_per_s: {
          kind: "number",
          description: "Output tokens one GPU generates per second.",
          exclusiveMin: 0,
          default: 2000,
        },
      },
    },
    cluster_disagg: {
      kind: "object",
      description: "Disaggregated cluster, used when mode is `disagg`.",
      fields: {
        prefill_gpus: {
          kind: "number",
          description: "GPUs in the prefill pool.",
          integer: true,
          min: 1,
          default: 2,
        },
        decode_gpus: {
          kind: "number",
          description: "GPUs in the decode pool.",
          integer: true,
          min: 1,
          default: 2,
        },
        prefill_tp: {
          kind: "number",
          description:
            "`batching: continuous`: GPUs per prefill instance; must divide " +
            "prefill_gpus.",
          integer: true,
          min: 1,
          default: 1,
        },
        decode_tp: {
          kind: "number",
          description:
            "`batching: continuous`: GPUs per decode instance; must divide " +
            "decode_gpus.",
          integer: true,
          min: 1,
          default: 1,
        },
        prefill_tokens_per_s: {
          kind: "number",
          description: "Prompt tokens one prefill GPU processes per second.",
          exclusiveMin: 0,
          default: 8000,
        },
        decode_tokens_per_s: {
          kind: "number",
          description: "Output tokens one decode GPU generates per second.",
          exclusiveMin: 0,
          default: 2000,
        },
        ttft_at: {
          kind: "enum",
          description:
            "Batched disagg: where TTFT ends. `decode`: the decode " +
            "instance's first token, as a proxy in front of both sees it " +
            "(and as the prototype counts). `prefill`: the prefill " +
            "instance's first token, as DistServe counts it.",
          values: ["decode", "prefill"],
          default: "decode",
        },
        prefill: poolField("prefill"),
        decode: poolField("decode"),
      },
    },
    kv_transfer: {
      kind: "object",
      description:
        "Batched disagg: the link each prefill instance sends KV over.",
      fields: {
        bytes_per_token: {
          kind: "number",
          description:
            "KV bytes per prompt token (2 x layers x KV heads x head dim x " +
            "bytes; Llama-3.1-8B in bf16: 2 x 32 x 8 x 128 x 2 = 131072). " +
            "Default: from `hardware` when given, else 131072.",
          exclusiveMin: 0,
        },
        bandwidth_bytes_per_s: {
          kind: "number",
          description:
            "Link bandwidth, bytes per second (50e9 is a 400 Gb/s NIC).",
          exclusiveMin: 0,
          default: 50e9,
        },
        latency_s: {
          kind: "number",
          description: "Fixed latency of one transfer, seconds.",
          min: 0,
          default: 0.0001,
        },
      },
    },
  },
};
