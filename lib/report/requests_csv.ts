/**
 * Every request's timeline as CSV (`llmsim simulate --dump-requests`): one
 * row per request, in arrival order, with its lengths, the times it was
 * prefilled, decoded and finished, its class, the instances that served it,
 * its preemptions and its prefix-cache hit.
 *
 * @module
 */

import type { RequestRecords } from "../metrics/records.ts";
import type { Scenario } from "../scenario/types.ts";
import { toCsv } from "./csv.ts";
import { hasAdmissionControl } from "../analysis/admission_setup.ts";

// The records' outcomes by code (lib/metrics/records.ts).
const OUTCOME_NAMES = ["served", "queue_full", "abandoned"];

/**
 * The instance numbers of a request: `instance` colocated,
 * `prefill_instance` and `decode_instance` disaggregated; empty where none
 * served it (the exclusive model does not number its GPUs).
 *
 * @param records The run's request records.
 * @param i The request's index.
 * @param scenario The scenario that ran (its mode picks the columns).
 * @returns The columns, by name.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { instanceColumns } from "./requests_csv.ts";
 * import type { RequestRecords } from "../metrics/records.ts";
 * import type { Scenario } from "../scenario/types.ts";
 * const records = { prefillInstance: [2], decodeInstance: [-1] } as unknown as RequestRecords;
 * assert.deepEqual(instanceColumns(records, 0, { mode: "mono" } as Scenario), { instance: 2 });
 * assert.deepEqual(
 *   instanceColumns(records, 0, { mode: "disagg" } as Scenario),
 *   { prefill_instance: 2, decode_instance: "" },
 * );
 * ```
 */
export function instanceColumns(
  records: RequestRecords,
  i: number,
  scenario: Scenario,
): Record<string, number | string> {
  const at = (k: number) => (k < 0 ? "" : k);
  return scenario.mode === "mono"
    ? { instance: at(records.prefillInstance[i]) }
    : {
      prefill_instance: at(records.prefillInstance[i]),
      decode_instance: at(records.decodeInstance[i]),
    };
}

/**
 * The CSV of every request's timeline; `measured` says whether it arrived
 * after the warm-up (and so counts in the summary).
 *
 * @param records The run's request records (metrics.percentiles: exact).
 * @param scenario The scenario that ran.
 * @returns The CSV text.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { requestsCsv } from "./requests_csv.ts";
 * import { simulate } from "../analysis/simulate.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const scenario = validateScenario({ mode: "mono", sim_seconds: 20, warmup_seconds: 2 });
 * const csv = requestsCsv(simulate(scenario).records, scenario);
 * const [header, first] = csv.split("\n");
 * assert.match(header, /^request,measured,arrival_s,prompt_tokens,/);
 * assert.match(header, /,class,instance,preemptions,prefix_hit_tokens$/);
 * assert.match(first, /^0,false,/);
 * ```
 */
export function requestsCsv(
  records: RequestRecords,
  scenario: Scenario,
): string {
  const classNames = scenario.classes?.map((c) => c.name) ?? ["default"];
  // With admission control, what became of each request (last, so the
  // other columns keep their places).
  const outcomes = hasAdmissionControl(scenario) ? OUTCOME_NAMES : null;
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < records.count; i++) {
    rows.push({
      request: i,
      measured: records.arrivalS[i] >= scenario.warmup_seconds,
      arrival_s: records.arrivalS[i],
      prompt_tokens: records.promptTokens[i],
      output_tokens: records.outputTokens[i],
      prefill_start_s: records.prefillStartS[i],
      prefill_end_s: records.prefillEndS[i],
      decode_start_s: records.decodeStartS[i],
      first_token_s: records.firstTokenS[i],
      finish_s: records.finishS[i],
      // After the timeline, so the first columns keep their places.
      class: classNames[records.classIndex[i]] ?? "default",
      ...instanceColumns(records, i, scenario),
      preemptions: records.preemptions[i],
      prefix_hit_tokens: records.prefixHitTokens[i],
      ...(outcomes && { outcome: outcomes[records.outcome[i]] }),
    });
  }
  return toCsv(rows);
}
