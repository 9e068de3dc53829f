/**
 * llmsim: a simulator of LLM inference serving. It answers what TTFT, TPOT
 * and throughput a load will see on a colocated (mono) GPU cluster or on one
 * split into prefill and decode pools (disagg).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { compare, parseScenario, simulate } from "./mod.ts";
 *
 * const scenario = parseScenario(`
 * mode: mono
 * sim_seconds: 120
 * warmup_seconds: 12
 * arrival: { rate_per_s: 2 }
 * `);
 * const result = simulate(scenario);
 * assert.ok(result.summary.num_samples > 0);
 * assert.ok(result.summary.p90_ttft_s >= result.summary.p50_ttft_s);
 *
 * // Both architectures see the same requests.
 * const both = compare(scenario);
 * assert.equal(both.mono.num_requests, both.disagg.num_requests);
 * ```
 *
 * @example A step-time model of your own
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseScenario, simulate, type StepTimeModel } from "./mod.ts";
 *
 * const scenario = parseScenario(`
 * mode: mono
 * batching: continuous
 * engine: { preset: none }
 * sim_seconds: 60
 * warmup_seconds: 6
 * arrival: { rate_per_s: 0.2 }
 * `);
 * // 10 ms per iteration plus 1 ms per sequence decoding in it.
 * const model: StepTimeModel = {
 *   iterationTimeS: (shape) => 0.01 + 0.001 * shape.decodeTokens,
 * };
 * const { summary } = simulate(scenario, { stepTimeModel: model });
 * assert.equal(summary.step_time, "custom");
 * assert.ok(summary.mean_tpot_s >= 0.011 && summary.mean_tpot_s < 0.0125);
 * ```
 *
 * @module
 */

// ---------------------------------------------------------------- scenario

export {
  loadScenarioFile,
  loadScenarioText,
  parseScenario,
} from "./lib/scenario/load.ts";
export type { LoadOptions, Override } from "./lib/scenario/load.ts";
export { validateScenario } from "./lib/scenario/validate.ts";
export { scenarioJsonSchema } from "./lib/scenario/json_schema.ts";
export type {
  AdmissionConfig,
  DisaggCluster,
  DTypeName,
  EngineConfig,
  HardwareConfig,
  HfConfigModel,
  InlineGpu,
  InlineModel,
  KvCacheConfig,
  KvOffloadTierConfig,
  MonoCluster,
  PoolOverrides,
  RequestClass,
  ResolvedScheduler,
  Scenario,
  SchedulerConfig,
  ServingMode,
  Slo,
  SpeculativeSection,
  StepTimeConfig,
  StepTimeKindName,
} from "./lib/scenario/types.ts";
export type {
  TokenDistribution,
  TokenMode,
} from "./lib/workload/token_modes/mod.ts";
export {
  BATCH_POLICIES,
  type BatchPolicyName,
} from "./lib/serving/batch_policies/mod.ts";
export { type RouterName, ROUTERS } from "./lib/serving/routers/mod.ts";
export {
  QUEUE_ORDERS,
  type QueueOrderName,
} from "./lib/serving/queue_orders/mod.ts";
export { poolSettings, resolveEngine } from "./lib/scenario/pool_settings.ts";
export type {
  PoolName,
  PoolSettings,
  ResolvedEngine,
} from "./lib/scenario/types.ts";

// ------------------------------------------------------------------ errors

export { InputError } from "./lib/errors.ts";
export type { Path } from "./lib/errors.ts";

// ---------------------------------------------------------------- workload

