/**
 * Every command's help lists exactly the options its parser accepts: the
 * flags are read back from the printed help text (not from the
 * declarations), each is parsed, and a flag the help does not list is
 * refused with exit code 2.
 *
 * @module
 */

import assert from "node:assert/strict";
import { commandHelp, parseCommand } from "../lib/cli/command.ts";
import type { Command } from "../lib/cli/command.ts";
import { COMMANDS } from "../lib/cli/commands/mod.ts";
import type { Values } from "../lib/cli/common.ts";
import { InputError } from "../lib/errors.ts";
import { expectInputError, runCli } from "./_cli.ts";

interface HelpFlag {
  name: string;
  short?: string;
  takesValue: boolean;
}

// The option lines of a help text: "  -h, --help  ..." or "  --name VALUE  ...".
function helpFlags(help: string): HelpFlag[] {
  const flags: HelpFlag[] = [];
  for (const line of help.split("\n")) {
    const m = /^ {2}(?:-(\w), )?--([a-z][\w-]*)( [^ ]+)?(?: {2,}| |$)/.exec(
      line,
    );
    if (m) flags.push({ short: m[1], name: m[2], takesValue: !!m[3] });
  }
  return flags;
}

function parse(command: Command, args: string[]): Values {
  return command.parse?.(args) ?? parseCommand(command, args);
}

function argsFor(flag: HelpFlag): string[] {
  return flag.takesValue ? [`--${flag.name}`, "x"] : [`--${flag.name}`];
}

// What `report KIND` accepts: its own options and those of KIND.
const REPORT_KINDS = ["simulate", "compare", "sweep", "plan"];

Deno.test("help: every listed flag parses, with or without its value as listed", () => {
  for (const command of COMMANDS.entries()) {
    const help = commandHelp(command);
    const flags = helpFlags(help);
    assert.ok(
      flags.some((f) => f.name === "help" && f.short === "h"),
      command.name,
    );
    const kinds = command.name === "report" ? REPORT_KINDS : [undefined];
    for (const kind of kinds) {
      const listed = kind === undefined
        ? flags
        : [...flags, ...helpFlags(commandHelp(COMMANDS.get(kind)))];
      for (const flag of listed) {
        const args = [...(kind ? [kind] : []), ...argsFor(flag)];
        const values = parse(command, args);
        const got = values[flag.name];
        assert.ok(
          flag.takesValue
            ? got === "x" || (Array.isArray(got) && got[0] === "x")
            : got === true,
          `${command.name} ${args.join(" ")}: ${JSON.stringify(got)}`,
        );
        // A value flag without its value is refused; a switch with one too.
        assert.throws(
          () =>
            parse(command, [
              ...(kind ? [kind] : []),
              flag.takesValue ? `--${flag.name}` : `--${flag.name}=x`,
            ]),
          InputError,
          `${command.name} --${flag.name}`,
        );
      }
    }
    assert.equal(parse(command, ["-h"]).help, true, command.name);
  }
});

Deno.test("help: a flag the help does not list is refused", () => {
  for (const command of COMMANDS.entries()) {
    const listed = new Set(helpFlags(commandHelp(command)).map((f) => f.name));
    // Every flag some other command takes, and one no command takes.
    const others = new Set(
      COMMANDS.entries().flatMap((c) =>
        helpFlags(commandHelp(c)).map((f) => f.name)
      ),
    );
    others.add("not-a-flag");
    const inner = command.name === "report"
      ? new Set(
        REPORT_KINDS.flatMap((k) =>
          helpFlags(commandHelp(COMMANDS.get(k))).map((f) => f.name)
        ),
      )
      : new Set<string>();
    for (const name of others) {
      if (listed.has(name) || inner.has(name)) continue;
      assert.throws(
        () => parse(command, [`--${name}`, "x"]),
        (e: unknown) =>
          e instanceof InputError &&
          e.message.includes(`Unknown option '--${name}'`) &&
          e.message.endsWith("(see --help)"),
        `${command.name} --${name} should be refused`,
      );
    }
  }
});

Deno.test("help: option lines fit 78 columns, one line per option", () => {
  for (const command of COMMANDS.entries()) {
    const help = commandHelp(command);
    const names = helpFlags(help).map((f) => f.name);
    assert.equal(
      new Set(names).size,
      names.length,
      `${command.name}: ${names}`,
    );
    for (const line of help.split("\n")) {
      if (!/^ {2}-/.test(line) && !/^ {26}\S/.test(line)) continue;
      const word = line.trim().split(" ").at(-1)!;
      assert.ok(
        line.length <= 78 || 26 + word.length > 78,
        `${command.name}: ${line}`,
      );
    }
  }
});

Deno.test("help: the command line prints it and refuses undeclared flags (exit 2)", async () => {
  for (const command of COMMANDS.entries()) {
    const r = await runCli([command.name, "--help"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, commandHelp(command) + "\n");
    await expectInputError(
      [command.name, "--not-a-flag"],
      /Unknown option '--not-a-flag'.* \(see --help\)$/,
    );
  }
  const top = await runCli(["help"]);
  for (const command of COMMANDS.entries()) {
    assert.match(
      top.stdout,
      new RegExp(
        `^  ${command.name} +${
          command.doc.slice(0, 20).replace(/[()]/g, "\\$&")
        }`,
        "m",
      ),
    );
  }
});
