/**
 * Where a scenario keeps the measured step tables it loaded: the top-level
 * `step_time` and each disagg pool's own. A table is read from its file,
 * not written in YAML, so copies of a scenario carry the loaded tables over.
 *
 * @module
 */

import type { Scenario, StepTimeConfig } from "./types.ts";

/** A step-time section and the key path it sits at. */
export interface StepTimeSection {
  /** Key path of the section (`step_time`, `cluster_disagg.prefill.step_time`). */
  path: string[];
  /** The section (partial for a pool). */
  section: Partial<StepTimeConfig>;
}

/**
 * The step-time sections of a scenario.
 *
 * @param scenario A validated scenario.
 * @returns The top-level section, then each disagg pool's own.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { stepTimeSections } from "./step_tables.ts";
 * import { validateScenario } from "./validate.ts";
 * const s = validateScenario({ cluster_disagg: { decode: { step_time: { kind: "rate" } } } });
 * assert.equal(stepTimeSections(s).length, 2);
 * ```
 */
export function stepTimeSections(scenario: Scenario): StepTimeSection[] {
  const out: StepTimeSection[] = [{
    path: ["step_time"],
    section: scenario.step_time,
  }];
  for (const pool of ["prefill", "decode"] as const) {
    const own = scenario.cluster_disagg[pool]?.step_time;
    if (own) {
      out.push({ path: ["cluster_disagg", pool, "step_time"], section: own });
    }
  }
  return out;
}

/**
 * Copies the loaded tables (and a ShareGPT dataset's lengths, when it names
 * the same files) of one scenario into another of the same shape.
 *
 * @param from The scenario the tables were loaded into.
 * @param to A copy of it (structured clone, or validated again).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { carryStepTables } from "./step_tables.ts";
 * import { validateScenario } from "./validate.ts";
 * const a = validateScenario({});
 * const b = validateScenario({});
 * carryStepTables(a, b);
 * assert.equal(b.step_time.table, undefined);
 * ```
 */
export function carryStepTables(from: Scenario, to: Scenario): void {
  const target = stepTimeSections(to);
  for (const { path, section } of stepTimeSections(from)) {
    if (!section.table) continue;
    const match = target.find((t) => t.path.join(".") === path.join("."));
    if (match && match.section.table_file === section.table_file) {
      match.section.table = section.table;
    }
  }
  // A dataset's loaded lengths likewise, while it names the same files.
  const [a, b] = [from.dataset, to.dataset];
  if (
    a?.name === "sharegpt" && b?.name === "sharegpt" && a.lengths &&
    !b.lengths && a.path === b.path && a.tokenizer === b.tokenizer
  ) b.lengths = a.lengths;
}

/**
 * A scenario's tree without its loaded tables and dataset lengths (for
 * validating it again).
 *
 * @param scenario A validated scenario.
 * @returns A deep copy with every `table` removed.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { withoutStepTables } from "./step_tables.ts";
 * import { validateScenario } from "./validate.ts";
 * const t = withoutStepTables(validateScenario({}));
 * assert.equal(typeof t.step_time, "object");
 * ```
 */
export function withoutStepTables(
  scenario: Scenario,
): Record<string, unknown> {
  const tables = stepTimeSections(scenario).map((s) => s.section.table);
  for (const s of stepTimeSections(scenario)) delete s.section.table;
  try {
    const tree = structuredClone(scenario) as unknown as Record<
      string,
      unknown
    >;
    // A dataset's loaded lengths are not a key either.
    delete (tree.dataset as { lengths?: unknown } | undefined)?.lengths;
    return tree;
  } finally {
    stepTimeSections(scenario).forEach((s, k) => {
      if (tables[k]) s.section.table = tables[k];
    });
  }
}
