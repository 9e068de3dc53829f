/**
 * Memory stays flat with sketch percentiles: the V8 heap in use after
 * replaying a trace does not grow with the trace's rows. Measured inside a
 * child process (so that garbage collection can be forced), never timed.
 *
 * @module
 */

import assert from "node:assert/strict";
import { makeTrace } from "../bench/make_trace.ts";

const SMALL = 50_000;
const LARGE = 1_000_000;

Deno.test("a sketch-percentile replay's heap does not grow with its rows", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const url = new URL(`file://${dir}/`);
    const warm = makeTrace(2_000, url);
    const small = makeTrace(SMALL, url);
    const large = makeTrace(LARGE, url);
    const child = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--v8-flags=--expose-gc",
        `--allow-read=${dir}`,
        "--allow-env=LOG_TOKENS,LOG_STREAM,LLMSIM_PERCENTILES",
        new URL("./_memory_replay.ts", import.meta.url).pathname,
        warm,
        small,
        large,
      ],
      env: { LLMSIM_PERCENTILES: "sketch" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(child.stderr);
    assert.ok(child.success, err);
    const [, s, l] = JSON.parse(new TextDecoder().decode(child.stdout)) as {
      rows: number;
      heapUsed: number;
      external: number;
    }[];
    assert.equal(s.rows, SMALL);
    assert.equal(l.rows, LARGE);
    // The fixed cost (sketches, backlog bins, the slots of the requests in
    // flight, which the longer trace may see a few more of) is the same
    // for both; anything kept per row would show as 8 bytes or more per
    // row (7.2 MiB over the 950,000 extra rows). Allow 1 MiB: compiled code
    // and its feedback live on the heap too and vary by a few hundred KiB
    // from run to run (a 20,000- and 200,000-row pair once differed by
    // 284 KiB with nothing kept per row).
    const grew = l.heapUsed - s.heapUsed;
    assert.ok(
      grew < 1024 * 1024,
      `heap in use grew ${
        (grew / 1024).toFixed(0)
      } KiB from ${SMALL} to ${LARGE} rows (${
        (grew / (LARGE - SMALL)).toFixed(1)
      } bytes per row)`,
    );
    // Typed arrays' memory lies outside the heap: it must stay flat too.
    const buffers = l.external - s.external;
    assert.ok(
      buffers < 1024 * 1024,
      `array buffers grew ${
        (buffers / 1024).toFixed(0)
      } KiB from ${SMALL} to ${LARGE} rows`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
