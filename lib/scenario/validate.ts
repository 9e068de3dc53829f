/**
 * Turns untyped input (parsed YAML, a plain object) into a validated
 * {@linkcode Scenario}, filling defaults. Every error names the key path and
 * the offending value.
 *
 * @module
 */

import { checkSpeculative } from "./speculative_checks.ts";
import { InputError, type Path } from "../errors.ts";
import { parseWith } from "../schema/issues.ts";
import { SCENARIO_SCHEMA } from "./schema.ts";
import type {
  KvCacheConfig,
  PoolName,
  PoolOverrides,
  PoolSettings,
  Scenario,
} from "./types.ts";
import { poolKvCapacity, poolSettings } from "./pool_settings.ts";
import { resolveHardware } from "./hardware.ts";
import { type TokenDistribution, tokenMedian } from "../workload/tokens.ts";
import { traceHasSessions } from "../workload/workload.ts";
import { randomBounds } from "../workload/datasets/sampler.ts";
import { STEP_TIME_KINDS } from "./step_time_kinds/mod.ts";
import { checkAdmission } from "./admission_checks.ts";
import {
  checkPoolParallelism,
  type PoolSplit,
  poolSplit,
} from "./parallelism.ts";

/**
 * Validates a scenario and fills in defaults.
 *
 * @param raw Parsed input; `null` or `undefined` means all defaults.
 * @returns The validated scenario.
 * @throws {InputError} On an unknown key, a wrong type or a value out of range.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateScenario } from "./validate.ts";
 * const s = validateScenario({ mode: "mono", arrival: { rate_per_s: 3 } });
 * assert.equal(s.cluster_mono.num_gpus, 4);
 * ```
 */
export function validateScenario(raw: unknown): Scenario {
  // The schema checks every key on its own (and each section's rules);
  // what follows are the rules that span sections.
  const scenario: Scenario = parseWith(SCENARIO_SCHEMA, raw ?? {});
  checkWorkload(scenario);
  checkClients(scenario, (raw ?? {}) as Record<string, unknown>);
  if (scenario.warmup_seconds >= scenario.sim_seconds) {
    throw new InputError(
      `must be < sim_seconds (${scenario.sim_seconds}), got ${scenario.warmup_seconds}`,
      ["warmup_seconds"],
    );
  }
  checkPoolParallelism(scenario);
  if (
    scenario.kv_cache.prefix_caching && 512 % scenario.kv_cache.block_size !== 0
  ) {
    throw new InputError(
      `must divide 512 (the prefix block) with prefix_caching, got ${scenario.kv_cache.block_size}`,
      ["kv_cache", "block_size"],
    );
  }
  checkOffload(scenario);
  checkEngine(scenario);
  checkStepTime(scenario);
  checkSpeculative(scenario);
  checkLengthsFitContext(scenario);
  checkAdmission(scenario);
  return scenario;
}

// Offload tiers: each kind once, and only below a prefix cache (they hold
// its evicted entries). Under batching=none the kv_cache section is warned
// of as a whole.
function checkOffload(scenario: Scenario): void {
  if (scenario.batching === "none") return;
  type Section = [Path, Partial<KvCacheConfig> | undefined];
  const sections: Section[] = [
    [["kv_cache"], scenario.kv_cache],
    ...(["prefill", "decode"] as const).map((p): Section => [
      ["cluster_disagg", p, "kv_cache"],
      scenario.cluster_disagg[p]?.kv_cache,
    ]),
  ];
  for (const [path, kv] of sections) {
    const tiers = kv?.offload;
    if (!tiers) continue;
    if (!scenario.kv_cache.prefix_caching) {
      throw new InputError(
        "needs kv_cache.prefix_caching: true (the tiers hold the prefix cache's evicted entries)",
        [...path, "offload"],
      );
    }
    tiers.forEach((t, k) => {
      if (tiers.findIndex((u) => u.tier === t.tier) < k) {
        throw new InputError(
          `names tier ${t.tier} twice (each kind of tier once)`,
          [...path, "offload", k, "tier"],
        );
      }
      if (t.shared && t.tier !== "remote") {
        throw new InputError(
          `a ${t.tier} tier is the instance's own: only a remote tier can be a pooled store`,
          [...path, "offload", k, "shared"],
        );
      }
      if (t.shared && k !== tiers.length - 1) {
        throw new InputError(
          "a pooled store must be the last tier (what it evicts is dropped)",
          [...path, "offload", k, "shared"],
        );
      }
    });
  }
}

