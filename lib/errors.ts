/**
 * Errors that a user can fix: a bad scenario key, a bad flag, a missing file.
 * The command line prints their message on one line and exits with code 2.
 *
 * @module
 */

/** A key path, as errors name it (`["classes", 0, "name"]`). */
export type Path = (string | number)[];

/** An error in user input, with the key path it concerns when there is one. */
export class InputError extends Error {
  /** The path of the offending key, e.g. `["prompt_tokens", "std"]`. */
  readonly path: readonly (string | number)[];

  /**
   * Creates an input error.
   *
   * @param message What was wrong, with the offending value.
   * @param path The key path, if the error concerns a scenario key.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { InputError } from "./errors.ts";
   * const e = new InputError("must be > 0, got -1", ["arrival", "rate_per_s"]);
   * assert.equal(e.message, "arrival.rate_per_s: must be > 0, got -1");
   * ```
   */
  constructor(message: string, path: readonly (string | number)[] = []) {
    super(path.length > 0 ? `${formatPath(path)}: ${message}` : message);
    this.name = "InputError";
    this.path = path;
  }
}

/**
 * Formats a key path as users write it (`a.b[2].c`).
 *
 * @param path The key path.
 * @returns The dotted form.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPath } from "./errors.ts";
 * assert.equal(formatPath(["a", 2, "b"]), "a[2].b");
 * ```
 */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const p of path) {
    out += typeof p === "number" ? `[${p}]` : (out === "" ? p : `.${p}`);
  }
  return out;
}

/**
 * The closest candidate to a misspelt name, or undefined when none is close.
 *
 * @param name The name the user wrote.
 * @param candidates The names that are allowed.
 * @returns The suggestion, if any.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { didYouMean } from "./errors.ts";
 * assert.equal(didYouMean("rate_per_sec", ["rate_per_s"]), "rate_per_s");
 * ```
 */
export function didYouMean(
  name: string,
  candidates: readonly string[],
): string | undefined {
  // Names are short; a long text is no slip of the finger (and an edit
  // distance to it would cost its length squared).
  if (name.length > 64) return undefined;
  const lower = name.toLowerCase();
  // A truncated or extended key (`rate` for `rate_per_s`) is the likeliest slip.
  const prefix = candidates.find((c) =>
    lower.length >= 3 &&
    (c.toLowerCase().startsWith(lower) || lower.startsWith(c.toLowerCase()))
  );
  if (prefix) return prefix;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  // Accept only suggestions within about a third of the name's length, so an
  // unrelated key does not get an absurd suggestion.
  return bestDistance <= Math.max(2, Math.floor(name.length / 3))
    ? best
    : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        prev[j] + 1,
        cur[j - 1] + 1,
        prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * A value as an error message shows it: JSON-quoted (control characters
 * escaped), undecodable bytes and invisible characters escaped, cut to
 * `max` characters.
 *
 * @param text The text.
 * @param max The most characters to show (default 60).
 * @returns The quoted excerpt.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { quoteExcerpt } from "./errors.ts";
 * assert.equal(quoteExcerpt("a\u0000b"), '"a\\u0000b"');
 * assert.equal(quoteExcerpt("x".repeat(100), 10), '"xxxxx..."');
 * ```
 */
export function quoteExcerpt(text: string, max = 60): string {
  const quoted = JSON.stringify(text).replace(
    /[\p{C}\p{Zl}\p{Zp}\uFFFD]/gu,
    (ch) => `\\u${ch.codePointAt(0)!.toString(16).padStart(4, "0")}`,
  );
  return quoted.length <= max ? quoted : `${quoted.slice(0, max - 4)}..."`;
}
