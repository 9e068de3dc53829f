/**
 * The one definition of every scenario key: its type, range, default and
 * meaning, in zod. The TypeScript types (lib/scenario/types.ts) are inferred
 * from it, the validator parses with it, and the JSON Schema for editors is
 * generated from it, so the three cannot disagree. The allowed names of
 * every policy (token modes, arrival processes, trace formats, step-time
 * kinds, engine presets, batch policies, routers) come from their
 * registries.
 *
 * @module
 */

import { z } from "../schema/zod.ts";
import { GPUS, MODELS } from "../perf/catalog.ts";
import { HF_MODEL_TYPES } from "../perf/hf_config.ts";
import { DEFAULT_ENGINE_PRESET, ENGINE_PRESETS } from "../perf/engines/mod.ts";
import { BATCH_POLICIES } from "../serving/batch_policies/mod.ts";
import { ROUTERS } from "../serving/routers/mod.ts";
import { QUEUE_ORDERS } from "../serving/queue_orders/mod.ts";
import {
  KV_OFFLOAD_POLICIES,
  KV_TIER_DEFAULTS,
  KV_TIER_NAMES,
} from "../serving/kv_tiers.ts";
import { tokenSchema } from "../workload/token_modes/mod.ts";
import { arrivalSchema } from "../workload/arrivals/mod.ts";
import { durationSchema } from "../workload/durations.ts";
import { traceSchema } from "../workload/trace_formats/mod.ts";
import { datasetSchema } from "../workload/datasets/schema.ts";
import type { DatasetSpec } from "../workload/datasets/spec.ts";
import { STEP_TIME_KINDS, stepTimeKeys } from "./step_time_kinds/mod.ts";
import type { Same } from "../schema/same.ts";
import { parseWith } from "../schema/issues.ts";
import { providePoolSectionCheck } from "./pool_sections.ts";
import type {
  DisaggCluster,
  EngineConfig,
  HardwareConfig,
  KvCacheConfig,
  MonoCluster,
  PoolOverrides,
  RequestClass,
  Scenario,
  SchedulerConfig,
  SessionsConfig,
  SpeculativeSection,
  StepTimeConfig,
} from "./types.ts";

/** Data types of weights and KV cache. */
export const DTYPES = ["fp32", "bf16", "fp16", "fp8", "int8", "fp4"] as const;

function names<T extends string>(list: readonly T[]): [T, ...T[]] {
  return list as unknown as [T, ...T[]];
}

const positive = (description: string) =>
  z.number().positive().describe(description);
const nonNegative = (description: string) =>
  z.number().min(0).describe(description);
const wholeNumber = (description: string, min = 1) =>
  z.number().int().min(min).describe(description);
const share = (description: string) =>
  z.number().positive().max(1).describe(description);

const GPU_INLINE = z.strictObject({
  name: z.string().min(1).default("custom GPU").describe("A name for reports."),
  memory_bytes: positive("Memory per GPU, bytes."),
  memory_bandwidth_bytes_per_s: positive(
    "Memory bandwidth, bytes per second.",
  ),
  flops_per_s: z.strictObject(
    Object.fromEntries(
      [...DTYPES, "tf32"].map((t) => [t, positive(`${t} FLOP/s.`).optional()]),
    ) as Record<(typeof DTYPES)[number] | "tf32", z.ZodOptional<z.ZodNumber>>,
  ).prefault({}).describe(
    "Dense FLOP/s by data type (no sparsity); give at least the weight type's.",
  ),
  interconnect_bytes_per_s: positive(
    "GPU-to-GPU bandwidth within a node, bytes per second, both directions " +
      "together (as NVLink datasheets state it).",
  ),
  gpus_per_node: wholeNumber(
    "GPUs sharing that link (NVLink / Infinity Fabric domain): 8 on an " +
      "HGX/DGX board, 72 in a GB200 NVL72 rack. Default 8.",
  ).optional(),
  scale_out_bytes_per_s: positive(
    "Node-to-node bandwidth per GPU, one direction, bytes per second (a " +
      "400 Gb/s NIC is 50e9). Default 50e9.",
  ).optional(),
}).describe("A GPU defined inline (figures from its datasheet, dense).");

