import assert from "node:assert/strict";
import { scenarioJsonSchema } from "../lib/scenario/json_schema.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import { STEP_TIME_KINDS } from "../lib/scenario/step_time_kinds/mod.ts";
import { BATCH_POLICIES } from "../lib/serving/batch_policies/mod.ts";
import { ROUTERS } from "../lib/serving/routers/mod.ts";
import { QUEUE_ORDERS } from "../lib/serving/queue_orders/mod.ts";
import { ENGINE_PRESETS } from "../lib/perf/engines/mod.ts";
import { TOKEN_MODES } from "../lib/workload/token_modes/mod.ts";
import { ARRIVAL_PROCESSES } from "../lib/workload/arrivals/mod.ts";
import { TRACE_FORMATS } from "../lib/workload/trace_formats/mod.ts";

type Json = Record<string, unknown>;
const schema = scenarioJsonSchema() as Json;

// Follows a key path through the JSON Schema (objects and unions).
function at(node: Json, path: string[]): Json[] {
  if (path.length === 0) return [node];
  const [key, ...rest] = path;
  const out: Json[] = [];
  for (const alt of (node.oneOf ?? node.anyOf ?? [node]) as Json[]) {
    const props = alt.properties as Record<string, Json> | undefined;
    if (props?.[key]) out.push(...at(props[key], rest));
  }
  return out;
}

// Every allowed value at a path (enums and the consts of union variants).
function allowed(path: string[]): string[] {
  const values = new Set<string>();
  for (const node of at(schema, path)) {
    for (const v of (node.enum ?? []) as string[]) values.add(v);
    if (typeof node.const === "string") values.add(node.const);
    for (const alt of (node.anyOf ?? node.oneOf ?? []) as Json[]) {
      for (const v of (alt.enum ?? []) as string[]) values.add(v);
    }
  }
  return [...values].sort();
}

const CASES: [string, readonly string[], string[]][] = [
  ["step-time kinds", STEP_TIME_KINDS.names, ["step_time", "kind"]],
  ["batch policies", BATCH_POLICIES.names, ["scheduler", "policy"]],
  ["routers", ROUTERS.names, ["scheduler", "router"]],
  [
    "waiting-queue orders",
    QUEUE_ORDERS.names,
    ["scheduler", "scheduling_policy"],
  ],
  ["engine presets", [...ENGINE_PRESETS.names], ["engine", "preset"]],
  ["token modes", TOKEN_MODES.names, ["prompt_tokens", "mode"]],
  ["arrival processes", ARRIVAL_PROCESSES.names, ["arrival", "process"]],
  ["trace formats", TRACE_FORMATS.names, ["trace", "format"]],
];

for (const [what, names, path] of CASES) {
  Deno.test(`the JSON Schema allows exactly the registered ${what}`, () => {
    assert.ok(names.length > 0);
    assert.deepEqual(allowed(path), [...names].sort(), path.join("."));
  });
}

Deno.test("a misspelt policy name is refused with the registry's names", () => {
  assert.throws(
    () => validateScenario({ scheduler: { router: "least_outstandnig" } }),
    {
      message: `scheduler.router: must be one of ${
        ROUTERS.names.join(", ")
      }, got "least_outstandnig" (did you mean "least_outstanding"?)`,
    },
  );
  assert.throws(
    () => validateScenario({ step_time: { kind: "rooflin" } }),
    /step_time\.kind: must be one of rate, roofline, table, got "rooflin" \(did you mean "roofline"\?\)/,
  );
});

Deno.test("every registry entry has a doc", () => {
  for (
    const r of [
      STEP_TIME_KINDS,
      BATCH_POLICIES,
      ROUTERS,
      TOKEN_MODES,
      ARRIVAL_PROCESSES,
      TRACE_FORMATS,
    ]
  ) {
    for (const e of r.entries()) {
      assert.ok(e.doc.length > 5, `${r.kind} ${e.name}`);
    }
  }
});
