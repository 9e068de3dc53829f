/**
 * Reads the model a scenario names by its Hugging Face `config.json`
 * (`hardware.model: {hf_config: FILE}`), with one-line errors that name
 * the file, the field and the key.
 *
 * @module
 */

import { basename, dirname } from "node:path";
import { formatPath, InputError, type Path } from "../errors.ts";
import type { ModelSpec } from "../perf/catalog.ts";
import { modelFromHfConfig } from "../perf/hf_config.ts";
import { readTextFor } from "./read_text.ts";
import type { HfConfigModel } from "./types.ts";

/**
 * The architecture in a `config.json` file. Its name: the given one, else
 * the config's `_name_or_path`, else the folder holding a file named
 * `config.json` (a Hugging Face repository's layout), else the file's name
 * without `.json`.
 *
 * @param model The `hardware.model` mapping (its path already resolved
 * against the scenario file's folder by the loader).
 * @param path Where the `hardware` section is, for errors.
 * @returns The model.
 * @throws {InputError} When the file is missing, is not JSON, or holds a
 * config the reader cannot map (the message names the file and field).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readHfConfigModel } from "./hf_model_file.ts";
 * const m = readHfConfigModel(
 *   { hf_config: "tests/fixtures/hf/Qwen3-30B-A3B/config.json" },
 *   ["hardware"],
 * );
 * assert.equal(m.name, "Qwen3-30B-A3B");
 * assert.equal(m.num_experts, 128);
 * assert.throws(
 *   () => readHfConfigModel({ hf_config: "/no/config.json" }, ["hardware"]),
 *   /: \/no\/config\.json: file not found \(hardware\.model\.hf_config\)$/,
 * );
 * ```
 */
export function readHfConfigModel(
  model: HfConfigModel,
  path: Path,
): ModelSpec {
  const file = model.hf_config;
  const key = formatPath([...path, "model", "hf_config"]);
  const text = readTextFor(file, key);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(
      `${file}: not JSON (${key}): ${(e as Error).message.split("\n")[0]}`,
    );
  }
  const named = typeof (json as { _name_or_path?: unknown })?._name_or_path ===
      "string" && (json as { _name_or_path: string })._name_or_path !== "";
  const name = model.name ??
    (named
      ? undefined
      : basename(file) === "config.json" && basename(dirname(file)) !== "."
      ? basename(dirname(file))
      : basename(file).replace(/\.json$/i, ""));
  try {
    return modelFromHfConfig(json, { name, source: file });
  } catch (e) {
    if (e instanceof InputError) {
      throw new InputError(`${e.message} (${key})`);
    }
    throw e;
  }
}