const MODEL_INLINE = z.strictObject({
  name: z.string().min(1).default("custom model").describe(
    "A name for reports.",
  ),
  num_layers: wholeNumber("num_hidden_layers."),
  hidden_size: wholeNumber("hidden_size."),
  num_attention_heads: wholeNumber("num_attention_heads."),
  num_kv_heads: wholeNumber("num_key_value_heads (= heads without GQA)."),
  head_dim: wholeNumber("Dimension of one attention head."),
  ffn_size: wholeNumber(
    "intermediate_size of the dense FFN (of an expert in MoE).",
  ),
  gated_ffn: z.boolean().default(true).describe(
    "Whether the FFN is gated (SwiGLU: 3 matrices) or not (2).",
  ),
  vocab_size: wholeNumber("vocab_size."),
  tied_embeddings: z.boolean().default(false).describe(
    "Whether the LM head shares the embedding matrix.",
  ),
  max_context: wholeNumber(
    "Context length (max_position_embeddings); the default " +
      "scheduler.max_model_len.",
    2,
  ).optional(),
  num_experts: wholeNumber("MoE: routed experts per layer (0: dense).", 0)
    .default(0),
  active_experts: wholeNumber("MoE: routed experts per token.").optional(),
  expert_ffn_size: wholeNumber(
    "MoE: intermediate size of one expert (default ffn_size).",
  ).optional(),
  shared_experts: wholeNumber(
    "MoE: always-active shared experts per layer.",
    0,
  ).optional(),
  dense_layers: wholeNumber("MoE: leading layers with a dense FFN.", 0)
    .optional(),
  kv_cache_dim_per_layer: wholeNumber(
    "MLA: cached elements per token and layer (kv_lora_rank + rope dim), " +
      "replacing 2 x KV heads x head dim.",
  ).optional(),
}).describe("A model defined inline (keys as in its config.json).");

const MODEL_HF_CONFIG = z.strictObject({
  hf_config: z.string().min(1).describe(
    "A Hugging Face config.json (relative to the scenario file; nothing " +
      "is downloaded): the architecture is read from it. Families: " +
      HF_MODEL_TYPES.join(", ") + ".",
  ),
  name: z.string().min(1).optional().describe(
    "A name for reports. Default: the config's _name_or_path, else the " +
      "folder holding config.json (else the file's name).",
  ),
}).describe("A model read from its Hugging Face config.json.");

/** A catalog name, or a mapping defining an entry inline. */
function catalog<S extends z.ZodType>(
  entries: Record<string, unknown>,
  inline: S,
  description: string,
) {
  return z.union([z.enum(names(Object.keys(entries))), inline]).describe(
    description,
  );
}

const SCHEDULER = z.strictObject({
  policy: z.enum(names(BATCH_POLICIES.names)).optional().describe(
    BATCH_POLICIES.entries().map((p) => `\`${p.name}\` (${p.doc})`).join(
      ", ",
    ) +
      ". Default: the engine's (vllm-v0 prefill_first, otherwise chunked).",
  ),
  max_num_seqs: wholeNumber(
    "Most requests in one iteration's batch. Default: the engine's " +
      "(vllm-v1 1024 on GPUs of 70 GiB or more other than the A100, " +
      "otherwise 256).",
  ).optional(),
  max_num_batched_tokens: wholeNumber(
    "Most tokens (prefill plus decode) in one iteration. Default: the " +
      "engine's (vllm-v0 max(max_model_len, 2048); vllm-v1 8192 on GPUs " +
      "of 70 GiB or more other than the A100; otherwise 2048).",
  ).optional(),
  iteration_overhead_s: nonNegative(
    "Fixed cost of every iteration, seconds: another name for " +
      "`engine.iteration_s` (give one of them).",
  ).optional(),
  request_overhead_s: nonNegative(
    "Fixed time from a request's arrival to its reaching an instance, " +
      "seconds: another name for `engine.request_s` (give one of them).",
  ).optional(),
  pp_microbatches: wholeNumber(
    "With pipeline parallelism (pp > 1): micro-batches each iteration's " +
      "batch is cut into (at most one per sequence). Default: pp.",
  ).optional(),
  max_model_len: wholeNumber(
    "Longest request (prompt plus output tokens) the engine serves, " +
      "vLLM's max_model_len. Default: the model's context length when " +
      "`hardware` is given, else no limit. Longer requests are handled " +
      "as `on_overlong` says.",
    2,
  ).optional(),
  on_overlong: z.enum(["reject", "error"]).default("reject").describe(
    "A request longer than max_model_len: `reject` (the engine refuses " +
      "it, as vLLM's API server does; counted in `rejected_requests`) or " +
      "`error` (an input error).",
  ),
  router: z.enum(names(ROUTERS.names)).default("least_outstanding").describe(
    "How arrivals are spread over instances: " +
      ROUTERS.entries().map((r) => `\`${r.name}\` (${r.doc})`).join(", ") +
      ".",
  ),
  scheduling_policy: z.enum(names(QUEUE_ORDERS.names)).optional().describe(
    "The order of each instance's waiting queue (vLLM's " +
      "--scheduling-policy; a different dimension from `policy`, which " +
      "composes batches): " +
      QUEUE_ORDERS.entries().map((o) => `\`${o.name}\` (${o.doc})`).join(
        ", ",
      ) + ". Default: `fcfs`.",
  ),
  sjf_key: z.enum(["prompt", "predicted_output"]).optional().describe(
    "`scheduling_policy: sjf`: shortest prompt first (`prompt`, the " +
      "default) or shortest predicted output first (`predicted_output`: " +
      "true output x exp(sjf_prediction_error x Z), Z standard normal).",
  ),
  sjf_prediction_error: nonNegative(
    "`sjf_key: predicted_output`: sigma of the predictor's log-normal " +
      "error (default 0: the true output length, an oracle).",
  ).optional(),
}).describe("Batch scheduling of `batching: continuous` instances.");