// The client keys: closed loops, count runs, concurrency limits, sessions.
// A count run without sim_seconds has no time horizon, and its warm-up is
// by count unless warmup_seconds is given.
function checkClients(scenario: Scenario, raw: Record<string, unknown>): void {
  const a = scenario.arrival;
  const n = scenario.num_requests;
  const closed = a.process === "closed_loop";
  const fail = (message: string, path: Path): never => {
    throw new InputError(message, path);
  };
  scenario.classes?.forEach((c, k) => {
    if (c.arrival?.process === "closed_loop") {
      fail(
        "a closed loop is the top-level arrival's only (its users send every class's requests)",
        ["classes", k, "arrival", "process"],
      );
    }
    if (c.arrival?.rate_per_s === Infinity) {
      fail("inf is the top-level arrival's only", [
        "classes",
        k,
        "arrival",
        "rate_per_s",
      ]);
    }
  });
  if (n === undefined) {
    if (scenario.warmup_requests !== undefined) {
      fail("needs num_requests (a count run)", ["warmup_requests"]);
    }
    if (a.rate_per_s === Infinity) {
      fail(
        "inf sends every request at time 0: give num_requests to say how many",
        ["arrival", "rate_per_s"],
      );
    }
  } else {
    if (scenario.trace) {
      fail(
        "a trace replay stops at the trace's end or sim_seconds; num_requests is for generated requests",
        ["num_requests"],
      );
    }
    if (scenario.sessions) {
      fail(
        "sessions run until sim_seconds (a session's turns are not a count); leave num_requests out",
        ["num_requests"],
      );
    }
    const w = scenario.warmup_requests;
    if (w !== undefined && raw.warmup_seconds !== undefined) {
      fail("give warmup_requests or warmup_seconds, not both", [
        "warmup_requests",
      ]);
    }
    if (w !== undefined && w >= n) {
      fail(`must be < num_requests (${n}), got ${w}`, ["warmup_requests"]);
    }
    if (raw.sim_seconds === undefined) scenario.sim_seconds = Infinity;
    if (raw.warmup_seconds === undefined) scenario.warmup_seconds = 0;
  }
  const needsBatching = closed || scenario.sessions !== undefined ||
    scenario.max_concurrency !== undefined;
  if (needsBatching && scenario.batching !== "continuous") {
    fail(
      "closed loops, sessions and max_concurrency need batching: continuous",
      ["batching"],
    );
  }
  if (scenario.max_concurrency !== undefined && closed) {
    fail(
      "a closed loop's users are its concurrency (arrival.concurrency); leave max_concurrency out",
      ["max_concurrency"],
    );
  }
  if (scenario.max_concurrency !== undefined && scenario.sessions) {
    fail(
      "a client limit over sessions' turns is not modelled; leave max_concurrency out",
      ["max_concurrency"],
    );
  }
  if (scenario.sessions && closed) {
    fail(
      "sessions start at the arrival process's times; a closed loop has none",
      ["sessions"],
    );
  }
  const replayed = scenario.trace !== undefined &&
    traceHasSessions(scenario.trace);
  if (replayed && scenario.batching !== "continuous") {
    fail(
      "sessions replayed from trace.columns.session_id need batching: continuous",
      ["batching"],
    );
  }
  if (replayed && scenario.max_concurrency !== undefined) {
    fail(
      "a client limit over sessions' turns is not modelled; leave max_concurrency out",
      ["max_concurrency"],
    );
  }
  if (scenario.sessions && scenario.trace) {
    fail(
      "synthetic sessions draw their turns; a trace replays its own requests",
      ["sessions"],
    );
  }
}

