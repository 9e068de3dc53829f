// The plan's pruning and the capacity search's skipped loads: whatever they
// skip, the answers users read are those of the search that skips nothing.
import assert from "node:assert/strict";
import { capacity, scaleLoad } from "../lib/analysis/capacity.ts";
import { type PlanRow, planTasks } from "../lib/analysis/plan.ts";
import { planResults } from "../lib/analysis/plan_results.ts";
import { searchPlan } from "../lib/analysis/plan_search.ts";
import { AttainmentMissed, simulate } from "../lib/analysis/simulate.ts";
import { requestLengths } from "../lib/analysis/offered_load.ts";
import { runTask, type TaskOutcome } from "../lib/analysis/tasks.ts";
import { loadScenarioFile } from "../lib/scenario/load.ts";
import { lengthMemo } from "../lib/workload/workload.ts";
import type { CapacityResult } from "../lib/analysis/capacity.ts";

const example = async () => {
  const s = await loadScenarioFile("examples/llama3_8b_h100_mono.yaml");
  // A shorter horizon keeps the test quick; the rules do not depend on it.
  return { ...s, sim_seconds: 60, warmup_seconds: 6 };
};

Deno.test("capacity: a load it does not simulate is overloaded when simulated", async () => {
  const s = await example();
  const one = { ...s, cluster_mono: { ...s.cluster_mono, num_gpus: 1 } };
  const c = capacity(one, { tolerance: 0.05 });
  const skipped = c.evaluations.filter((e) => !e.simulated);
  assert.ok(skipped.length >= 2, "the example's first loads overload 1 GPU");
  for (const e of skipped) {
    const { summary } = simulate(scaleLoad(one, e.factor));
    assert.equal(summary.saturation, "overloaded");
    assert.equal(summary.stable, false);
    assert.equal(e.ok, false);
  }
});

Deno.test("plan: pruning keeps each architecture's best and every rate band", async () => {
  const s = await example();
  const planned = planTasks(s, { gpus: 4 }, { tolerance: 0.05 });
  const all: (TaskOutcome | null)[] = planned.map((p) =>
    p.task ? runTask(p.task) : null
  );
  const pruned = await searchPlan(planned, {
    tolerance: 0.05,
    run: (tasks) => Promise.resolve(tasks.map(runTask)),
  });
  const spec = {
    kind: "plan" as const,
    placements: planned.map((p) => p.placement),
    skipped: planned.map(() => null),
    fingerprint: "",
  };
  const full = planResults(spec, all);
  const fast = planResults(spec, pruned);
  let searched = 0, skipped = 0;
  pruned.forEach((o, k) => {
    if (o === null) return;
    const exact = all[k] as CapacityResult;
    if ("pruned" in o) {
      skipped++;
      // The bound holds.
      if ("rate_per_s" in exact) {
        assert.ok(exact.rate_per_s <= o.bound_rps, planned[k].placement.name);
      }
    } else {
      searched++;
      // A searched placement's figures are the exhaustive search's.
      assert.deepEqual(o, exact, planned[k].placement.name);
    }
  });
  assert.ok(
    skipped > 0 && searched > 0,
    `${searched} searched, ${skipped} pruned`,
  );
  assert.deepEqual(fast.report.cheapest_by_rate, full.report.cheapest_by_rate);
  assert.deepEqual(fast.notes, full.notes);
  for (const mode of ["mono", "disagg"]) {
    const best = (rows: PlanRow[]) =>
      rows.find((r) => r.placement.mode === mode && r.capacity)?.placement.name;
    assert.equal(best(fast.ranked), best(full.ranked), mode);
  }
  // The ranked rows are the exhaustive ranking without the pruned ones.
  const names = (rows: PlanRow[]) =>
    rows.filter((r) => r.capacity).map((r) => r.placement.name);
  const kept = new Set(names(fast.ranked));
  assert.deepEqual(
    names(fast.ranked),
    names(full.ranked).filter((n) => kept.has(n)),
  );
});

Deno.test("capacity: a run stopped early would have missed the target", async () => {
  const s = await example();
  const target = 0.9;
  let stopped = 0, ran = 0;
  for (const gpus of [1, 2, 8]) {
    const placed = {
      ...s,
      cluster_mono: { ...s.cluster_mono, num_gpus: gpus },
    };
    for (const factor of [0.05, 0.1, 0.12, 0.2, 0.5, 0.9, 1]) {
      const scaled = scaleLoad(placed, factor);
      const { measured } = requestLengths(scaled);
      const full = simulate(scaled, { keepRecords: false }).summary;
      assert.equal(full.num_samples, measured, "the count the rule needs");
      try {
        const early = simulate(scaled, {
          keepRecords: false,
          stopBelowAttainment: { target, measured },
        }).summary;
        // Not stopped: the very same summary.
        assert.deepEqual(early, full);
        ran++;
      } catch (e) {
        assert.ok(e instanceof AttainmentMissed);
        assert.ok(full.slo_attainment! < target, `${gpus} GPUs x${factor}`);
        assert.ok(e.atS <= full.elapsed_s);
        stopped++;
      }
    }
  }
  assert.ok(stopped > 0 && ran > 0, `${stopped} stopped, ${ran} ran`);
});

Deno.test("capacity: length draws read back from the memo are the ones drawn", async () => {
  const mixed = await loadScenarioFile("examples/mixed_classes.yaml");
  for (
    const s of [await example(), {
      ...mixed,
      sim_seconds: 120,
      warmup_seconds: 12,
    }]
  ) {
    const memo = lengthMemo(s);
    // Later loads first: the memo grows, then earlier runs read it back.
    for (const factor of [2, 0.5, 1, 3]) {
      const scaled = scaleLoad(s, factor);
      const plain = simulate(scaled, { keepRecords: false }).summary;
      const replayed = simulate(scaled, { keepRecords: false, lengths: memo })
        .summary;
      assert.deepEqual(replayed, plain, `x${factor}`);
    }
  }
});