const HARDWARE = z.strictObject({
  gpu: catalog(
    GPUS,
    GPU_INLINE,
    "A catalog GPU by name, or a mapping defining one.",
  ),
  model: z.union([
    z.enum(names(Object.keys(MODELS))),
    MODEL_INLINE,
    MODEL_HF_CONFIG,
  ]).describe(
    "A catalog model by name, a mapping defining one, or " +
      "`{hf_config: path/to/config.json}` to read one.",
  ),
  weight_dtype: z.enum(DTYPES).default("bf16").describe(
    "Weight data type; matrix multiplies run at the GPU's FLOP/s for it.",
  ),
  kv_dtype: z.enum(DTYPES).default("bf16").describe("KV-cache data type."),
  gpu_memory_utilization: share(
    "Share of GPU memory the engine uses (vLLM's default 0.9).",
  ).default(0.9),
  reserved_bytes: nonNegative(
    "Bytes per GPU outside PyTorch's allocator (CUDA context, cuBLAS " +
      "and NCCL workspaces), kept from the KV cache; doubled under TP " +
      "for all-reduce buffers. Default 1.79 GiB, vLLM's logged figure " +
      "for Llama-3-8B on an H100 (PR #10511).",
  ).default(1.79 * 2 ** 30),
  gpus_per_node: wholeNumber(
    "GPUs per node (one NVLink domain); a parallel group larger than " +
      "this crosses the scale-out network. Default: the GPU's catalog " +
      "figure, else 8.",
  ).optional(),
  scale_out_bytes_per_s: positive(
    "Scale-out (node-to-node) NIC bandwidth per GPU, one direction, " +
      "bytes per second (a 400 Gb/s NIC is 50e9). Default: the GPU's " +
      "catalog figure, else 50e9.",
  ).optional(),
}).describe(
  "The GPU and model that instances run: for `step_time.kind: " +
    "roofline`, and to size the KV cache and KV transfers when their " +
    "keys are not given.",
);

const STEP_TIME = z.strictObject({
  kind: z.enum(names(STEP_TIME_KINDS.names)).default("rate").describe(
    STEP_TIME_KINDS.entries().map((k) => `\`${k.name}\`: ${k.doc}.`).join(
      " ",
    ),
  ),
  ...stepTimeKeys(z),
}).describe("How long a `batching: continuous` iteration takes.");

const KV_TIER = z.strictObject({
  tier: z.enum(names([...KV_TIER_NAMES])).describe(
    "`dram` (host memory over PCIe), `ssd` (local NVMe), `remote` (a " +
      "store over the NIC: the instance's own, or with `shared` one the " +
      "pool shares).",
  ),
  capacity_gib: positive(
    "Capacity per GPU of the instance, GiB (an instance of tp GPUs has " +
      "tp times it); with `shared`, the whole store's.",
  ),
  bandwidth_bytes_per_s: positive(
    "Link bandwidth per GPU, bytes per second, shared by the tier's " +
      "writes and fetches. Default: " +
      KV_TIER_NAMES.map((t) =>
        `${t} ${KV_TIER_DEFAULTS[t].bandwidthBytesPerS / 1e9} GB/s (${
          KV_TIER_DEFAULTS[t].doc
        })`
      ).join(", ") + ".",
  ).optional(),
  latency_s: nonNegative(
    "Fixed latency of each fetch from the tier, seconds (default 0).",
  ).optional(),
  shared: z.boolean().optional().describe(
    "`remote` only, the last tier: one pooled store that every instance " +
      "of the pool shares (Mooncake's store, LMCache's remote backend). " +
      "An entry any instance wrote serves them all, a fetch copies it " +
      "(it stays in the store), a write of an entry the store holds " +
      "moves nothing, and what the store evicts (LRU) is dropped. Each " +
      "instance reaches it over its own link. Default false: a remote " +
      "tier of the instance's own.",
  ),
});

