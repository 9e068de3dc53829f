/**
 * The rules of priorities and admission control that span sections: what
 * the exclusive model (`batching: none`) cannot do, and a trace's single
 * class.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import type { Scenario } from "./types.ts";

/**
 * Throws on admission keys the scenario cannot run: a waiting-room limit or
 * a timeout under `batching: none` (the exclusive model has neither; a
 * class's rate limit works there, as it acts before any queue).
 *
 * @param scenario A validated scenario.
 * @throws {InputError} Naming the key.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateScenario } from "./validate.ts";
 * assert.throws(
 *   () => validateScenario({ batching: "none", admission: { max_waiting_requests: 4 } }),
 *   /admission\.max_waiting_requests.*batching: continuous/,
 * );
 * ```
 */
export function checkAdmission(scenario: Scenario): void {
  if (scenario.batching !== "none") return;
  const none =
    "is not supported under batching=none (the exclusive model has no waiting-room limit or timeouts); set batching: continuous";
  if (scenario.admission?.max_waiting_requests !== undefined) {
    throw new InputError(none, ["admission", "max_waiting_requests"]);
  }
  if (scenario.admission?.timeout_s !== undefined) {
    throw new InputError(none, ["admission", "timeout_s"]);
  }
  const k = (scenario.classes ?? []).findIndex((c) =>
    c.timeout_s !== undefined
  );
  if (k >= 0) throw new InputError(none, ["classes", k, "timeout_s"]);
}
