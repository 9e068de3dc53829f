/**
 * One simulation run: the scenario's workload through its serving model,
 * then the summary.
 *
 * @module
 */

import { speculativeWarnings } from "../scenario/speculative_checks.ts";
import { RequestRecords } from "../metrics/records.ts";
import type { Summary } from "../metrics/summary_types.ts";
import { EXACT_LIMIT_BYTES, SummaryAccumulator } from "../metrics/summary.ts";
import { RetireInOrder } from "../metrics/retire_in_order.ts";
import { judgeSaturation, saturationWarning } from "../metrics/saturation.ts";
import type { PoolName, Scenario } from "../scenario/types.ts";
import { runExclusive } from "../serving/exclusive.ts";
import { KvCapacityError, runBatchedCluster } from "../serving/batched.ts";
import { runDisaggBatched } from "../serving/disagg_batched.ts";
import type { Instance, InstanceConfig } from "../serving/instance.ts";
import type { StepTimeModel } from "../perf/step_time.ts";
import { LogHistogram } from "../metrics/log_histogram.ts";
import { Timeline, type TimelineSeries } from "../metrics/timeline.ts";
import { InputError } from "../errors.ts";
import { type ClusterPlan, planCluster, type PoolPlan } from "./pools.ts";
import {
  addBatchedMetrics,
  type BatchedPoolStats,
} from "../metrics/batched_summary.ts";
import { summaryRun } from "./summary_run.ts";
import { offloadConfig, offloadSummary } from "./kv_offload.ts";
import { type AdmittedSource, admitWithin } from "../workload/admission.ts";
import { rateLimited } from "../workload/rate_limit.ts";
import {
  classTimeouts,
  hasAdmissionControl,
  queueContext,
  rateLimitBuckets,
} from "./admission_setup.ts";
import { DEFAULT_ENGINE_PRESET } from "../perf/engines/mod.ts";
import { poolSettings } from "../scenario/pool_settings.ts";
import {
  buildWorkload,
  traceHasSessions,
  type Workload,
} from "../workload/workload.ts";
import type { LengthMemo } from "../workload/length_memo.ts";
import type { ClientSpec } from "../serving/clients.ts";
import type { SessionCounts } from "../metrics/session_summary.ts";
import { durationSampler } from "../workload/durations.ts";
import { sessionDraws } from "../workload/sessions.ts";
import { sessionsSummary } from "../metrics/session_summary.ts";
import { RandomStream } from "../engine/random.ts";
import {
  PREFIX_BLOCK_TOKENS,
  type RequestSource,
} from "../workload/request_source.ts";

/** The outcome of {@linkcode simulate}. */
export interface SimulationResult {
  /** The scenario that was run. */
  scenario: Scenario;
  /** Summary metrics, keyed as the JSON output. */
  summary: Summary;
  /**
   * Every request's timeline (arrival, waits, prefill, first token,
   * finish), when they are kept (see {@linkcode SimulateOptions.keepRecords});
   * otherwise only recycled slots.
   */
  records: RequestRecords;
  /** Things the user should know (an unstable pool, say). */
  warnings: string[];
  /** Batched runs: queue, batch and KV occupancy over time, per pool. */
  timelines?: Record<string, TimelineSeries>;
  /** Batched runs: every token gap of measured requests (the ITL keys' histogram). */
  itl?: LogHistogram;
}