const KV_CACHE = z.strictObject({
  capacity_tokens: wholeNumber(
    "KV-cache capacity of one instance, in tokens. Default: from " +
      "`hardware` when given (free memory after weights and reserve " +
      "over KV bytes per token), else 131072.",
  ).optional(),
  block_size: wholeNumber("Tokens per KV block (vLLM's default is 16).")
    .default(16),
  prefix_caching: z.boolean().default(false).describe(
    "Keep finished prompts' prefix blocks (trace `hash_ids`, a " +
      "class's shared prefix) in an LRU cache inside the KV capacity; " +
      "a request whose prompt starts with cached blocks skips their " +
      "prefill. Reports `prefix_cache_hit_rate`.",
  ),
  offload: z.array(KV_TIER).min(1).optional().describe(
    "Offload tiers below HBM, in order (each kind once; needs " +
      "`prefix_caching`): a prefix entry HBM evicts is written to the " +
      "first, one a full tier evicts (LRU) to the next, and a prompt " +
      "whose prefix a tier holds fetches it or prefills it again " +
      "(`offload_policy`). Reports `kv_offload`.",
  ),
  offload_policy: z.enum(names([...KV_OFFLOAD_POLICIES])).optional()
    .describe(
      "On a prefix found only in an offload tier: `fastest` (default) " +
        "fetches when the fetch (queueing on the tier's link included) " +
        "ends before the prefill of those tokens would, by the pool's " +
        "step-time model; `fetch` always fetches; `recompute` never does.",
    ),
}).describe("KV cache of each `batching: continuous` instance.");

const ACCEPTANCE_RATE = z.number().min(0).max(1);

// Speculative decoding (lib/perf/speculative.ts has the formulas).
const SPECULATIVE = z.strictObject({
  method: z.enum(["draft", "eagle", "mtp"]).describe(
    "Where the k proposals come from: `draft` (a smaller model, " +
      "`draft_model`), `eagle` (a head of `draft_layers` decoder layers of " +
      "the target's width, default 1) or `mtp` (the model's own " +
      "multi-token-prediction layers, `mtp_layers`).",
  ),
  num_tokens: wholeNumber("Tokens proposed per step, k."),
  acceptance: z.union([
    ACCEPTANCE_RATE,
    z.array(ACCEPTANCE_RATE).min(1),
  ]).describe(
    "Acceptance: one rate alpha (each proposal accepted with probability " +
      "alpha when the ones before it were; tokens per step (1 - " +
      "alpha^(k+1)) / (1 - alpha)), or k conditional rates a_1..a_k " +
      "(tokens per step 1 + sum_i prod_{j<=i} a_j).",
  ),
  draft_model: catalog(
    MODELS,
    MODEL_INLINE,
    "`method: draft`: the draft model, a catalog name or a mapping; it " +
      "runs on the target's GPUs at the target's TP and data types.",
  ).optional(),
  draft_layers: wholeNumber(
    "`eagle` / `mtp`: decoder layers of the head (default: eagle 1, mtp " +
      "the model's `mtp_layers`).",
  ).optional(),
}).describe(
  "Speculative decoding (`batching: continuous`, `step_time.kind: " +
    "roofline`): every decode step runs the draft k times and verifies " +
    "k + 1 tokens per sequence as one step of the target; each sequence " +
    "gets 1 + its accepted proposals (seeded draws). In disagg it applies " +
    "to the decode pool.",
);

