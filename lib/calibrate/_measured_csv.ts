/**
 * The `csv` measured-run format (see `measured.ts`): one request per row,
 * the columns found by name in the header.
 *
 * @module
 */

import { didYouMean, InputError } from "../errors.ts";
import type { MeasuredRequest } from "./measured_run.ts";
import { measuredRequest, show, sortByArrival } from "./_measured_common.ts";
import { splitCsv } from "../workload/csv_fields.ts";

const REQUIRED = [
  "arrival_s",
  "prompt_tokens",
  "output_tokens",
  "ttft_s",
  "e2e_s",
] as const;

// An optional sign, digits with an optional fraction (or a bare fraction),
// an optional exponent: what a benchmark script prints, and not the hex,
// `Infinity` or empty strings that Number() would also accept.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The rows of a measured-run CSV, sorted by arrival from 0.
 *
 * @param path The file's path, for messages.
 * @param text The file's contents.
 * @returns The requests.
 * @throws {InputError} On a missing column, a bad value or no rows.
 */
export function parseMeasuredCsv(
  path: string,
  text: string,
): MeasuredRequest[] {
  const lines = text.split("\n");
  let header: string[] | undefined;
  let headerLine = 0;
  const at: number[] = [];
  const requests: MeasuredRequest[] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (i === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const lineNo = i + 1;
    const fail = (message: string): never => {
      throw new InputError(`${path}:${lineNo}: ${message}`);
    };
    const fields = splitCsv(line, 0, line.length);
    if (typeof fields === "string") fail(fields);
    const values = fields as string[];
    if (header === undefined) {
      header = values.map((v) => v.trim());
      headerLine = lineNo;
      for (const name of REQUIRED) at.push(findColumn(header, name, fail));
      continue;
    }
    if (values.length !== header.length) {
      fail(
        `${values.length} fields, the header (line ${headerLine}) has ${header.length}`,
      );
    }
    const number = (k: number): number => {
      const name = REQUIRED[k];
      const raw = values[at[k]].trim();
      const v = DECIMAL.test(raw) ? Number(raw) : NaN;
      if (!Number.isFinite(v)) {
        fail(`${name}: must be a finite number, got ${show(raw)}`);
      }
      return v;
    };
    const count = (k: number): number => {
      const v = number(k);
      if (!Number.isSafeInteger(v) || v < 1) {
        fail(
          `${REQUIRED[k]}: must be a whole number >= 1, got ${
            show(values[at[k]].trim())
          }`,
        );
      }
      return v;
    };
    const duration = (k: number): number => {
      const v = number(k);
      if (v < 0) fail(`${REQUIRED[k]}: must be >= 0, got ${v}`);
      return v;
    };
    const arrivalS = number(0);
    const promptTokens = count(1);
    const outputTokens = count(2);
    const ttftS = duration(3);
    const e2eS = duration(4);
    if (ttftS > e2eS) {
      fail(`ttft_s (${ttftS}) must not exceed e2e_s (${e2eS})`);
    }
    requests.push(
      measuredRequest({ arrivalS, promptTokens, outputTokens, ttftS, e2eS }),
    );
  }
  if (header === undefined) {
    throw new InputError(
      `${path}: empty file: expected a header with the columns ${
        REQUIRED.join(", ")
      }`,
    );
  }
  if (requests.length === 0) {
    throw new InputError(
      `${path}: no data rows after the header (line ${headerLine})`,
    );
  }
  return sortByArrival(requests);
}

function findColumn(
  header: string[],
  name: string,
  fail: (message: string) => never,
): number {
  const first = header.indexOf(name);
  if (first === -1) {
    // Suggest only among the columns that are not already required ones.
    const others = header.filter((h) =>
      !(REQUIRED as readonly string[]).includes(h)
    );
    const hint = didYouMean(name, others);
    return fail(
      `missing column ${show(name)}${
        hint === undefined ? "" : ` (did you mean ${show(hint)}?)`
      }; the header has ${header.map(show).join(", ")}`,
    );
  }
  const second = header.indexOf(name, first + 1);
  if (second !== -1) {
    fail(
      `column ${show(name)} appears twice (fields ${first + 1} and ${
        second + 1
      })`,
    );
  }
  return first;
}
