/**
 * The unit of work of a study, run the same way in the main thread or in a
 * worker: a simulation (its summary and warnings) or a capacity search.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import type { Scenario } from "../scenario/types.ts";
import type { Summary } from "../metrics/summary_types.ts";
import { simulate } from "./simulate.ts";
import { listWorkload, type RequestList } from "../workload/request_list.ts";
import {
  capacity,
  type CapacityOptions,
  type CapacityResult,
} from "./capacity.ts";

/** A study task. */
export type Task =
  | {
    kind: "simulate";
    scenario: Scenario;
    /** Requests to replay instead of the scenario's own. */
    requests?: RequestList;
    /** Most requests in flight (a benchmark client's concurrency). */
    maxConcurrency?: number;
  }
  | {
    kind: "capacity";
    scenario: Scenario;
    options: CapacityOptions;
    /**
     * A plan's placement: an input error (the target is missed even at a
     * vanishing load, say) makes the placement infeasible instead of
     * failing the study.
     */
    infeasibleAsReason?: boolean;
  };

/** A simulation task's outcome (the summary only: records stay behind). */
export interface SimulateOutcome {
  /** The run's summary. */
  summary: Summary;
  /** Its warnings. */
  warnings: string[];
}

/** A placement whose capacity search could not run: why. */
export interface CapacityInfeasible {
  /** The reason (the search's input error). */
  infeasible: string;
}

/**
 * A plan's placement that was not searched because its capacity cannot
 * matter (see plan_search.ts).
 */
export interface CapacityPruned {
  /** Why it cannot matter. */
  pruned: string;
  /** The upper bound on its capacity, requests per second. */
  bound_rps: number;
}

/** What a task produced (or, for a pruned placement, why none ran). */
export type TaskOutcome =
  | SimulateOutcome
  | CapacityResult
  | CapacityInfeasible
  | CapacityPruned;

/**
 * Runs one task.
 *
 * @param task The task.
 * @returns Its outcome.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { runTask } from "./tasks.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const out = runTask({ kind: "simulate", scenario: validateScenario({ sim_seconds: 20, warmup_seconds: 2 }) });
 * assert.ok("summary" in out);
 * ```
 */
export function runTask(task: Task): TaskOutcome {
  if (task.kind === "capacity") {
    try {
      return capacity(task.scenario, task.options);
    } catch (e) {
      if (task.infeasibleAsReason && e instanceof InputError) {
        return { infeasible: e.message };
      }
      throw e;
    }
  }
  const r = simulate(task.scenario, {
    keepRecords: false,
    workload: task.requests
      ? listWorkload(task.requests, task.scenario.slo)
      : undefined,
    maxConcurrency: task.maxConcurrency,
  });
  return { summary: r.summary, warnings: r.warnings };
}