// Engine presets share one set of keys (each overrides the preset's value),
// so the section is one object whose `preset` names the registry entry
// rather than a union of identical variants.
const ENGINE = z.strictObject({
  preset: z.enum(names([...ENGINE_PRESETS.names])).optional().describe(
    "The engine: " +
      ENGINE_PRESETS.entries().map((p) => `\`${p.name}\` (${p.doc})`).join(
        ", ",
      ) + ". Default: `" + DEFAULT_ENGINE_PRESET + "`.",
  ),
  iteration_s: nonNegative("Fixed cost of every iteration, seconds.")
    .optional(),
  per_layer_s: nonNegative(
    "Per layer and iteration: the floor of the small kernels (norms, " +
      "rotary embedding, activation, adds), seconds.",
  ).optional(),
  per_seq_s: nonNegative("Cost per sequence in an iteration's batch, seconds.")
    .optional(),
  per_prefill_seq_s: nonNegative(
    "Extra cost per prompt (or chunk) prefilled in an iteration, seconds.",
  ).optional(),
  per_collective_s: nonNegative(
    "Launch and synchronisation of each TP all-reduce (2 per layer, " +
      "tp > 1), seconds.",
  ).optional(),
  tp_sync_s: nonNegative(
    "Per iteration under TP (tp > 1): handing the step's inputs to the " +
      "workers and waiting for them, seconds.",
  ).optional(),
  tp_sync_per_seq_s: nonNegative(
    "Per iteration under TP, per sequence in the batch and per log2(tp), " +
      "seconds.",
  ).optional(),
  request_s: nonNegative(
    "Per request, arrival to reaching the scheduler (HTTP, " +
      "tokenisation), seconds; counts in TTFT.",
  ).optional(),
  finish_s: nonNegative(
    "Per request, last token to the end of the response, seconds; " +
      "counts in e2e and TPOT as a client measures them.",
  ).optional(),
  compute_efficiency: z.strictObject(
    Object.fromEntries(
      DTYPES.map((d) => [d, share(`${d} matrix multiplies.`).optional()]),
    ) as Record<(typeof DTYPES)[number], z.ZodOptional<z.ZodNumber>>,
  ).optional().describe(
    "`roofline`: share of the dense FLOP/s reached, per weight type.",
  ),
  memory_efficiency: share(
    "`roofline`: share of the memory bandwidth reached.",
  ).optional(),
}).describe(
  "The serving engine's own time on top of the step-time model's GPU " +
    "work, per iteration and per request, and the share of peak its " +
    "kernels reach. `preset` names a measured engine; any other key " +
    "overrides one of its values.",
);

/**
 * The sections a disagg pool may set for itself, as the top level has
 * them (defaults included): a pool's merged section is checked with these.
 */
export const POOL_SECTIONS = {
  hardware: HARDWARE,
  scheduler: SCHEDULER,
  step_time: STEP_TIME,
  engine: ENGINE,
  kv_cache: KV_CACHE,
  speculative: SPECULATIVE,
} as const;

// A pool's merged sections are checked with these (lib/scenario/pool_sections.ts
// says why the check is handed over rather than imported).
providePoolSectionCheck((key, merged, path) =>
  parseWith(POOL_SECTIONS[key], merged, path) as Record<string, unknown>
);

// deno-lint-ignore no-explicit-any
type AnyDef = any;

/**
 * A section's keys as overrides: no defaults, nothing required, so that
 * only what the user wrote is kept (the rest comes from the top level).
 */
// A key's schema without its default (and not required).
type Unwrapped<S> = S extends z.ZodDefault<infer I> ? I
  : S extends z.ZodPrefault<infer I> ? I
  : S extends z.ZodOptional<infer I> ? I
  : S;

type Overrides<T extends z.ZodRawShape> = z.ZodOptional<
  z.ZodObject<
    { [K in keyof T]: z.ZodOptional<Unwrapped<T[K]>> },
    z.core.$strict
  >
>;

function overrides<T extends z.ZodRawShape>(
  section: z.ZodObject<T>,
  keep?: readonly (keyof T & string)[],
): Overrides<T> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(section.shape)) {
    if (keep && !keep.includes(key)) continue;
    shape[key] = stripDefault(field as z.ZodType).optional();
  }
  return z.strictObject(shape).optional().describe(
    section.description ?? "",
  ) as unknown as Overrides<T>;
}

function stripDefault(field: z.ZodType): z.ZodType {
  let f = field;
  for (;;) {
    const def = (f as AnyDef)._zod.def;
    if (
      def.type === "default" || def.type === "prefault" ||
      def.type === "optional"
    ) {
      f = def.innerType;
      continue;
    }
    if (def.type === "object") return overrides(f as z.ZodObject).unwrap();
    return f;
  }
}

/** Keys of the scheduler that a disagg pool may set for itself. */
export const POOL_SCHEDULER_KEYS = [
  "policy",
  "max_num_seqs",
  "max_num_batched_tokens",
  "pp_microbatches",
] as const;

function poolSection(pool: string) {
  return z.strictObject({
    hardware: overrides(HARDWARE),
    scheduler: overrides(SCHEDULER, POOL_SCHEDULER_KEYS),
    step_time: overrides(STEP_TIME),
    engine: overrides(ENGINE),
    kv_cache: overrides(KV_CACHE, [
      "capacity_tokens",
      "offload",
      "offload_policy",
    ]),
    speculative: overrides(SPECULATIVE),
  }).optional().describe(
    `The ${pool} pool's own settings (heterogeneous GPUs, scheduler ` +
      "limits, step-time model, engine); every key defaults to the " +
      "top-level section's.",
  );
}

