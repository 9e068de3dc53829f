/**
 * The engine presets, one file each: a new engine is one new file and one
 * line here. Every value of every preset cites the public measurement it is
 * derived from (docs/model.md, "Engine presets", shows the arithmetic).
 *
 * @module
 */

import type { EnginePreset } from "../engine.ts";
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
 * assert.equal(ENGINE_PRESETS["none"].params.iteration_s, 0);
 * assert.ok(ENGINE_PRESETS["vllm-v0"].params.iteration_s > 0);
 * ```
 */
export const ENGINE_PRESETS: Readonly<Record<string, EnginePreset>> = {
  [VLLM_V0.name]: VLLM_V0,
  [VLLM_V1.name]: VLLM_V1,
  [SGLANG.name]: SGLANG,
  [TRTLLM.name]: TRTLLM,
  [NONE.name]: NONE,
};

/** The engine a scenario runs when it names none: today's vLLM. */
export const DEFAULT_ENGINE_PRESET: string = VLLM_V1.name;
