/**
 * Running validated scenarios loads no schema library: the runtime module
 * graphs of a study worker and of `simulate` (static imports, not type-only
 * ones and not dynamic ones, which load only when called) must not reach
 * zod, whose loading was most of a worker's start-up. The graph is read
 * with `deno info --json`.
 *
 * @module
 */

import assert from "node:assert/strict";

interface Dependency {
  code?: { specifier: string };
  isDynamic?: boolean;
}

interface ModuleInfo {
  specifier: string;
  dependencies?: Dependency[];
}

/** Each module's runtime importer on a shortest path from the root. */
async function runtimeGraph(root: URL): Promise<Map<string, string | null>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", root.href],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    roots: string[];
    modules: ModuleInfo[];
  };
  const modules = new Map(info.modules.map((m) => [m.specifier, m]));
  const start = info.roots[0];
  const from = new Map<string, string | null>([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const here = queue.shift()!;
    for (const dep of modules.get(here)?.dependencies ?? []) {
      // `import type` edges have no `code`; dynamic imports load on demand.
      const next = dep.isDynamic ? undefined : dep.code?.specifier;
      if (next === undefined || from.has(next)) continue;
      from.set(next, here);
      queue.push(next);
    }
  }
  return from;
}

function pathTo(from: Map<string, string | null>, target: string): string {
  const path: string[] = [];
  for (let at: string | null = target; at !== null; at = from.get(at)!) {
    path.unshift(at.replace(/^file:\/\/.*?\/lib\//, "lib/"));
  }
  return path.join(" -> ");
}

const ROOTS = ["../lib/analysis/worker.ts", "../lib/analysis/simulate.ts"];

for (const root of ROOTS) {
  Deno.test(`${root.slice(3)} runs without loading zod`, async () => {
    const from = await runtimeGraph(new URL(root, import.meta.url));
    // The graph is the real one: it reaches the engine and the registries.
    const reached = [...from.keys()];
    for (const part of ["/lib/engine/", "/lib/workload/arrivals/registry.ts"]) {
      assert.ok(reached.some((s) => s.includes(part)), `${part} not reached`);
    }
    const zod = reached.filter((s) =>
      s.startsWith("npm:") && /zod/.test(s) || s.endsWith("/lib/schema/zod.ts")
    );
    assert.deepEqual(
      zod.map((s) => pathTo(from, s)),
      [],
      "a runtime import reaches zod",
    );
  });
}