/** Options of {@linkcode simulate}. */
export interface SimulateOptions {
  /** Requests to run instead of the scenario's own (a measured benchmark's, say). */
  workload?: Workload;
  /**
   * The scenario's own requests, with their lengths read back from this
   * memo of earlier runs of the same workload (see `lengthMemo`): the same
   * requests, without drawing them again.
   */
  lengths?: LengthMemo;
  /**
   * Batched runs: most requests in flight, as a benchmark client with
   * `--max-concurrency` sends them (default: no limit).
   */
  maxConcurrency?: number;
  /**
   * Batched runs: a step-time model of your own, replacing the scenario's
   * `step_time` (rate, roofline or table) in every pool, or a function
   * giving each pool's (`gpu` in mono, `prefill` and `decode` in disagg).
   * The engine preset's time is added to it as to any model. The summary
   * then reports `step_time: custom`.
   */
  stepTimeModel?: StepTimeModel | ((pool: PoolName) => StepTimeModel);
  /**
   * Keep every request's record whole in the result (default: yes, unless
   * `metrics.percentiles` is `sketch`). What reads them after a run: the
   * requests CSV and TTFT dump of `simulate --dump-requests/--dump-ttft`,
   * {@linkcode measuredLatencies} (the CDFs of `report` and the notebook
   * display), `calibrate`'s replay of measured runs, and tests of the
   * serving models. Without them (`false`), each record is summarised and
   * recycled as its request retires, so memory follows the requests in
   * flight plus, for exact percentiles, 34-66 bytes per measured request;
   * the summary is the same either way, bit for bit.
   */
  keepRecords?: boolean;
  /**
   * Stop the run, throwing {@linkcode AttainmentMissed}, as soon as its SLO
   * attainment can no longer reach `target`: once more than
   * `measured` (1 - target) of the `measured` requests it will measure have
   * missed their SLO. The summary's attainment is met / measured (lower
   * still with refused requests), so a run stopped this way would have
   * missed the target had it run to the end. Needs records that are not
   * kept (`keepRecords: false`, or sketch percentiles): requests are then
   * judged as they retire.
   */
  stopBelowAttainment?: { target: number; measured: number };
}

/** What {@linkcode simulate} throws when a run's verdict became certain. */
export class AttainmentMissed extends Error {
  /** Simulated time at which the attainment could no longer reach the target. */
  readonly atS: number;

  /**
   * Creates the signal.
   *
   * @param atS The simulated time.
   */
  constructor(atS: number) {
    super(`the SLO attainment target became out of reach at ${atS} s`);
    this.atS = atS;
  }
}

/**
 * Runs a scenario to completion (arrivals stop at the horizon and the system
 * drains).
 *
 * @param scenario A validated scenario.
 * @param options Requests of your own, a concurrency limit, a step-time model.
 * @returns Summary, records and warnings.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { simulate } from "./simulate.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const r = simulate(validateScenario({ mode: "mono", sim_seconds: 60, warmup_seconds: 6 }));
 * assert.equal(r.summary.mode, "mono");
 * assert.ok(r.records.count > 0);
 * assert.ok(r.summary.p90_ttft_s >= r.summary.p50_ttft_s);
 * ```
 *
 * @example A step-time model of your own
 * ```ts
 * import assert from "node:assert/strict";
 * import { simulate } from "./simulate.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const scenario = validateScenario({
 *   mode: "mono", batching: "continuous", engine: { preset: "none" },
 *   sim_seconds: 60, warmup_seconds: 6, arrival: { rate_per_s: 0.2 },
 * });
 * // Every iteration takes 10 ms, whatever is in it.
 * const r = simulate(scenario, { stepTimeModel: { iterationTimeS: () => 0.01 } });
 * assert.equal(r.summary.step_time, "custom");
 * assert.ok(Math.abs(r.summary.mean_tpot_s - 0.01) < 1e-3);
 * ```
 */
