/**
 * Study flags that would do nothing or contradict each other are refused
 * (one line, exit 2, nothing written) or warned about; replications report
 * configuration as it is and intervals only for measured values; plan names
 * why nothing fits and ranks only feasible placements; capacity's rate is
 * `capacity_rps`, never `goodput_rps`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { aggregateReplications } from "../lib/analysis/study.ts";
import { runCli } from "./_cli.ts";

const SHORT = ["--sim-seconds", "20", "--warmup-seconds", "2"];

async function refused(
  args: string[],
  pattern: RegExp,
  outDir = true,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const r = await runCli([
      ...args,
      ...(outDir ? ["--out-dir", `${dir}/o`] : []),
    ]);
    const what = args.join(" ");
    assert.equal(r.code, 2, `exit code for ${what}: ${r.stderr}`);
    assert.equal(r.stdout, "", `nothing on stdout for ${what}`);
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, `one line for ${what}, got: ${r.stderr}`);
    assert.match(lines[0], /^llmsim: error: /);
    assert.match(lines[0], pattern, what);
    assert.doesNotMatch(r.stderr, /internal error|\bat .*\.ts:\d+/);
    await assert.rejects(Deno.stat(`${dir}/o`), `${what} wrote files`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("sweep: a key swept twice, given twice or given and swept is an error naming both", async () => {
  await refused(
    ["sweep", "--rates", "1,2", "--set", "arrival.rate_per_s=3,4"],
    /--rates and --set arrival\.rate_per_s=3,4 both sweep arrival\.rate_per_s/,
  );
  await refused(
    [
      "sweep",
      "--set",
      "arrival.rate_per_s=1,2",
      "--set",
      "arrival.rate_per_s=3,4",
    ],
    /--set arrival\.rate_per_s given twice/,
  );
  await refused(
    [
      "sweep",
      "--set",
      "cluster_mono.num_gpus=2",
      "--set",
      "cluster_mono.num_gpus=3",
      "--rates",
      "1",
    ],
    /--set cluster_mono\.num_gpus given twice/,
  );
  await refused(
    ["sweep", "--rate", "3", "--rates", "1,2"],
    /--rate has no effect: --rates sweeps arrival\.rate_per_s/,
  );
  await refused(
    ["sweep", "--rates", "1,2", "--set", "arrival.rate_per_s=3"],
    /--set arrival\.rate_per_s has no effect: --rates sweeps/,
  );
  await refused(
    [
      "sweep",
      "--num-gpus",
      "2",
      "--set",
      "cluster_mono.num_gpus=3",
      "--rates",
      "1",
    ],
    /--num-gpus and --set cluster_mono\.num_gpus both set cluster_mono\.num_gpus/,
  );
});

Deno.test("sweep: repeated values, empty values and unknown keys are errors naming the flag", async () => {
  await refused(["sweep", "--rates", "1,1"], /--rates: 1 is given twice/);
  await refused(
    ["sweep", "--set", "cluster_mono.num_gpus=2,3,2"],
    /--set cluster_mono\.num_gpus: 2 is given twice/,
  );
  await refused(
    ["sweep", "--set", "arrival.rate_per_s=1,,2"],
    /--set arrival\.rate_per_s: an empty value/,
  );
  await refused(
    ["sweep-prefill", "--rates", "1", "--prefill", "4000,4000"],
    /--prefill: 4000 is given twice/,
  );
  await refused(
    ["sweep", "--set", "foo.bar=1,2"],
    /--set foo\.bar=1,2: foo: unknown key/,
  );
});

Deno.test("sweep-prefill: the prefill speed has no effect under roofline or table step times", async () => {
  await refused(
    [
      "sweep-prefill",
      "--config",
      "examples/llama3_8b_h100_disagg.yaml",
      "--rates",
      "10,20",
      "--prefill",
      "4000,8000",
    ],
    /--prefill: cluster_disagg\.prefill_tokens_per_s has no effect under step_time\.kind=roofline .*sweep hardware\.gpu or step_time\.compute_efficiency instead/,
  );
  await refused(
    [
      "sweep-prefill",
      "--config",
      "examples/measured_step_table.yaml",
      "--rates",
      "1",
      "--prefill",
      "4000,8000",
    ],
    /cluster_mono\.prefill_tokens_per_s has no effect under step_time\.kind=table/,
  );
  await refused(
    [
      "sweep-prefill",
      "--rates",
      "1",
      "--prefill",
      "4000,8000",
      "--set",
      "mode=mono,disagg",
    ],
    /sweep-prefill runs the scenario's own mode; mode cannot be an axis/,
  );
  await refused(
    ["sweep", "--mode", "mono", "--set", "cluster_disagg.prefill_gpus=1,2"],
    /cluster_disagg\.prefill_gpus has no effect under mode=mono/,
  );
});

Deno.test("sweep: --mode is honoured by --rates; an axis idle at some points is a warning", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await runCli([
      "sweep",
      "--mode",
      "mono",
      "--rates",
      "1,2",
      ...SHORT,
      "--out-dir",
      dir,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout);
    assert.deepEqual(rows.map((x: { mode: string }) => x.mode), [
      "mono",
      "mono",
    ]);
    const w = await runCli([
      "sweep",
      "--rates",
      "1",
      "--set",
      "cluster_mono.num_gpus=2,3",
      ...SHORT,
      "--out-dir",
      dir,
    ]);
    assert.equal(w.code, 0, w.stderr);
    assert.match(
      w.stderr,
      /warning: cluster_mono\.num_gpus has no effect at 2 of 4 points, under mode=disagg .*their rows repeat/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("capacity: conflicting or meaningless criteria are errors", async () => {
  await refused(
    ["capacity", "--metric", "p90_ttft_s", "--max", "1", "--target", "0.9"],
    /--target and --metric are two criteria/,
  );
  await refused(
    ["capacity", "--max", "1", "--target", "0.9"],
    /--target and --max are two criteria/,
  );
  await refused(
    ["capacity", "--metric", "slo_attainment", "--max", "0.9"],
    /--metric slo_attainment: .*use --target/,
  );
  await refused(
    ["capacity", "--set", "arrival.rate_per_s=1,2"],
    /capacity takes no axes: --set arrival\.rate_per_s is a list/,
  );
});

Deno.test("plan: flags it overrides or ignores are errors", async () => {
  await refused(
    ["plan", "--gpus", "2", "--replications", "3"],
    /plan: --replications has no effect/,
  );
  await refused(
    ["plan", "--gpus", "2", "--mode", "mono"],
    /plan: --mode has no effect: plan lays out each placement's mode and GPUs/,
  );
  await refused(
    ["plan", "--gpus", "2", "--set", "cluster_mono.tp=2"],
    /plan: --set cluster_mono\.tp has no effect/,
  );
  await refused(
    ["plan", "--gpus", "2", "--tps", "1,1"],
    /--tps: 1 is given twice/,
  );
  await refused(
    ["plan", "--gpus", "two"],
    /--gpus: must be a whole number >= 1, got "two"/,
  );
  await refused(
    ["plan", "--gpus", "2", "--crossover", "mode=mono,disagg"],
    /--crossover mode: has no effect/,
  );
  await refused(
    ["report", "sweep", "--rates", "1", "--shard", "0/2", "--out", "x.html"],
    /report: --shard has no effect/,
  );
  await refused(
    [
      "plan",
      "--gpus",
      "2",
      "--modes",
      "mono",
      "--crossover",
      "kv_transfer.latency_s=0.001,0.01",
    ],
    /--crossover: kv_transfer\.latency_s has no effect under mode=mono/,
  );
  await refused(
    ["compare", "--mode", "mono"],
    /compare: --mode has no effect \(compare runs both mono and disagg\)/,
    false,
  );
});

Deno.test("plan: no feasible placement is an error saying why", async () => {
  await refused(
    [
      "plan",
      "--config",
      "examples/llama3_8b_h100_disagg.yaml",
      "--gpus",
      "2",
      "--tps",
      "4",
    ],
    /no placement of 2 GPUs fits: TP 4 needs 4 GPUs per instance/,
  );
  await refused(
    ["plan", "--gpus", "1", "--modes", "disagg"],
    /no placement of 1 GPU fits: disagg needs at least 2/,
  );
});

const LLAMA_70B = `
mode: mono
sim_seconds: 20
warmup_seconds: 2
batching: continuous
arrival: { rate_per_s: 1 }
hardware: { gpu: H100-SXM, model: Llama-3.1-70B }
step_time: { kind: roofline }
cluster_mono: { num_gpus: 1, tp: 1 }
slo: { ttft_s: 1, tpot_s: 0.1 }
`;

Deno.test("plan: a base TP that does not fit does not stop it; only feasible rows are ranked", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const config = `${dir}/70b.yaml`;
    await Deno.writeTextFile(config, LLAMA_70B);
    const r = await runCli([
      "plan",
      "--config",
      config,
      "--gpus",
      "4",
      "--tps",
      "2,4,8",
      "--modes",
      "mono",
      "--tolerance",
      "0.2",
      "--out-dir",
      dir,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: --tps 8: needs more GPUs per instance/);
    const out = JSON.parse(r.stdout);
    const rows = out.placements as Record<string, unknown>[];
    assert.deepEqual(
      rows.map((x) => [x.placement, x.rank]),
      [["mono 1x TP4", 1], ["mono 1x TP2", null], ["mono 2x TP2", null]],
    );
    assert.ok((rows[0].capacity_rps as number) > 0);
    assert.equal(rows[0].reason, undefined);
    for (const row of rows.slice(1)) {
      assert.match(String(row.reason), /does not fit on H100-SXM at tp 2/);
    }
    const csv = (await Deno.readTextFile(`${dir}/plan.csv`)).split("\n");
    assert.match(csv[0], /^rank,.*,reason$/);
    assert.match(csv[2], /^,mono 1x TP2,/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("plan: a placement whose search fails is an infeasible row, not a failed plan", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Llama-3.1-8B's TPOT on one H100 is about 7.9 ms: TP 1 misses a 7 ms
    // target at any load, TP 2 meets it.
    const r = await runCli([
      "plan",
      "--config",
      "examples/llama3_8b_h100_mono.yaml",
      "--gpus",
      "2",
      "--tps",
      "1,2",
      "--modes",
      "mono",
      "--set",
      "slo.tpot_s=0.007",
      ...SHORT,
      "--tolerance",
      "0.1",
      "--out-dir",
      dir,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout).placements;
    assert.deepEqual(
      rows.map((x: Record<string, unknown>) => [x.placement, x.rank]),
      [["mono 1x TP2", 1], ["mono 1x TP1", null], ["mono 2x TP1", null]],
    );
    assert.match(rows[1].reason, /missed even at a vanishing load/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("replications: configuration is not averaged; intervals only for measured values", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await runCli([
      "sweep",
      "--mode",
      "mono",
      "--set",
      "arrival.rate_per_s=1,2",
      "--set",
      "slo.ttft_s=1",
      "--set",
      "slo.tpot_s=1",
      "--replications",
      "3",
      ...SHORT,
      "--out-dir",
      dir,
    ]);
    assert.equal(r.code, 0, r.stderr);
    for (const row of JSON.parse(r.stdout)) {
      assert.equal(row.random_seed, 42);
      assert.equal(row.random_seeds, "42..44");
      assert.equal(row.replications, 3);
      assert.equal(row.num_gpus, 4);
      assert.equal(row.slo_ttft_s, 1);
      for (
        const k of [
          "random_seed",
          "num_gpus",
          "slo_ttft_s",
          "slo_tpot_s",
          "arrival_rate_per_s",
          "measured_window_s",
          "replications",
        ]
      ) {
        assert.ok(!(`${k}_ci95` in row), `${k} has an interval`);
      }
      assert.ok(!("prompt_tokens_log.mu_ci95" in row));
      assert.ok(row.p90_ttft_s_ci95 > 0);
      assert.ok(row.mean_ttft_s_ci95 > 0);
    }
    const csv = await Deno.readTextFile(`${dir}/sweep.csv`);
    assert.doesNotMatch(csv.split("\n")[0], /random_seed_ci95|num_gpus_ci95/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("aggregateReplications: a flag holds only if it holds in every replication", () => {
  const r = aggregateReplications([
    { x: 1, stable: true, saturation: "stable", mode: "mono", random_seed: 7 },
    {
      x: 2,
      stable: false,
      saturation: "backlogged",
      mode: "mono",
      random_seed: 8,
    },
    { x: 3, stable: true, saturation: "stable", mode: "mono", random_seed: 9 },
  ]);
  assert.equal(r.summary.stable, false);
  assert.equal(r.summary.saturation, "backlogged");
  assert.equal(r.summary.mode, "mono");
  assert.equal(r.summary.random_seed, 7);
  assert.equal(r.summary.random_seeds, "7..9");
  assert.deepEqual(Object.keys(r.ci95), ["x"]);
});

Deno.test("capacity: the capacity is capacity_rps; goodput_rps keeps its summary meaning", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await runCli([
      "capacity",
      "--mode",
      "mono",
      "--set",
      "slo.ttft_s=0.5",
      "--set",
      "slo.tpot_s=0.01",
      "--replications",
      "2",
      "--tolerance",
      "0.1",
      ...SHORT,
      "--out-dir",
      dir,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const c = JSON.parse(r.stdout);
    assert.ok(c.capacity_rps > 0);
    assert.equal(c.capacity_rps_per_gpu, c.capacity_rps / 4);
    assert.ok(c.capacity_rps_ci95 >= 0);
    assert.ok(!("goodput_rps" in c) && !("goodput_rps_per_gpu" in c));
    assert.ok(!("capacity_rate_per_s" in c));
    assert.equal(c.random_seed, 42);
    assert.equal(c.random_seeds, "42..43");
    assert.ok(!("gpus_ci95" in c));
    // The summary's goodput: requests meeting the SLO per second, at most
    // the rate.
    const s = c.summary_at_capacity;
    assert.ok(s.goodput_rps <= s.arrival_rate_per_s);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
