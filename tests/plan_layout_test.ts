// Plan over layouts beyond TP (pipeline, expert and data-parallel attention
// degrees per pool) and the cost columns of --price.
import assert from "node:assert/strict";
import { placements } from "../lib/analysis/plan.ts";
import { layoutGpus, placementLayout } from "../lib/analysis/placement.ts";
import { expectInputError, runCli } from "./_cli.ts";

const L = (tp: number, pp = 1, ep = 1, dp_attention = 1) => ({
  tp,
  pp,
  ep,
  dp_attention,
});

Deno.test("plan: layouts are enumerated per pool, each instance using tp x pp x dp GPUs", () => {
  const layouts = [L(2), L(1, 1, 2, 2), L(1, 2)];
  const p = placements({ gpus: 4, layouts });
  // Every pool's GPUs are its instances times its layout's GPUs.
  for (const x of p) {
    if (x.mode === "mono") {
      assert.equal(
        x.gpus,
        x.instances! * layoutGpus(placementLayout(x, "gpu")),
      );
    } else {
      const g = x.prefill_instances! *
          layoutGpus(placementLayout(x, "prefill")) +
        x.decode_instances! * layoutGpus(placementLayout(x, "decode"));
      assert.equal(x.gpus, g, x.name);
    }
    assert.ok(x.gpus <= 4);
  }
  const names = p.map((x) => x.name);
  assert.ok(names.includes("mono 2x TP1-DP2-EP2"), names.join());
  assert.ok(names.includes("mono 1x TP1-PP2"), names.join());
  assert.ok(names.includes("disagg 1P(TP2) 1D(TP1-DP2-EP2)"), names.join());
  // A layout of 2 GPUs x 2 pools: every pair of the three layouts fits 4.
  assert.equal(p.filter((x) => x.mode === "disagg").length, 9);
  // TP-only placements keep their fields as before (no degree of 1 written).
  const tpOnly = p.find((x) => x.name === "mono 2x TP2")!;
  assert.deepEqual(Object.keys(tpOnly), [
    "mode",
    "tp",
    "instances",
    "gpus",
    "name",
  ]);
});

Deno.test("plan --price: a pool whose GPU has no price, and malformed prices, are errors", async () => {
  await expectInputError(
    [
      "plan",
      "--config",
      "examples/mixtral_8x7b_h100.yaml",
      "--gpus",
      "2",
      "--price",
      "A100-80G=1.6",
    ],
    /--price: no price for H100-SXM/,
  );
  await expectInputError(
    [
      "plan",
      "--config",
      "examples/mixtral_8x7b_h100.yaml",
      "--gpus",
      "2",
      "--price",
      "H100-SXM=-1",
    ],
    /--price: H100-SXM: a price per GPU-hour is a positive number/,
  );
  await expectInputError(
    [
      "plan",
      "--config",
      "examples/mixtral_8x7b_h100.yaml",
      "--gpus",
      "2",
      "--eps",
      "0",
    ],
    /--eps: whole numbers >= 1 or `full`/,
  );
});

Deno.test("plan: expert parallelism and prices on Mixtral-8x7B, costs recomputed from the rows", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await runCli([
      "plan",
      "--config",
      "examples/mixtral_8x7b_h100.yaml",
      "--set",
      "sim_seconds=60",
      "--set",
      "warmup_seconds=6",
      "--gpus",
      "4",
      "--tps",
      "2,4",
      "--eps",
      "1,full,3",
      "--modes",
      "mono",
      "--price",
      "H100-SXM=2.5,H200=3.2",
      "--tolerance",
      "0.05",
      "--format",
      "json",
      "--out-dir",
      dir,
    ]);
    assert.equal(r.code, 0, r.stderr);
    // A price no pool reads is said so.
    assert.match(
      r.stderr,
      /--price H200: no pool of this plan runs on H200; its price has no effect/,
    );
    const rows = JSON.parse(r.stdout).placements as Record<string, unknown>[];
    const byName = new Map(rows.map((x) => [x.placement as string, x]));
    // EP 3 does not divide 8 experts: infeasible, with the scenario's reason.
    const ep3 = byName.get("mono 1x TP4-EP3")!;
    assert.equal(ep3.rank, null);
    assert.match(ep3.reason as string, /ep/);
    // Full EP on 2 GPUs is tried, and a TP-only row reads ep 1.
    const full = byName.get("mono 1x TP2-EP2")!;
    assert.equal(full.ep, 2);
    assert.equal(byName.get("mono 1x TP2")!.ep, 1);
    for (const x of rows) {
      if (x.capacity_rps === undefined || x.capacity_rps === null) continue;
      const perHour = (x.gpus as number) * 2.5;
      assert.equal(x.usd_per_hour, perHour);
      const tokens = x.output_tokens_per_s as number;
      assert.ok(tokens > 0);
      assert.ok(
        Math.abs(
          (x.usd_per_m_output_tokens as number) -
            perHour / (tokens * 3600) * 1e6,
        ) < 1e-9,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("plan --price: the rate bands are in dollars, and pruning keeps every one of them", async () => {
  // H100 prefill and cheaper A100 decode: a placement's GPU count and its
  // dollars order placements differently.
  const run = async (exhaustive: boolean) => {
    const dir = await Deno.makeTempDir();
    try {
      const r = await runCli([
        "plan",
        "--config",
        "examples/disagg_h100_prefill_a100_decode.yaml",
        "--set",
        "sim_seconds=60",
        "--set",
        "warmup_seconds=6",
        "--gpus",
        "5",
        "--modes",
        "disagg",
        "--price",
        "H100-SXM=2.5,A100-80G=1.2",
        "--tolerance",
        "0.05",
        ...(exhaustive ? ["--exhaustive"] : []),
        "--format",
        "json",
        "--out-dir",
        dir,
      ]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  };
  const pruned = await run(false);
  const all = await run(true);
  assert.deepEqual(pruned.cheapest_by_rate, all.cheapest_by_rate);
  const rows = (all.placements as Record<string, number>[]).filter((x) =>
    typeof x.capacity_rps === "number"
  );
  for (const x of rows) {
    assert.equal(
      x.usd_per_hour,
      x.prefill_instances * x.prefill_tp * 2.5 +
        x.decode_instances * x.decode_tp * 1.2,
    );
  }
  let from = 0;
  for (const band of all.cheapest_by_rate) {
    // No placement able to serve the band's rates costs less.
    const able = rows.filter((x) => x.capacity_rps >= band.up_to_rate_per_s);
    const least = Math.min(...able.map((x) => x.usd_per_hour));
    assert.ok(
      Math.abs(band.usd_per_hour - least) < 1e-9,
      `${band.placement} at ${band.usd_per_hour} $/h, least ${least}`,
    );
    assert.ok(band.up_to_rate_per_s > from);
    from = band.up_to_rate_per_s;
  }
  // Each band says its cost, and there is more than one.
  assert.ok(all.cheapest_by_rate.length >= 2);
});