export function simulate(
  scenario: Scenario,
  options: SimulateOptions = {},
): SimulationResult {
  const workload = options.workload ??
    buildWorkload(scenario, { lengths: options.lengths });
  const window = workload.window ??
    [scenario.warmup_seconds, scenario.sim_seconds];
  const percentiles = scenario.metrics.percentiles;
  const sketch = percentiles === "sketch";
  const keep = !sketch && (options.keepRecords ?? true);
  const rate = workload.meanRatePerS();
  // Requests measured per second of the window, where the users set it.
  const ratePerS = clientDriven(scenario)
    ? () => measuredSent / (window[1] - window[0])
    : workload.meanRatePerS;
  const byRate = Math.ceil(rate * scenario.sim_seconds * 1.05 + 64);
  const expected = scenario.num_requests !== undefined
    ? Math.min(
      scenario.num_requests + 64,
      Number.isFinite(byRate) ? byRate : Infinity,
    )
    : Number.isFinite(byRate) && rate > 0
    ? byRate
    : 1024;
  const records = new RequestRecords(expected, {
    recycle: !keep,
    holdRetired: !sketch,
  });
  const acc = new SummaryAccumulator(
    summaryRun(scenario, {
      window,
      arrivalRatePerS: ratePerS,
      ownRequests: options.workload === undefined,
    }),
    {
      sketch,
      exactLimitBytes: percentiles === "auto" ? EXACT_LIMIT_BYTES : Infinity,
      capacity: expected,
      classNames: workload.classNames,
      classSlos: workload.classSlos,
      firstMeasured: scenario.warmup_requests,
      admission: hasAdmissionControl(scenario),
    },
  );
  // The early stop: after each observation, the attainment's upper bound.
  const stop = options.stopBelowAttainment;
  const observe = stop === undefined
    ? (i: number) => acc.observe(records, i)
    : (i: number) => {
      acc.observe(records, i);
      if ((stop.measured - acc.sloMissed) / stop.measured < stop.target) {
        throw new AttainmentMissed(records.finishS[i]);
      }
    };
  // With a sketch, each request is summarised as it retires and its slot
  // reused, so memory follows the requests in flight.
  if (sketch) records.onRetire = observe;
  // Exact percentiles without the records: each request is summarised in
  // the order it arrived (the order of a pass over all records: the same
  // sums), once it has retired and the window's end can no longer move
  // past its finish (a trace's window ends at its last arrival, known only
  // when the trace runs out), then its slot is reused.
  const replay = workload.replay;
  const inOrder = !keep && !sketch
    ? new RetireInOrder(records, observe, {
      ready: replay && !hasSessionIds(scenario)
        ? (i) => records.finishS[i] < Math.min(window[1], replay.lastArrivalS)
        : (i) => records.finishS[i] < window[1],
    })
    : null;
  // With admission control the summary counts every refusal by class.
  const admission = hasAdmissionControl(scenario);
  const { source, maxModelLen } = admittedSource(
    scenario,
    workload.source,
    window,
    admission
      ? (reason, k, arrivalS) => acc.refused(k, reason, arrivalS)
      : undefined,
  );
  const client = clientSpec(scenario, window, maxModelLen, options);
  // A count run's window closes at the last response's end; a closed loop's
  // or an infinite rate's sending rate is measured.
  let lastFinishS = -Infinity, measuredSent = 0;
  if (endsAtLastResponse(scenario) || clientDriven(scenario)) {
    const before = records.onRetire;
    const first = scenario.warmup_requests ?? 0;
    records.onRetire = (i) => {
      if (records.finishS[i] > lastFinishS) lastFinishS = records.finishS[i];
      if (records.arrivalS[i] >= window[0] && records.number(i) >= first) {
        measuredSent++;
      }
      before?.(i);
    };
  }
  const batched = scenario.batching === "continuous"
    ? runBatched(scenario, source, records, window, options, client)
    : null;
  const run = batched ??
    runExclusive(scenario, source, { records });
  // Counted before the summary's capacity probes query the tables too.
  const extrapolated = (batched?.plan.tables ?? []).reduce(
    (n, t) => n + t.extrapolated,
    0,
  );
  if (endsAtLastResponse(scenario)) {
    // [start, the double after the last end): every response is inside.
    window[1] = nextUp(lastFinishS);
  }
  if (inOrder) inOrder.flush();
  else if (!sketch) {
    for (let i = 0; i < records.count; i++) acc.observe(records, i);
  }
  const summary = acc.summary(run.endS);
  if (workload.trace) {
    const st = workload.trace.stats;
    summary.trace_rows = summary.num_requests;
    summary.trace_skipped_rows = st.skipped;
    summary.trace_failed_rows = st.failed;
    const replay = workload.replay!;
    summary.trace_replayed_span_s = replay.lastArrivalS - replay.firstArrivalS;
    summary.trace_cut_at_s = Number.isNaN(replay.cutAtS) ? null : replay.cutAtS;
  }
  if (maxModelLen !== undefined && admission) {
    summary.max_model_len = maxModelLen;
  } else if (maxModelLen !== undefined) {
    const rejected = (source as AdmittedSource).rejectedInWindow;
    summary.max_model_len = maxModelLen;
    summary.rejected_requests = rejected;
    // A refused request did not meet its SLO.
    const served = summary.num_samples;
    if (typeof summary.slo_attainment === "number" && rejected > 0) {
      summary.slo_attainment = summary.slo_attainment * served /
        (served + rejected);
    }
  }
  if (batched) {
    const custom = options.stepTimeModel !== undefined;
    addBatchedMetrics(
      summary,
      batched.pools.map((p) => poolStats(scenario, p, custom)),
      {
        stepTimeKind: custom ? "custom" : scenario.step_time.kind,
        meanTokens: acc.meanTokens(),
        ratePerS: ratePerS(),
        window,
      },
    );
    // Every token gap of measured requests, from a sketch (0.5% relative).
    const itl = batched.itl;
    summary.mean_itl_s = itl.count > 0 ? itl.sum / itl.count : NaN;
    summary.p50_itl_s = itl.quantile(0.5);
    summary.p90_itl_s = itl.quantile(0.9);
    summary.p99_itl_s = itl.quantile(0.99);
    summary.num_itl_samples = itl.count;
    if (scenario.mode === "disagg") {
      summary.kv_transfer_bytes_per_token =
        batched.plan.kvTransferBytesPerToken;
    }
    if (batched.sessions) summary.sessions = sessionsSummary(batched.sessions);
    if (scenario.kv_cache.prefix_caching) {
      let prompt = 0, hit = 0, evictions = 0;
      for (const pool of batched.pools) {
        for (const inst of pool.instances) {
          prompt += inst.stats.prefixPromptTokens;
          hit += inst.stats.prefixHitTokens;
          evictions += inst.stats.prefixEvictions;
        }
      }
      summary.prefix_cache_hit_rate = prompt > 0 ? hit / prompt : NaN;
      summary.prefix_cache_hit_tokens = hit;
      summary.prefix_cache_evictions = evictions;
      const offload = offloadSummary(
        batched.pools.flatMap((p) => p.instances),
      );
      if (offload) summary.kv_offload = offload;
    }
  }
  const warnings: string[] = [
    ...engineWarnings(scenario),
    ...speculativeWarnings(scenario),
    ...acc.notices,
  ];
  if (workload.replay && !Number.isNaN(workload.replay.cutAtS)) {
    warnings.push(
      `trace: sim_seconds (${scenario.sim_seconds} s) ends the replay before the trace does (the first row left out arrives at ${
        workload.replay.cutAtS.toFixed(3)
      } s); raise sim_seconds to replay it all`,
    );
  }
  if (extrapolated > 0) {
    warnings.push(
      `step_time.table_file: ${extrapolated} iterations fell outside the measured grid and were extrapolated linearly; measure larger batches or prompts`,
    );
  }
  // A colocated batched pool's prefill and decode shares are of one GPU.
  const combine = batched && scenario.mode === "mono" ? "sum" : "max";
  const offered = summary.offered_load;
  if (batched) {
    // The batched offered load replaced the exclusive one: judge again.
    const sat = judgeSaturation(offered, acc.observedBacklog(), combine);
    summary.stable = sat.verdict === "stable";
    summary.saturation = sat.verdict;
    summary.saturation_evidence = sat.evidence;
  }
  const saturated = saturationWarning(
    scenario.mode,
    summary.saturation,
    summary.saturation_evidence,
    offered,
    combine,
  );
  if (saturated) warnings.push(saturated);
  const timelines = batched
    ? Object.fromEntries(
      batched.pools.map((p) => [p.plan.name, p.timeline.series()]),
    )
    : undefined;
  return {
    scenario,
    summary,
    records: run.records,
    warnings,
    timelines,
    ...(batched && { itl: batched.itl }),
  };
}