export {
  buildWorkload,
  lengthMemo,
  scenarioWorkload,
} from "./lib/workload/workload.ts";
export { LengthMemo } from "./lib/workload/length_memo.ts";
export type { LengthSamplers } from "./lib/workload/length_memo.ts";
export type {
  MeasuredWindow,
  ReplayEnd,
  Workload,
  WorkloadClass,
  WorkloadSpec,
} from "./lib/workload/workload.ts";
export type { RequestSource } from "./lib/workload/request_source.ts";
export { listWorkload } from "./lib/workload/request_list.ts";
export type { RequestList } from "./lib/workload/request_list.ts";
export { openTrace } from "./lib/workload/trace.ts";
export type { TraceSource, TraceStats } from "./lib/workload/trace.ts";
export {
  LENGTH_TRACE_FORMATS,
  parseTraceOptions,
  TRACE_FORMATS,
} from "./lib/workload/trace_formats/mod.ts";
export type {
  FixedTraceOptions,
  FormatOptions,
  LengthTraceFormat,
  MappedTraceOptions,
  RowLayout,
  RowParser,
  TraceColumns,
  TraceDefaults,
  TraceFormat,
  TraceFormatEntry,
  TraceOptions,
  TraceOptionsInput,
  TraceReplayOptions,
} from "./lib/workload/trace_formats/mod.ts";
export { TIMESTAMP_UNITS } from "./lib/workload/trace_formats/timestamp_units.ts";
export type {
  TimestampUnit,
  TimestampUnitEntry,
} from "./lib/workload/trace_formats/timestamp_units.ts";
export { LineReader } from "./lib/workload/line_reader.ts";
export {
  datasetSamplers,
  isValidSequence,
  randomBounds,
  SHAREGPT_LIMITS,
} from "./lib/workload/datasets/mod.ts";
export type {
  DatasetLengths,
  DatasetName,
  DatasetSpec,
  RandomDataset,
  ShareGptDataset,
} from "./lib/workload/datasets/mod.ts";
export type { LineReaderOptions } from "./lib/workload/line_reader.ts";
export {
  ARRIVAL_PROCESSES,
  arrivalClock,
  meanRate,
  scaleArrival,
} from "./lib/workload/arrivals/mod.ts";
export { RandomStream } from "./lib/engine/random.ts";
export type {
  ArrivalKeys,
  ArrivalProcess,
  ArrivalProcessName,
  ArrivalSpec,
  ScheduleStep,
} from "./lib/workload/arrivals/mod.ts";
export type { DurationDistribution } from "./lib/workload/durations.ts";
export type { SessionsConfig } from "./lib/workload/sessions.ts";
export type {
  SessionsSummary,
  TurnTtft,
} from "./lib/metrics/session_summary.ts";
export type {
  KvHbmSummary,
  KvOffloadSummary,
  KvTierSummary,
} from "./lib/metrics/kv_offload_summary.ts";
export { TOKEN_MODES } from "./lib/workload/token_modes/mod.ts";
export type {
  ConstantTokens,
  EmpiricalTokens,
  ExponentialTokens,
  LogTokens,
  P50P90Tokens,
  RealMeanStdTokens,
  TokenLimits,
  TokenModeEntry,
  UniformTokens,
} from "./lib/workload/token_modes/mod.ts";
export type { LognormalParams } from "./lib/workload/lognormal.ts";
export type { Parser } from "./lib/schema/parser.ts";
export { Registry } from "./lib/registry.ts";
export type { RegistryEntry } from "./lib/registry.ts";
export { fitToYaml, fitTrace } from "./lib/workload/fit.ts";
export type {
  ImpliedStats,
  LengthStats,
  TraceFit,
} from "./lib/workload/fit.ts";

// ---------------------------------------------------------------- simulate

export { compare, simulate } from "./lib/notebook/api.ts";
export type {
  SimulateOptions,
  SimulationResult,
} from "./lib/analysis/simulate.ts";
export {
  AttainmentMissed,
  measuredLatencies,
} from "./lib/analysis/simulate.ts";
export type { ComparisonResult } from "./lib/analysis/compare.ts";
export { RequestRecords } from "./lib/metrics/records.ts";
export type { TimelineSeries } from "./lib/metrics/timeline.ts";
export { JUPYTER_DISPLAY } from "./lib/notebook/display.ts";
export type { Displayable, MediaBundle } from "./lib/notebook/display.ts";

// ------------------------------------------------------ results (summary)

export type {
  AdmissionSummary,
  BatchedSummary,
  ClassSummary,
  ConfiguredLengthsSummary,
  CoreSummary,
  DisaggBatchedSummary,
  DisaggSummary,
  LatencySummary,
  MonoSummary,
  PerClassSummary,
  RefusalSummary,
  ReplicationSummary,
  SloSummary,
  Summary,
  SummaryValue,
  TokenLogParams,
  TokenMoments,
  TraceSummary,
  TtftPartsSummary,
} from "./lib/metrics/summary_types.ts";
export {
  isMetricName,
  METRIC_NAMES,
  metricValue,
  summaryRecord,
} from "./lib/metrics/metric_names.ts";
export type { MetricName } from "./lib/metrics/metric_names.ts";
export type { LengthSummary } from "./lib/metrics/length_stats.ts";
export type {
  OfferedLoad,
  SaturationEvidence,
  SaturationVerdict,
} from "./lib/metrics/saturation.ts";

// ----------------------------------------------------------------- studies

