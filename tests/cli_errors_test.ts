/**
 * The command line's handling of bad output paths, odd flag values and odd
 * scenario files: one line on stderr, exit code 2, nothing written; and its
 * version, help and progress reports.
 */
import assert from "node:assert/strict";
import { expectInputError, runCli } from "./_cli.ts";
import { checkOutputs, writeFilesAtomic } from "../lib/report/files.ts";
import { createProgress } from "../lib/cli/progress.ts";
import { parseScenario } from "../lib/scenario/load.ts";
import denoJson from "../deno.json" with { type: "json" };

const SHORT = ["--sim-seconds", "60", "--warmup-seconds", "6"];
const SLO = ["--set", "slo.ttft_s=1", "--set", "slo.tpot_s=1"];

async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function filesIn(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

// ------------------------------------------------------------ output paths

Deno.test("output paths: a directory given as a file is an input error, before the run", async () => {
  await inTempDir(async (dir) => {
    await expectInputError(
      ["simulate", "--dump-ttft", dir],
      new RegExp(`--dump-ttft ${dir}: is a directory`),
    );
    await expectInputError(
      ["simulate", "--dump-requests", dir, "--dump-ttft", `${dir}/t.json`],
      /--dump-requests .*: is a directory/,
      [`${dir}/t.json`],
    );
    await expectInputError(
      ["report", "simulate", "--out", dir],
      /--out .*: is a directory/,
    );
    await expectInputError(
      ["calibrate", "--config", "x.yaml", "--measured", "m.csv", "--out", dir],
      /--out .*: is a directory/,
    );
    assert.deepEqual(await filesIn(dir), [], "nothing left behind");
  });
});

Deno.test("output paths: a sweep writes all its files or none", async () => {
  await inTempDir(async (dir) => {
    // The chart's name is taken by a folder: not even the CSV is written.
    await Deno.mkdir(`${dir}/sweep_ttft.png`);
    await expectInputError(
      ["sweep", "--rates", "1,2", ...SHORT, "--out-dir", dir],
      /--out-dir .*sweep_ttft\.png: is a directory/,
      [`${dir}/sweep.csv`, `${dir}/sweep.json`],
    );
    assert.deepEqual(await filesIn(dir), ["sweep_ttft.png"]);
  });
});

Deno.test("output paths: --out-dir that is a file, or under one; outputs named twice; empty names", async () => {
  await inTempDir(async (dir) => {
    const file = `${dir}/f.txt`;
    await Deno.writeTextFile(file, "keep");
    await expectInputError(
      ["capacity", ...SLO, "--out-dir", file],
      /--out-dir .*f\.txt: is a file, not a directory/,
    );
    await expectInputError(
      ["plan", "--gpus", "2", ...SLO, "--out-dir", `${file}/sub`],
      /--out-dir .*f\.txt\/sub: cannot create: .*f\.txt is a file/,
    );
    await expectInputError(
      ["simulate", "--dump-ttft", `${dir}/a`, "--dump-requests", `${dir}/./a`],
      /--dump-requests .*: the same file as --dump-ttft/,
      [`${dir}/a`],
    );
    await expectInputError(
      ["simulate", "--dump-ttft", ""],
      /--dump-ttft: needs a file name/,
    );
    await expectInputError(
      ["merge", "--out-dir", file, "shard.json"],
      /--out-dir .*f\.txt: is a file/,
    );
    assert.equal(await Deno.readTextFile(file), "keep");
    assert.deepEqual(await filesIn(dir), ["f.txt"]);
  });
});

Deno.test("output paths: a missing folder is created; files replace old ones", async () => {
  await inTempDir(async (dir) => {
    const out = `${dir}/new/deeper/t.json`;
    const r = await runCli(["simulate", ...SHORT, "--dump-ttft", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Array.isArray(JSON.parse(await Deno.readTextFile(out))));
    assert.deepEqual(await filesIn(`${dir}/new/deeper`), ["t.json"]);
  });
});

Deno.test("writeFilesAtomic: all or none, no temporary files left", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.txt`, "old");
    await Deno.mkdir(`${dir}/b.txt`);
    await assert.rejects(
      writeFilesAtomic(
        new Map([[`${dir}/a.txt`, "new"], [`${dir}/b.txt`, "x"]]),
      ),
      /b\.txt: is a directory/,
    );
    assert.equal(await Deno.readTextFile(`${dir}/a.txt`), "old");
    assert.deepEqual(await filesIn(dir), ["a.txt", "b.txt"]);
    await writeFilesAtomic(
      new Map<string, string | Uint8Array>([
        [`${dir}/a.txt`, "new"],
        [`${dir}/c/d.bin`, new Uint8Array([1, 2])],
      ]),
    );
    assert.equal(await Deno.readTextFile(`${dir}/a.txt`), "new");
    assert.deepEqual(await filesIn(dir), ["a.txt", "b.txt", "c"]);
    assert.deepEqual(await filesIn(`${dir}/c`), ["d.bin"]);
    // A missing folder that cannot be created: under a file.
    assert.throws(
      () => checkOutputs([{ path: `${dir}/a.txt/x.json`, flag: "--out" }]),
      /--out .*a\.txt\/x\.json: cannot write: .*a\.txt is not a directory/,
    );
  });
});

// ------------------------------------------------------------ flag values

Deno.test("flags: negative numbers reach validation instead of 'ambiguous'", async () => {
  const cases: [string[], RegExp][] = [
    [["simulate", "--rate", "-2"], /arrival\.rate_per_s: must be > 0, got -2/],
    [
      ["simulate", "--sim-seconds", "-5"],
      /sim_seconds: must be > 0, got -5 \(from --sim-seconds\)/,
    ],
    [["simulate", "--seed", "-1"], /random_seed: must be >= 0, got -1/],
    [
      ["sweep", "--rates", "1", "--replications", "-1"],
      /--replications: must be a whole number >= 1, got "-1"/,
    ],
    [
      ["sweep", "--rates", "1", "--jobs", "-3"],
      /--jobs: must be a whole number >= 1, got "-3"/,
    ],
    [["sweep", "--rates", "-1,2"], /--rates: expected positive numbers/],
    [
      ["capacity", ...SLO, "--target", "-0.5"],
      /--target: must be in \(0, 1\], got -0\.5/,
    ],
    [["plan", "--gpus", "-3"], /--gpus: must be a whole number >= 1/],
    [
      ["fit", "--trace", "x", "--trace-format", "csv", "--spread-s", "-1"],
      /--spread-s must be > 0, got "-1"/,
    ],
    [
      ["calibrate", "--config", "x", "--measured", "m", "--out", "o.yaml"]
        .concat(
          ["--jobs", "-1"],
        ),
      /x: file not found|--jobs/,
    ],
  ];
  for (const [args, pattern] of cases) {
    const line = await expectInputError(args, pattern);
    assert.doesNotMatch(line, /ambiguous/);
  }
});

Deno.test("flags and YAML: integers beyond 2^53 are refused, not rounded", async () => {
  await expectInputError(
    ["simulate", "--seed", "9007199254740993"],
    /--seed: 9007199254740993: whole numbers must be within ±9007199254740991/,
  );
  await expectInputError(
    ["simulate", "--set", "random_seed=9007199254740993"],
    /--set random_seed: 9007199254740993/,
  );
  await inTempDir(async (dir) => {
    const f = `${dir}/s.yaml`;
    await Deno.writeTextFile(f, "mode: mono\nrandom_seed: 9007199254740993\n");
    await expectInputError(
      ["simulate", "--config", f],
      /s\.yaml:2:14: random_seed: must be an integer within ±9007199254740991 .*got 9007199254740993$/,
    );
  });
  // The largest exact one is fine.
  const ok = await runCli(["simulate", ...SHORT, "--seed", "9007199254740991"]);
  assert.equal(ok.code, 0, ok.stderr);
});

// ------------------------------------------------------------ scenario files

Deno.test("YAML: two documents in one file, duplicate keys, a key named like a builtin", async () => {
  await inTempDir(async (dir) => {
    const f = `${dir}/s.yaml`;
    await Deno.writeTextFile(f, "mode: mono\n---\nmode: disagg\n");
    const line = await expectInputError(
      ["simulate", "--config", f],
      /s\.yaml:2:1: a scenario file holds one YAML document; found a second one/,
    );
    assert.doesNotMatch(line, /parseAllDocuments/);
    await Deno.writeTextFile(
      f,
      "arrival:\n  rate_per_s: 1\n  rate_per_s: 2\n",
    );
    await expectInputError(
      ["simulate", "--config", f],
      /s\.yaml:3:3: arrival\.rate_per_s: duplicate key \(first at line 2\)/,
    );
    await Deno.writeTextFile(f, `mode: ${"x".repeat(5000)}\n`);
    const long = await expectInputError(
      ["simulate", "--config", f],
      /s\.yaml:1:7: mode: must be one of mono, disagg, got "x+\.\.\."$/,
    );
    assert.ok(long.length < 200, long);
    await Deno.writeTextFile(f, "toString: 1\n");
    await expectInputError(
      ["simulate", "--config", f],
      /s\.yaml:1:1: toString: unknown key/,
    );
  });
});

Deno.test("YAML: 20,000 unknown keys are reported quickly and briefly", () => {
  const text = Array.from({ length: 20_000 }, (_, i) => `key_${i}: ${i}\n`)
    .join("");
  const t0 = performance.now();
  let message = "";
  try {
    parseScenario(text, { sourceName: "big.yaml" });
  } catch (e) {
    message = (e as Error).message;
  }
  const ms = performance.now() - t0;
  assert.match(message, /^big\.yaml:1:1: key_0: unknown key; also unknown: /);
  assert.match(message, /"key_19" and 19980 more$/);
  assert.ok(message.length < 400, message);
  // The library's quadratic duplicate check took seconds here.
  assert.ok(ms < 1500, `took ${ms.toFixed(0)} ms`);
});

Deno.test("traces: binary bytes are not echoed into the message", async () => {
  await inTempDir(async (dir) => {
    const f = `${dir}/bin.csv`;
    const bytes = new Uint8Array(4096);
    let x = 12345;
    for (let i = 0; i < bytes.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      bytes[i] = x >>> 24;
    }
    await Deno.writeFile(f, bytes);
    for (const format of ["azure", "burstgpt", "jsonl", "csv"]) {
      const extra = format === "csv" || format === "jsonl"
        ? ["--columns", "timestamp=t,prompt_tokens=p,output_tokens=o"]
        : [];
      const line = await expectInputError(
        ["fit", "--trace", f, "--trace-format", format, ...extra],
        /bin\.csv/,
      );
      // No control characters or undecodable bytes, and short.
      assert.doesNotMatch(line, /[\p{C}\uFFFD]/u, line);
      assert.ok(line.length < 500, `${line.length} characters`);
    }
  });
});

// ------------------------------------------------------------ version, help

Deno.test("--version and version print deno.json's version; help COMMAND", async () => {
  for (const args of [["--version"], ["version"]]) {
    const r = await runCli(args);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `llmsim ${denoJson.version}\n`);
  }
  for (const cmd of ["simulate", "sweep", "calibrate", "schema"]) {
    const a = await runCli(["help", cmd]);
    const b = await runCli([cmd, "--help"]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, b.stdout);
    assert.match(a.stdout, new RegExp(`^Usage: llmsim ${cmd}`));
  }
  await expectInputError(["help", "simulte"], /unknown command "simulte"/);
  // Names of Object's own methods are no commands (they ran and exited 0).
  await expectInputError(["toString"], /unknown command "toString"/);
  await expectInputError(["help", "constructor"], /unknown command/);
  const top = await runCli(["help"]);
  assert.match(top.stdout, /Commands:/);
});

// ------------------------------------------------------------ stderr

Deno.test("progress: a line on stderr when not a terminal, stdout pure JSON", async () => {
  await inTempDir(async (dir) => {
    const r = await runCli([
      "plan",
      "--gpus",
      "2",
      "--tps",
      "1",
      ...SLO,
      ...SHORT,
      "--out-dir",
      dir,
    ]);
    assert.equal(r.code, 0, r.stderr);
    JSON.parse(r.stdout);
    assert.match(r.stderr, /^llmsim: plan: \d+\/\d+ done in [\d.]+ s$/m);
    assert.ok(
      !r.stderr.includes("\r") && !r.stderr.includes("\u001b"),
      "no bar when not a terminal",
    );
    const c = await runCli(["capacity", ...SLO, ...SHORT, "--out-dir", dir]);
    assert.equal(c.code, 0, c.stderr);
    JSON.parse(c.stdout);
    assert.match(c.stderr, /^llmsim: capacity: 1\/1 done in/m);
  });
});

Deno.test("progress: rate-limited lines, or a bar redrawn in place", () => {
  let t = 0;
  const lines: string[] = [];
  const p = createProgress("sweep", 100, {
    terminal: false,
    intervalMs: 5000,
    now: () => t,
    write: (s) => lines.push(s),
  });
  for (let k = 0; k < 100; k++) {
    t += 200; // 20 s in all: a line every 5 s
    p.tick();
  }
  p.done();
  p.done();
  assert.equal(lines.length, 4 + 1, lines.join(""));
  // 25 done in 5 s: the other 75 at that pace take 15 s.
  assert.equal(
    lines[0],
    "llmsim: sweep: 25/100 (25%), 5.0 s, about 15 s left\n",
  );
  assert.equal(lines[4], "llmsim: sweep: 100/100 done in 20 s\n");
  const bar: string[] = [];
  t = 0;
  const b = createProgress("plan", 4, {
    terminal: true,
    now: () => t,
    write: (s) => bar.push(s),
  });
  for (let k = 0; k < 4; k++) {
    t += 1000;
    b.tick();
  }
  b.done();
  assert.ok(bar.every((s) => s.startsWith("\r")));
  assert.ok(bar[bar.length - 1].endsWith("\n"));
  assert.match(
    bar[1],
    /\[#{15}\.{15}\] 2\/4 \(50%\), 2\.0 s, about 2\.0 s left$/,
  );
  // A failed run ends the bar's line and says nothing more.
  const failed: string[] = [];
  const f = createProgress("x", 2, {
    terminal: false,
    write: (s) => failed.push(s),
  });
  f.tick();
  f.done(false);
  assert.deepEqual(failed, []);
});

Deno.test("report prints the run's warnings on stderr, as simulate does", async () => {
  await inTempDir(async (dir) => {
    const args = ["--mode", "mono", "--rate", "12", ...SHORT];
    const sim = await runCli(["simulate", ...args]);
    const rep = await runCli([
      "report",
      "simulate",
      ...args,
      "--out",
      `${dir}/r.html`,
    ]);
    assert.equal(rep.code, 0, rep.stderr);
    assert.equal(rep.stdout, "");
    const warnings = (s: string) =>
      s.split("\n").filter((l) => l.startsWith("llmsim: warning: "));
    assert.ok(warnings(sim.stderr).length > 0);
    assert.deepEqual(warnings(rep.stderr), warnings(sim.stderr));
  });
});

Deno.test("progress: an error after a drawn bar starts on a line of its own", async () => {
  const { createProgress, endOpenProgress } = await import(
    "../lib/cli/progress.ts"
  );
  const out: string[] = [];
  const p = createProgress("plan", 10, {
    terminal: true,
    write: (t) => out.push(t),
    now: () => 0,
  });
  p.tick();
  endOpenProgress();
  assert.equal(out.at(-1), "\n");
  const n = out.length;
  endOpenProgress(); // already ended: nothing more
  p.done(false);
  assert.equal(out.length, n);
});
