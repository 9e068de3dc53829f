/**
 * Reads scenarios from YAML text or files, applies command-line overrides and
 * validates them. Errors carry the file, line and column of the offending
 * key, so a user can jump straight to it.
 *
 * @module
 */

import { stepTimeSections } from "./step_tables.ts";
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from "npm:yaml@^2.8.0";
import { dirname, isAbsolute, join } from "node:path";
import { formatPath, InputError } from "../errors.ts";
import { readTextFor } from "./read_text.ts";
import { parseStepTable } from "../perf/step_table.ts";
import { openTrace } from "../workload/trace.ts";
import type { Scenario } from "./types.ts";
import { validateScenario } from "./validate.ts";
import { checkNoOps } from "./no_ops.ts";
import {
  estimatedLengths,
  readShareGpt,
  tokenizedLengths,
} from "./dataset_file.ts";
import { shareGptPairs } from "../workload/datasets/sampler.ts";

/** A value to set at a key path before validation (a command-line flag). */
export interface Override {
  /** Dotted key path, e.g. `arrival.rate_per_s`. */
  path: string;
  /** The value; strings from the command line are parsed as YAML scalars. */
  value: unknown;
  /** Where the override came from, for error messages (e.g. `--rate`). */
  source?: string;
}

/** Options for {@linkcode parseScenario} and {@linkcode loadScenarioFile}. */
export interface LoadOptions {
  /** Values that replace the file's, applied in order. */
  overrides?: readonly Override[];
  /** Name used in error messages for YAML text (default `<scenario>`). */
  sourceName?: string;
  /** Directory that relative paths in the scenario (a step table) start from (default: the working directory). */
  baseDir?: string;
  /**
   * Refuse text with no keys (a scenario file that is empty or all
   * comments would otherwise run every default without a word).
   */
  requireKeys?: boolean;
}

/**
 * Parses and validates a scenario from YAML text.
 *
 * @param text The YAML text (empty text means all defaults).
 * @param options Overrides and the source name for messages.
 * @returns The validated scenario.
 * @throws {InputError} On a YAML syntax error or an invalid key, with line and column.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseScenario } from "./load.ts";
 * const s = parseScenario("mode: mono\narrival:\n  rate_per_s: 3\n");
 * assert.equal(s.arrival.rate_per_s, 3);
 * assert.equal(s.mode, "mono");
 * ```
 */
export function parseScenario(
  text: string,
  options: LoadOptions = {},
): Scenario {
  const scenario = parseWithoutTokenizer(text, options);
  if (scenario.dataset?.name === "sharegpt" && !scenario.dataset.lengths) {
    throw new InputError(
      "a tokenizer is loaded asynchronously: load this scenario with loadScenarioText or loadScenarioFile (as the command line does)",
      ["dataset", "tokenizer"],
    );
  }
  return scenario;
}

/**
 * Parses and validates a scenario from YAML text, as
 * {@linkcode parseScenario} does, and also counts a ShareGPT dataset's
 * tokens with the tokenizer it names (which loads asynchronously).
 *
 * @param text The YAML text (empty text means all defaults).
 * @param options Overrides and the source name for messages.
 * @returns The validated scenario.
 * @throws {InputError} As parseScenario, or when the tokenizer cannot be read.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadScenarioText } from "./load.ts";
 * const s = await loadScenarioText(
 *   "dataset: {name: sharegpt, path: sharegpt_sample.json, tokenizer: tiny_tokenizer.json}\n",
 *   { baseDir: "examples/datasets" },
 * );
 * assert.equal(s.dataset?.name === "sharegpt" && s.dataset.lengths?.counted_by, "tokenizer");
 * ```
 */
export async function loadScenarioText(
  text: string,
  options: LoadOptions = {},
): Promise<Scenario> {
  const scenario = parseWithoutTokenizer(text, options);
  const d = scenario.dataset;
  if (d?.name === "sharegpt" && !d.lengths) {
    const texts = readShareGpt(d.path, "dataset.path");
    d.lengths = await tokenizedLengths(
      texts,
      d.tokenizer!,
      "dataset.tokenizer",
    );
    shareGptPairs(d);
  }
  return scenario;
}

