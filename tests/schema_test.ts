import assert from "node:assert/strict";
import Ajv2020 from "npm:ajv@^8.17.1/dist/2020.js";
import { parse } from "npm:yaml@^2.8.0";
import { scenarioJsonSchema } from "../lib/scenario/json_schema.ts";
import { validateScenario } from "../lib/scenario/validate.ts";

const schema = scenarioJsonSchema();
// deno-lint-ignore no-explicit-any
const ajv = new (Ajv2020 as any)({ allErrors: true, strict: false });
const check = ajv.compile(schema);

function validatorAccepts(raw: unknown): boolean {
  try {
    validateScenario(structuredClone(raw));
    return true;
  } catch {
    return false;
  }
}

Deno.test("the shipped schema file is the generated one", async () => {
  const shipped = JSON.parse(
    await Deno.readTextFile("docs/scenario.schema.json"),
  );
  assert.deepEqual(shipped, schema);
});

Deno.test("every example references the schema and passes it", async () => {
  for await (const e of Deno.readDir("examples")) {
    if (!e.name.endsWith(".yaml")) continue;
    const text = await Deno.readTextFile(`examples/${e.name}`);
    assert.match(
      text,
      /^# yaml-language-server: \$schema=\.\.\/docs\/scenario\.schema\.json\n/,
      e.name,
    );
    assert.ok(check(parse(text)), `${e.name}: ${ajv.errorsText(check.errors)}`);
  }
});

Deno.test("schema and validator agree on valid and invalid scenarios", () => {
  // Cross-key rules (warmup < sim_seconds, p90 > p50) cannot be written in
  // JSON Schema; the cases below leave them satisfied.
  const cases: unknown[] = [
    {},
    { mode: "mono" },
    { mode: "mon" },
    { arrival: { rate_per_s: 0 } },
    { arrival: { rate_per_s: 0.1 } },
    { arrival: { rate: 1 } },
    { cluster_mono: { num_gpus: 2.5 } },
    { cluster_mono: { num_gpus: 3 } },
    { cluster_disagg: { decode_gpus: 0 } },
    { random_seed: -1 },
    { random_seed: 7 },
    { batching: "none" },
    { batching: "continuous" },
    { prompt_tokens: { mean: 5, sigma: 0.5 } },
    { prompt_tokens: { mode: "log", std: 3 } },
    { prompt_tokens: { mode: "real_mean_std", mean: 100, std: 10 } },
    { prompt_tokens: { mode: "real_mean_std", mean: 100 } },
    { prompt_tokens: { mode: "p50_p90", p50: 10, p90: 20, min_value: 2 } },
    { prompt_tokens: { mode: "p50_p90", p50: 10, p90: 20, sigma: 1 } },
    { output_tokens: { mode: "constant", value: 12 } },
    { output_tokens: { mode: "constant", value: 0 } },
    { output_tokens: { mode: "exponential", mean: 12 } },
    { output_tokens: { mode: "exponential" } },
    { output_tokens: { min_value: 0 } },
    { output_tokens: { sigma: 0 } },
    { sim_seconds: "long" },
    { unknown_key: 1 },
    { mode: "mono", batching: "continuous", scheduler: { policy: "chunked" } },
    { scheduler: { policy: "sarathi" } },
    { scheduler: { max_num_seqs: 0 } },
    { scheduler: { router: "power_of_two", iteration_overhead_s: 0.001 } },
    { kv_cache: { capacity_tokens: 1000, block_size: 16 } },
    { kv_cache: { block_size: 0 } },
    { slo: { ttft_s: 1, tpot_s: 0.05 } },
    { slo: { ttft_s: 1 } },
    { slo: { ttft_s: 0, tpot_s: 0.05 } },
  ];
  for (const raw of cases) {
    assert.equal(
      check(raw),
      validatorAccepts(raw),
      `disagree on ${JSON.stringify(raw)}`,
    );
  }
});
