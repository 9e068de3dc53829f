/**
 * The `dataset` section: vLLM's ShareGPT and random sampling rules, token
 * counts by the shipped tokenizer and by the estimate, determinism by
 * seed, its errors through the command line, and runs of its examples.
 */
import assert from "node:assert/strict";
import { expectInputError, runCli } from "./_cli.ts";
import { loadScenarioText, parseScenario } from "../lib/scenario/load.ts";
import { scenarioWarnings } from "../lib/scenario/no_ops.ts";
import { buildWorkload } from "../lib/workload/workload.ts";
import {
  isValidSequence,
  randomBounds,
  shareGptPairs,
} from "../lib/workload/datasets/sampler.ts";
import type { RandomDataset } from "../lib/workload/datasets/spec.ts";
import { estimateTokens } from "../lib/scenario/dataset_file.ts";
import { tokenCounter } from "../lib/scenario/tokenizer_count.ts";
import { withParams } from "../lib/analysis/study.ts";
import type { Scenario } from "../lib/scenario/types.ts";

const TOKENIZER = "examples/datasets/tiny_tokenizer.json";
const SAMPLE = "examples/datasets/sharegpt_sample.json";

function requests(s: Scenario) {
  const w = buildWorkload(s);
  const out: { p: number; o: number; ids: readonly number[] }[] = [];
  while (w.source.next()) {
    out.push({
      p: w.source.promptTokens,
      o: w.source.outputTokens,
      ids: w.source.prefixIds ?? [],
    });
  }
  return out;
}

// A conversation whose turns are estimated at p and o tokens (4 chars each).
function conv(p: number, o: number, turns = 2) {
  const t = [{ from: "human", value: "abcd".repeat(p) }, {
    from: "gpt",
    value: "wxyz".repeat(o),
  }];
  return { conversations: t.slice(0, turns) };
}

