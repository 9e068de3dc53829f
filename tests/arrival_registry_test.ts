/**
 * The arrival-process registry: its names are the schema's, each process's
 * `scaled` multiplies its mean rate, errors name the key and the process,
 * and every clock draws exactly what it drew before the processes were
 * split into one file each (digests of 2,000 arrival times per process,
 * recorded from the code before the split).
 *
 * @module
 */

import assert from "node:assert/strict";
import { z } from "../lib/schema/zod.ts";
import { parseWith } from "../lib/schema/issues.ts";
import { RandomStream } from "../lib/engine/random.ts";
import {
  ARRIVAL_PROCESSES,
  arrivalClock,
  arrivalSchema,
  type ArrivalSpec,
  meanRate,
  scaleArrival,
} from "../lib/workload/arrivals/mod.ts";

/** One valid spec per process (the registry's order). */
const SPECS: ArrivalSpec[] = [
  { process: "poisson", rate_per_s: 3 },
  { process: "gamma", rate_per_s: 3, cv: 2 },
  { process: "deterministic", rate_per_s: 3 },
  {
    process: "schedule",
    schedule: [{ duration_s: 5, rate_per_s: 4 }, {
      duration_s: 3,
      rate_per_s: 0,
    }],
  },
  {
    process: "diurnal",
    rate_per_s: 3,
    amplitude: 0.7,
    period_s: 40,
    peak_s: 5,
  },
  { process: "on_off", rate_per_s: 3, mean_on_s: 4, mean_off_s: 2 },
  { process: "closed_loop", concurrency: 4, think_time_s: 1 },
];

function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

Deno.test("registry names are the schema's process values", () => {
  for (const topLevel of [true, false]) {
    const json = z.toJSONSchema(arrivalSchema({ topLevel }), { io: "input" });
    const values =
      (json.oneOf as { properties: { process: { const: string } } }[])
        .map((o) => o.properties.process.const);
    assert.deepEqual(values, ARRIVAL_PROCESSES.names);
  }
  for (const entry of ARRIVAL_PROCESSES.entries()) {
    assert.ok(entry.doc.length > 0, entry.name);
    const spec = SPECS.find((s) => s.process === entry.name);
    assert.ok(spec, `no test spec for ${entry.name}`);
    assert.deepEqual(entry.schema.parse(spec), spec);
  }
  assert.equal(SPECS.length, ARRIVAL_PROCESSES.names.length);
});

Deno.test("a bad process or key gives the formatted error", () => {
  const own = arrivalSchema({ topLevel: false });
  const cases: [unknown, string][] = [
    [
      { process: "poison", rate_per_s: 1 },
      'a.process: must be one of poisson, gamma, deterministic, schedule, diurnal, on_off, closed_loop, got "poison" (did you mean "poisson"?)',
    ],
    [
      { process: "gamma", cv: 2 },
      "a.rate_per_s: is required with process gamma",
    ],
    [
      { process: "poisson", rate_per_s: 1, cv: 2 },
      "a.cv: is not used with process poisson (it takes rate_per_s)",
    ],
    [
      { process: "schedule", schedule: [{ duration_s: 1, rate_per_s: 0 }] },
      "a.schedule: needs a step with a rate above 0",
    ],
    [
      { process: "diurnal", rate_per_s: 1, amplitude: 1.5 },
      "a.amplitude: must be <= 1, got 1.5",
    ],
  ];
  for (const [raw, message] of cases) {
    assert.throws(() => parseWith(own, raw, ["a"]), { message });
  }
});

Deno.test("the top level defaults the section and its rate", () => {
  const top = arrivalSchema({ topLevel: true });
  assert.deepEqual(parseWith(top, undefined), {
    process: "poisson",
    rate_per_s: 2,
  });
  assert.deepEqual(parseWith(top, { process: "gamma", cv: 2 }), {
    process: "gamma",
    rate_per_s: 2,
    cv: 2,
  });
  assert.deepEqual(
    parseWith(top, { process: "diurnal", amplitude: 0.5 }),
    {
      process: "diurnal",
      rate_per_s: 2,
      amplitude: 0.5,
      period_s: 86400,
      peak_s: 0,
    },
  );
});

Deno.test("scaled by 2 doubles every open process's mean rate", () => {
  for (const spec of SPECS) {
    if (spec.process === "closed_loop") {
      // The users set its rate: scaling it is an input error.
      assert.throws(() => scaleArrival(spec, 2), /vary arrival\.concurrency/);
      continue;
    }
    const entry = ARRIVAL_PROCESSES.get(spec.process);
    const before = structuredClone(spec);
    const doubled = entry.scaled(spec, 2);
    assert.equal(
      entry.meanRate(doubled),
      2 * entry.meanRate(spec),
      spec.process,
    );
    assert.equal(meanRate(scaleArrival(spec, 2)), 2 * meanRate(spec));
    assert.deepEqual(spec, before, `${spec.process}: spec was changed`);
  }
});

Deno.test("clocks draw what they drew before the split", () => {
  // [first three times, mean rate, FNV-1a of the JSON of 2,000 times], seed 9.
  const recorded: [number[], number, string][] = [
    [
      [0.28968495783046677, 0.5506328755736858, 1.1132860496879826],
      3,
      "2657c87d",
    ],
    [
      [0.000005238629959120561, 0.04672476721625784, 0.08690993445868211],
      3,
      "430db590",
    ],
    [[0.3333333333333333, 0.6666666666666666, 1], 3, "3d279209"],
    [
      [0.21726371837285008, 0.41297465668026434, 0.8349645372659869],
      2.5,
      "02c66efb",
    ],
    [
      [0.17040291637086283, 0.5013753717322139, 0.8996074543627183],
      3,
      "6b30582e",
    ],
    [
      [0.26094791774321896, 0.8236010918575156, 0.8479765327459969],
      2,
      "1e4dbf52",
    ],
  ];
  SPECS.forEach((spec, k) => {
    if (spec.process === "closed_loop") {
      // Every request ready at once; its rate bound is N / think.
      const clock = arrivalClock(spec, new RandomStream(9, "arr"));
      assert.deepEqual([clock(), clock()], [0, 0]);
      assert.equal(meanRate(spec), 4);
      return;
    }
    const clock = arrivalClock(spec, new RandomStream(9, "arr"));
    const times = Array.from({ length: 2000 }, clock);
    const [first, rate, digest] = recorded[k];
    assert.deepEqual(times.slice(0, 3), first, spec.process);
    assert.equal(meanRate(spec), rate, spec.process);
    assert.equal(fnv(JSON.stringify(times)), digest, spec.process);
  });
});

Deno.test("library callers get RangeError for a bad spec", () => {
  assert.throws(
    () =>
      arrivalClock(
        { process: "gamma", rate_per_s: 1, cv: 0 },
        new RandomStream(1, "a"),
      ),
    { name: "RangeError", message: "cv: must be > 0, got 0" },
  );
  assert.throws(
    () => meanRate({ process: "bogus" } as unknown as ArrivalSpec),
    RangeError,
  );
});
