/**
 * What a registry entry's schema offers its callers, without naming the
 * schema library: public types stay free of zod's, whose thousands of
 * symbols the documentation would otherwise have to carry.
 *
 * @module
 */

/**
 * A validator: `parse` returns the valid value (defaults filled) or throws.
 * Every zod schema whose output is `T` is one.
 *
 * @typeParam T The valid value's type.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Parser } from "./parser.ts";
 * const positive: Parser<number> = {
 *   parse(raw) {
 *     if (typeof raw !== "number" || !(raw > 0)) {
 *       throw new RangeError(`not > 0: ${raw}`);
 *     }
 *     return raw;
 *   },
 * };
 * assert.equal(positive.parse(2), 2);
 * assert.throws(() => positive.parse(0), /not > 0/);
 * ```
 */
export interface Parser<T> {
  /**
   * Validates a value.
   *
   * @param raw The value, as a user wrote it.
   * @returns The valid value.
   */
  parse(raw: unknown): T;
}