function instanceConfig(
  scenario: Scenario,
  window: readonly [number, number],
  pool: PoolPlan,
  itl: LogHistogram,
  timeline: Timeline,
  finishDelayS: number,
  ordering: Pick<
    InstanceConfig,
    "schedulingPolicy" | "queueContext" | "classTimeoutS"
  >,
): InstanceConfig {
  const sch = pool.settings.scheduler;
  const blockSize = scenario.kv_cache.block_size;
  return {
    policy: sch.policy,
    // The limits are per attention rank; an instance has dp_attention ranks.
    maxNumSeqs: sch.max_num_seqs * pool.parallel.dp,
    maxNumBatchedTokens: sch.max_num_batched_tokens * pool.parallel.dp,
    kvCapacityBlocks: Math.floor(pool.kvCapacityTokens / blockSize),
    blockSize,
    stepTime: pool.stepTime,
    windowS: window,
    itl,
    timeline,
    // Decode instances receive whole KV caches; prefixes are cached where
    // prompts are prefilled.
    prefixCaching: scenario.kv_cache.prefix_caching && pool.name !== "decode",
    prefixBlockTokens: PREFIX_BLOCK_TOKENS,
    finishDelayS,
    ...ordering,
    ...offloadOf(scenario, pool),
    ...(pool.speculative && { speculative: pool.speculative.instance }),
  };
}