// The pipeline, expert and DP-attention degrees of a pool (`pp`, or
// `prefill_pp` / `decode_pp` in disagg): lib/perf/parallel.ts.
function parallelKeys<P extends "" | "prefill_" | "decode_">(prefix: P) {
  const pool = prefix === ""
    ? "an instance"
    : `a ${prefix.slice(0, -1)} instance`;
  return {
    [`${prefix}pp`]: wholeNumber(
      `\`batching: continuous\`: pipeline stages of ${pool} (at most the ` +
        "model's layers; `step_time.kind: roofline`).",
    ).default(1),
    [`${prefix}ep`]: wholeNumber(
      `\`batching: continuous\`: expert parallelism of ${pool}: the GPUs ` +
        "of a pipeline stage over which the routed experts are split " +
        "(must divide tp x dp_attention and the model's experts; the rest " +
        "is TP inside each expert; MoE models, `roofline`).",
    ).default(1),
    [`${prefix}dp_attention`]: wholeNumber(
      `\`batching: continuous\`: data-parallel attention ranks of ${pool}, ` +
        "each of tp GPUs with its own share of the batch and its own KV " +
        "cache (the scheduler limits are per rank; MoE models, `roofline`).",
    ).default(1),
  } as {
    [K in `${P}pp` | `${P}ep` | `${P}dp_attention`]: z.ZodDefault<z.ZodNumber>;
  };
}

const SLO_KEYS = {
  ttft_s: positive("Time-to-first-token limit, seconds."),
  tpot_s: positive("Time-per-output-token limit, seconds."),
};

const REQUEST_CLASS = z.strictObject({
  name: z.string().min(1).describe("The class's name in reports."),
  weight: positive(
    "Share of the top-level `arrival` process's requests (relative " +
      "to the other weighted classes).",
  ).optional(),
  arrival: arrivalSchema({ topLevel: false }).optional(),
  prompt_tokens: tokenSchema(
    "Prompt lengths of the class (default: the top-level ones).",
  ).optional(),
  output_tokens: tokenSchema(
    "Output lengths of the class (default: the top-level ones).",
  ).optional(),
  slo: z.strictObject(SLO_KEYS).optional().describe(
    "The class's latency targets (default: `slo`).",
  ),
  shared_prefix_tokens: wholeNumber(
    "Leading prompt tokens every request of the class shares (a " +
      "system prompt), which a prefix cache can reuse.",
    0,
  ).default(0),
  priority: z.number().int().optional().describe(
    "`scheduler.scheduling_policy: priority`: the class's priority, an " +
      "integer; lower is served first (vLLM's convention). Default 0.",
  ),
  timeout_s: positive(
    "A request of the class that has not started its prefill this long " +
      "after arriving is abandoned, never served (default: " +
      "`admission.timeout_s`, else none).",
  ).optional(),
  rate_limit: z.strictObject({
    rate_per_s: positive("Tokens added to the bucket per second."),
    burst: wholeNumber("Bucket size: most requests accepted at once."),
  }).optional().describe(
    "A token bucket at the gateway: an arrival that finds no token is " +
      "refused (HTTP 429), counted in `rejected_rate_limited`.",
  ),
}).describe("One request class.");

// Multi-turn sessions (chats, agents).
const SESSIONS = z.strictObject({
  turns: tokenSchema(
    "Turns (requests) per session, a whole-number distribution (>= 1).",
  ),
  new_tokens: tokenSchema(
    "Prompt tokens each later turn adds to the context (the user's new " +
      "message or a tool's result; default: the class's prompt lengths).",
  ).optional(),
  think_time_s: durationSchema(
    z,
    "time between a turn's response and the next turn",
  ).default(0),
}).describe(
  "Multi-turn sessions: each arrival starts a session whose first turn " +
    "is a request as without sessions; each later turn is sent " +
    "think_time_s after the previous response ends, and its prompt is " +
    "the whole context so far (earlier prompts and outputs) plus " +
    "new_tokens, so a prefix cache can reuse it.",
);

