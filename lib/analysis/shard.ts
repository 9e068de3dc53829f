/**
 * Sharding a study: its tasks are listed in a fixed order, shard `i/n`
 * runs tasks `i, i+n, ...` (a Slurm array or a Kubernetes Indexed Job runs
 * one shard per index) and writes its outcomes to a shard file, and
 * {@linkcode mergeShards} (merge.ts) puts the shards back together. The
 * outputs depend only on the study's description and the outcomes, so a
 * merged set of shards gives the same bytes as one run.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import type { GridAxis } from "./study.ts";
import type { PoolPrices } from "./prices.ts";
import type { Placement } from "./plan.ts";
import type { Task, TaskOutcome } from "./tasks.ts";

/** A study's description: enough to turn task outcomes into outputs. */
export type StudySpec =
  | {
    /** A grid of simulations. */
    kind: "sweep";
    /** The command, which names the output files. */
    name: "sweep" | "sweep_prefill";
    /** The axes, slowest first. */
    axes: GridAxis[];
    /** Seeds per point. */
    replications: number;
    /** See {@linkcode studyFingerprint}. */
    fingerprint: string;
  }
  | {
    /** One capacity search per replication. */
    kind: "capacity";
    /** Seeds. */
    replications: number;
    /** See {@linkcode studyFingerprint}. */
    fingerprint: string;
  }
  | {
    /** A capacity search per placement (per crossover value). */
    kind: "plan";
    /** The placements, in enumeration order. */
    placements: Placement[];
    /** Per task: why its placement cannot run (it has no task), or null. */
    skipped: (string | null)[];
    /** The crossover axis, if any: the placements repeat per value. */
    crossover?: GridAxis;
    /** With `--price`: each pool's price per GPU-hour, per crossover value. */
    prices?: PoolPrices[];
    /** See {@linkcode studyFingerprint}. */
    fingerprint: string;
  };

/** A shard's file: its part of a study's outcomes. */
export interface ShardFile {
  /** Marks the file (format version 1). */
  llmsim_shard: 1;
  /** The study. */
  spec: StudySpec;
  /** Tasks in the whole study. */
  total: number;
  /** Which shard, `i/n`. */
  shard: string;
  /** The shard's outcomes, by task index. */
  results: [number, TaskOutcome][];
}

/** Shard `i` of `n` (`0 <= i < n`). */
export interface Shard {
  /** The shard's index. */
  i: number;
  /** Shards in all. */
  n: number;
}

/**
 * Parses `i/n`; none given is the whole study, `0/1`.
 *
 * @param text The shard, e.g. `"0/4"`.
 * @returns The shard.
 * @throws {InputError} When it is not `i/n` with `0 <= i < n`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseShard } from "./shard.ts";
 * assert.deepEqual(parseShard("1/4"), { i: 1, n: 4 });
 * assert.deepEqual(parseShard(undefined), { i: 0, n: 1 });
 * assert.throws(() => parseShard("4/4"), /0 <= i < n/);
 * ```
 */
export function parseShard(text: string | undefined): Shard {
  if (text === undefined) return { i: 0, n: 1 };
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const i = m ? Number(m[1]) : NaN, n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || i >= n) {
    throw new InputError(
      `--shard: expected i/n with 0 <= i < n (e.g. 0/4), got "${text}"`,
    );
  }
  return { i, n };
}

/**
 * The tasks of one shard, with their indices in the study; the null tasks
 * (a plan's placements that cannot run) belong to no shard.
 *
 * @param tasks The study's tasks, in order.
 * @param shard Which shard.
 * @returns `[index, task]` pairs.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { shardTasks } from "./shard.ts";
 * import type { Task } from "./tasks.ts";
 * const t = { kind: "simulate" } as Task;
 * const tasks = [t, null, t, t];
 * assert.deepEqual(shardTasks(tasks, { i: 0, n: 2 }).map(([k]) => k), [0, 2]);
 * assert.deepEqual(shardTasks(tasks, { i: 1, n: 2 }).map(([k]) => k), [3]);
 * ```
 */
export function shardTasks(
  tasks: readonly (Task | null)[],
  shard: Shard,
): [number, Task][] {
  return tasks.map((t, k) => [k, t] as const).filter(([k, t]) =>
    t !== null && k % shard.n === shard.i
  ) as [number, Task][];
}

/**
 * The name of a shard's file, e.g. `sweep.shard-0-of-4.json`.
 *
 * @param kind The study's kind.
 * @param shard Which shard.
 * @returns The file name.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { shardFileName } from "./shard.ts";
 * assert.equal(shardFileName("plan", { i: 1, n: 3 }), "plan.shard-1-of-3.json");
 * ```
 */
export function shardFileName(kind: StudySpec["kind"], shard: Shard): string {
  return `${kind}.shard-${shard.i}-of-${shard.n}.json`;
}

/**
 * A shard's file contents.
 *
 * @param spec The study.
 * @param total Tasks in the whole study.
 * @param shard Which shard.
 * @param results The shard's outcomes, by task index.
 * @returns The file's object (write it with `toJson`, which keeps NaN as null).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { shardFile } from "./shard.ts";
 * const f = shardFile({ kind: "capacity", replications: 1, fingerprint: "0" }, 4, { i: 1, n: 2 }, []);
 * assert.equal(f.shard, "1/2");
 * assert.equal(f.llmsim_shard, 1);
 * ```
 */
export function shardFile(
  spec: StudySpec,
  total: number,
  shard: Shard,
  results: [number, TaskOutcome][],
): ShardFile {
  return {
    llmsim_shard: 1,
    spec,
    total,
    shard: `${shard.i}/${shard.n}`,
    results,
  };
}
