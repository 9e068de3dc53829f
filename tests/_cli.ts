/**
 * Runs llmsim's command line in a subprocess with the permissions the README
 * gives, so tests see exactly what users see (stdout, stderr, exit code).
 *
 * @module
 */

import assert from "node:assert/strict";

/** Flags `deno task sim` uses. */
export const SIM_FLAGS: readonly string[] = [
  "--allow-read",
  "--allow-write",
  "--allow-env=LOG_TOKENS,LOG_STREAM,NAPI_RS_NATIVE_LIBRARY_PATH,NAPI_RS_FORCE_WASI,DISABLE_SYSTEM_FONTS_LOAD",
  "--allow-ffi",
  "--allow-sys=homedir",
];

/** What a CLI run produced. */
export interface CliRun {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

const ROOT = new URL("../", import.meta.url);

/**
 * Runs `cli.ts` with arguments, from the repository root (or `cwd`).
 *
 * @param args Arguments after `cli.ts`.
 * @param cwd Working directory (default: the repository root).
 * @returns Exit code and output.
 */
export function runCli(args: string[], cwd?: string): Promise<CliRun> {
  const cli = new URL("cli.ts", ROOT).pathname;
  return runDeno(["run", "-q", ...SIM_FLAGS, cli, ...args], cwd);
}

/**
 * Runs the deno executable with arguments and collects its output.
 *
 * @param args Arguments to `deno`.
 * @param cwd Working directory (default: the repository root).
 * @returns Exit code and output.
 */
export async function runDeno(args: string[], cwd?: string): Promise<CliRun> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: cwd ?? ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

/**
 * Runs the CLI and checks it failed as bad input should: exit code 2,
 * nothing on stdout, one line on stderr matching `pattern`, no stack trace
 * and none of the `absent` files written.
 *
 * @param args Arguments after `cli.ts`.
 * @param pattern What the error line must say.
 * @param absent Files that must not exist afterwards.
 * @returns The error line.
 */
export async function expectInputError(
  args: string[],
  pattern: RegExp,
  absent: string[] = [],
): Promise<string> {
  const r = await runCli(args);
  assert.equal(r.code, 2, `exit code for ${args.join(" ")}: ${r.stderr}`);
  assert.equal(r.stdout, "", "nothing on stdout");
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.match(lines[0], /^llmsim: error: /);
  assert.doesNotMatch(lines[0], /internal error/);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\bat .*\.ts:\d+/, "no stack trace");
  for (const f of absent) {
    await assert.rejects(Deno.stat(f), `${f} must not be written`);
  }
  return lines[0];
}