/** The scenario's keys, with the prototype's defaults. */
export const SCENARIO_SCHEMA = z.strictObject({
  mode: z.enum(["mono", "disagg"]).default("disagg").describe(
    "`mono`: colocated GPUs that each serve whole requests. `disagg`: a " +
      "prefill pool then a decode pool.",
  ),
  sim_seconds: positive(
    "Arrival horizon in simulated seconds; requests stop arriving then " +
      "and the system drains.",
  ).default(600),
  warmup_seconds: nonNegative(
    "Requests arriving before this time are simulated but not measured.",
  ).default(60),
  random_seed: wholeNumber("Seed of every random stream.", 0).default(42),
  num_requests: wholeNumber(
    "Stop after this many requests are sent (vllm bench serve's " +
      "--num-prompts); with it, sim_seconds applies only if given (then " +
      "arrivals stop at whichever comes first) and the measured window " +
      "runs from the first measured request's sending to the last " +
      "response's end.",
  ).optional(),
  warmup_requests: wholeNumber(
    "With num_requests: the first this many requests are warm-up, " +
      "simulated but not measured (instead of warmup_seconds).",
    0,
  ).optional(),
  max_concurrency: wholeNumber(
    "Most requests in flight from the client (vllm bench serve's " +
      "--max-concurrency): an arrival that finds them all in flight waits " +
      "until a response ends, then is sent. Open-loop arrivals only.",
  ).optional(),
  client_wait_in_ttft: z.boolean().default(false).describe(
    "With max_concurrency: count the wait for a free slot in TTFT and " +
      "E2E (latency from the scheduled arrival). Default false: from the " +
      "sending, as vllm bench serve measures.",
  ),
  sessions: SESSIONS.optional(),
  batching: z.enum(["none", "continuous"]).default("none").describe(
    "Serving model. `none`: each GPU serves one request at a time, the " +
      "prototype's exclusive-service model. `continuous`: each GPU is an " +
      "instance with iteration-level batching and a KV cache; see " +
      "`scheduler`, `kv_cache` and, for disagg, `kv_transfer`.",
  ),
  scheduler: SCHEDULER.prefault({}),
  slo: z.strictObject(SLO_KEYS).optional().describe(
    "Latency targets. With them the summary adds slo_attainment (share " +
      "of measured requests meeting both) and goodput_rps.",
  ),
  hardware: HARDWARE.optional(),
  step_time: STEP_TIME.prefault({}),
  engine: ENGINE.prefault({}),
  kv_cache: KV_CACHE.prefault({}),
  speculative: SPECULATIVE.optional(),
  arrival: arrivalSchema({ topLevel: true }),
  prompt_tokens: tokenSchema("Prompt (input) length distribution.").prefault({
    mode: "log",
  }),
  output_tokens: tokenSchema("Output (generated) length distribution.")
    .prefault({ mode: "log" }),
  classes: z.array(REQUEST_CLASS).min(1).optional().describe(
    "Request classes mixed in one workload (chat, code, summarisation, " +
      "...), each with its lengths, SLO and either a share of `arrival` " +
      "(`weight`) or its own `arrival`. Metrics are reported per class " +
      "(`per_class`) and overall.",
  ),
  trace: traceSchema.optional(),
  dataset: datasetSchema.optional(),
  admission: z.strictObject({
    max_waiting_requests: wholeNumber(
      "`batching: continuous`: an arrival that finds this many requests " +
        "waiting to be scheduled, summed over the pool it enters (the " +
        "prefill pool in disagg), is refused at once (HTTP 503), " +
        "counted in `rejected_queue_full`.",
    ).optional(),
    timeout_s: positive(
      "`batching: continuous`: the timeout of classes without their own " +
        "`timeout_s` (see there).",
    ).optional(),
  }).optional().describe(
    "Admission control at the gateway. Refused and abandoned requests " +
      "are counted by reason, overall and per class, and count as SLO " +
      "misses in slo_attainment.",
  ),
  metrics: z.strictObject({
    percentiles: z.enum(["auto", "exact", "sketch"]).default("auto").describe(
      "`auto` (default: exact until their samples would take 424 MiB, " +
        "6.7-13 million measured requests, then a sketch, with a " +
        "notice), `exact` (always) or `sketch` (within 0.5% relative; " +
        "memory follows the requests in flight, for long traces; no " +
        "--dump-requests).",
    ),
  }).prefault({}).describe("How the summary is computed."),
  cluster_mono: z.strictObject({
    num_gpus: wholeNumber(
      "Number of GPUs. `batching: none`: each serves one request at a " +
        "time. `continuous`: num_gpus / tp batched instances.",
    ).default(4),
    tp: wholeNumber(
      "`batching: continuous`: tensor-parallel degree; GPUs per instance " +
        "are tp x pp x dp_attention, which must divide num_gpus.",
    ).default(1),
    ...parallelKeys(""),
    prefill_tokens_per_s: positive(
      "Prompt tokens one GPU (one instance, with tp > 1) processes per " +
        "second.",
    ).default(8000),
    decode_tokens_per_s: positive(
      "Output tokens one GPU generates per second.",
    ).default(2000),
  }).prefault({}).describe("Colocated cluster, used when mode is `mono`."),
  cluster_disagg: z.strictObject({
    prefill_gpus: wholeNumber("GPUs in the prefill pool.").default(2),
    decode_gpus: wholeNumber("GPUs in the decode pool.").default(2),
    prefill_tp: wholeNumber(
      "`batching: continuous`: GPUs per prefill instance; must divide " +
        "prefill_gpus.",
    ).default(1),
    decode_tp: wholeNumber(
      "`batching: continuous`: GPUs per decode instance; must divide " +
        "decode_gpus.",
    ).default(1),
    ...parallelKeys("prefill_"),
    ...parallelKeys("decode_"),
    prefill_tokens_per_s: positive(
      "Prompt tokens one prefill GPU processes per second.",
    ).default(8000),
    decode_tokens_per_s: positive(
      "Output tokens one decode GPU generates per second.",
    ).default(2000),
    ttft_at: z.enum(["decode", "prefill"]).default("decode").describe(
      "Batched disagg: where TTFT ends. `decode`: the decode " +
        "instance's first token, as a proxy in front of both sees it " +
        "(and as the prototype counts). `prefill`: the prefill " +
        "instance's first token, as DistServe counts it.",
    ),
    prefill: poolSection("prefill"),
    decode: poolSection("decode"),
  }).prefault({}).describe(
    "Disaggregated cluster, used when mode is `disagg`.",
  ),
  kv_transfer: z.strictObject({
    bytes_per_token: positive(
      "KV bytes per prompt token (2 x layers x KV heads x head dim x " +
        "bytes; Llama-3.1-8B in bf16: 2 x 32 x 8 x 128 x 2 = 131072). " +
        "Default: from `hardware` when given, else 131072.",
    ).optional(),
    bandwidth_bytes_per_s: positive(
      "Link bandwidth, bytes per second (50e9 is a 400 Gb/s NIC).",
    ).default(50e9),
    latency_s: nonNegative("Fixed latency of one transfer, seconds.").default(
      0.0001,
    ),
  }).prefault({}).describe(
    "Batched disagg: the link each prefill instance sends KV over.",
  ),
}).describe("An llmsim scenario: workload, cluster and run settings.");

