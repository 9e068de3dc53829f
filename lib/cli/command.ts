/**
 * A command declares its options once ({@linkcode OptionSpec}); from the
 * declarations come both the `node:util` `parseArgs` configuration and the
 * `--help` text, so the two cannot disagree.
 *
 * @module
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { InputError } from "../errors.ts";
import type { OutputPath } from "../report/files.ts";
import type { Values } from "./common.ts";

/** One option of a command. */
export interface OptionSpec {
  /** The long name, without `--`. */
  readonly name: string;
  /** Whether it takes a value (`string`) or is a switch (`boolean`). */
  readonly type: "string" | "boolean";
  /** Whether it may be given more than once (the values are a list). */
  readonly multiple?: boolean;
  /** A one-letter alias, without `-`. */
  readonly short?: string;
  /** What its value is called in the help (`FILE`, `N`, `mono|disagg`). */
  readonly value?: string;
  /** One line saying what it does. */
  readonly doc: string;
  /** The default, as the help shows it (parsing sets none). */
  readonly default?: string;
  /** Whether the command needs it (the command checks; the help says). */
  readonly required?: boolean;
}

/** Options shown together, under a title or none. */
export interface OptionGroup {
  /** The group's heading, e.g. `Scenario options (flags override the file):`. */
  readonly title?: string;
  /** Its options, in the order shown. */
  readonly options: readonly OptionSpec[];
}

/** A command of the command line. */
export interface Command {
  /** The name typed after `llmsim`. */
  readonly name: string;
  /** One line for the list of commands. */
  readonly doc: string;
  /** What follows `Usage: llmsim ` in its help. */
  readonly usage: string;
  /** What it does, as paragraphs (line breaks kept). */
  readonly description: string;
  /** Its options. */
  readonly options: readonly OptionGroup[];
  /** Whether it takes arguments that are not options (in `_`). */
  readonly positionals?: boolean;
  /**
   * Parses its arguments, when that is not simply against `options`
   * (`report` takes the options of the command it reports on).
   */
  readonly parse?: (args: string[]) => Values;
  /** The files a run will write, checked before it starts. */
  readonly outputs?: (values: Values) => OutputPath[];
  /** Runs it with the parsed values. */
  readonly run: (values: Values) => Promise<void>;
}

/**
 * A value option.
 *
 * @param name Long name, without `--`.
 * @param value What the value is called in the help.
 * @param doc One line.
 * @param more Further fields (`default`, `multiple`, `required`, `short`).
 * @returns The option.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { stringOption } from "./command.ts";
 * const o = stringOption("out", "FILE", "where to write", { required: true });
 * assert.equal(o.type, "string");
 * assert.equal(o.required, true);
 * ```
 */
export function stringOption(
  name: string,
  value: string,
  doc: string,
  more: Partial<OptionSpec> = {},
): OptionSpec {
  return { name, type: "string", value, doc, ...more };
}

/**
 * A switch.
 *
 * @param name Long name, without `--`.
 * @param doc One line.
 * @param more Further fields (`short`).
 * @returns The option.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { booleanOption } from "./command.ts";
 * assert.equal(booleanOption("exact-budget", "all GPUs").type, "boolean");
 * ```
 */
export function booleanOption(
  name: string,
  doc: string,
  more: Partial<OptionSpec> = {},
): OptionSpec {
  return { name, type: "boolean", doc, ...more };
}

/**
 * Every option of some groups, in order; a name declared twice is a
 * programming error.
 *
 * @param groups The groups.
 * @returns The options.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { allOptions, booleanOption } from "./command.ts";
 * const a = booleanOption("a", "A");
 * assert.deepEqual(allOptions([{ options: [a] }, { options: [] }]), [a]);
 * assert.throws(() => allOptions([{ options: [a] }, { options: [a] }]), /twice/);
 * ```
 */
export function allOptions(groups: readonly OptionGroup[]): OptionSpec[] {
  const seen = new Set<string>();
  const out: OptionSpec[] = [];
  for (const g of groups) {
    for (const o of g.options) {
      if (seen.has(o.name)) {
        throw new Error(`option --${o.name} declared twice`);
      }
      seen.add(o.name);
      out.push(o);
    }
  }
  return out;
}

/**
 * The `parseArgs` configuration of some options.
 *
 * @param options The options.
 * @returns The configuration.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { optionsConfig, stringOption } from "./command.ts";
 * assert.deepEqual(
 *   optionsConfig([stringOption("set", "K=V", "set", { multiple: true })]),
 *   { set: { type: "string", multiple: true } },
 * );
 * ```
 */
export function optionsConfig(
  options: readonly OptionSpec[],
): ParseArgsOptionsConfig {
  const config: ParseArgsOptionsConfig = {};
  for (const o of options) {
    config[o.name] = {
      type: o.type,
      ...(o.multiple ? { multiple: true } : {}),
      ...(o.short ? { short: o.short } : {}),
    };
  }
  return config;
}

/**
 * Parses a command's arguments against its declared options (and `extra`
 * ones); an unknown flag is an input error naming `label`.
 *
 * @param command The command.
 * @param args Its arguments.
 * @param extra Options accepted beyond its own (report's `--out`).
 * @param label The command named in messages (default: its name).
 * @returns The values (positionals in `_` when it takes them).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCommand, stringOption } from "./command.ts";
 * const cmd = {
 *   name: "demo", doc: "", usage: "demo", description: "",
 *   options: [{ options: [stringOption("out", "FILE", "where")] }],
 *   run: () => Promise.resolve(),
 * };
 * assert.equal(parseCommand(cmd, ["--out", "x"]).out, "x");
 * assert.throws(() => parseCommand(cmd, ["--bogus"]), /demo: Unknown option '--bogus' \(see --help\)/);
 * ```
 */
