/**
 * The engine presets as a Markdown table (docs/model.md shows it, and a
 * test checks the page against this function, so they cannot drift).
 *
 * @module
 */

import { ENGINE_PRESETS } from "./mod.ts";

function us(s: number): string {
  if (s === 0) return "0";
  return s >= 1e-3
    ? `${+(s * 1e3).toFixed(3)} ms`
    : `${+(s * 1e6).toFixed(1)} us`;
}

/**
 * The presets' values, one row each.
 *
 * @returns A Markdown table (without a trailing newline).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { enginePresetTable } from "./table.ts";
 * assert.ok(enginePresetTable().includes("| vllm-v0 |"));
 * ```
 */
export function enginePresetTable(): string {
  const head = [
    "preset",
    "iteration_s",
    "per_layer_s",
    "per_seq_s",
    "per_prefill_seq_s",
    "per_collective_s",
    "tp_sync_s",
    "tp_sync_per_seq_s",
    "request_s",
    "finish_s",
    "compute bf16 / fp8",
    "memory",
  ];
  const rows = ENGINE_PRESETS.entries().map(({ name, params: p }) => [
    name,
    us(p.iteration_s),
    us(p.per_layer_s),
    us(p.per_seq_s),
    us(p.per_prefill_seq_s),
    us(p.per_collective_s),
    us(p.tp_sync_s),
    us(p.tp_sync_per_seq_s),
    us(p.request_s),
    us(p.finish_s),
    `${p.compute_efficiency.bf16} / ${p.compute_efficiency.fp8}`,
    `${p.memory_efficiency}`,
  ]);
  return [head, head.map(() => "---"), ...rows]
    .map((r) => `| ${r.join(" | ")} |`).join("\n");
}
