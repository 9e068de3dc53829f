import assert from "node:assert/strict";
import { RandomStream } from "../lib/engine/random.ts";
import { parseWith } from "../lib/schema/issues.ts";
import { TOKEN_MODES, tokenSchema } from "../lib/workload/token_modes/mod.ts";
import {
  tokenMedian,
  tokenMoments,
  tokenSampler,
} from "../lib/workload/tokens.ts";

const schema = tokenSchema("Prompt lengths.");

// One valid section per mode (the test to copy for a new mode: add yours).
const EXAMPLES: Record<string, Record<string, unknown>> = {
  log: { mode: "log", mean: 5, sigma: 0.5 },
  real_mean_std: { mode: "real_mean_std", mean: 400, std: 200 },
  p50_p90: { mode: "p50_p90", p50: 300, p90: 900 },
  constant: { mode: "constant", value: 128 },
  exponential: { mode: "exponential", mean: 250 },
  uniform: { mode: "uniform", low: 10, high: 500 },
  empirical: { mode: "empirical", values: [10, 20, 400, 800] },
};

Deno.test("every token mode has an example here and a doc", () => {
  assert.deepEqual(Object.keys(EXAMPLES), [...TOKEN_MODES.names]);
  for (const mode of TOKEN_MODES.entries()) assert.ok(mode.doc.length > 10);
});

Deno.test("each mode's sampler agrees with its moments and median", () => {
  const n = 40_000;
  for (const [name, raw] of Object.entries(EXAMPLES)) {
    const dist = parseWith(schema, raw);
    const draw = tokenSampler(dist, new RandomStream(7, name));
    const xs = Float64Array.from({ length: n }, draw).sort();
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const m = tokenMoments(dist)!;
    // Draws are floored: the mean sits up to one token below the real one.
    // Standard error of the mean with n draws, 5 sigma.
    const tol = 5 * m.std / Math.sqrt(n) + 1;
    assert.ok(
      Math.abs(mean - (m.mean - 0.5)) <= tol,
      `${name}: sample mean ${mean}, moments ${m.mean} ± ${tol}`,
    );
    const median = tokenMedian(dist);
    if (name === "empirical") continue; // values are loaded, median unknown
    // The sample median is within a few percent of the stated one.
    const sampleMedian = xs[n >> 1];
    assert.ok(
      Math.abs(sampleMedian - median) <= 0.03 * median + 1,
      `${name}: sample median ${sampleMedian}, stated ${median}`,
    );
  }
});

Deno.test("a key of another mode names the mode and what it takes", () => {
  assert.throws(
    () => parseWith(schema, { mode: "log", std: 3 }, ["prompt_tokens"]),
    {
      message:
        "prompt_tokens.std: is not used with mode log (it takes mean, sigma)",
    },
  );
  assert.throws(
    () => parseWith(schema, { mode: "p50_p90", p50: 10 }, ["output_tokens"]),
    { message: "output_tokens.p90: is required with mode p50_p90" },
  );
  assert.throws(
    () => parseWith(schema, { mode: "lognormal" }, ["prompt_tokens"]),
    /must be one of log, real_mean_std, .* got "lognormal"/,
  );
});

Deno.test("a missing mode is log with the prototype's mu 6 and sigma 1", () => {
  assert.deepEqual(parseWith(schema, {}), {
    mode: "log",
    mean: 6,
    sigma: 1,
    min_value: 1,
  });
});
