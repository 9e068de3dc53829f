/**
 * examples/scale_out/slurm_sweep.sh and slurm_merge.sh the way users run
 * them: sbatch submits the sweep as a job array and the merge after it
 * (`--dependency=afterok`), and the merged files are byte for byte those of
 * one local run. `.ci/run` sets up a one-node Slurm on the machine (Debian's
 * slurm-wlm and munge); where there is no idle Slurm node the test is skipped
 * with a visible message.
 */
import assert from "node:assert/strict";
import { SIM_FLAGS } from "./_cli.ts";

const ROOT = new URL("../", import.meta.url).pathname;
// An absolute deno: the job's PATH need not find it.
const LLMSIM = [Deno.execPath(), "run", "-q", ...SIM_FLAGS, `${ROOT}cli.ts`]
  .join(" ");
const COMMON = {
  LLMSIM,
  REPLICATIONS: "1",
  EXTRA: "--sim-seconds 20 --warmup-seconds 2",
  NO_COLOR: "1",
};
const SHARDS = 3;
const TIMEOUT_MS = 5 * 60_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command; the environment is this process's plus `env`. */
async function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Run> {
  const out = await new Deno.Command(cmd, {
    args,
    env,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return {
    code: out.code,
    stdout: text.decode(out.stdout),
    stderr: text.decode(out.stderr),
  };
}

/** Why the test cannot run here, or undefined when a Slurm node is idle. */
async function unready(): Promise<string | undefined> {
  try {
    for (const cmd of ["sbatch", "scontrol"]) {
      if ((await run(cmd, ["--version"])).code !== 0) {
        return `${cmd} does not run`;
      }
    }
    const sinfo = await run("sinfo", ["-h", "-N", "-o", "%T"]);
    if (sinfo.code !== 0) {
      return `sinfo failed (${sinfo.stderr.trim() || `exit ${sinfo.code}`})`;
    }
    const states = sinfo.stdout.split("\n").map((s) => s.trim());
    if (!states.some((s) => s === "idle" || s === "mixed")) {
      return `no Slurm node is idle (sinfo: ${
        states.filter(Boolean).join(", ") || "no nodes"
      })`;
    }
  } catch {
    return "sbatch, scontrol or sinfo is not installed";
  }
  return undefined;
}

const reason = await unready();
if (reason) {
  console.error(
    `SKIPPED slurm test: ${reason} (.ci/run sets up a one-node Slurm: ` +
      "apt-get install slurm-wlm munge, slurmctld and slurmd on this machine)",
  );
}

/** Submits a batch script; returns its job id. */
async function sbatch(
  args: string[],
  env: Record<string, string>,
): Promise<string> {
  const out = await run("sbatch", [
    "--parsable",
    "--export=ALL",
    `--chdir=${ROOT}`,
    ...args,
  ], env);
  assert.equal(out.code, 0, `sbatch ${args.join(" ")}: ${out.stderr}`);
  const id = out.stdout.trim().split(";")[0];
  assert.match(id, /^\d+$/, `sbatch printed ${out.stdout}`);
  return id;
}

/** One record per job (per array task): its fields. */
async function jobs(id: string): Promise<Record<string, string>[]> {
  const out = await run("scontrol", ["-o", "show", "job", id]);
  assert.equal(out.code, 0, `scontrol show job ${id}: ${out.stderr}`);
  return out.stdout.split("\n").filter((l) => l.trim()).map((line) =>
    Object.fromEntries(
      line.trim().split(/\s+/).map((kv) => {
        const i = kv.indexOf("=");
        return [kv.slice(0, i), kv.slice(i + 1)];
      }),
    )
  );
}

const DONE = new Set([
  "COMPLETED",
  "FAILED",
  "CANCELLED",
  "TIMEOUT",
  "NODE_FAIL",
  "OUT_OF_MEMORY",
  "PREEMPTED",
  "BOOT_FAIL",
  "DEADLINE",
]);

/** Waits until every job of `ids` has ended; returns their records. */
async function waitFor(ids: string[]): Promise<Record<string, string>[]> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const records = (await Promise.all(ids.map(jobs))).flat();
    if (records.every((r) => DONE.has(r.JobState))) return records;
    if (Date.now() > deadline) {
      await run("scancel", ids);
      assert.fail(
        `Slurm jobs ${ids.join(", ")} still running after ${
          TIMEOUT_MS / 1000
        } s: ${
          records.map((r) => `${r.JobId} ${r.JobState} ${r.Reason}`).join("; ")
        }`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The files a sweep or a merge wrote into `dir` (the shards aside). */
async function outputs(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && !e.name.includes(".shard-")) names.push(e.name);
  }
  return names.sort();
}

Deno.test({
  name: "sbatch runs the Slurm sweep array and its merge into one run's files",
  ignore: reason !== undefined,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "llmsim-slurm-" });
    try {
      const logs = `${dir}/logs`;
      await Deno.mkdir(logs);
      const sharded = `${dir}/sharded`;
      const sweep = await sbatch([
        `--array=0-${SHARDS - 1}`,
        "--cpus-per-task=1",
        `--output=${logs}/sweep-%A_%a.out`,
        "examples/scale_out/slurm_sweep.sh",
      ], { ...COMMON, OUT: sharded });
      const merge = await sbatch([
        `--dependency=afterok:${sweep}`,
        "--kill-on-invalid-dep=yes",
        `--output=${logs}/merge-%j.out`,
        "examples/scale_out/slurm_merge.sh",
      ], { LLMSIM, OUT: sharded, NO_COLOR: "1" });
      const records = await waitFor([sweep, merge]);
      const log = async () => {
        const parts: string[] = [];
        for await (const e of Deno.readDir(logs)) {
          parts.push(
            `--- ${e.name}\n${await Deno.readTextFile(`${logs}/${e.name}`)}`,
          );
        }
        return parts.sort().join("\n");
      };
      const tasks = records.filter((r) => r.ArrayJobId === sweep);
      assert.deepEqual(
        tasks.map((r) => r.ArrayTaskId).sort(),
        Array.from({ length: SHARDS }, (_, i) => `${i}`),
        "array tasks",
      );
      for (const r of records) {
        assert.ok(
          r.JobState === "COMPLETED" && r.ExitCode === "0:0",
          `job ${r.JobId} (${r.JobName}) ended ${r.JobState} ` +
            `exit ${r.ExitCode}, reason ${r.Reason}\n${await log()}`,
        );
      }
      // The same sweep in one piece, without Slurm.
      const whole = `${dir}/whole`;
      const local = await run("bash", ["examples/scale_out/slurm_sweep.sh"], {
        ...COMMON,
        OUT: whole,
        SLURM_ARRAY_TASK_ID: "0",
        SLURM_ARRAY_TASK_COUNT: "1",
      });
      assert.equal(local.code, 0, local.stderr);
      const names = await outputs(whole);
      assert.deepEqual(names, ["sweep.csv", "sweep.json", "sweep_ttft.png"]);
      assert.deepEqual(await outputs(sharded), names);
      for (const f of names) {
        assert.deepEqual(
          await Deno.readFile(`${sharded}/${f}`),
          await Deno.readFile(`${whole}/${f}`),
          f,
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
