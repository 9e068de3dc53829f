/**
 * What a token-length mode is: its keys (zod schemas, built from the
 * namespace they are given so that running a validated scenario does not
 * load zod), its one-section rules, and how it draws and summarises
 * lengths. Each mode is one file of this folder; `registry.ts` lists them.
 *
 * @module
 */

import type { z, Zod } from "../../schema/zod.ts";
import type { RandomStream } from "../../engine/random.ts";
import type { LognormalParams } from "../lognormal.ts";
import type { RegistryEntry } from "../../registry.ts";
import type { Parser } from "../../schema/parser.ts";
import type { TokenDistribution, TokenMode } from "./distribution.ts";

/**
 * Builds the keys every mode takes besides its own.
 *
 * @param z The zod namespace.
 * @returns The keys' schemas.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "../../schema/zod.ts";
 * import { commonKeys } from "./_mode.ts";
 * assert.equal(commonKeys(z).min_value.parse(undefined), 1);
 * ```
 */
export function commonKeys(z: Zod) {
  return {
    max_tokens: z.number().int().min(1).optional().describe(
      "Any mode: cap every sample at this length (a max-tokens limit; it " +
        "makes the pile-up at the cap that real traces show).",
    ),
    min_value: z.number().int().min(1).default(1).describe(
      "Smallest length a sample can take, in tokens.",
    ),
  };
}

/** The schema shape of one mode: `mode`, its own keys and the common ones. */
export type ModeShape<N extends string, K extends z.ZodRawShape> =
  & { mode: z.ZodLiteral<N> | z.ZodDefault<z.ZodLiteral<N>> }
  & K
  & ReturnType<typeof commonKeys>;

/** The schema of one mode's section. */
export type ModeSchema<N extends string, K extends z.ZodRawShape> = z.ZodObject<
  ModeShape<N, K>,
  z.core.$strict
>;

/** The parsed keys of one mode. */
export type ModeSettings<N extends string, K extends z.ZodRawShape> = z.output<
  ModeSchema<N, K>
>;

/**
 * One token-length mode, as the registry lists it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { TOKEN_MODES } from "./mod.ts";
 * const constant = TOKEN_MODES.get("constant");
 * const dist = constant.schema.parse({ mode: "constant", value: 7 });
 * assert.equal(constant.median(dist), 7);
 * assert.equal(constant.lognormal(dist), null);
 * ```
 */
export interface TokenModeEntry extends RegistryEntry {
  /** The `mode` value. */
  readonly name: TokenMode;
  /** One sentence for help and the JSON Schema. */
  readonly doc: string;
  /** Validates the section: `mode`, the mode's keys, the common keys. */
  readonly schema: Parser<TokenDistribution>;
  /**
   * Draws a length: a whole number of at least `min_value`, before the cap.
   *
   * @param dist The mode's settings (valid, of this mode).
   * @param stream The stream to draw from.
   * @returns A function returning successive lengths.
   */
  sampler(dist: TokenDistribution, stream: RandomStream): () => number;
  /**
   * The lognormal behind the mode, or null for the others.
   *
   * @param dist The mode's settings (valid, of this mode).
   * @returns Its log-space parameters, or null.
   */
  lognormal(dist: TokenDistribution): LognormalParams | null;
  /**
   * Real-space mean and standard deviation, or null when unknown.
   *
   * @param dist The mode's settings (valid, of this mode).
   * @returns The moments, or null.
   */
  moments(dist: TokenDistribution): { mean: number; std: number } | null;
  /**
   * The median length, tokens (0 when it is not known before loading).
   *
   * @param dist The mode's settings (valid, of this mode).
   * @returns The median.
   */
  median(dist: TokenDistribution): number;
}

/** One token-length mode as {@linkcode tokenMode} builds it, zod-typed. */
export interface ModeEntry<N extends string, K extends z.ZodRawShape> {
  /** The `mode` value. */
  readonly name: N;
  /** One sentence for help and the JSON Schema. */
  readonly doc: string;
  /**
   * Builds the section's schema: `mode`, the mode's keys, the common keys.
   *
   * @param z The zod namespace.
   * @returns The schema.
   */
  schema(z: Zod): ModeSchema<N, K>;
  /** Draws a length: a whole number of at least `min_value`, before the cap. */
  sampler(dist: ModeSettings<N, K>, stream: RandomStream): () => number;
  /** The lognormal behind the mode, or null for the others. */
  lognormal(dist: ModeSettings<N, K>): LognormalParams | null;
  /** Real-space mean and standard deviation, or null when unknown. */
  moments(dist: ModeSettings<N, K>): { mean: number; std: number } | null;
  /** The median length, tokens (0 when it is not known before loading). */
  median(dist: ModeSettings<N, K>): number;
}

/** What a mode's file gives to {@linkcode tokenMode}. */
export interface TokenModeDefinition<N extends string, K extends z.ZodRawShape>
  extends Omit<ModeEntry<N, K>, "schema" | "lognormal"> {
  /**
   * Builds the mode's own keys.
   *
   * @param z The zod namespace.
   * @returns The keys' schemas.
   */
  keys(z: Zod): K;
  /** Whether this mode is the default (`mode` may then be left out). */
  isDefault?: boolean;
  /** Rules within the section that one key's schema cannot state. */
  refine?(
    dist: ModeSettings<N, K>,
    issue: (key: string | undefined, message: string) => void,
  ): void;
  /** The lognormal behind the mode (lognormal modes only). */
  lognormal?(dist: ModeSettings<N, K>): LognormalParams;
}

/**
 * Builds a mode's entry from its definition.
 *
 * @param def The mode's name, keys, rules and sampler.
 * @returns The entry.
 */
export function tokenMode<N extends string, K extends z.ZodRawShape>(
  def: TokenModeDefinition<N, K>,
): ModeEntry<N, K> {
  const schema = (z: Zod): ModeSchema<N, K> => {
    const mode = def.isDefault
      ? z.literal(def.name).default(def.name)
      : z.literal(def.name);
    let built = z.strictObject({
      mode: mode.describe("How the lengths are given."),
      ...def.keys(z),
      ...commonKeys(z),
    }) as unknown as ModeSchema<N, K>;
    const refine = def.refine;
    if (refine) {
      built = built.superRefine((dist, ctx) =>
        refine(
          dist as ModeSettings<N, K>,
          (key, message) =>
            ctx.addIssue({
              code: "custom",
              path: key === undefined ? [] : [key],
              message,
              input: dist,
            }),
        )
      );
    }
    return built;
  };
  return {
    name: def.name,
    doc: def.doc,
    schema,
    sampler: def.sampler,
    lognormal: def.lognormal ?? (() => null),
    moments: def.moments,
    median: def.median,
  };
}
