/**
 * Remote use as a user without a clone does it: the repository is served over
 * HTTP on 127.0.0.1 and `cli.ts` and `mod.ts` are used by URL from an empty
 * directory, so a bare specifier or a path outside the repository would fail
 * here.
 */
import assert from "node:assert/strict";
import { runDeno, SIM_FLAGS } from "./_cli.ts";

const ROOT = new URL("../", import.meta.url).pathname;

function serveRepo(): Promise<
  { url: string; close: () => Promise<void> }
> {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      const path = decodeURIComponent(new URL(req.url).pathname);
      if (path.includes("..")) return new Response("bad path", { status: 400 });
      try {
        const body = await Deno.readFile(ROOT + path.slice(1));
        const type = path.endsWith(".ts")
          ? "application/typescript"
          : "text/plain";
        return new Response(body, { headers: { "content-type": type } });
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  );
  const { port } = server.addr as Deno.NetAddr;
  return Promise.resolve({
    url: `http://127.0.0.1:${port}`,
    close: () => server.shutdown(),
  });
}

Deno.test("remote: deno run <url>/cli.ts simulate, from an empty directory", async () => {
  const { url, close } = await serveRepo();
  const dir = await Deno.makeTempDir();
  try {
    const host = new URL(url).host;
    const r = await runDeno([
      "run",
      "-q",
      // The port is the system's pick: one an earlier run used would
      // otherwise bring back that run's cached modules.
      `--reload=${url}`,
      `--allow-import=${host}`,
      ...SIM_FLAGS,
      `${url}/cli.ts`,
      "simulate",
      "--mode",
      "mono",
      "--sim-seconds",
      "100",
      "--warmup-seconds",
      "10",
    ], dir);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.mode, "mono");
    assert.ok(s.num_samples > 0);
  } finally {
    await close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("remote: a script imports mod.ts by URL", async () => {
  const { url, close } = await serveRepo();
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/main.ts`,
      `import { compare, parseScenario } from "${url}/mod.ts";\n` +
        `const c = compare(parseScenario("sim_seconds: 100\\nwarmup_seconds: 10\\n"));\n` +
        `console.log(JSON.stringify({ same: c.mono.num_requests === c.disagg.num_requests }));\n`,
    );
    const host = new URL(url).host;
    const r = await runDeno([
      "run",
      "-q",
      // The port is the system's pick: one an earlier run used would
      // otherwise bring back that run's cached modules.
      `--reload=${url}`,
      `--allow-import=${host}`,
      "--allow-env=LOG_TOKENS,LOG_STREAM",
      "main.ts",
    ], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { same: true });
  } finally {
    await close();
    await Deno.remove(dir, { recursive: true });
  }
});
