// The worker pool's speculative tasks: a batch may start tasks later batches
// are likely to ask for on workers it leaves idle. Whatever it started, a
// batch's outcomes are those of running its own tasks, and a speculative
// task that fails fails only a batch that asks for it.
import assert from "node:assert/strict";
import { TaskPool } from "../lib/analysis/pool.ts";
import { runTask, type Task } from "../lib/analysis/tasks.ts";
import { validateScenario } from "../lib/scenario/validate.ts";
import { InputError } from "../lib/errors.ts";

const simulateTask = (rate: number): Task => ({
  kind: "simulate",
  scenario: validateScenario({
    sim_seconds: 20,
    warmup_seconds: 2,
    arrival: { rate_per_s: rate },
  }),
});
// A capacity search without an SLO is the user's error.
const badTask: Task = {
  kind: "capacity",
  scenario: validateScenario({ sim_seconds: 20, warmup_seconds: 2 }),
  options: {},
};

Deno.test("pool: batches that take speculative tasks get the outcomes of running them", async () => {
  const tasks = [1, 2, 3, 4, 5, 6].map(simulateTask);
  const pool = new TaskPool(2);
  try {
    // The first batch names the rest ahead, a failing one among them.
    const first = await pool.run(tasks.slice(0, 1), undefined, [
      ...tasks.slice(1),
      badTask,
    ]);
    // Taken from the ones started ahead, or run now: the same outcomes.
    const second = await pool.run([tasks[3], tasks[1]], undefined, [tasks[5]]);
    const third = await pool.run([tasks[2], tasks[4], tasks[5]]);
    const ran = [...first, ...second, ...third].map((o) => JSON.stringify(o));
    const want = [0, 3, 1, 2, 4, 5].map((k) =>
      JSON.stringify(runTask(tasks[k]))
    );
    assert.deepEqual(ran, want);
    // The failing task was only speculative: no batch failed. Asked for, it
    // fails its batch as the user's error.
    await assert.rejects(
      () => pool.run([tasks[0], badTask], undefined, [badTask]),
      InputError,
    );
  } finally {
    pool.close();
  }
});
