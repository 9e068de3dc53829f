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
 * A batch may name tasks that later batches are likely to ask for
 * (`ahead`): workers that would otherwise wait for the batch's last task
 * start them, and a later batch that asks for the same task object takes
 * its outcome rather than running it again. Each task is a pure function of
 * its scenario, so an outcome is the same whenever it was computed; an
 * `ahead` task that no batch asks for only costs an idle worker's time.
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
  #idle: Worker[] = [];
  // Jobs a batch asked for, in order, then the speculative ones.
  #queue: Job[] = [];
  #ahead: Job[] = [];
  // Speculative jobs by task, until a batch takes them or they are dropped.
  #known = new Map<Task, Job>();
  #running = new Map<Worker, Job>();
  #failure: Error | undefined;

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
   * @param ahead Tasks later batches may ask for, likeliest first: started
   * on workers left idle by this batch (ignored with one job). Replaces the
   * previous batch's list; those of its tasks not yet started are dropped.
   * @returns Their outcomes, in task order.
   * @throws {InputError} The first (in task order) task error caused by input.
   */
  async run(
    tasks: readonly Task[],
    onProgress?: (done: number, total: number) => void,
    ahead: readonly Task[] = [],
  ): Promise<TaskOutcome[]> {
    if (this.#jobs <= 1 || (tasks.length <= 1 && this.#workers.length === 0)) {
      const outcomes: TaskOutcome[] = [];
      for (let i = 0; i < tasks.length; i++) {
        outcomes.push(runTask(tasks[i]));
        onProgress?.(i + 1, tasks.length);
      }
      return outcomes;
    }
    while (this.#workers.length < this.#jobs) this.#startWorker();
    let done = 0;
    const jobs = tasks.map((task) => {
      const known = this.#known.get(task);
      if (known) {
        this.#known.delete(task);
        const k = this.#ahead.indexOf(known);
        if (k >= 0) {
          this.#ahead.splice(k, 1);
          this.#queue.push(known);
        }
        return known;
      }
      const job = newJob(task);
      this.#queue.push(job);
      return job;
    });
    for (const job of this.#ahead) this.#known.delete(job.task);
    this.#ahead = [];
    for (const task of ahead) {
      if (this.#known.has(task) || tasks.includes(task)) continue;
      const job = newJob(task);
      this.#known.set(task, job);
      this.#ahead.push(job);
    }
    this.#dispatch();
    const settled = await Promise.all(jobs.map(async (job) => {
      const r = await job.settled;
      onProgress?.(++done, tasks.length);
      return r;
    }));
    if (this.#failure) {
      const e = this.#failure;
      this.close();
      throw e;
    }
    const first = settled.find((r): r is Failed => !r.ok);
    if (first) {
      throw first.input
        ? new InputError(first.message)
        : new Error(first.message);
    }
    return settled.map((r) => (r as { outcome: TaskOutcome }).outcome);
  }

  #startWorker(): void {
    const worker = new Worker(new URL("./worker.ts", import.meta.url), {
      type: "module",
    });
    worker.onmessage = (e: MessageEvent<Settled>) => {
      const job = this.#running.get(worker)!;
      this.#running.delete(worker);
      job.settle(e.data);
      this.#idle.push(worker);
      this.#dispatch();
    };
    worker.onerror = (e) => {
      e.preventDefault();
      // A worker that dies fails the batch: every job still to come ends.
      this.#failure ??= new Error(`worker failed: ${e.message}`);
      const failed: Failed = { ok: false, input: false, message: e.message };
      for (const job of [...this.#running.values(), ...this.#queue]) {
        job.settle(failed);
      }
      this.#running.clear();
      this.#queue = [];
    };
    this.#workers.push(worker);
    this.#idle.push(worker);
  }

  // Starts queued jobs, then speculative ones, on idle workers.
  #dispatch(): void {
    while (this.#idle.length > 0) {
      const job = this.#queue.shift() ?? this.#ahead.shift();
      if (!job) return;
      const worker = this.#idle.pop()!;
      this.#running.set(worker, job);
      worker.postMessage(job.task);
    }
  }

  /** Stops the workers (speculative tasks still running are abandoned). */
  close(): void {
    for (const w of this.#workers) w.terminate();
    this.#workers = [];
    this.#idle = [];
    this.#queue = [];
    this.#ahead = [];
    this.#known.clear();
    this.#running.clear();
  }
}

// A task's result as a worker posts it.
type Failed = { ok: false; input: boolean; message: string };
type Settled = { ok: true; outcome: TaskOutcome } | Failed;

interface Job {
  task: Task;
  settled: Promise<Settled>;
  settle: (r: Settled) => void;
}

function newJob(task: Task): Job {
  let settle!: (r: Settled) => void;
  const settled = new Promise<Settled>((resolve) => settle = resolve);
  return { task, settled, settle };
}
