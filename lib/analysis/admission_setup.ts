/**
 * What a scenario's priorities and admission control give the serving
 * layer: each class's priority and timeout, the waiting-queue order's
 * context, and the rate-limit buckets.
 *
 * @module
 */

import { RandomStream } from "../engine/random.ts";
import type { Scenario } from "../scenario/types.ts";
import type { QueueOrderContext } from "../serving/queue_orders/mod.ts";
import type { TokenBucket } from "../workload/rate_limit.ts";

/**
 * Whether the run has admission control (a waiting-room limit, a timeout or
 * a rate limit): the summary then reports refusals by reason.
 *
 * @param scenario A validated scenario.
 * @returns True with any of them.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasAdmissionControl } from "./admission_setup.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * assert.ok(!hasAdmissionControl(validateScenario({})));
 * assert.ok(hasAdmissionControl(validateScenario({
 *   classes: [{ name: "a", weight: 1, rate_limit: { rate_per_s: 1, burst: 1 } }],
 * })));
 * ```
 */
export function hasAdmissionControl(scenario: Scenario): boolean {
  const a = scenario.admission;
  return a?.max_waiting_requests !== undefined ||
    a?.timeout_s !== undefined ||
    (scenario.classes ?? []).some((c) =>
      c.rate_limit !== undefined || c.timeout_s !== undefined
    );
}

/**
 * Each class's timeout (its own, else `admission.timeout_s`, else none),
 * or undefined when no class has one.
 *
 * @param scenario A validated scenario.
 * @returns Seconds by class index (Infinity: none), or undefined.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { classTimeouts } from "./admission_setup.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const s = validateScenario({
 *   batching: "continuous",
 *   admission: { timeout_s: 5 },
 *   classes: [{ name: "a", weight: 1, timeout_s: 2 }, { name: "b", weight: 1 }],
 * });
 * assert.deepEqual(classTimeouts(s), [2, 5]);
 * ```
 */
export function classTimeouts(scenario: Scenario): number[] | undefined {
  const fallback = scenario.admission?.timeout_s ?? Infinity;
  const classes = scenario.classes ?? [{ timeout_s: undefined }];
  const out = classes.map((c) => c.timeout_s ?? fallback);
  return out.every((t) => t === Infinity) ? undefined : out;
}

/**
 * The waiting-queue order's context: class priorities (absent: 0), the
 * `sjf` key and the predictor, on a stream of its own.
 *
 * @param scenario A validated scenario.
 * @returns The context, without the records.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { queueContext } from "./admission_setup.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const s = validateScenario({ classes: [{ name: "a", weight: 1, priority: -1 }, { name: "b", weight: 1 }] });
 * assert.deepEqual(queueContext(s).classPriority, [-1, 0]);
 * ```
 */
export function queueContext(
  scenario: Scenario,
): Omit<QueueOrderContext, "records"> {
  const sch = scenario.scheduler;
  return {
    classPriority: (scenario.classes ?? [{ priority: 0 }]).map((c) =>
      c.priority ?? 0
    ),
    sjfKey: sch.sjf_key ?? "prompt",
    sjfPredictionError: sch.sjf_prediction_error ?? 0,
    rng: new RandomStream(scenario.random_seed, "sjf_predictor"),
  };
}

/**
 * Each class's rate-limit bucket, or undefined when no class has one.
 *
 * @param scenario A validated scenario.
 * @returns Buckets by class index.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { rateLimitBuckets } from "./admission_setup.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * assert.equal(rateLimitBuckets(validateScenario({})), undefined);
 * ```
 */
export function rateLimitBuckets(
  scenario: Scenario,
): (TokenBucket | undefined)[] | undefined {
  const buckets = (scenario.classes ?? []).map((c) => c.rate_limit);
  return buckets.some((b) => b !== undefined) ? buckets : undefined;
}
