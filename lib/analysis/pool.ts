/**
 * Runs study tasks in parallel on Web Workers. Outcomes come back in task
 * order whatever order the workers finish in, and each task is a pure
 * function of its scenario, so results do not depend on the number of
 * workers.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import { runTask, type Task, type TaskOutcome } from "./tasks.ts";

/** Options of {@linkcode runTasks}. */
export interface PoolOptions {
  /** Workers (default: the machine's logical cores; 1 runs in this thread). */
  jobs?: number;
  /** Called after each task with the number done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * The default number of workers: one per logical core.
 *
 * @returns The machine's logical cores (at least 1).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultJobs } from "./pool.ts";
 * assert.ok(defaultJobs() >= 1);
 * ```
 */
export function defaultJobs(): number {
  return Math.max(1, navigator.hardwareConcurrency ?? 1);
}

/**
 * Runs tasks, in parallel when `jobs` > 1.
 *
 * @param tasks The tasks.
 * @param options Workers and progress.
 * @returns Their outcomes, in task order.
 * @throws {InputError} The first (in task order) task error caused by input.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { runTasks } from "./pool.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const s = validateScenario({ sim_seconds: 20, warmup_seconds: 2 });
 * const out = await runTasks([{ kind: "simulate", scenario: s }], { jobs: 1 });
 * assert.equal(out.length, 1);
 * ```
 */
export async function runTasks(
  tasks: readonly Task[],
  options: PoolOptions = {},
): Promise<TaskOutcome[]> {
  const pool = new TaskPool(
    Math.min(options.jobs ?? defaultJobs(), tasks.length),
  );
  try {
    return await pool.run(tasks, options.onProgress);
  } finally {
    pool.close();
  }
}

/**
 * Workers kept for many batches of tasks (a search that evaluates a few
 * candidates at a time pays for starting them once). Outcomes come back in
 * task order.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { TaskPool } from "./pool.ts";
 * import { validateScenario } from "../scenario/validate.ts";
 * const pool = new TaskPool(1);
 * const s = validateScenario({ sim_seconds: 20, warmup_seconds: 2 });
 * const [a] = await pool.run([{ kind: "simulate", scenario: s }]);
 * const [b] = await pool.run([{ kind: "simulate", scenario: s }]);
 * pool.close();
 * assert.equal(JSON.stringify(a), JSON.stringify(b));
 * ```
 */
export class TaskPool {
  readonly #jobs: number;
  #workers: Worker[] = [];

  /**
   * Creates the pool; workers start with the first batch that needs them.
   *
   * @param jobs Workers (1: tasks run in this thread).
   */
  constructor(jobs: number) {
    this.#jobs = Math.max(1, jobs);
  }

  /**
   * Runs a batch of tasks.
   *
   * @param tasks The tasks.
   * @param onProgress Called after each task with the number done and the total.
   * @returns Their outcomes, in task order.
   * @throws {InputError} The first (in task order) task error caused by input.
   */
  async run(
    tasks: readonly Task[],
    onProgress?: (done: number, total: number) => void,
  ): Promise<TaskOutcome[]> {
    const outcomes: TaskOutcome[] = new Array(tasks.length);
    let done = 0;
    const jobs = Math.min(this.#jobs, tasks.length);
    if (jobs <= 1) {
      for (let i = 0; i < tasks.length; i++) {
        outcomes[i] = runTask(tasks[i]);
        onProgress?.(++done, tasks.length);
      }
      return outcomes;
    }
    while (this.#workers.length < jobs) {
      this.#workers.push(
        new Worker(new URL("./worker.ts", import.meta.url), {
          type: "module",
        }),
      );
    }
    const errors: ({ input: boolean; message: string } | undefined)[] = [];
    let next = 0;
    try {
      await Promise.all(
        this.#workers.slice(0, jobs).map((worker) =>
          new Promise<void>((resolve, reject) => {
            const send = () => {
              if (next >= tasks.length) return resolve();
              const id = next++;
              worker.postMessage({ id, task: tasks[id] });
            };
            worker.onmessage = (
              e: MessageEvent<
                | { id: number; ok: true; outcome: TaskOutcome }
                | { id: number; ok: false; input: boolean; message: string }
              >,
            ) => {
              const m = e.data;
              if (m.ok) outcomes[m.id] = m.outcome;
              else errors[m.id] = { input: m.input, message: m.message };
              onProgress?.(++done, tasks.length);
              send();
            };
            worker.onerror = (e) => {
              e.preventDefault();
              reject(new Error(`worker failed: ${e.message}`));
            };
            send();
          })
        ),
      );
    } catch (e) {
      this.close();
      throw e;
    }
    const first = errors.findIndex((e) => e !== undefined);
    if (first >= 0) {
      const e = errors[first]!;
      throw e.input ? new InputError(e.message) : new Error(e.message);
    }
    return outcomes;
  }

  /** Stops the workers. */
  close(): void {
    for (const w of this.#workers) w.terminate();
    this.#workers = [];
  }
}
