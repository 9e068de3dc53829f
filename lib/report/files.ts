/**
 * Writing a command's output files all or none. Every output goes through
 * {@linkcode writeFilesAtomic}: the paths are checked first (the folder
 * exists or can be created, the target is not a folder, the folder is
 * writable), every file is written beside its target under a temporary
 * name, and only then are all renamed into place; on any failure the
 * temporary files are removed and files already replaced are restored.
 * Commands call {@linkcode checkOutputs} before a long run, so a bad output
 * path fails in a second rather than after the run.
 *
 * @module
 */

import { basename, dirname, join, resolve } from "node:path";
import { InputError } from "../errors.ts";

/** An output path, with the flag that named it (for messages). */
export type OutputPath = string | { path: string; flag?: string };

function describeTarget(path: string, flag?: string): string {
  return flag ? `${flag} ${path}` : path;
}

function message(e: unknown): string {
  if (e instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (e instanceof Deno.errors.NotCapable) {
    return "no write permission (run with --allow-write)";
  }
  const text = e instanceof Error ? e.message : String(e);
  // "Permission denied (os error 13): open '...'" -> "Permission denied"
  return text.replace(/ \(os error \d+\).*$/s, "").split("\n")[0];
}

function statOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.statSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    // A component of the path is a file ("not a directory"): let the
    // ancestor walk name it.
    if (e instanceof Deno.errors.NotADirectory) return null;
    throw e;
  }
}

function tempName(dir: string, name: string, kind: string): string {
  const tag = `${Deno.pid}-${Math.random().toString(36).slice(2, 10)}`;
  return join(dir, `.${name}.${tag}.${kind}`);
}

// The first existing ancestor of a folder, and the folders to create under
// it (outermost first).
function existingAncestor(dir: string): { base: string; missing: string[] } {
  const missing: string[] = [];
  let d = resolve(dir);
  for (;;) {
    const info = statOrNull(d);
    if (info) return { base: d, missing: missing.reverse() };
    missing.push(d);
    const up = dirname(d);
    if (up === d) return { base: d, missing: missing.reverse() };
    d = up;
  }
}

/** Where one checked output goes. */
interface Target {
  /** The path as given. */
  path: string;
  /** The file actually replaced (symbolic links resolved). */
  real: string;
  /** An existing file that is not a regular one (`/dev/null`, a FIFO). */
  special: boolean;
  /** Whether a regular file is there now. */
  exists: boolean;
  /** Folders to create first, outermost first. */
  mkdirs: string[];
}

function checkOne(
  path: string,
  flag: string | undefined,
  probed: Map<string, string | null>,
): Target {
  const what = describeTarget(path, flag);
  if (path === "") {
    throw new InputError(`${flag ?? "output"}: needs a file name, got ""`);
  }
  if (path.endsWith("/")) {
    throw new InputError(`${what}: names a folder; give a file name`);
  }
  let info: Deno.FileInfo | null;
  try {
    info = statOrNull(path);
  } catch (e) {
    throw new InputError(`${what}: cannot write: ${message(e)}`);
  }
  if (info?.isDirectory) {
    throw new InputError(`${what}: is a directory; give a file name`);
  }
  const real = info ? Deno.realPathSync(path) : resolve(path);
  const special = info !== null && !info.isFile;
  const { base, missing } = existingAncestor(dirname(real));
  if (!statOrNull(base)?.isDirectory) {
    throw new InputError(`${what}: cannot write: ${base} is not a directory`);
  }
  if (!special) {
    // The folder must take new files (the temporary ones, then renames).
    if (!probed.has(base)) {
      let problem: string | null = null;
      const probe = tempName(base, "llmsim-probe", "tmp");
      try {
        Deno.openSync(probe, { createNew: true, write: true }).close();
        Deno.removeSync(probe);
      } catch (e) {
        problem = message(e);
      }
      probed.set(base, problem);
    }
    const problem = probed.get(base);
    if (problem) {
      throw new InputError(`${what}: cannot write in ${base}: ${problem}`);
    }
  }
  return { path, real, special, exists: info !== null, mkdirs: missing };
}

function checkAll(outputs: Iterable<OutputPath>): Target[] {
  const probed = new Map<string, string | null>();
  const seen = new Map<string, string>();
  const targets: Target[] = [];
  for (const o of outputs) {
    const { path, flag } = typeof o === "string"
      ? { path: o, flag: undefined }
      : o;
    let t: Target;
    try {
      t = checkOne(path, flag, probed);
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(
        `${describeTarget(path, flag)}: cannot write: ${message(e)}`,
      );
    }
    const other = seen.get(t.real);
    const what = describeTarget(path, flag);
    if (other !== undefined) {
      throw new InputError(
        `${what}: the same file as ${other}; give each output its own name`,
      );
    }
    seen.set(t.real, what);
    targets.push(t);
  }
  return targets;
}

/**
 * Checks output paths before a command runs: each folder exists or can be
 * created, no target is a folder, each folder is writable and no two
 * outputs are the same file.
 *
 * @param outputs The paths, each with the flag that named it.
 * @throws {InputError} Naming the flag and the path.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkOutputs } from "./files.ts";
 * const dir = await Deno.makeTempDir();
 * checkOutputs([{ path: `${dir}/new/a.json`, flag: "--out" }]);
 * let failed = false;
 * try { checkOutputs([{ path: dir, flag: "--out" }]); } catch { failed = true; }
 * assert.ok(failed, "a folder is not an output file");
 * ```
 */
