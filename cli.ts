#!/usr/bin/env -S deno run --allow-read --allow-write --allow-env=LOG_TOKENS,LOG_STREAM,NAPI_RS_NATIVE_LIBRARY_PATH,NAPI_RS_FORCE_WASI,DISABLE_SYSTEM_FONTS_LOAD --allow-ffi --allow-sys=homedir
/**
 * llmsim's command line: `simulate`, `compare`, studies, `fit`, `calibrate`.
 * This file only dispatches: each command is a module of lib/cli/commands/
 * that declares its options once (its parser and its `--help` come from
 * them) and calls `lib/`. Results are JSON on stdout for machines, tables
 * with `--format table`, warnings on stderr. A mistake in the input is one
 * line on stderr and exit code 2.
 *
 * @module
 */

import denoJson from "./deno.json" with { type: "json" };
import { commandHelp, parseCommand, twoColumns } from "./lib/cli/command.ts";
import { COMMANDS } from "./lib/cli/commands/mod.ts";
import { endOpenProgress } from "./lib/cli/progress.ts";
import { InputError } from "./lib/errors.ts";
import { checkOutputs } from "./lib/report/files.ts";

/** llmsim's version, from deno.json. */
export const VERSION: string = denoJson.version;

const MAIN_HELP =
  `llmsim: simulate LLM inference serving (colocated vs disaggregated)

Usage: llmsim <command> [options]

Commands:
${
    twoColumns([
      ...COMMANDS.entries().map((c) => [c.name, c.doc] as const),
      ["version", "print llmsim's version (also --version)"],
      ["help COMMAND", "a command's options (also COMMAND --help)"],
    ], 18)
  }

Run 'llmsim <command> --help' for a command's options.`;

/**
 * Runs the command line with the given arguments.
 *
 * @param args Arguments after the program name.
 * @returns The process exit code: 0, 2 for bad input, 1 for an internal error.
 *
 * @example Usage
 * ```ts ignore
 * import { main } from "./cli.ts";
 * const code = await main(["simulate", "--mode", "mono", "--sim-seconds", "60"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const [first, ...rest] = args;
  if (first === undefined) {
    // Without a command this is a usage error: help goes to stderr.
    console.error(MAIN_HELP);
    return 2;
  }
  if (first === "--version" || first === "-V" || first === "version") {
    console.log(`llmsim ${VERSION}`);
    return 0;
  }
  const helpOf = first === "help" && rest.length > 0 ? rest[0] : undefined;
  if (first === "-h" || first === "--help" || first === "help") {
    if (helpOf === undefined) {
      console.log(MAIN_HELP);
      return 0;
    }
  }
  const asked = helpOf ?? first;
  const name = asked === "sweep_prefill" ? "sweep-prefill" : asked;
  try {
    if (!COMMANDS.has(name)) {
      throw new InputError(
        `unknown command "${asked}" (commands: ${
          [...COMMANDS.names, "help", "version"].join(", ")
        })`,
      );
    }
    const command = COMMANDS.get(name);
    if (helpOf !== undefined) {
      if (rest.length > 1) {
        throw new InputError(`help: takes one command, got ${rest.join(" ")}`);
      }
      console.log(commandHelp(command));
      return 0;
    }
    const values = command.parse?.(rest) ?? parseCommand(command, rest);
    if (values.help) {
      console.log(commandHelp(command));
      return 0;
    }
    checkOutputs(command.outputs?.(values) ?? []);
    await command.run(values);
    return 0;
  } catch (e) {
    endOpenProgress();
    if (e instanceof InputError) {
      console.error(`llmsim: error: ${e.message}`);
      return 2;
    }
    console.error(`llmsim: internal error: ${(e as Error).message ?? e}`);
    return 1;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