export {
  aggregateReplications,
  gridPoints,
  replicate,
  sweep,
  withParams,
} from "./lib/analysis/study.ts";
export type {
  GridAxis,
  ReplicatedSummary,
  StudyPoint,
  SweepGridPoint,
  SweepOptions,
} from "./lib/analysis/study.ts";
export { sweepPrefill, sweepRates } from "./lib/analysis/sweep.ts";
export type {
  SweepPoint,
  SweepRatesOptions,
  SweepResult,
} from "./lib/analysis/sweep.ts";
export { capacity, scaleLoad } from "./lib/analysis/capacity.ts";
export type {
  CapacityEvaluation,
  CapacityOptions,
  CapacityResult,
} from "./lib/analysis/capacity.ts";
export {
  placedScenario,
  placements,
  plan,
  rankPlan,
} from "./lib/analysis/plan.ts";
export type {
  Placement,
  PlanOptions,
  PlanRow,
  PoolLayout,
} from "./lib/analysis/plan.ts";
export {
  layoutGpus,
  layoutName,
  placementLayout,
} from "./lib/analysis/placement.ts";
export {
  parsePrices,
  placementCost,
  poolPrices,
} from "./lib/analysis/prices.ts";
export type {
  GpuPrices,
  PlacementGpus,
  PoolPrices,
} from "./lib/analysis/prices.ts";
export { runTasks } from "./lib/analysis/pool.ts";
export type { PoolOptions } from "./lib/analysis/pool.ts";
export type {
  CapacityInfeasible,
  CapacityPruned,
  SimulateOutcome,
  Task,
  TaskOutcome,
} from "./lib/analysis/tasks.ts";
export { parseShard, shardFile } from "./lib/analysis/shard.ts";
export type { Shard, ShardFile, StudySpec } from "./lib/analysis/shard.ts";
export { studyFingerprint } from "./lib/analysis/fingerprint.ts";
export { mergeShards, parseShardFile } from "./lib/analysis/merge.ts";
export type { MergedStudy, NamedShard } from "./lib/analysis/merge.ts";
export { capacityReport, sweepTable } from "./lib/analysis/study_results.ts";
export type {
  CapacityReport,
  SweepTable,
} from "./lib/analysis/study_results.ts";
export { planResults } from "./lib/analysis/plan_results.ts";
export type {
  PlanCrossover,
  PlanReport,
  PlanResults,
} from "./lib/analysis/plan_results.ts";
export { cheapestByRate } from "./lib/analysis/plan_bands.ts";
export type { RateBand } from "./lib/analysis/plan_bands.ts";

// --------------------------------------------------------------- calibrate

export {
  calibrate,
  calibrationParameters,
  withCalibration,
} from "./lib/calibrate/calibrate.ts";
export type {
  CalibratedMetric,
  CalibrateOptions,
  CalibrationParameter,
  CalibrationResult,
  MetricFit,
} from "./lib/calibrate/calibrate.ts";
export {
  measuredFromRecords,
  measuredMetrics,
  measuredRequestList,
  readMeasuredFile,
  readMeasuredRun,
} from "./lib/calibrate/measured.ts";
export type {
  MeasuredFormat,
  MeasuredMetrics,
  MeasuredRequest,
  MeasuredRun,
  ReadMeasuredOptions,
} from "./lib/calibrate/measured.ts";

// ----------------------------------------------------------------- catalog

export {
  activeParameterCount,
  DTYPE_BYTES,
  GPUS,
  MODELS,
  parameterBreakdown,
  parameterCount,
} from "./lib/perf/catalog.ts";
export { HF_MODEL_TYPES, modelFromHfConfig } from "./lib/perf/hf_config.ts";
export type { HfConfigOptions } from "./lib/perf/hf_config.ts";
export { readHfConfigModel } from "./lib/scenario/hf_model_file.ts";
export type {
  DType,
  GpuSpec,
  MlaSpec,
  ModelSpec,
  ParameterBreakdown,
} from "./lib/perf/catalog.ts";
export { kvBytesPerToken, kvCapacity, kvShards } from "./lib/perf/memory.ts";
export type { KvCapacity, KvCapacityOptions } from "./lib/perf/memory.ts";

// ------------------------------------------------------ step-time models