export function checkOutputs(outputs: Iterable<OutputPath>): void {
  checkAll(outputs);
}

/**
 * Checks an output folder before a command runs: it is a folder, or can be
 * created, and takes new files.
 *
 * @param dir The folder.
 * @param flag The flag that named it, for messages.
 * @throws {InputError} Naming the flag and the folder.
 *
 * @example Usage
 * ```ts
 * import { checkOutputDir } from "./files.ts";
 * checkOutputDir(`${await Deno.makeTempDir()}/out`, "--out-dir");
 * ```
 */
export function checkOutputDir(dir: string, flag?: string): void {
  const what = describeTarget(dir, flag);
  if (dir === "") {
    throw new InputError(`${flag ?? "output"}: needs a folder name, got ""`);
  }
  try {
    const info = statOrNull(dir);
    if (info && !info.isDirectory) {
      throw new InputError(`${what}: is a file, not a directory`);
    }
    const { base } = existingAncestor(dir);
    if (!statOrNull(base)?.isDirectory) {
      throw new InputError(`${what}: cannot create: ${base} is a file`);
    }
    const probe = tempName(base, "llmsim-probe", "tmp");
    Deno.openSync(probe, { createNew: true, write: true }).close();
    Deno.removeSync(probe);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${what}: cannot write: ${message(e)}`);
  }
}

/**
 * Writes a command's output files all or none. All contents must be
 * computed before the call. The paths are checked as by
 * {@linkcode checkOutputs}, missing folders created, every file written to
 * a temporary name beside its target, then all renamed into place; on a
 * failure nothing is left: temporary files and created folders are removed
 * and targets already replaced get their previous content back. Existing
 * special files (`/dev/null`, a FIFO) are written in place, last.
 *
 * @param files Map from path to content.
 * @throws {InputError} When a file cannot be written, naming it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeFilesAtomic } from "./files.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFilesAtomic(new Map([[`${dir}/a.txt`, "hi"], [`${dir}/b/c.txt`, "ho"]]));
 * assert.equal(await Deno.readTextFile(`${dir}/b/c.txt`), "ho");
 * ```
 */
export async function writeFilesAtomic(
  files: ReadonlyMap<string, string | Uint8Array>,
): Promise<void> {
  const targets = checkAll(files.keys());
  const created: string[] = [];
  const temps: (string | null)[] = targets.map(() => null);
  const backups: (string | null)[] = targets.map(() => null);
  let committed = 0;
  const rollback = async () => {
    // Restore what was replaced, newest first, then drop the rest.
    for (let k = committed - 1; k >= 0; k--) {
      const t = targets[k];
      if (t.special) continue;
      const backup = backups[k];
      if (backup) await Deno.rename(backup, t.real).catch(() => {});
      else await Deno.remove(t.real).catch(() => {});
      backups[k] = null;
    }
    for (const f of [...temps, ...backups]) {
      if (f) await Deno.remove(f).catch(() => {});
    }
    for (const d of created.reverse()) await Deno.remove(d).catch(() => {});
  };
  const fail = async (t: Target, e: unknown): Promise<never> => {
    await rollback();
    throw new InputError(`${t.path}: cannot write: ${message(e)}`);
  };
  // 1. Folders and temporary files.
  for (const [k, t] of targets.entries()) {
    if (t.special) continue;
    for (const d of t.mkdirs) {
      try {
        await Deno.mkdir(d);
        created.push(d);
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) await fail(t, e);
      }
    }
    const tmp = tempName(dirname(t.real), basename(t.real), "tmp");
    temps[k] = tmp;
    const content = files.get(t.path)!;
    try {
      if (typeof content === "string") await Deno.writeTextFile(tmp, content);
      else await Deno.writeFile(tmp, content);
    } catch (e) {
      await fail(t, e);
    }
  }
  // 2. Into place, keeping each replaced file until all are in.
  for (const [k, t] of targets.entries()) {
    if (t.special) {
      committed = k + 1;
      continue;
    }
    try {
      if (t.exists) {
        const backup = tempName(dirname(t.real), basename(t.real), "bak");
        await Deno.link(t.real, backup).catch(() =>
          Deno.copyFile(t.real, backup)
        );
        backups[k] = backup;
      }
      await Deno.rename(temps[k]!, t.real);
      temps[k] = null;
      committed = k + 1;
    } catch (e) {
      await fail(t, e);
    }
  }
  for (const b of backups) if (b) await Deno.remove(b).catch(() => {});
  // 3. Special files cannot be replaced or restored: written last, in place.
  for (const t of targets) {
    if (!t.special) continue;
    const content = files.get(t.path)!;
    try {
      if (typeof content === "string") {
        await Deno.writeTextFile(t.real, content);
      } else await Deno.writeFile(t.real, content);
    } catch (e) {
      throw new InputError(`${t.path}: cannot write: ${message(e)}`);
    }
  }
}