// The scenario with everything loaded but a dataset's tokenizer counts.
function parseWithoutTokenizer(
  text: string,
  options: LoadOptions,
): Scenario {
  const source = options.sourceName ?? "<scenario>";
  const lineCounter = new LineCounter();
  // The library's own duplicate-key check is quadratic in a mapping's size
  // (20,000 keys take seconds): keys are checked below, in one pass.
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: false,
  });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = lineCounter.linePos(e.pos[0]);
    const what = e.code === "MULTIPLE_DOCS"
      ? "a scenario file holds one YAML document; found a second one (remove the '---' line or split the file)"
      : e.message.split("\n")[0].replace(/ at line \d+.*$/, "");
    throw new InputError(`${source}:${pos.line}:${pos.col}: ${what}`);
  }
  const duplicate = findDuplicateKey(doc.contents as Node | null);
  if (duplicate) {
    const pos = lineCounter.linePos(duplicate.node.range?.[0] ?? 0);
    const first = lineCounter.linePos(duplicate.first.range?.[0] ?? 0);
    throw new InputError(
      `${source}:${pos.line}:${pos.col}: ${
        formatPath(duplicate.path)
      }: duplicate key (first at line ${first.line})`,
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new InputError(`${source}: ${(e as Error).message}`);
  }
  if (raw !== null && raw !== undefined && !isPlainObject(raw)) {
    throw new InputError(`${source}: the scenario must be a mapping of keys`);
  }
  const tree = (raw ?? {}) as Record<string, unknown>;
  if (options.requireKeys && Object.keys(tree).length === 0) {
    throw new InputError(
      `${source}: the file holds no keys, so it would run every default; write the scenario's keys (at least mode:), or leave out --config to run the defaults`,
    );
  }
  const overridden = new Map<string, string>();
  for (const o of options.overrides ?? []) {
    setPath(tree, o.path, o.value);
    overridden.set(o.path, o.source ?? `--set ${o.path}`);
  }
  // A model's config.json is read while the scenario is validated (its
  // size sets the KV cache), so its path is made absolute first.
  resolveHfConfigPaths(tree, options.baseDir);
  let scenario: Scenario;
  try {
    scenario = validateScenario(tree);
    checkNoOps(tree, scenario);
  } catch (e) {
    if (!(e instanceof InputError) || e.path.length === 0) throw e;
    const dotted = formatPath(e.path);
    for (const [path, flag] of overridden) {
      if (dotted === path || dotted.startsWith(path + ".")) {
        throw new InputError(`${e.message} (from ${flag})`);
      }
    }
    const atKey = e.message.includes("unknown key");
    const node = locate(doc.contents as Node | null, e.path, atKey);
    if (node?.range) {
      const pos = lineCounter.linePos(node.range[0]);
      throw new InputError(
        `${source}:${pos.line}:${pos.col}: ${asWritten(e.message, node)}`,
      );
    }
    throw new InputError(`${source}: ${e.message}`);
  }
  loadStepTable(scenario, options.baseDir);
  resolveWorkloadFiles(scenario, options.baseDir);
  const d = scenario.dataset;
  if (d?.name === "sharegpt" && d.tokenizer === undefined) {
    d.lengths = estimatedLengths(readShareGpt(d.path, "dataset.path"));
    // No usable conversation is an error now, not at the run.
    shareGptPairs(d);
  }
  return scenario;
}

// Trace paths are relative to the scenario file; empirical lengths are read
// from their trace now, so a run needs no further file access for them.
function resolveWorkloadFiles(scenario: Scenario, baseDir = "."): void {
  const resolve = (file: string) =>
    isAbsolute(file) ? file : join(baseDir, file);
  if (scenario.trace) scenario.trace.file = resolve(scenario.trace.file);
  const d = scenario.dataset;
  if (d?.name === "sharegpt") {
    d.path = resolve(d.path);
    if (d.tokenizer !== undefined) d.tokenizer = resolve(d.tokenizer);
  }
  const dists = [
    scenario.prompt_tokens,
    scenario.output_tokens,
    ...(scenario.classes ?? []).flatMap((
      c,
    ) => [c.prompt_tokens, c.output_tokens]),
  ];
  for (const dist of dists) {
    if (dist?.mode !== "empirical" || dist.trace_file === undefined) continue;
    const field = dist === scenario.output_tokens ||
        scenario.classes?.some((c) => c.output_tokens === dist)
      ? "outputTokens"
      : "promptTokens";
    const trace = openTrace({
      file: resolve(dist.trace_file),
      format: dist.trace_format!,
    });
    const values: number[] = [];
    while (trace.next()) values.push(trace[field]);
    dist.values = values;
  }
}

// `hardware.model.hf_config`, at the top level and in each disagg pool,
// relative to the scenario file like every other file a scenario names.
function resolveHfConfigPaths(
  tree: Record<string, unknown>,
  baseDir = ".",
): void {
  const disagg = tree.cluster_disagg;
  const sections = [tree.hardware];
  if (isPlainObject(disagg)) {
    for (const pool of ["prefill", "decode"]) {
      const own = disagg[pool];
      if (isPlainObject(own)) sections.push(own.hardware);
    }
  }
  for (const hw of sections) {
    if (!isPlainObject(hw) || !isPlainObject(hw.model)) continue;
    const file = hw.model.hf_config;
    if (typeof file === "string" && file !== "" && !isAbsolute(file)) {
      hw.model.hf_config = join(baseDir, file);
    }
  }
}

