import assert from "node:assert/strict";
import { capacity, scaleLoad } from "../lib/analysis/capacity.ts";
import { placedScenario, planTasks, rankPlan } from "../lib/analysis/plan.ts";
import type { PlanRow } from "../lib/analysis/plan.ts";
import { runTasks } from "../lib/analysis/pool.ts";
import type { CapacityResult } from "../lib/analysis/capacity.ts";
import { aggregateReplications, replicate } from "../lib/analysis/study.ts";
import { simulate } from "../lib/analysis/simulate.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import { batchMeans, near } from "./_stats.ts";
import { runCli } from "./_cli.ts";

async function files(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of Deno.readDir(dir)) {
    if (e.name.includes(".shard-")) continue;
    const bytes = await Deno.readFile(`${dir}/${e.name}`);
    out.set(
      e.name,
      Array.from(bytes.slice(0, 64)).join(",") + `:${bytes.length}:` +
        simpleHash(bytes),
    );
  }
  return out;
}

function simpleHash(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

Deno.test("studies are byte-identical for any --jobs and across shards plus merge", async () => {
  const root = await Deno.makeTempDir();
  try {
    const sweep = [
      "sweep",
      "--mode",
      "mono",
      "--set",
      "arrival.rate_per_s=1,2,3",
      "--set",
      "cluster_mono.num_gpus=2,3",
      "--sim-seconds",
      "80",
      "--warmup-seconds",
      "8",
      "--replications",
      "2",
    ];
    const plan = [
      "plan",
      "--config",
      "examples/continuous_batching.yaml",
      "--gpus",
      "3",
      "--tps",
      "1",
      "--sim-seconds",
      "60",
      "--warmup-seconds",
      "6",
      "--tolerance",
      "0.1",
    ];
    for (const [name, args] of [["sweep", sweep], ["plan", plan]] as const) {
      const outputs = [];
      for (const jobs of ["1", "2", "4"]) {
        const dir = `${root}/${name}-j${jobs}`;
        const r = await runCli([...args, "--jobs", jobs, "--out-dir", dir]);
        assert.equal(r.code, 0, r.stderr);
        outputs.push({ stdout: r.stdout, files: await files(dir) });
      }
      const shards = `${root}/${name}-shards`;
      for (const i of [0, 1, 2]) {
        const r = await runCli([
          ...args,
          "--jobs",
          "1",
          "--shard",
          `${i}/3`,
          "--out-dir",
          shards,
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, "");
      }
      const merged = `${root}/${name}-merged`;
      const m = await runCli([
        "merge",
        "--out-dir",
        merged,
        ...[0, 1, 2].map((i) => `${shards}/${name}.shard-${i}-of-3.json`),
      ]);
      assert.equal(m.code, 0, m.stderr);
      // A shard cannot prune (it runs a fixed share of the tasks): the
      // merged plan is the exhaustive one, whatever the workers.
      if (name === "plan") {
        const dir = `${root}/plan-exhaustive`;
        const r = await runCli([...args, "--exhaustive", "--out-dir", dir]);
        assert.equal(r.code, 0, r.stderr);
        const merge = { stdout: m.stdout, files: await files(merged) };
        assert.equal(merge.stdout, r.stdout);
        assert.deepEqual(merge.files, await files(dir));
      } else outputs.push({ stdout: m.stdout, files: await files(merged) });
      for (const o of outputs.slice(1)) {
        assert.equal(o.stdout, outputs[0].stdout, name);
        assert.deepEqual(o.files, outputs[0].files, name);
      }
      assert.ok(outputs[0].files.size >= 3);
    }
    // A missing shard is named, not silently ignored.
    const m = await runCli([
      "merge",
      "--out-dir",
      `${root}/x`,
      `${root}/sweep-shards/sweep.shard-0-of-3.json`,
    ]);
    assert.equal(m.code, 2);
    assert.match(m.stderr, /a shard is missing/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("capacity finds the M/D/1 rate at which the mean wait reaches its limit", () => {
  // One GPU, constant lengths: service S = 800/8000 + 100/2000 = 0.15 s.
  // P-K: Wq = lambda S^2 / (2 (1 - lambda S)) = W  <=>  lambda = 2W / (S^2 + 2WS).
  const S = 0.15, W = 0.15;
  const exact = 2 * W / (S * S + 2 * W * S);
  const base = validateScenario({
    mode: "mono",
    sim_seconds: 20000,
    warmup_seconds: 500,
    arrival: { rate_per_s: 1 },
    prompt_tokens: { mode: "constant", value: 800 },
    output_tokens: { mode: "constant", value: 100 },
    cluster_mono: {
      num_gpus: 1,
      prefill_tokens_per_s: 8000,
      decode_tokens_per_s: 2000,
    },
  });
  const c = capacity(base, {
    metric: "mean_queue_wait_s",
    max: W,
    tolerance: 0.002,
  });
  // Tolerance: the simulated mean wait's standard error at lambda* (batch
  // means) turned into a rate error through dWq/dlambda = S^2 / (2 (1 -
  // lambda S)^2), at 4 standard errors, plus the bisection's bracket.
  const run = simulate(scaleLoad(base, exact));
  const waits: number[] = [];
  for (let i = 0; i < run.records.count; i++) {
    if (run.records.arrivalS[i] >= base.warmup_seconds) {
      waits.push(run.records.prefillStartS[i] - run.records.arrivalS[i]);
    }
  }
  const se = batchMeans(waits).se;
  const slope = S * S / (2 * (1 - exact * S) ** 2);
  near("capacity", c.rate_per_s, exact, 4 * se / slope + 0.002 * exact);
  assert.equal(c.rate_per_s_per_gpu, c.rate_per_s);
  assert.ok(c.evaluations.every((e) => e.ok === (e.value <= W)));
});

Deno.test("plan ranks what a brute-force loop over placements finds", async () => {
  const base = validateScenario({
    batching: "continuous",
    sim_seconds: 60,
    warmup_seconds: 6,
    arrival: { rate_per_s: 4 },
    prompt_tokens: { mode: "real_mean_std", mean: 800, std: 300, min_value: 8 },
    output_tokens: { mode: "real_mean_std", mean: 100, std: 50, min_value: 2 },
    cluster_mono: { prefill_tokens_per_s: 10000, decode_tokens_per_s: 50 },
    cluster_disagg: { prefill_tokens_per_s: 10000, decode_tokens_per_s: 50 },
    slo: { ttft_s: 0.5, tpot_s: 0.05 },
  });
  const options = { target: 0.9, tolerance: 0.05 };
  const planned = planTasks(base, { gpus: 3, tps: [1] }, options);
  const outcomes = await runTasks(planned.map((p) => p.task!), { jobs: 2 });
  const ranked = rankPlan(planned.map((p, k) => ({
    placement: p.placement,
    capacity: outcomes[k] as CapacityResult,
  })));
  // The brute force: every (mode, split) on up to 3 GPUs, by hand.
  const brute: { name: string; perGpu: number; gpus: number }[] = [];
  for (let n = 1; n <= 3; n++) {
    const s = validateScenario({
      ...structuredClone(base),
      mode: "mono",
      cluster_mono: { ...base.cluster_mono, num_gpus: n },
    });
    brute.push({
      name: `mono ${n}x TP1`,
      perGpu: capacity(s, options).rate_per_s / n,
      gpus: n,
    });
  }
  for (let x = 1; x <= 2; x++) {
    for (let y = 1; x + y <= 3; y++) {
      const s = validateScenario({
        ...structuredClone(base),
        mode: "disagg",
        cluster_disagg: {
          ...base.cluster_disagg,
          prefill_gpus: x,
          decode_gpus: y,
        },
      });
      brute.push({
        name: `disagg ${x}P(TP1) ${y}D(TP1)`,
        perGpu: capacity(s, options).rate_per_s / (x + y),
        gpus: x + y,
      });
    }
  }
  brute.sort((a, b) => b.perGpu - a.perGpu || a.gpus - b.gpus);
  assert.deepEqual(
    ranked.map((
      r: PlanRow,
    ) => [r.placement.name, r.capacity!.rate_per_s_per_gpu]),
    brute.map((b) => [b.name, b.perGpu]),
  );
  // A placement is the scenario laid out on its GPUs.
  const p = placedScenario(base, ranked[0].placement);
  assert.equal(p.mode, ranked[0].placement.mode);
});

Deno.test("95% intervals over replications cover a known mean about 95% of the time", () => {
  // No queueing (100 GPUs at 2 req/s): TTFT = prompt / 8000 + 1 / 2000, with
  // prompt = max(floor(X), 1), X exponential of mean 500. E[floor X] =
  // 1 / (e^(1/500) - 1), and the max adds P(X < 1) = 1 - e^(-1/500).
  const m = 500;
  const meanPrompt = 1 / Math.expm1(1 / m) + (1 - Math.exp(-1 / m));
  const truth = meanPrompt / 8000 + 1 / 2000;
  const base = validateScenario({
    mode: "mono",
    sim_seconds: 60,
    warmup_seconds: 0.001,
    prompt_tokens: { mode: "exponential", mean: m },
    output_tokens: { mode: "constant", value: 1 },
    cluster_mono: { num_gpus: 100 },
  });
  const intervals = 300, R = 5;
  let covered = 0;
  for (let k = 0; k < intervals; k++) {
    const runs = [];
    for (let r = 0; r < R; r++) {
      runs.push(
        simulate(replicate({ ...base, random_seed: 1000 * k }, r)).summary,
      );
    }
    const { summary, ci95 } = aggregateReplications(runs);
    const mean = summary.mean_ttft_s as number;
    if (Math.abs(mean - truth) <= ci95.mean_ttft_s) covered++;
  }
  // Binomial(300, 0.95): standard error 0.0126; accept 4 of them.
  const share = covered / intervals;
  const se = Math.sqrt(0.95 * 0.05 / intervals);
  assert.ok(Math.abs(share - 0.95) <= 4 * se, `coverage ${share}`);
});