// The pool's offload tiers, only when it has some (so that other runs'
// configurations are as before).
function offloadOf(
  scenario: Scenario,
  pool: PoolPlan,
): Pick<InstanceConfig, "offload"> {
  const offload = offloadConfig(scenario, pool);
  return offload ? { offload } : {};
}

// A pool after its run, as the batched metrics read it.
function poolStats(
  scenario: Scenario,
  pool: BatchedRun,
  custom: boolean,
): BatchedPoolStats {
  const { plan, instances } = pool;
  const sch = plan.settings.scheduler;
  return {
    name: plan.name,
    instances: plan.instances,
    tp: plan.tp,
    ...(plan.parallel.pp > 1 || plan.parallel.ep > 1 || plan.parallel.dp > 1
      ? {
        layout: {
          pp: plan.parallel.pp,
          ep: plan.parallel.ep,
          dp_attention: plan.parallel.dp,
        },
      }
      : {}),
    kvCapacityTokens: plan.kvCapacityTokens,
    kvCapacityBlocks: Math.floor(
      plan.kvCapacityTokens / scenario.kv_cache.block_size,
    ),
    stepTime: plan.stepTime,
    stepTimeKind: custom ? "custom" : plan.settings.step_time.kind,
    engine: plan.settings.engine.preset,
    // An instance's limits: dp_attention ranks of the per-rank ones.
    scheduler: {
      policy: sch.policy,
      maxNumSeqs: sch.max_num_seqs * plan.parallel.dp,
      maxNumBatchedTokens: sch.max_num_batched_tokens * plan.parallel.dp,
    },
    instanceStats: instances.map((inst) => inst.stats),
    ...(plan.speculative && {
      speculative: {
        numTokens: plan.speculative.instance.numTokens,
        tokensPerStep: plan.speculative.expectedTokensPerStep,
      },
    }),
  };
}

// One batched pool's plan, instances and timeline after a run.
interface BatchedRun {
  plan: PoolPlan;
  instances: readonly Instance[];
  timeline: Timeline;
}

function runBatched(
  scenario: Scenario,
  source: RequestSource,
  records: RequestRecords,
  window: readonly [number, number],
  options: SimulateOptions,
  client: ClientSpec,
): {
  records: RequestRecords;
  endS: number;
  sessions?: SessionCounts;
  pools: BatchedRun[];
  itl: LogHistogram;
  plan: ClusterPlan;
} {
  const itl = new LogHistogram();
  const plan = planCluster(scenario, { stepTimeModel: options.stepTimeModel });
  const timelines = plan.pools.map(() => new Timeline(scenario.sim_seconds));
  // The waiting-queue order and timeouts, for the pool arrivals enter
  // (decode instances take prefilled requests as they come); only when
  // asked, so that other runs' configurations are as before.
  const policy = scenario.scheduler.scheduling_policy;
  const timeouts = classTimeouts(scenario);
  const ordering = {
    ...(policy !== undefined && {
      schedulingPolicy: policy,
      queueContext: queueContext(scenario),
    }),
    ...(timeouts && { classTimeoutS: timeouts }),
  };
  const maxWaitingRequests = scenario.admission?.max_waiting_requests;
  try {
    if (scenario.mode === "mono") {
      const pool = plan.pools[0];
      const run = runBatchedCluster(source, {
        instances: pool.instances,
        router: scenario.scheduler.router,
        seed: scenario.random_seed,
        records,
        requestOverheadS: plan.requestS,
        client,
        maxWaitingRequests,
        instance: instanceConfig(
          scenario,
          window,
          pool,
          itl,
          timelines[0],
          plan.finishS,
          ordering,
        ),
      });
      return {
        ...run,
        pools: [{
          plan: pool,
          instances: run.instances,
          timeline: timelines[0],
        }],
        itl,
        plan,
      };
    }
    const c = scenario.cluster_disagg;
    const t = scenario.kv_transfer;
    const [prefill, decode] = plan.pools;
    const run = runDisaggBatched(source, {
      prefillInstances: prefill.instances,
      decodeInstances: decode.instances,
      prefill: instanceConfig(
        scenario,
        window,
        prefill,
        itl,
        timelines[0],
        plan.finishS,
        ordering,
      ),
      decode: instanceConfig(
        scenario,
        window,
        decode,
        itl,
        timelines[1],
        plan.finishS,
        // The order's victim rule holds there too; nothing waits to time out.
        { ...ordering, classTimeoutS: undefined },
      ),
      link: {
        bytesPerToken: plan.kvTransferBytesPerToken,
        bandwidthBytesPerS: t.bandwidth_bytes_per_s,
        latencyS: t.latency_s,
      },
      firstTokenAtDecode: c.ttft_at === "decode",
      records,
      router: scenario.scheduler.router,
      seed: scenario.random_seed,
      requestOverheadS: plan.requestS,
      client,
      maxWaitingRequests,
    });
    return {
      ...run,
      pools: [
        { plan: prefill, instances: run.prefill, timeline: timelines[0] },
        { plan: decode, instances: run.decode, timeline: timelines[1] },
      ],
      itl,
      plan,
    };
  } catch (e) {
    if (e instanceof KvCapacityError) {
      throw new InputError(e.message, ["kv_cache", "capacity_tokens"]);
    }
    throw e;
  }
}