async function withFiles(
  files: Record<string, string>,
  fn: (dir: string) => void | Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    for (const [name, text] of Object.entries(files)) {
      await Deno.writeTextFile(`${dir}/${name}`, text);
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// ------------------------------------------------------------ vLLM's rules

Deno.test("isValidSequence: vLLM's bounds, each at its edge", () => {
  assert.equal(isValidSequence(4, 4), true);
  assert.equal(isValidSequence(3, 4), false, "prompt < 4");
  assert.equal(isValidSequence(4, 3), false, "output < 4");
  assert.equal(isValidSequence(4, 1, true), true, "output_len skips its min");
  assert.equal(isValidSequence(3, 100, true), false, "never the prompt's");
  assert.equal(isValidSequence(1024, 100), true);
  assert.equal(isValidSequence(1025, 100), false, "prompt > 1024");
  assert.equal(isValidSequence(1000, 1048), true, "total 2048");
  assert.equal(isValidSequence(1000, 1049), false, "total > 2048");
});

Deno.test("sharegpt: one-turn entries skipped, filter applied, output_len overrides", async () => {
  const data = [
    conv(10, 20, 1), // one turn: skipped before counting
    conv(3, 20), // prompt too short
    conv(4, 4), // kept
    conv(50, 3), // output too short (kept with output_len)
    conv(1025, 5), // prompt too long
    conv(1000, 1049), // too long in all
    conv(1000, 1048), // kept
    { id: "x" }, // no conversations: skipped
  ];
  await withFiles({ "d.json": JSON.stringify(data) }, (dir) => {
    const s = parseScenario(
      "mode: mono\ndataset: {name: sharegpt, path: d.json}\n",
      { baseDir: dir },
    );
    assert.ok(s.dataset?.name === "sharegpt");
    assert.equal(s.dataset.lengths!.prompt.length, 6, "two-turn entries");
    const p = shareGptPairs(s.dataset);
    assert.deepEqual([...p.prompt], [4, 1000]);
    assert.deepEqual([...p.output], [4, 1048]);
    const fixed = shareGptPairs({ ...s.dataset, output_len: 2 });
    assert.deepEqual([...fixed.prompt], [4, 50, 1000, 1000]);
    assert.deepEqual([...fixed.output], [2, 2, 2, 2]);
  });
});

Deno.test("random: bounds exactly as vLLM computes them (floor low, ceil high, output >= 1)", () => {
  const b = (input_len: number, output_len: number, range_ratio: number) =>
    randomBounds({
      name: "random",
      input_len,
      output_len,
      range_ratio,
      prefix_len: 0,
    });
  assert.deepEqual(b(1000, 100, 0), {
    input: [1000, 1000],
    output: [100, 100],
  });
  assert.deepEqual(b(7, 3, 0.5), { input: [3, 11], output: [1, 5] });
  // Binary floating point, in Python as here: 50 x 1.1 is
  // 55.00000000000001 (ceil 56) and 20 x 0.1 is 1.9999999999999996 (floor 1).
  assert.deepEqual(b(50, 50, 0.1), { input: [45, 56], output: [45, 56] });
  assert.deepEqual(b(20, 20, 0.9), { input: [1, 38], output: [1, 38] });
  assert.deepEqual(b(5, 1, 0.5), { input: [2, 8], output: [1, 2] });
  assert.throws(() => b(1, 5, 0.5), /shortest prompt would have 0 tokens/);
  assert.doesNotThrow(() =>
    randomBounds({
      name: "random",
      input_len: 1,
      output_len: 5,
      range_ratio: 0.5,
      prefix_len: 1,
    })
  );
});

Deno.test("random: lengths uniform in the bounds, prompt = shared prefix + sampled, prefix ids per 512 block", () => {
  const s = parseScenario(
    "mode: mono\nsim_seconds: 400\nwarmup_seconds: 0\narrival: {rate_per_s: 10}\n" +
      "dataset: {name: random, input_len: 200, output_len: 40, range_ratio: 0.25, prefix_len: 1100}\n",
  );
  const rs = requests(s);
  const n = rs.length;
  assert.ok(n > 3500, `${n} requests`);
  const [lo, hi] = randomBounds(s.dataset as RandomDataset).input;
  assert.deepEqual([lo, hi], [150, 250]);
  const sampled = rs.map((r) => r.p - 1100);
  assert.equal(Math.min(...sampled), lo, "the low end is reached");
  assert.equal(Math.max(...sampled), hi, "the high end is reached");
  assert.ok(rs.every((r) => r.o >= 30 && r.o <= 50));
  // Uniform on [150, 250]: mean 200, sd sqrt((101^2 - 1) / 12) = 29.2;
  // 4 standard errors.
  const mean = sampled.reduce((a, b) => a + b, 0) / n;
  const tol = 4 * Math.sqrt((101 ** 2 - 1) / 12) / Math.sqrt(n);
  assert.ok(Math.abs(mean - 200) < tol, `mean ${mean} ± ${tol}`);
  // Two whole 512-token blocks of the 1100 shared tokens, the same ids for
  // every request (what a prefix cache reuses).
  assert.equal(rs[0].ids.length, 2);
  assert.ok(rs.every((r) => r.ids === rs[0].ids));
});

Deno.test("random: the shared prefix is reused by the prefix cache", async () => {
  const r = await runCli([
    "simulate",
    "--config",
    "examples/random_dataset.yaml",
    "--sim-seconds",
    "40",
    "--warmup-seconds",
    "5",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  // 512 of about 1536 prompt tokens are the cached prefix.
  assert.ok(
    j.prefix_cache_hit_rate > 0.25 && j.prefix_cache_hit_rate < 0.4,
    String(j.prefix_cache_hit_rate),
  );
  assert.equal(j.prompt_tokens_simulated.max <= 512 + 1536, true);
  assert.equal(r.stderr, "", "no warning");
});

// ------------------------------------------------------------ token counts

Deno.test("tokenizer: the shipped tiny tokenizer's counts for known strings", () => {
  const count = tokenCounter(TOKENIZER, "dataset.tokenizer");
  // Its <s> (BOS) is added to every text, as Llama's tokenizers do.
  assert.equal(count(""), 1);
  assert.equal(count("the cat sat on the mat"), 11);
  assert.equal(count("Hello, world!"), 9);
  // Bytes never seen in training fall back to one token per byte: ✓ is
  // three UTF-8 bytes.
  assert.equal(count("✓"), 1 + 3);
});

Deno.test("tokenizer: a dataset counted by it, through loadScenarioText", async () => {
  const s = await loadScenarioText(
    "mode: mono\ndataset: {name: sharegpt, path: sharegpt_sample.json, tokenizer: tiny_tokenizer.json}\n",
    { baseDir: "examples/datasets" },
  );
  assert.ok(s.dataset?.name === "sharegpt");
  const l = s.dataset.lengths!;
  assert.equal(l.counted_by, "tokenizer");
  const count = tokenCounter(TOKENIZER, "k");
  const data = JSON.parse(Deno.readTextFileSync(SAMPLE)) as {
    conversations: { value: string }[];
  }[];
  const two = data.filter((e) => e.conversations.length >= 2);
  assert.deepEqual(l.prompt, two.map((e) => count(e.conversations[0].value)));
  assert.deepEqual(
    l.completion,
    two.map((e) => count(e.conversations[1].value)),
  );
  assert.equal(scenarioWarnings(s).length, 0, "no estimate warning");
  // parseScenario cannot wait for the tokenizer: it says so.
  assert.throws(
    () =>
      parseScenario(
        "dataset: {name: sharegpt, path: sharegpt_sample.json, tokenizer: tiny_tokenizer.json}\n",
        { baseDir: "examples/datasets" },
      ),
    /dataset\.tokenizer: .*loadScenarioText/,
  );
});

Deno.test("estimate: ceil(characters / 4), with a warning", async () => {
  assert.equal(estimateTokens("abcd"), 1);
  assert.equal(estimateTokens("abcde"), 2);
  assert.equal(estimateTokens("ñññññ"), 2, "code points, not bytes");
  const s = parseScenario(
    "mode: mono\ndataset: {name: sharegpt, path: sharegpt_sample.json}\n",
    { baseDir: "examples/datasets" },
  );
  assert.ok(s.dataset?.name === "sharegpt");
  assert.equal(s.dataset.lengths!.counted_by, "estimate");
  assert.equal(
    s.dataset.lengths!.prompt[0],
    estimateTokens(
      "How do I keep basil alive on a windowsill through the winter?",
    ),
  );
  assert.match(
    scenarioWarnings(s).join("\n"),
    /estimated as ceil\(characters \/ 4\)/,
  );
  const r = await runCli([
    "simulate",
    "--mode",
    "mono",
    "--sim-seconds",
    "20",
    "--warmup-seconds",
    "2",
    "--set",
    "dataset.name=sharegpt",
    "--set",
    `dataset.path=${SAMPLE}`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^llmsim: warning: dataset: no tokenizer given/m);
});

// ------------------------------------------------------------ determinism

Deno.test("sharegpt: the first N requests are the N usable conversations, shuffled by the seed", () => {
  const load = (seed: number) =>
    parseScenario(
      `mode: mono\nrandom_seed: ${seed}\nsim_seconds: 100\nwarmup_seconds: 0\n` +
        "arrival: {rate_per_s: 5}\ndataset: {name: sharegpt, path: sharegpt_sample.json}\n",
      { baseDir: "examples/datasets" },
    );
  const a = load(1);
  const pairs = shareGptPairs(a.dataset as never);
  const n = pairs.prompt.length;
  const key = (p: number, o: number) => `${p}/${o}`;
  const expected = [...pairs.prompt].map((p, i) => key(p, pairs.output[i]))
    .sort();
  const ra = requests(a);
  assert.ok(ra.length > 3 * n);
  assert.deepEqual(ra.slice(0, n).map((r) => key(r.p, r.o)).sort(), expected);
  // Later requests are drawn from the same pairs.
  const allowed = new Set(expected);
  assert.ok(ra.every((r) => allowed.has(key(r.p, r.o))));
  // Same seed, same requests; another seed, another order.
  assert.deepEqual(requests(load(1)), ra);
  const rb = requests(load(2));
  assert.notDeepEqual(rb.slice(0, n), ra.slice(0, n));
  assert.deepEqual(rb.slice(0, n).map((r) => key(r.p, r.o)).sort(), expected);
});

Deno.test("random: same seed, same lengths; the dataset leaves the arrival times alone", () => {
  const text = (seed: number, dataset: boolean) =>
    `mode: mono\nrandom_seed: ${seed}\nsim_seconds: 30\nwarmup_seconds: 0\narrival: {rate_per_s: 5}\n` +
    (dataset
      ? "dataset: {name: random, input_len: 100, output_len: 10, range_ratio: 0.5}\n"
      : "");
  const times = (s: Scenario) => {
    const w = buildWorkload(s);
    const t: number[] = [];
    while (w.source.next()) t.push(w.source.arrivalS);
    return t;
  };
  assert.deepEqual(
    requests(parseScenario(text(3, true))),
    requests(parseScenario(text(3, true))),
  );
  assert.notDeepEqual(
    requests(parseScenario(text(3, true))),
    requests(parseScenario(text(4, true))),
  );
  assert.deepEqual(
    times(parseScenario(text(3, true))),
    times(parseScenario(text(3, false))),
  );
});

Deno.test("a study point keeps the loaded conversations and applies its own output_len", () => {
  const s = parseScenario(
    "mode: mono\nsim_seconds: 20\nwarmup_seconds: 0\ndataset: {name: sharegpt, path: sharegpt_sample.json}\n",
    { baseDir: "examples/datasets" },
  );
  const p = withParams(s, { "dataset.output_len": 50 });
  const rs = requests(p);
  assert.ok(rs.length > 0);
  assert.ok(rs.every((r) => r.o === 50));
});

// ------------------------------------------------------------ errors

Deno.test("errors: one line, exit 2, naming the key or the file", async () => {
  await withFiles({
    "bad.json": '[{"conversations": [\n  {"value": "a"}, {"value": }]}]',
    "none.json": JSON.stringify([conv(2, 2), conv(5, 5, 1)]),
    "one.json": JSON.stringify([conv(5, 5, 1)]),
    "sample.json": JSON.stringify([conv(10, 10)]),
  }, async (dir) => {
    const cases: [string, RegExp][] = [
      [
        "dataset: {name: sharegpt, path: missing.json}",
        /missing\.json: file not found \(dataset\.path\)/,
      ],
      [
        "dataset: {name: sharegpt, path: bad.json}",
        /bad\.json:2:29: bad JSON: expected a value \(dataset\.path\)/,
      ],
      [
        "dataset: {name: sharegpt, path: one.json}",
        /one\.json: no conversation has two or more turns/,
      ],
      [
        "dataset: {name: sharegpt, path: none.json}",
        /dataset\.path: .*none\.json: no conversation is usable: 1 have two or more turns/,
      ],
      [
        "dataset: {name: sharegpt, path: sample.json, tokenizer: nope.json}",
        /nope\.json: file not found \(dataset\.tokenizer\)/,
      ],
      [
        "dataset: {name: sharegpt, path: sample.json, tokenizer: sample.json}",
        /sample\.json: not a tokenizer\.json that can be read \(dataset\.tokenizer\)/,
      ],
      [
        "dataset: {name: sharegpt, path: sample.json}\ntrace: {file: t.csv, format: azure}",
        /:\d+:\d+: dataset: a trace replays its own requests/,
      ],
      [
        "dataset: {name: sharegpt, path: sample.json}\nclasses: [{name: a, weight: 1}]",
        /dataset: a dataset gives the lengths of one workload; remove classes or dataset/,
      ],
      [
        "dataset: {name: sharegpt, path: sample.json}\noutput_tokens: {mode: constant, value: 9}",
        /output_tokens\.mode: has no effect with a dataset/,
      ],
      [
        "dataset: {name: random, input_len: 10, output_len: 10, range_ratio: 1}",
        /dataset\.range_ratio: must be < 1, got 1/,
      ],
      [
        "dataset: {name: random, input_len: 10, output_len: 10, range_ratio: -0.1}",
        /dataset\.range_ratio: must be >= 0/,
      ],
      [
        "dataset: {name: random, input_len: 0, output_len: 10}",
        /dataset\.input_len: must be >= 1, got 0/,
      ],
      [
        "dataset: {name: random, input_len: 10, output_len: 2.5}",
        /dataset\.output_len: /,
      ],
      [
        "dataset: {name: random, input_len: 10, output_len: 10, path: x.json}",
        /dataset\.path: is not used with name random/,
      ],
      [
        "dataset: {name: sharegpt, path: sample.json, output_len: 0}",
        /dataset\.output_len: must be >= 1, got 0/,
      ],
    ];
    for (const [yaml, pattern] of cases) {
      const file = `${dir}/s.yaml`;
      await Deno.writeTextFile(file, `mode: mono\n${yaml}\n`);
      await expectInputError(["simulate", "--config", file], pattern);
    }
  });
});

// ------------------------------------------------------------ examples

Deno.test("examples: sharegpt_llama3_8b.yaml and random_dataset.yaml run", async () => {
  for (const example of ["sharegpt_llama3_8b", "random_dataset"]) {
    const r = await runCli([
      "simulate",
      "--config",
      `examples/${example}.yaml`,
      "--rate",
      "50",
      "--sim-seconds",
      "30",
      "--warmup-seconds",
      "3",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "", `${example}: no warning`);
    const j = JSON.parse(r.stdout);
    assert.ok(j.num_samples > 1000, `${example}: ${j.num_samples}`);
    assert.equal(j.saturation, "stable");
    assert.equal(j.prompt_tokens_real, undefined, "no configured lengths");
    if (example === "sharegpt_llama3_8b") {
      assert.ok(j.prompt_tokens_simulated.max <= 1024);
      assert.ok(j.prompt_tokens_simulated.p50 >= 4);
    }
  }
});

Deno.test("the tokenizer library loads only when a scenario names a tokenizer", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL("../cli.ts", import.meta.url).href],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success);
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    roots: string[];
    modules: {
      specifier: string;
      dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
    }[];
  };
  const mods = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set([info.roots[0]]);
  const queue = [info.roots[0]];
  while (queue.length) {
    for (const d of mods.get(queue.shift()!)?.dependencies ?? []) {
      const next = d.isDynamic ? undefined : d.code?.specifier;
      if (next && !seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  assert.ok([...seen].some((s) => s.endsWith("/lib/scenario/dataset_file.ts")));
  assert.deepEqual(
    [...seen].filter((s) => /tokenizers|tokenizer_count/.test(s)),
    [],
  );
});
