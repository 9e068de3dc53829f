/**
 * The check of a disagg pool's merged sections (its own keys over the top
 * level's), which only a pool with sections of its own needs. The check is
 * the scenario schema's ({@linkcode ./schema.ts}, zod), so this module does
 * not import it: the schema hands its check over when it loads (validation
 * always loads it), and a process that runs scenarios it did not validate
 * (a sweep worker) loads it with {@linkcode loadPoolSectionCheck} only for a
 * scenario whose pools have sections of their own. Running any other
 * scenario then loads no zod.
 *
 * @module
 */

import type { Path } from "../errors.ts";
import type { PoolOverrides, Scenario } from "./types.ts";

/**
 * Checks one merged section of a pool and fills its defaults.
 *
 * @param key The section.
 * @param merged The pool's keys over the top level's.
 * @param path Where the section sits, for errors.
 * @returns The checked section.
 * @throws {InputError} Naming the key at fault.
 */
export type PoolSectionCheck = (
  key: keyof PoolOverrides,
  merged: Record<string, unknown>,
  path: Path,
) => Record<string, unknown>;

let check: PoolSectionCheck | undefined;

/**
 * Hands over the check; the scenario schema calls it when it loads.
 *
 * @param c The check.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import "./schema.ts";
 * import { checkPoolSection } from "./pool_sections.ts";
 * const kv = checkPoolSection("kv_cache", { capacity_tokens: 4096 }, []);
 * assert.equal(kv.block_size, 16);
 * ```
 */
export function providePoolSectionCheck(c: PoolSectionCheck): void {
  check = c;
}

/**
 * Checks one merged section of a pool with the scenario schema.
 *
 * @param key The section.
 * @param merged The pool's keys over the top level's.
 * @param path Where the section sits, for errors.
 * @returns The checked section, defaults filled.
 * @throws {InputError} Naming the key at fault.
 * @throws {Error} If the scenario schema was not loaded (validate the
 * scenario, or await {@linkcode loadPoolSectionCheck}, first).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkPoolSection, loadPoolSectionCheck } from "./pool_sections.ts";
 * await loadPoolSectionCheck();
 * assert.throws(
 *   () => checkPoolSection("kv_cache", { block_size: 0 }, ["cluster_disagg", "decode", "kv_cache"]),
 *   { message: "cluster_disagg.decode.kv_cache.block_size: must be >= 1, got 0" },
 * );
 * ```
 */
export function checkPoolSection(
  key: keyof PoolOverrides,
  merged: Record<string, unknown>,
  path: Path,
): Record<string, unknown> {
  if (check === undefined) {
    throw new Error(
      "a disagg pool's own sections are checked by the scenario schema, " +
        "which is not loaded: validate the scenario (lib/scenario/validate.ts) " +
        "or await loadPoolSectionCheck() first",
    );
  }
  return check(key, merged, path);
}

/**
 * Loads the scenario schema, and so the check, if not loaded yet.
 *
 * @returns When the check is available.
 *
 * @example Usage
 * ```ts
 * import { loadPoolSectionCheck } from "./pool_sections.ts";
 * await loadPoolSectionCheck();
 * ```
 */
export async function loadPoolSectionCheck(): Promise<void> {
  if (check === undefined) await import("./schema.ts");
}

/**
 * Whether running a scenario needs the check: a disagg pool has sections
 * of its own.
 *
 * @param scenario A validated scenario.
 * @returns True when a pool has its own sections.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { needsPoolSectionCheck } from "./pool_sections.ts";
 * import { validateScenario } from "./validate.ts";
 * assert.equal(needsPoolSectionCheck(validateScenario({})), false);
 * const own = validateScenario({ cluster_disagg: { decode: { scheduler: { max_num_seqs: 8 } } } });
 * assert.ok(needsPoolSectionCheck(own));
 * ```
 */
export function needsPoolSectionCheck(scenario: Scenario): boolean {
  const d = scenario.cluster_disagg;
  return d?.prefill !== undefined || d?.decode !== undefined;
}
