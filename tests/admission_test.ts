/**
 * The engine's context limit (`scheduler.max_model_len`, `on_overlong`): a
 * request whose prompt plus output exceeds it is refused at the door and
 * counted, or stops the run with an input error. Expected counts are taken
 * from the scenario's own generated requests (same seed), not from lib/'s
 * admission code.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { simulate } from "../lib/analysis/simulate.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import { InputError } from "../lib/errors.ts";
import { buildWorkload } from "../lib/workload/workload.ts";
import type { Scenario } from "../lib/scenario/types.ts";
import { runCli } from "./_cli.ts";

// Two GPUs at 5 req/s of ~600 + ~200 tokens: light load; about a quarter of
// the requests are longer than 1,000 tokens in all.
const BASE = {
  mode: "mono",
  batching: "continuous",
  sim_seconds: 60,
  warmup_seconds: 6,
  random_seed: 3,
  arrival: { rate_per_s: 5 },
  prompt_tokens: { mode: "real_mean_std", mean: 600, std: 300, min_value: 8 },
  output_tokens: { mode: "real_mean_std", mean: 200, std: 100, min_value: 2 },
  engine: { preset: "none" },
  cluster_mono: {
    num_gpus: 2,
    prefill_tokens_per_s: 8000,
    decode_tokens_per_s: 40,
  },
};

function scenario(overrides: Record<string, unknown> = {}): Scenario {
  return validateScenario({ ...BASE, ...overrides });
}

interface Generated {
  arrivalS: number;
  promptTokens: number;
  outputTokens: number;
}

// The scenario's requests as generated, before any admission.
function generated(s: Scenario): Generated[] {
  const src = buildWorkload(s).source;
  const out: Generated[] = [];
  while (src.next()) {
    out.push({
      arrivalS: src.arrivalS,
      promptTokens: src.promptTokens,
      outputTokens: src.outputTokens,
    });
  }
  return out;
}

const total = (r: Generated) => r.promptTokens + r.outputTokens;
const measured = (s: Scenario) => (r: Generated) =>
  r.arrivalS >= s.warmup_seconds && r.arrivalS < s.sim_seconds;

Deno.test("max_model_len: exactly the overlong requests are refused; the rest run as generated", () => {
  const s = scenario({ scheduler: { max_model_len: 1000 } });
  const all = generated(s);
  const overlong = all.filter((r) => total(r) > 1000);
  const inWindow = overlong.filter(measured(s)).length;
  // The draw gives a comparison with room on both sides.
  assert.ok(inWindow > 30 && inWindow < all.length / 2, `${inWindow}`);
  const { summary, records } = simulate(s);
  assert.equal(summary.max_model_len, 1000);
  assert.equal(summary.rejected_requests, inWindow);
  // The admitted requests are the others, in order, unchanged.
  const admitted = all.filter((r) => total(r) <= 1000);
  assert.equal(records.count, admitted.length);
  for (let i = 0; i < records.count; i++) {
    assert.equal(records.arrivalS[i], admitted[i].arrivalS);
    assert.equal(records.promptTokens[i], admitted[i].promptTokens);
    assert.equal(records.outputTokens[i], admitted[i].outputTokens);
    assert.ok(records.promptTokens[i] + records.outputTokens[i] <= 1000);
    assert.ok(Number.isFinite(records.finishS[i]), `request ${i} unfinished`);
  }
  assert.equal(
    summary.num_samples,
    admitted.filter(measured(s)).length,
  );
});

Deno.test("max_model_len: a refused request counts as an SLO miss", () => {
  // Limits no served request can miss: attainment is the served share.
  const slo = { ttft_s: 1e3, tpot_s: 1e3 };
  const limited = simulate(
    scenario({ slo, scheduler: { max_model_len: 1000 } }),
  ).summary;
  const open = simulate(scenario({ slo })).summary;
  assert.equal(open.slo_attainment, 1);
  assert.ok(!("rejected_requests" in open) && !("max_model_len" in open));
  const served = limited.num_samples as number;
  const rejected = limited.rejected_requests as number;
  assert.ok(rejected > 0);
  assert.equal(served + rejected, open.num_samples);
  assert.equal(limited.slo_attainment, served / (served + rejected));
});

Deno.test("max_model_len: defaults to the model's context length with hardware, else no limit", () => {
  // Llama-2-7B's context is 4,096 tokens; prompts of ~3,000 +- 1,500 exceed
  // it now and then. The KV cache is sized from the H100.
  const long = {
    arrival: { rate_per_s: 1 },
    prompt_tokens: {
      mode: "real_mean_std",
      mean: 3000,
      std: 1500,
      min_value: 8,
    },
    output_tokens: { mode: "real_mean_std", mean: 100, std: 50, min_value: 2 },
  };
  const s = scenario({
    ...long,
    hardware: { gpu: "H100-SXM", model: "Llama-2-7B" },
  });
  const inWindow = generated(s).filter((r) => total(r) > 4096)
    .filter(measured(s)).length;
  assert.ok(inWindow > 0);
  const { summary } = simulate(s);
  assert.equal(summary.max_model_len, 4096);
  assert.equal(summary.rejected_requests, inWindow);
  // Without hardware nothing is refused.
  const plain = scenario(long);
  const r = simulate(plain);
  assert.ok(!("max_model_len" in r.summary));
  assert.ok(!("rejected_requests" in r.summary));
  assert.equal(r.records.count, generated(plain).length);
});

Deno.test("max_model_len: must not exceed the model's context length", () => {
  const hardware = { gpu: "H100-SXM", model: "Llama-2-7B" };
  assert.throws(
    () => scenario({ hardware, scheduler: { max_model_len: 8192 } }),
    (e: unknown) => {
      assert.ok(e instanceof InputError, String(e));
      assert.equal(
        e.message,
        "scheduler.max_model_len: must be <= Llama-2-7B's context length (4096), got 8192",
      );
      return true;
    },
  );
  // The context length itself is allowed.
  scenario({ hardware, scheduler: { max_model_len: 4096 } });
});

Deno.test("on_overlong: error stops the run naming scheduler.max_model_len and the request", () => {
  const s = scenario({
    scheduler: { max_model_len: 1000, on_overlong: "error" },
  });
  const first = generated(s).find((r) => total(r) > 1000)!;
  assert.throws(() => simulate(s), (e: unknown) => {
    assert.ok(e instanceof InputError, String(e));
    assert.deepEqual(e.path, ["scheduler", "max_model_len"]);
    assert.ok(
      e.message.startsWith(
        `scheduler.max_model_len: the request arriving at ${
          first.arrivalS.toFixed(3)
        } s has ${first.promptTokens} prompt + ${first.outputTokens} output ` +
          `tokens = ${total(first)} > 1000`,
      ),
      e.message,
    );
    return true;
  });
});

Deno.test("on_overlong: error on the command line: exit code 2, one line on stderr, nothing on stdout", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "overlong.yaml");
    await Deno.writeTextFile(
      file,
      `mode: mono
batching: continuous
sim_seconds: 20
warmup_seconds: 2
engine: { preset: none }
prompt_tokens: { mode: real_mean_std, mean: 600, std: 300, min_value: 8 }
output_tokens: { mode: real_mean_std, mean: 200, std: 100, min_value: 2 }
scheduler: { max_model_len: 1000, on_overlong: error }
`,
    );
    const r = await runCli(["simulate", "--config", file]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, "");
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0],
      /^llmsim: error: scheduler\.max_model_len: the request arriving at \d+\.\d{3} s has \d+ prompt \+ \d+ output tokens = \d+ > 1000/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "max_model_len with uniform prompt lengths: the refused share is the uniform's tail",
  fn() {
    // Prompts uniform in [200, 1199] plus 100 output tokens exceed 1,000
    // tokens when the prompt is >= 901: 299 of the 1,000 values.
    const s = scenario({
      prompt_tokens: { mode: "uniform", low: 200, high: 1199 },
      output_tokens: { mode: "constant", value: 100 },
      scheduler: { max_model_len: 1000 },
    });
    const all = generated(s);
    const window = all.filter(measured(s));
    const inWindow = window.filter((r) => total(r) > 1000).length;
    const { summary, records } = simulate(s);
    assert.equal(summary.rejected_requests, inWindow);
    assert.equal(summary.num_samples, window.length - inWindow);
    for (let i = 0; i < records.count; i++) {
      assert.ok(records.promptTokens[i] + records.outputTokens[i] <= 1000);
    }
    // The generated share against the uniform's: 4 binomial standard errors.
    const p = 0.299;
    const se = Math.sqrt(p * (1 - p) / window.length);
    assert.ok(Math.abs(inWindow / window.length - p) < 4 * se);
  },
});
