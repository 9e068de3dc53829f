/**
 * llmsim: a simulator of LLM inference serving. It answers what TTFT, TPOT
 * and throughput a load will see on a colocated (mono) GPU cluster or on one
 * split into prefill and decode pools (disagg).
 *
 * @example Usage
 * ```ts
 * import { compare, parseScenario, simulate } from "./mod.ts";
 *
 * const scenario = parseScenario(`
 * mode: mono
 * sim_seconds: 120
 * warmup_seconds: 12
 * arrival: { rate_per_s: 2 }
 * `);
 * const result = simulate(scenario);
 * if ((result.summary.num_samples as number) === 0) throw new Error();
 *
 * const both = compare(scenario);
 * if (both.mono.num_requests !== both.disagg.num_requests) throw new Error();
 * ```
 *
 * @module
 */

export { loadScenarioFile, parseScenario } from "./lib/scenario/load.ts";
export type { LoadOptions, Override } from "./lib/scenario/load.ts";
export { validateScenario } from "./lib/scenario/validate.ts";
export { InputError } from "./lib/errors.ts";
export { SCENARIO_SCHEMA } from "./lib/scenario/schema.ts";
export type {
  ArrayField,
  BooleanField,
  CatalogField,
  EnumField,
  FieldSpec,
  NumberField,
  ObjectField,
  StringField,
} from "./lib/scenario/schema.ts";
export type {
  ArrivalConfig,
  BatchPolicyName,
  DisaggCluster,
  DTypeName,
  EngineConfig,
  HardwareConfig,
  InlineGpu,
  InlineModel,
  MonoCluster,
  PoolOverrides,
  RequestClass,
  ResolvedScheduler,
  Scenario,
  SchedulerConfig,
  ServingMode,
  Slo,
  StepTimeConfig,
  TokenDistribution,
  TokenMode,
  TraceConfig,
} from "./lib/scenario/types.ts";
export {
  buildWorkload,
  PREFIX_BLOCK_TOKENS,
  scenarioWorkload,
} from "./lib/workload/workload.ts";
export type {
  MeasuredWindow,
  ReplayEnd,
  RequestSource,
  Workload,
} from "./lib/workload/workload.ts";
export { listWorkload } from "./lib/workload/request_list.ts";
export type { RequestList } from "./lib/workload/request_list.ts";
export { poolSettings, resolveEngine } from "./lib/scenario/pool_settings.ts";
export type {
  PoolName,
  PoolSettings,
  ResolvedEngine,
} from "./lib/scenario/pool_settings.ts";
export { openTrace } from "./lib/workload/trace.ts";
export type {
  TraceColumns,
  TraceFormat,
  TraceOptions,
  TraceSource,
  TraceStats,
} from "./lib/workload/trace.ts";
export { arrivalClock, meanRate } from "./lib/workload/arrivals.ts";
export type { ArrivalSpec, ScheduleStep } from "./lib/workload/arrivals.ts";
export { fitToYaml, fitTrace } from "./lib/workload/fit.ts";
export type {
  ImpliedStats,
  LengthStats,
  TraceFit,
} from "./lib/workload/fit.ts";
export { RandomStream } from "./lib/engine/random.ts";
export {
  DTYPE_BYTES,
  GPUS,
  MODELS,
  parameterBreakdown,
  parameterCount,
} from "./lib/perf/catalog.ts";
export type {
  DType,
  GpuSpec,
  MlaSpec,
  ModelSpec,
  ParameterBreakdown,
} from "./lib/perf/catalog.ts";
export { kvBytesPerToken, kvCapacity, kvShards } from "./lib/perf/memory.ts";
export type { KvCapacity, KvCapacityOptions } from "./lib/perf/memory.ts";
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
export { rooflineStepTime } from "./lib/perf/roofline.ts";
export type {
  IterationCost,
  RooflineOptions,
  RooflineStepTimeModel,
} from "./lib/perf/roofline.ts";
export { parseStepTable, tableStepTime } from "./lib/perf/table.ts";
export type {
  ParseStepTableOptions,
  StepTable,
  TableStepTimeModel,
  TableStepTimeOptions,
} from "./lib/perf/table.ts";
export { rateStepTime } from "./lib/serving/step_time.ts";
export type {
  IterationShape,
  RateStepTimeOptions,
  StepTimeModel,
} from "./lib/serving/step_time.ts";
export { planCluster } from "./lib/analysis/pools.ts";
export type { ClusterPlan, PoolPlan } from "./lib/analysis/pools.ts";
export { compare, simulate } from "./lib/notebook/api.ts";
export { JUPYTER_DISPLAY } from "./lib/notebook/display.ts";
export type { Displayable, MediaBundle } from "./lib/notebook/display.ts";
export type {
  SimulateOptions,
  SimulationResult,
} from "./lib/analysis/simulate.ts";
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
export type { ComparisonResult } from "./lib/analysis/compare.ts";
export type { TimelineSeries } from "./lib/metrics/timeline.ts";
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
  planTasks,
  rankPlan,
} from "./lib/analysis/plan.ts";
export type { Placement, PlanOptions, PlanRow } from "./lib/analysis/plan.ts";
export {
  aggregateReplications,
  gridPoints,
  lnGamma,
  replicate,
  sweep,
  t975,
  withParams,
} from "./lib/analysis/study.ts";
export type {
  GridAxis,
  ReplicatedSummary,
  StudyPoint,
  SweepGridPoint,
  SweepOptions,
} from "./lib/analysis/study.ts";
export { defaultJobs, runTasks } from "./lib/analysis/pool.ts";
export type { PoolOptions } from "./lib/analysis/pool.ts";
export { runTask } from "./lib/analysis/tasks.ts";
export type {
  CapacityInfeasible,
  SimulateOutcome,
  Task,
  TaskOutcome,
} from "./lib/analysis/tasks.ts";
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
} from "./lib/report/chart.ts";
export type {
  BarStack,
  CdfChartSpec,
  CdfSeries,
  ParetoChartSpec,
  ScatterGroup,
  ScatterPoint,
  StackedBarChartSpec,
  TimeSeries,
  TimeSeriesChartSpec,
} from "./lib/report/charts_more.ts";
export { renderHtmlTable, renderReport } from "./lib/report/html.ts";
export type {
  ReportChart,
  ReportSection,
  ReportSpec,
  ReportTable,
} from "./lib/report/html.ts";
export { sweepPrefill, sweepRates } from "./lib/analysis/sweep.ts";
export type {
  SweepPoint,
  SweepRatesOptions,
  SweepResult,
} from "./lib/analysis/sweep.ts";
export { RequestRecords } from "./lib/metrics/records.ts";
export { summarize, SummaryAccumulator } from "./lib/metrics/summary.ts";
export {
  judgeSaturation,
  type ObservedBacklog,
  type Quarters,
  type SaturationVerdict,
} from "./lib/metrics/saturation.ts";
export type {
  Summary,
  SummaryOptions,
  SummaryValue,
} from "./lib/metrics/summary.ts";
