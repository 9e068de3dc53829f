/**
 * Runs llmsim's command line in a subprocess with the permissions the README
 * gives, so tests see exactly what users see (stdout, stderr, exit code).
 *
 * @module
 */

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