// An engine (or a context limit) the run does not use, or an engine it adds
// to measured times unasked.
function engineWarnings(scenario: Scenario): string[] {
  const given = Object.keys(scenario.engine).length > 0;
  if (scenario.batching === "none") {
    const out: string[] = [];
    if (given) {
      out.push(
        "engine: has no effect under batching=none (each GPU serves one request at the cluster's token rates; set batching: continuous)",
      );
    }
    if (scenario.scheduler.max_model_len !== undefined) {
      out.push(
        "scheduler.max_model_len: has no effect under batching=none (set batching: continuous)",
      );
    }
    return out;
  }
  const pools: PoolName[] = scenario.mode === "mono"
    ? ["gpu"]
    : ["prefill", "decode"];
  const unasked = pools.filter((pool) => {
    const own = pool === "gpu" ? undefined : scenario.cluster_disagg[pool];
    const named = scenario.engine.preset !== undefined ||
      own?.engine?.preset !== undefined;
    return !named && poolSettings(scenario, pool).step_time.kind === "table";
  });
  return unasked.length > 0
    ? [
      `engine: the default preset (${DEFAULT_ENGINE_PRESET}) adds its per-step time to the measured table's${
        scenario.mode === "disagg" ? ` (${unasked.join(", ")} pool)` : ""
      }; if the table timed whole engine iterations, set engine.preset: none`,
    ]
    : [];
}

/**
 * The requests a run serves: the workload's, less those the classes' rate
 * limits refuse at the gateway and those the context limit refuses at the
 * door (batched runs with a `max_model_len`, the scenario's or its
 * model's).
 *
 * @param scenario A validated scenario.
 * @param source The workload's requests.
 * @param window The measured window (refusals in it are counted).
 * @param onReject Called for each refused request: why, its class, its arrival.
 * @returns The admitted requests and the limit (undefined: none).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { admittedSource } from "./simulate.ts";
 * import { buildWorkload } from "../workload/workload.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const s = validateScenario({ sim_seconds: 10, warmup_seconds: 1 });
 * const { source, maxModelLen } = admittedSource(s, buildWorkload(s).source, [0, 10]);
 * assert.equal(maxModelLen, undefined); // batching: none has no context limit
 * assert.ok(source.next());
 * ```
 */
export function admittedSource(
  scenario: Scenario,
  source: RequestSource,
  window: readonly [number, number],
  onReject?: (
    reason: "overlong" | "rate_limited",
    classIndex: number,
    arrivalS: number,
  ) => void,
): { source: RequestSource; maxModelLen: number | undefined } {
  const maxModelLen = modelLengthLimit(scenario);
  // The gateway's rate limit first: a request it refuses never reaches
  // the engine.
  const buckets = rateLimitBuckets(scenario);
  const limited = buckets === undefined ? source : rateLimited(source, {
    buckets,
    onReject: onReject && ((k, t) => onReject("rate_limited", k, t)),
  });
  return {
    source: maxModelLen === undefined ? limited : admitWithin(limited, {
      maxModelLen,
      onOverlong: scenario.scheduler.on_overlong,
      windowS: window,
      onReject: onReject && ((k, t) => onReject("overlong", k, t)),
    }),
    maxModelLen,
  };
}