export { decodeShape, rateStepTime } from "./lib/perf/step_time.ts";
export type {
  IterationShape,
  RateStepTimeOptions,
  StepTimeModel,
} from "./lib/perf/step_time.ts";
export { rooflineStepTime } from "./lib/perf/roofline.ts";
export type {
  IterationCost,
  RooflineOptions,
  RooflineStepTimeModel,
} from "./lib/perf/roofline.ts";
export {
  gpusPerInstance,
  pipelineBubble,
  TP_ONLY,
} from "./lib/perf/parallel.ts";
export type { Parallelism } from "./lib/perf/parallel.ts";
export { parseStepTable } from "./lib/perf/step_table.ts";
export type {
  ParseStepTableOptions,
  StepTable,
} from "./lib/perf/step_table.ts";
export { tableStepTime } from "./lib/perf/table_step_time.ts";
export type {
  TableStepTimeModel,
  TableStepTimeOptions,
} from "./lib/perf/table_step_time.ts";
export { planCluster } from "./lib/analysis/pools.ts";
export type {
  ClusterPlan,
  PlanClusterOptions,
  PoolPlan,
} from "./lib/analysis/pools.ts";

// ---------------------------------------------------- speculative decoding

export {
  acceptanceRates,
  draftModelSpec,
  expectedTokensPerStep,
  speculativeStepTime,
} from "./lib/perf/speculative.ts";
export type {
  DraftModelOptions,
  SpeculativeMethod,
  SpeculativeStepOptions,
} from "./lib/perf/speculative.ts";
export {
  type SpeculativePool,
  speculativePool,
} from "./lib/analysis/speculative_pool.ts";
export {
  AcceptanceSampler,
  type SpeculativeConfig,
} from "./lib/serving/speculative.ts";

// ---------------------------------------------------------- engine presets

export { engineIterationS, withEngine } from "./lib/perf/engine.ts";
export type {
  EngineContext,
  EngineParams,
  EnginePreset,
  EngineSchedulerContext,
  EngineSchedulerDefaults,
} from "./lib/perf/engine.ts";
export {
  DEFAULT_ENGINE_PRESET,
  ENGINE_PRESETS,
} from "./lib/perf/engines/mod.ts";

// ------------------------------------------------------------------ charts

export {
  renderCdfChart,
  renderLineChart,
  renderParetoChart,
  renderStackedBarChart,
  renderTimeSeriesChart,
} from "./lib/report/render.ts";
export type {
  ChartRenderOptions,
  LineChartSpec,
  LineSeries,
} from "./lib/report/line_chart.ts";
export type { CdfChartSpec, CdfSeries } from "./lib/report/cdf_chart.ts";
export type {
  BarStack,
  StackedBarChartSpec,
} from "./lib/report/stacked_bar_chart.ts";
export type {
  ParetoChartSpec,
  ScatterGroup,
  ScatterPoint,
} from "./lib/report/pareto_chart.ts";
export type {
  TimeSeries,
  TimeSeriesChartSpec,
} from "./lib/report/time_series_chart.ts";
export {
  sweepChartSpec,
  ttftBreakdownStacks,
  ttftParts,
} from "./lib/report/study_charts.ts";
export type {
  SweepAxis,
  SweepChartInput,
  TtftPart,
  TtftPartKey,
} from "./lib/report/study_charts.ts";

// ----------------------------------------------------------------- reports

export { renderHtmlTable, renderReport } from "./lib/report/html.ts";
export type {
  ReportChart,
  ReportSection,
  ReportSpec,
  ReportTable,
} from "./lib/report/html.ts";
export { flattenRow, toCsv } from "./lib/report/csv.ts";
export { requestsCsv } from "./lib/report/requests_csv.ts";
export {
  fixed2,
  MAX_ITL_GAPS,
  renderVllmBench,
  vllmBenchJson,
  vllmBenchResult,
  vllmBenchSettings,
} from "./lib/report/vllm_bench.ts";
export type {
  VllmBenchResultOptions,
  VllmBenchSettings,
} from "./lib/report/vllm_bench.ts";
export {
  numpyPercentile,
  VLLM_BENCH_METRICS,
  vllmBenchFigures,
} from "./lib/report/vllm_bench_figures.ts";
export type {
  VllmBenchFigures,
  VllmBenchFiguresOptions,
  VllmBenchMetric,
  VllmBenchRequests,
  VllmBenchStats,
} from "./lib/report/vllm_bench_figures.ts";
export {
  LogHistogram,
  LogHistogramCursor,
} from "./lib/metrics/log_histogram.ts";
export { planParetoSpec } from "./lib/report/plan_chart.ts";
export { runCharts } from "./lib/report/run_charts.ts";
export type { LabelledRun } from "./lib/report/run_charts.ts";
