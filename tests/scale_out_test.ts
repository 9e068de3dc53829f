import assert from "node:assert/strict";
import { parse } from "npm:yaml@^2.8.0";
import { SIM_FLAGS } from "./_cli.ts";

const cli = new URL("../cli.ts", import.meta.url).pathname;
const LLMSIM = [Deno.execPath(), "run", "-q", ...SIM_FLAGS, cli].join(" ");

async function bash(script: string, env: Record<string, string>) {
  const out = await new Deno.Command("bash", {
    args: [script],
    env: { ...env, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, err);
}

Deno.test("the Slurm array scripts shard a sweep and merge it into one run's files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const common = {
      LLMSIM,
      REPLICATIONS: "1",
      EXTRA: "--sim-seconds 20 --warmup-seconds 2",
    };
    for (const id of ["0", "1", "2"]) {
      await bash("examples/scale_out/slurm_sweep.sh", {
        ...common,
        OUT: `${dir}/sharded`,
        SLURM_ARRAY_TASK_ID: id,
        SLURM_ARRAY_TASK_COUNT: "3",
      });
    }
    await bash("examples/scale_out/slurm_merge.sh", {
      LLMSIM,
      OUT: `${dir}/sharded`,
    });
    // The same sweep in one piece.
    await bash("examples/scale_out/slurm_sweep.sh", {
      ...common,
      OUT: `${dir}/whole`,
      SLURM_ARRAY_TASK_ID: "0",
      SLURM_ARRAY_TASK_COUNT: "1",
    });
    for (const f of ["sweep.csv", "sweep.json", "sweep_ttft.png"]) {
      assert.deepEqual(
        await Deno.readFile(`${dir}/sharded/${f}`),
        await Deno.readFile(`${dir}/whole/${f}`),
        f,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the Kubernetes Indexed Job runs every shard and the merge reads them all", async () => {
  const job = parse(
    await Deno.readTextFile("examples/scale_out/k8s_plan.yaml"),
  );
  const merge = parse(
    await Deno.readTextFile("examples/scale_out/k8s_merge.yaml"),
  );
  const n = job.spec.completions;
  assert.equal(job.spec.completionMode, "Indexed");
  assert.equal(job.spec.parallelism, n);
  const shardArgs = job.spec.template.spec.containers[0].args.join(" ");
  assert.match(shardArgs, new RegExp(`--shard "\\$JOB_COMPLETION_INDEX/${n}"`));
  const out = /--out-dir (\S+)/.exec(shardArgs)![1];
  const mergeArgs = merge.spec.template.spec.containers[0].args.join(" ");
  assert.ok(mergeArgs.includes(`--out-dir ${out}`));
  assert.ok(mergeArgs.includes(`${out}/plan.shard-*-of-${n}.json`));
});
