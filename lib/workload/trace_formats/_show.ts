/**
 * Text from a trace file, fit for a one-line error message.
 *
 * @module
 */

/** A value for an error message: quoted, on one line, not too long. */
export function show(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return printable(s, 80);
}

/** A message from elsewhere (a JSON error) on one short line. */
export function oneLine(s: string): string {
  return printable(s.replace(/\s+/g, " ").trim(), 160);
}

/**
 * Text from a file, fit for a one-line message: control, format and
 * unassigned characters and undecodable bytes (U+FFFD) escaped as \uXXXX,
 * cut at `max` characters. A binary file gives a short, readable excerpt.
 */
export function printable(s: string, max: number): string {
  let out = "";
  for (const ch of s) {
    const safe = /[\p{C}\p{Zl}\p{Zp}\uFFFD]/u.test(ch)
      ? `\\u${ch.codePointAt(0)!.toString(16).padStart(4, "0")}`
      : ch;
    if (out.length + safe.length > max - 3) return `${out}...`;
    out += safe;
  }
  return out;
}

/** Header names for a message: each printable, at most a few. */
export function showNames(names: readonly string[]): string {
  const shown = names.slice(0, 12).map((n) => printable(n, 40)).join(", ");
  return printable(shown, 200) +
    (names.length > 12 ? `, ... (${names.length} columns)` : "");
}
