/**
 * The single-file form that works without downloading a runtime: `deno task
 * install` (deno install --global) writes one `llmsim` launcher with the
 * task's permissions. Installed into a temporary root, it must run a
 * simulation and a chart-drawing sweep on worker threads.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;

Deno.test("deno task install gives a working llmsim command", async () => {
  const tasks = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).tasks;
  const root = await Deno.makeTempDir();
  try {
    // The install task, into a temporary root instead of ~/.deno.
    const args = (tasks.install as string).split(/\s+/).slice(1);
    args.splice(args.indexOf("--global") + 1, 0, "--root", root);
    const install = await new Deno.Command(Deno.execPath(), {
      args,
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(install.code, 0, new TextDecoder().decode(install.stderr));
    const bin = `${root}/bin/llmsim`;
    const run = (a: string[]) =>
      new Deno.Command(bin, {
        args: a,
        cwd: root,
        stdout: "piped",
        stderr: "piped",
        env: {
          PATH: `${Deno.execPath().replace(/\/[^/]+$/, "")}:/usr/bin:/bin`,
        },
      }).output();
    const sim = await run([
      "simulate",
      "--mode",
      "mono",
      "--sim-seconds",
      "50",
      "--warmup-seconds",
      "5",
    ]);
    assert.equal(sim.code, 0, new TextDecoder().decode(sim.stderr));
    assert.equal(JSON.parse(new TextDecoder().decode(sim.stdout)).mode, "mono");
    const sweep = await run([
      "sweep",
      "--rates",
      "1,2",
      "--sim-seconds",
      "30",
      "--warmup-seconds",
      "3",
      "--jobs",
      "2",
      "--out-dir",
      `${root}/o`,
    ]);
    assert.equal(sweep.code, 0, new TextDecoder().decode(sweep.stderr));
    assert.ok((await Deno.stat(`${root}/o/sweep_ttft.png`)).size > 1000);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