export function parseCommand(
  command: Command,
  args: string[],
  extra: readonly OptionSpec[] = [],
  label: string = command.name,
): Values {
  const options = optionsConfig([...allOptions(command.options), ...extra]);
  return parseArgsStrict(label, args, options, command.positionals ?? false);
}

/**
 * Parses arguments strictly (an unknown flag is an input error).
 *
 * @param command The command, for messages.
 * @param args The arguments.
 * @param options The flags.
 * @param positionals Whether arguments without a flag are allowed (in `_`).
 * @returns The values.
 */
function parseArgsStrict(
  command: string,
  args: string[],
  options: ParseArgsOptionsConfig,
  positionals: boolean,
): Values {
  try {
    const parsed = parseArgs({
      args: joinNegativeValues(args, options),
      options,
      strict: true,
      allowPositionals: positionals,
    });
    return positionals
      ? { ...parsed.values, _: parsed.positionals } as Values
      : parsed.values as Values;
  } catch (e) {
    throw new InputError(
      `${command}: ${(e as Error).message.split("\n")[0]} (see --help)`,
    );
  }
}

// `--rate -2`: node:util's parseArgs takes "-2" for an option and calls the
// flag ambiguous. A value flag followed by a negative number (or a list
// starting with one) gets it as its value, so validation can say what is
// wrong with it.
function joinNegativeValues(
  args: readonly string[],
  options: ParseArgsOptionsConfig,
): string[] {
  const out: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    if (a === "--") {
      out.push(...args.slice(k));
      break;
    }
    const next = args[k + 1];
    const name = a.startsWith("--") && !a.includes("=") ? a.slice(2) : null;
    if (
      name !== null && next !== undefined && /^-(\d|\.\d)/.test(next) &&
      Object.hasOwn(options, name) && options[name].type === "string"
    ) {
      out.push(`${a}=${next}`);
      k++;
    } else out.push(a);
  }
  return out;
}

const WIDTH = 78;
const OPTION_COLUMN = 26;

// Greedy word wrap: the first line after `head`, the rest indented.
function hang(head: string, text: string, column: number): string {
  const lines: string[] = [];
  let line = head.length < column - 1 ? head.padEnd(column) : `${head} `;
  let empty = true;
  for (const word of text.split(" ")) {
    // A word too long for any line stays where it is rather than alone.
    const fits = column + word.length <= WIDTH;
    if (!empty && fits && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = " ".repeat(column) + word;
    } else {
      line += (empty ? "" : " ") + word;
    }
    empty = false;
  }
  lines.push(line);
  return lines.join("\n");
}

/**
 * An option's help line(s): the flag and its value, then the doc with
 * `(repeatable)`, `(required)` and the default, wrapped to 78 columns.
 *
 * @param o The option.
 * @returns The text.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { optionHelp, stringOption } from "./command.ts";
 * assert.equal(
 *   optionHelp(stringOption("out-dir", "DIR", "where to write the files", { default: "out" })),
 *   "  --out-dir DIR           where to write the files (default: out)",
 * );
 * ```
 */
export function optionHelp(o: OptionSpec): string {
  const flag = `${o.short ? `-${o.short}, ` : ""}--${o.name}${
    o.type === "string" && o.value ? ` ${o.value}` : ""
  }`;
  const doc = o.doc + (o.multiple ? " (repeatable)" : "") +
    (o.required ? " (required)" : "") +
    (o.default !== undefined ? ` (default: ${o.default})` : "");
  return hang(`  ${flag}`, doc, OPTION_COLUMN);
}

/**
 * A command's `--help`: usage, description, then its option groups.
 *
 * @param command The command.
 * @returns The text.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { booleanOption, commandHelp } from "./command.ts";
 * const help = commandHelp({
 *   name: "demo", doc: "", usage: "demo [options]", description: "Does it.",
 *   options: [{ options: [booleanOption("help", "this help", { short: "h" })] }],
 *   run: () => Promise.resolve(),
 * });
 * assert.equal(help, "Usage: llmsim demo [options]\n\nDoes it.\n\n  -h, --help              this help");
 * ```
 */
export function commandHelp(command: Command): string {
  allOptions(command.options);
  const parts = [`Usage: llmsim ${command.usage}`, command.description];
  for (const g of command.options) {
    const lines = g.options.map(optionHelp);
    parts.push([...(g.title ? [g.title] : []), ...lines].join("\n"));
  }
  return parts.filter((p) => p !== "").join("\n\n");
}

/**
 * Rows of a two-column list (the commands of the main help), the second
 * column wrapped to 78 columns.
 *
 * @param rows Name and text.
 * @param column Where the text starts.
 * @returns The lines.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { twoColumns } from "./command.ts";
 * assert.equal(twoColumns([["fit", "fit a scenario"]], 8), "  fit   fit a scenario");
 * ```
 */
export function twoColumns(
  rows: readonly (readonly [string, string])[],
  column: number,
): string {
  return rows.map(([name, text]) => hang(`  ${name}`, text, column)).join(
    "\n",
  );
}
