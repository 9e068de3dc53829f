/**
 * What a step-time kind is: the `step_time` keys it reads, the rules a pool
 * running it must meet, and how it builds the pool's model of one
 * iteration's GPU time. Each kind is one file of this folder; `mod.ts`
 * lists them. A kind's keys are zod schemas built from the namespace they
 * are given, so that running a validated scenario does not load zod.
 *
 * @module
 */

import type { z, Zod } from "../../schema/zod.ts";
import type { Path } from "../../errors.ts";
import type { StepTimeModel } from "../../perf/step_time.ts";
import type { Parallelism } from "../../perf/parallel.ts";
import type { ResolvedHardware } from "../hardware.ts";
import type { PoolOverrides, PoolSettings } from "../types.ts";

/** What a kind builds its model from. */
export interface StepTimeContext {
  /** The pool's settings (its own sections over the top level's). */
  settings: PoolSettings;
  /** Tensor-parallel degree. */
  tp: number;
  /** The instance's split (pp, ep, dp_attention; its tp is `tp`). */
  parallel: Parallelism;
  /** The pool's GPU and model, when `hardware` is given. */
  hardware: ResolvedHardware | null;
  /** The cluster's token rates for the pool. */
  rates: { prefillTokensPerS: number; decodeTokensPerS: number };
}

/** Names a key of a pool's section, at the pool's own path when it set it. */
export type PoolKeyPath = (section: keyof PoolOverrides, key?: string) => Path;

/** A kind's `step_time` keys: each key's schema, built from the namespace. */
export type StepTimeKeys = Readonly<Record<string, (z: Zod) => z.ZodType>>;

/** The schemas that {@linkcode StepTimeKeys} build. */
export type BuiltKeys<K extends StepTimeKeys> = {
  -readonly [P in keyof K]: ReturnType<K[P]>;
};

/** One step-time kind. */
export interface StepTimeKindEntry<
  K extends StepTimeKeys = StepTimeKeys,
  N extends string = string,
> {
  /** The `step_time.kind` value. */
  readonly name: N;
  /** One sentence for help and the JSON Schema. */
  readonly doc: string;
  /**
   * The `step_time` keys only this kind reads, each with its schema's
   * builder (the names are known without zod).
   */
  readonly keys: K;
  /**
   * Rules a pool running this kind must meet.
   *
   * @throws {InputError} Naming the key at fault.
   */
  check?(settings: PoolSettings, at: PoolKeyPath): void;
  /** The model of one iteration's GPU time (the engine's time is added after). */
  build(context: StepTimeContext): StepTimeModel;
}
