/**
 * Reads a file a scenario key names, with the one-line error every such
 * file gives when it is missing or unreadable.
 *
 * @module
 */

import { InputError } from "../errors.ts";

/**
 * The text of a file a scenario key names.
 *
 * @param path The file.
 * @param key The key that names it, for the error.
 * @returns Its text.
 * @throws {InputError} When the file is missing or cannot be read.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readTextFor } from "./read_text.ts";
 * assert.throws(
 *   () => readTextFor("/no/such/file.csv", "step_time.table_file"),
 *   /\/no\/such\/file\.csv: file not found \(step_time\.table_file\)/,
 * );
 * ```
 */
export function readTextFor(path: string, key: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    throw new InputError(
      e instanceof Deno.errors.NotFound
        ? `${path}: file not found (${key})`
        : `${path}: cannot read (${key}): ${(e as Error).message}`,
    );
  }
}