// Reads the measured step-time tables a scenario names (top level and
// each disagg pool's own).
function loadStepTable(scenario: Scenario, baseDir = "."): void {
  for (const { path: keyPath, section } of stepTimeSections(scenario)) {
    const file = section.table_file;
    if (file === undefined) continue;
    const key = [...keyPath, "table_file"].join(".");
    const path = isAbsolute(file) ? file : join(baseDir, file);
    const text = readTextFor(path, key);
    section.table = parseStepTable(text, { source: path });
  }
}

/**
 * Reads, parses and validates a scenario file.
 *
 * @param path The YAML file.
 * @param options Overrides applied on top of the file.
 * @returns The validated scenario.
 * @throws {InputError} When the file is missing or invalid.
 *
 * @example Usage
 * ```ts ignore
 * import { loadScenarioFile } from "./load.ts";
 * const s = await loadScenarioFile("examples/example_config.yaml");
 * ```
 */
export async function loadScenarioFile(
  path: string,
  options: LoadOptions = {},
): Promise<Scenario> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new InputError(`${path}: file not found`);
    }
    if (e instanceof Deno.errors.IsADirectory) {
      throw new InputError(`${path}: is a directory, not a scenario file`);
    }
    throw new InputError(`${path}: cannot read: ${(e as Error).message}`);
  }
  return await loadScenarioText(text, {
    requireKeys: true,
    ...options,
    sourceName: path,
    baseDir: options.baseDir ?? dirname(path),
  });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function setPath(
  tree: Record<string, unknown>,
  path: string,
  value: unknown,
): void {
  const keys = path.split(".");
  let node = tree;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = node[keys[i]];
    if (!isPlainObject(next)) node[keys[i]] = {};
    node = node[keys[i]] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

// The YAML node for a key path: the value node when the key exists, else the
// key node (an unknown key is reported where it is written).
function locate(
  root: Node | null,
  path: readonly (string | number)[],
  atKey: boolean,
): Node | null {
  let node: Node | null = root;
  let last: Node | null = root;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    if (node && isSeq(node) && typeof key === "number") {
      const item = node.items[key] as Node | undefined;
      if (!item) return last;
      last = item;
      node = item;
      continue;
    }
    if (!node || !isMap(node)) return last;
    const pair = node.items.find((p) =>
      isScalar(p.key) && String(p.key.value) === String(key)
    );
    if (!pair) return last;
    last = (pair.key as Node) ?? last;
    node = atKey && i === path.length - 1
      ? null
      : (pair.value as Node | null) ?? (pair.key as Node);
  }
  return node ?? last;
}

// A number as the file writes it: 9007199254740993 reads as ...992, 1e400
// as Infinity; the message shows what the user wrote.
function asWritten(message: string, node: Node): string {
  if (!isScalar(node) || typeof node.value !== "number") return message;
  const source = (node as { source?: unknown }).source;
  const got = `got ${node.value}`;
  if (
    typeof source !== "string" || source === String(node.value) ||
    !message.endsWith(got) || !/^[-+]?[\d.]/.test(source)
  ) return message;
  return message.slice(0, -got.length) + `got ${source}`;
}

// The first key that a mapping repeats, with its path, in one pass.
function findDuplicateKey(
  root: Node | null,
): { path: (string | number)[]; node: Node; first: Node } | null {
  const stack: { node: Node; path: (string | number)[] }[] = [];
  if (root) stack.push({ node: root, path: [] });
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (isMap(node)) {
      const seen = new Map<unknown, Node>();
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        if (isScalar(key)) {
          const before = seen.get(key.value);
          if (before) {
            return {
              path: [...path, String(key.value)],
              node: key,
              first: before,
            };
          }
          seen.set(key.value, key);
        }
      }
      for (let k = node.items.length - 1; k >= 0; k--) {
        const pair = node.items[k];
        const value = pair.value as Node | null;
        if (value && (isMap(value) || isSeq(value))) {
          const key = pair.key as Node | null;
          stack.push({
            node: value,
            path: [...path, isScalar(key) ? String(key.value) : "?"],
          });
        }
      }
    } else if (isSeq(node)) {
      for (let k = node.items.length - 1; k >= 0; k--) {
        const item = node.items[k] as Node | null;
        if (item && (isMap(item) || isSeq(item))) {
          stack.push({ node: item, path: [...path, k] });
        }
      }
    }
  }
  return null;
}