// The documented types of lib/scenario/types.ts are exactly what the schema
// produces (a step table is the loader's addition): a change to either that
// the other does not follow fails to compile here.
type Out<S extends z.ZodType> = z.output<S>;
const _sameTypes: [
  Same<Out<typeof SCHEDULER>, SchedulerConfig>,
  Same<Out<typeof HARDWARE>, HardwareConfig>,
  Same<Out<typeof STEP_TIME>, Omit<StepTimeConfig, "table">>,
  Same<Out<typeof KV_CACHE>, KvCacheConfig>,
  Same<Out<typeof SPECULATIVE>, SpeculativeSection>,
  Same<Out<typeof ENGINE>, EngineConfig>,
  Same<Out<typeof REQUEST_CLASS>, RequestClass>,
  Same<Out<typeof SESSIONS>, SessionsConfig>,
  Same<Out<typeof SCENARIO_SCHEMA>["cluster_mono"], MonoCluster>,
  Same<
    Omit<Out<typeof SCENARIO_SCHEMA>["cluster_disagg"], "prefill" | "decode">,
    Omit<DisaggCluster, "prefill" | "decode">
  >,
  Same<
    NonNullable<Out<typeof SCENARIO_SCHEMA>["cluster_disagg"]["prefill"]>,
    Omit<PoolOverrides, "step_time"> & {
      step_time?: Omit<Partial<StepTimeConfig>, "table">;
    }
  >,
  Same<
    Omit<
      Out<typeof SCENARIO_SCHEMA>,
      "step_time" | "cluster_disagg" | "dataset"
    >,
    Omit<Scenario, "step_time" | "cluster_disagg" | "dataset">
  >,
  // A dataset's loaded lengths are the loader's addition.
  Same<
    Out<typeof SCENARIO_SCHEMA>["dataset"],
    | Exclude<DatasetSpec, { name: "sharegpt" }>
    | Omit<Extract<DatasetSpec, { name: "sharegpt" }>, "lengths">
    | undefined
  >,
] = [
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
];
void _sameTypes;