// A distribution whose median prompt (or prompt plus output) is past the
// model's context would have most requests refused: not what anyone means.
function checkLengthsFitContext(scenario: Scenario): void {
  if (
    scenario.trace || scenario.dataset || scenario.batching !== "continuous"
  ) return;
  const limit = poolSettings(
    scenario,
    scenario.mode === "mono" ? "gpu" : "prefill",
  ).maxModelLen;
  if (limit === undefined) return;
  const median = (d: TokenDistribution | undefined): number =>
    d ? tokenMedian(d) : 0;
  const groups: [Path, TokenDistribution, TokenDistribution][] = [];
  const classes = scenario.classes;
  if (!classes || classes.some((c) => !c.prompt_tokens || !c.output_tokens)) {
    groups.push([[], scenario.prompt_tokens, scenario.output_tokens]);
  }
  classes?.forEach((c, k) =>
    groups.push([
      ["classes", k],
      c.prompt_tokens ?? scenario.prompt_tokens,
      c.output_tokens ?? scenario.output_tokens,
    ])
  );
  for (const [path, prompt, output] of groups) {
    const p = median(prompt), o = median(output);
    if (p + o > limit) {
      const key = p > limit ? "prompt_tokens" : "output_tokens";
      throw new InputError(
        `the median request (${Math.round(p)} prompt + ${
          Math.round(o)
        } output tokens) exceeds the context limit max_model_len (${limit}), so most requests would be refused${
          (key === "prompt_tokens" ? prompt : output).mode === "log"
            ? "; in mode log (the default) mean and sigma are of ln(tokens): for tokens write mode: real_mean_std"
            : ""
        }`,
        [...path, key],
      );
    }
  }
}

// The scheduler's older names for two engine values: one name each.
function checkEngine(scenario: Scenario): void {
  const aliases = [
    ["iteration_overhead_s", "iteration_s"],
    ["request_overhead_s", "request_s"],
  ] as const;
  for (const [old, key] of aliases) {
    if (
      scenario.scheduler[old] !== undefined &&
      scenario.engine[key] !== undefined
    ) {
      throw new InputError(
        `is another name for engine.${key}; give one of them`,
        ["scheduler", old],
      );
    }
  }
}

function checkStepTime(scenario: Scenario): void {
  const pools: [PoolName, PoolSplit, Path][] = scenario.mode === "mono"
    ? [["gpu", poolSplit(scenario, "gpu"), []]]
    : [
      ["prefill", poolSplit(scenario, "prefill"), [
        "cluster_disagg",
        "prefill",
      ]],
      ["decode", poolSplit(scenario, "decode"), [
        "cluster_disagg",
        "decode",
      ]],
    ];
  for (const [name, split, ownPath] of pools) {
    const own = name === "gpu" ? undefined : scenario.cluster_disagg[name];
    const settings = poolSettings(scenario, name);
    // Errors name the pool's own section when the pool set any of it.
    const at = (section: keyof PoolOverrides, key?: string): Path => {
      const keyPath = key === undefined ? [section] : [section, key];
      return own?.[section] !== undefined ? [...ownPath, ...keyPath] : keyPath;
    };
    checkPoolStepTime(scenario, settings, split, at);
  }
}

