/**
 * The engine presets, one file each: a new engine is one new file and one
 * line here; help, the scenario schema and errors take the names from the
 * registry. Every value of every preset cites the public measurement it is
 * derived from (docs/model.md, "Engine presets", shows the arithmetic).
 *
 * @module
 */

import type { EnginePreset } from "../engine.ts";
import { Registry } from "../../registry.ts";
import { NONE } from "./none.ts";
import { SGLANG } from "./sglang.ts";
import { TRTLLM } from "./trtllm.ts";
import { VLLM_V0 } from "./vllm_v0.ts";
import { VLLM_V1 } from "./vllm_v1.ts";

/**
 * Every engine preset by name.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ENGINE_PRESETS } from "./mod.ts";
 * assert.equal(ENGINE_PRESETS.get("none").params.iteration_s, 0);
 * assert.ok(ENGINE_PRESETS.get("vllm-v0").params.iteration_s > 0);
 * ```
 */
export const ENGINE_PRESETS: Registry<EnginePreset> = new Registry(
  "engine preset",
  [VLLM_V0, VLLM_V1, SGLANG, TRTLLM, NONE],
);

/** The engine a scenario runs when it names none: today's vLLM. */
export const DEFAULT_ENGINE_PRESET: string = VLLM_V1.name;
