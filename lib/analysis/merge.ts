/**
 * Merging shard files (see shard.ts): check that they come from one study
 * and cover each task once, and give back the study's description with
 * every task's outcome in order, as one unsharded run would have them.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import type { ShardFile, StudySpec } from "./shard.ts";
import type { TaskOutcome } from "./tasks.ts";

/** A shard file as read, with the name to give in messages. */
export interface NamedShard {
  /** The file's name. */
  name: string;
  /** Its contents. */
  file: ShardFile;
}

/** A whole study put back together. */
export interface MergedStudy {
  /** The study. */
  spec: StudySpec;
  /** Every task's outcome, in task order; null for a skipped placement. */
  outcomes: (TaskOutcome | null)[];
}

/**
 * Parses a shard file's text.
 *
 * @param text The file's text.
 * @param name The file's name, for messages.
 * @returns The shard file.
 * @throws {InputError} When it is not JSON or not a shard file.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseShardFile } from "./merge.ts";
 * assert.throws(() => parseShardFile("{}", "a.json"), /a\.json: not a shard file/);
 * assert.throws(() => parseShardFile("{", "b.json"), /b\.json: not a shard file \(/);
 * ```
 */
export function parseShardFile(text: string, name: string): ShardFile {
  let data: ShardFile;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${name}: not a shard file (${(e as Error).message})`);
  }
  if (data?.llmsim_shard !== 1) {
    throw new InputError(`${name}: not a shard file`);
  }
  return data;
}

/**
 * Merges the shards of one study.
 *
 * @param shards The shard files, with their names.
 * @returns The study and its outcomes in task order.
 * @throws {InputError} When none is given, they come from different
 * studies, a task is in two shards or in none.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergeShards } from "./merge.ts";
 * import { shardFile } from "./shard.ts";
 * import type { CapacityResult } from "./capacity.ts";
 * const spec = { kind: "capacity", replications: 2, fingerprint: "f" } as const;
 * const run = (rate: number) => ({ rate_per_s: rate }) as CapacityResult;
 * const merged = mergeShards([
 *   { name: "b", file: shardFile(spec, 2, { i: 1, n: 2 }, [[1, run(2)]]) },
 *   { name: "a", file: shardFile(spec, 2, { i: 0, n: 2 }, [[0, run(1)]]) },
 * ]);
 * assert.deepEqual(merged.outcomes.map((o) => (o as CapacityResult).rate_per_s), [1, 2]);
 * assert.throws(() => mergeShards([{ name: "b", file: shardFile(spec, 2, { i: 1, n: 2 }, [[1, run(2)]]) }]), /task 0 of 2 is in no shard/);
 * ```
 */
export function mergeShards(shards: readonly NamedShard[]): MergedStudy {
  if (shards.length === 0) throw new InputError("merge: give the shard files");
  const first = shards[0].file;
  for (const { name, file: s } of shards) {
    if (
      s.spec.kind !== first.spec.kind ||
      s.spec.fingerprint !== first.spec.fingerprint || s.total !== first.total
    ) {
      throw new InputError(
        `${name}: from another study than ${shards[0].name}`,
      );
    }
  }
  const outcomes: (TaskOutcome | null | undefined)[] = new Array(first.total)
    .fill(undefined);
  for (const { name, file: s } of shards) {
    for (const [index, outcome] of s.results) {
      if (outcomes[index] !== undefined) {
        throw new InputError(`${name}: task ${index} is in two shards`);
      }
      outcomes[index] = reviveNaN(outcome);
    }
  }
  const spec = first.spec;
  // Plans carry skipped placements as null tasks, which no shard runs.
  if (spec.kind === "plan") {
    spec.skipped.forEach((s, k) => {
      if (s !== null && outcomes[k] === undefined) outcomes[k] = null;
    });
  }
  const missing = outcomes.findIndex((o) => o === undefined);
  if (missing >= 0) {
    throw new InputError(
      `merge: task ${missing} of ${first.total} is in no shard (a shard is missing)`,
    );
  }
  return { spec, outcomes: outcomes as (TaskOutcome | null)[] };
}

// Shard files store NaN as null (JSON); summaries use NaN for "undefined".
function reviveNaN<T>(value: T): T {
  if (value === null) return NaN as unknown as T;
  if (Array.isArray(value)) return value.map(reviveNaN) as unknown as T;
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = reviveNaN(v);
    }
    return out as T;
  }
  return value;
}