function checkPoolStepTime(
  scenario: Scenario,
  settings: PoolSettings,
  split: PoolSplit,
  at: (section: keyof PoolOverrides, key?: string) => Path,
): void {
  const tp = split.tp;
  const st = settings.step_time;
  const hw = settings.hardware;
  STEP_TIME_KINDS.get(st.kind).check?.(settings, at);
  // The other kinds' keys belong to the section too (a pool may inherit it
  // and run another kind), but a table file beside another kind is a
  // mistake, not an inheritance.
  if (st.kind !== "table" && st.table_file !== undefined) {
    throw new InputError(
      `is only used with step_time.kind: table (the kind is ${st.kind})`,
      at("step_time", "table_file"),
    );
  }
  if (!hw) return;
  if (typeof hw.model === "object" && !("hf_config" in hw.model)) {
    const m = hw.model;
    if (m.num_experts > 0 && m.active_experts === undefined) {
      throw new InputError("is required when num_experts > 0", [
        ...at("hardware", "model"),
        "active_experts",
      ]);
    }
    if (m.active_experts !== undefined && m.active_experts > m.num_experts) {
      throw new InputError(
        `must be <= num_experts (${m.num_experts}), got ${m.active_experts}`,
        [...at("hardware", "model"), "active_experts"],
      );
    }
  }
  const { gpu, model } = resolveHardware(hw, at("hardware"));
  if (
    st.kind === "roofline" && gpu.flops_per_s[hw.weight_dtype] === undefined
  ) {
    throw new InputError(
      `${gpu.name} has no ${hw.weight_dtype} FLOP/s figure (it has ${
        Object.keys(gpu.flops_per_s).join(", ")
      })`,
      at("hardware", "weight_dtype"),
    );
  }
  const maxLen = scenario.scheduler.max_model_len;
  if (
    maxLen !== undefined && model.max_context !== undefined &&
    maxLen > model.max_context
  ) {
    throw new InputError(
      `must be <= ${model.name}'s context length (${model.max_context}), got ${maxLen}`,
      ["scheduler", "max_model_len"],
    );
  }
  if (scenario.batching !== "continuous") return;
  const c = poolKvCapacity(settings, split)!;
  if (c.tokens < settings.kv_cache.block_size) {
    const gb = (x: number) => (x / 2 ** 30).toFixed(1);
    throw new InputError(
      `${model.name} does not fit on ${gpu.name} at ${
        split.pp > 1 || split.dp > 1
          ? `tp ${tp} x pp ${split.pp} x dp_attention ${split.dp}`
          : `tp ${tp}`
      }: ` +
        `${gb(c.weightBytesPerGpu)} GiB of weights per GPU and ` +
        `${gb(hw.reserved_bytes)} GiB reserved leave ${
          gb(c.kvBytesPerGpu)
        } GiB of the ${
          gb(gpu.memory_bytes * hw.gpu_memory_utilization)
        } GiB usable for the KV cache; raise tp or use smaller weights`,
      at("hardware"),
    );
  }
}

// Classes, traces and the summary mode: the rules that span keys.
function checkWorkload(scenario: Scenario): void {
  const classes = scenario.classes;
  const dataset = scenario.dataset;
  if (dataset) {
    // A dataset gives one workload's lengths; traces and classes bring
    // their own (per-class datasets are not offered).
    if (scenario.trace) {
      throw new InputError(
        "a trace replays its own requests and lengths; remove dataset or trace",
        ["dataset"],
      );
    }
    if (classes) {
      throw new InputError(
        "a dataset gives the lengths of one workload; remove classes or dataset",
        ["dataset"],
      );
    }
    if (dataset.name === "random") randomBounds(dataset);
  }
  if (scenario.trace) {
    if (classes) {
      throw new InputError(
        "a trace replays its own requests; remove classes or trace",
        ["classes"],
      );
    }
    // The trace section's own rules are in its schema (traceSchema).
  }
  if (!classes) return;
  if (classes.length > 255) {
    throw new InputError(`at most 255 classes, got ${classes.length}`, [
      "classes",
    ]);
  }
  const names = new Set<string>();
  classes.forEach((c, k) => {
    const path = ["classes", k];
    if (names.has(c.name)) {
      throw new InputError(`"${c.name}" is used twice`, [...path, "name"]);
    }
    names.add(c.name);
    if ((c.weight === undefined) === (c.arrival === undefined)) {
      throw new InputError(
        "give a weight (a share of the top-level arrival) or its own arrival, one of them",
        path,
      );
    }
  });
}
