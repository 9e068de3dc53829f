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
export { InputError } from "./lib/scenario/errors.ts";
export { SCENARIO_SCHEMA } from "./lib/scenario/schema.ts";
export type {
  BooleanField,
  CatalogField,
  EnumField,
  FieldSpec,
  NumberField,
  ObjectField,
  StringField,
} from "./lib/scenario/schema.ts";
export type {
  DisaggCluster,
  DTypeName,
  HardwareConfig,
  InlineGpu,
  InlineModel,
  MonoCluster,
  Scenario,
  ServingMode,
  StepTimeConfig,
  TokenDistribution,
  TokenMode,
} from "./lib/scenario/types.ts";
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
export { simulate } from "./lib/analysis/simulate.ts";
export type { SimulationResult } from "./lib/analysis/simulate.ts";
export { compare } from "./lib/analysis/compare.ts";
export type { ComparisonResult } from "./lib/analysis/compare.ts";
export { sweepPrefill, sweepRates } from "./lib/analysis/sweep.ts";
export type {
  SweepPoint,
  SweepRatesOptions,
  SweepResult,
} from "./lib/analysis/sweep.ts";
export { RequestRecords } from "./lib/metrics/records.ts";
export type { Summary, SummaryValue } from "./lib/metrics/summary.ts";
