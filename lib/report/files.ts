/**
 * Writing output files so that none is ever left half-written: each file is
 * written beside its target under a temporary name and renamed into place.
 *
 * @module
 */

import { InputError } from "../scenario/errors.ts";

/**
 * Writes several files, each atomically. All contents must be computed
 * before the call, so a failure in the simulation never leaves files behind.
 *
 * @param files Map from path to content.
 * @throws {InputError} When a file cannot be written (e.g. its folder is missing).
 *
 * @example Usage
 * ```ts
 * import { writeFilesAtomic } from "./files.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFilesAtomic(new Map([[`${dir}/a.txt`, "hi"]]));
 * if (await Deno.readTextFile(`${dir}/a.txt`) !== "hi") throw new Error();
 * ```
 */
export async function writeFilesAtomic(
  files: ReadonlyMap<string, string | Uint8Array>,
): Promise<void> {
  const written: string[] = [];
  try {
    for (const [path, content] of files) {
      const tmp = `${path}.${Deno.pid}.tmp`;
      try {
        if (typeof content === "string") await Deno.writeTextFile(tmp, content);
        else await Deno.writeFile(tmp, content);
      } catch (e) {
        await Deno.remove(tmp).catch(() => {});
        throw new InputError(`${path}: cannot write: ${(e as Error).message}`);
      }
      written.push(tmp);
    }
    for (const [path] of files) {
      await Deno.rename(`${path}.${Deno.pid}.tmp`, path);
    }
  } catch (e) {
    for (const tmp of written) await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}
