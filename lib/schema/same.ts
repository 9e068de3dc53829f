/**
 * A compile-time check that two types are the same, used beside each zod
 * schema whose output has a documented TypeScript type: the schema stays
 * the one definition, and the documented type cannot drift from it.
 *
 * @module
 */

// Every key of any member of a union.
type Keys<T> = T extends unknown ? keyof T : never;

/**
 * `true` when A and B are assignable to each other and have the same keys
 * (so an optional key that only one of them has is a difference), else
 * `false`. Nested objects are compared by assignability only: give them a
 * check of their own.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Same } from "./same.ts";
 * const yes: Same<{ a: number }, { a: number }> = true;
 * const optional: Same<{ a: number }, { a?: number }> = false;
 * const extra: Same<{ a: number }, { a: number; b?: string }> = false;
 * assert.deepEqual([yes, optional, extra], [true, false, false]);
 * ```
 */
export type Same<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? [Keys<A>] extends [Keys<B>] ? [Keys<B>] extends [Keys<A>] ? true : false
    : false
  : false
  : false;