// What the run's users do: the scenario's closed loop, sessions or client
// limit (a caller's maxConcurrency wins over the scenario's).
function clientSpec(
  scenario: Scenario,
  window: [number, number],
  maxModelLen: number | undefined,
  options: SimulateOptions,
): ClientSpec {
  const a = scenario.arrival;
  const seed = scenario.random_seed;
  const spec: ClientSpec = {
    maxConcurrency: options.maxConcurrency ?? scenario.max_concurrency,
    waitInTtft: scenario.client_wait_in_ttft,
    horizonS: scenario.sim_seconds,
    maxRequests: scenario.num_requests,
    maxModelLen,
    window,
    warmupRequests: scenario.warmup_requests,
    replayedSessions: hasSessionIds(scenario),
  };
  if (a.process === "closed_loop") {
    spec.closedLoop = {
      users: a.concurrency,
      thinkS: durationSampler(
        a.think_time_s,
        new RandomStream(seed, "think_time"),
      ),
    };
  }
  if (scenario.sessions) {
    const classes = scenario.classes;
    spec.sessions = sessionDraws(
      scenario.sessions,
      classes
        ? classes.map((c) => ({
          name: c.name,
          prompt: c.prompt_tokens ?? scenario.prompt_tokens,
          output: c.output_tokens ?? scenario.output_tokens,
        }))
        : [{
          name: null,
          prompt: scenario.prompt_tokens,
          output: scenario.output_tokens,
        }],
      seed,
    );
  }
  return spec;
}

// Whether a trace replay's rows are turns of sessions (a session_id column).
function hasSessionIds(scenario: Scenario): boolean {
  return scenario.trace !== undefined && traceHasSessions(scenario.trace);
}

// Whether the window closes at the last response's end: a count run, or a
// replay of sessions whose turns may be held past their rows' times.
function endsAtLastResponse(scenario: Scenario): boolean {
  return scenario.num_requests !== undefined || hasSessionIds(scenario);
}

// Whether the users, not a clock, set when (some) requests are sent.
function clientDriven(scenario: Scenario): boolean {
  return scenario.arrival.process === "closed_loop" ||
    scenario.arrival.rate_per_s === Infinity ||
    scenario.sessions !== undefined || hasSessionIds(scenario);
}

// The smallest double above x (x finite).
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigInt64(0);
  view.setBigInt64(0, x > 0 ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}

// The context limit of the pool requests meet first (the prefill pool in
// disagg): the scenario's, else its model's context length.
function modelLengthLimit(scenario: Scenario): number | undefined {
  if (scenario.batching !== "continuous") return undefined;
  return poolSettings(scenario, scenario.mode === "mono" ? "gpu" : "prefill")
    .maxModelLen;
}

/**
 * The TTFT and TPOT of every measured request of a run (exact mode), for
 * distributions and charts.
 *
 * @param result A run's result (its records must be whole: exact percentiles).
 * @returns TTFTs of measured requests, and TPOTs of those with more than one output token.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { measuredLatencies, simulate } from "./simulate.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const r = simulate(validateScenario({ mode: "mono", sim_seconds: 60, warmup_seconds: 6 }));
 * assert.equal(measuredLatencies(r).ttft.length, r.summary.num_samples);
 * ```
 */
export function measuredLatencies(
  result: SimulationResult,
): { ttft: number[]; tpot: number[] } {
  const rec = result.records;
  const ttft: number[] = [], tpot: number[] = [];
  for (let i = 0; i < rec.count; i++) {
    if (!(rec.arrivalS[i] >= result.scenario.warmup_seconds)) continue;
    if (rec.outcome[i] !== 0) continue; // refused or abandoned: no latency
    ttft.push(rec.firstTokenS[i] - rec.arrivalS[i]);
    if (rec.outputTokens[i] > 1) {
      tpot.push(
        (rec.finishS[i] - rec.firstTokenS[i]) / (rec.outputTokens[i] - 1),
      );
    }
  }
  return { ttft, tpot };
}
