/**
 * The one definition of every scenario key: its type, range, default and
 * meaning. The validator walks it, and the JSON Schema for editors is made
 * from it, so the two cannot disagree.
 *
 * @module
 */

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
export type FieldSpec = NumberField | EnumField | ObjectField;

/** The token-length modes and the keys each one uses besides `min_value`. */
export const TOKEN_MODE_KEYS: Readonly<Record<string, readonly string[]>> = {
  log: ["mean", "sigma"],
  real_mean_std: ["mean", "std"],
  p50_p90: ["p50", "p90"],
  constant: ["value"],
  exponential: ["mean"],
};

function tokenField(description: string): ObjectField {
  return {
    kind: "object",
    description,
    fields: {
      mode: {
        kind: "enum",
        description:
          "How the lengths are given: `log` (lognormal by its log-space mu " +
          "`mean` and `sigma`; the default), `real_mean_std` (lognormal by " +
          "its real-space `mean` and `std`), `p50_p90` (lognormal by its " +
          "median and 90th percentile), `constant` (`value`), `exponential` " +
          "(`mean`). A sample is max(floor(x), min_value).",
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
    scheduler: {
      kind: "object",
      description: "Batch scheduling of `batching: continuous` instances.",
      fields: {
        policy: {
          kind: "enum",
          description:
            "`prefill_first` (whole prompts first; decodes stall), " +
            "`decode_first` (decodes, then whole prompts in the budget), " +
            "`chunked` (decodes, then prompt chunks in the budget).",
          values: ["prefill_first", "decode_first", "chunked"],
          default: "chunked",
        },
        max_num_seqs: {
          kind: "number",
          description: "Most requests in one iteration's batch.",
          integer: true,
          min: 1,
          default: 256,
        },
        max_num_batched_tokens: {
          kind: "number",
          description: "Most tokens (prefill plus decode) in one iteration.",
          integer: true,
          min: 1,
          default: 2048,
        },
        iteration_overhead_s: {
          kind: "number",
          description: "Fixed cost of every iteration, seconds.",
          min: 0,
          default: 0,
        },
        router: {
          kind: "enum",
          description: "How arrivals are spread over instances.",
          values: [
            "round_robin",
            "least_outstanding",
            "least_kv",
            "power_of_two",
          ],
          default: "least_outstanding",
        },
      },
    },
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
    kv_cache: {
      kind: "object",
      description: "KV cache of each `batching: continuous` instance.",
      fields: {
        capacity_tokens: {
          kind: "number",
          description: "KV-cache capacity of one instance, in tokens.",
          integer: true,
          min: 1,
          default: 131072,
        },
        block_size: {
          kind: "number",
          description: "Tokens per KV block (vLLM's default is 16).",
          integer: true,
          min: 1,
          default: 16,
        },
      },
    },
    arrival: {
      kind: "object",
      description: "Request arrivals (a Poisson process).",
      fields: {
        rate_per_s: {
          kind: "number",
          description: "Mean arrival rate in requests per second.",
          exclusiveMin: 0,
          default: 2,
        },
      },
    },
    prompt_tokens: tokenField("Prompt (input) length distribution."),
    output_tokens: tokenField("Output (generated) length distribution."),
    cluster_mono: {
      kind: "object",
      description: "Colocated cluster, used when mode is `mono`.",
      fields: {
        num_gpus: {
          kind: "number",
          description: "Number of GPUs, each serving one request at a time.",
          integer: true,
          min: 1,
          default: 4,
        },
        prefill_tokens_per_s: {
          kind: "number",
          description: "Prompt tokens one GPU processes per second.",
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
            "bytes; Llama-3.1-8B in bf16: 2 x 32 x 8 x 128 x 2 = 131072).",
          exclusiveMin: 0,
          default: 131072,
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
