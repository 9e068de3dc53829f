/**
 * Where a JSON text first breaks the grammar (RFC 8259), for messages:
 * JSON.parse names no position in today's V8. Only called once JSON.parse
 * has failed, so speed matters little.
 *
 * @module
 */

/**
 * The offset and line:column of the first syntax error in a JSON text.
 *
 * @param text A text that JSON.parse rejected.
 * @returns The error's place and what was expected there.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonErrorPlace } from "./_json_error.ts";
 * assert.deepEqual(jsonErrorPlace('[1,\n {"a": }]'), { offset: 11, line: 2, column: 8, expected: "a value" });
 * ```
 */
export function jsonErrorPlace(
  text: string,
): { offset: number; line: number; column: number; expected: string } {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  class Stop {
    constructor(readonly expected: string) {}
  }
  const fail = (expected: string): never => {
    throw new Stop(expected);
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail("a value");
  };
  const string = () => {
    i++;
    for (;;) {
      if (i >= text.length) fail("a closing quote");
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 32) fail("an escaped control character");
      if (c === 92) {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            i++;
            fail("four hex digits");
          }
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else {
          i++;
          fail('an escape (one of " \\ / b f n r t u)');
        }
      } else i++;
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(
      text.slice(i, i + 400),
    );
    if (!m) fail("a value");
    i += m![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 10_000) fail("less nesting");
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("a key in double quotes");
        string();
        ws();
        if (text[i] !== ":") fail("':'");
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return;
        }
        fail("',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return;
        }
        fail("',' or ']'");
      }
    }
    if (c === '"') return string();
    if (c === "t") return literal("true");
    if (c === "f") return literal("false");
    if (c === "n") return literal("null");
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return number();
    fail(c === undefined ? "a value (the text ends)" : "a value");
  };
  let expected = "the end of the text";
  try {
    if (text.charCodeAt(0) === 0xfeff) i = 1;
    value(0);
    ws();
    if (i < text.length) fail("the end of the text");
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    expected = e.expected;
  }
  let line = 1, column = 1;
  for (let k = 0; k < i && k < text.length; k++) {
    if (text.charCodeAt(k) === 10) {
      line++;
      column = 1;
    } else column++;
  }
  return { offset: i, line, column, expected };
}
