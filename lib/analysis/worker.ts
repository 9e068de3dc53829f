/**
 * A study worker: runs the tasks it is sent and posts back their outcomes
 * (or the error, flagged when it is the user's input).
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { InputError } from "../errors.ts";
import {
  loadPoolSectionCheck,
  needsPoolSectionCheck,
} from "../scenario/pool_sections.ts";
import { runTask, type Task } from "./tasks.ts";

// One task at a time: the pool sends the next when this one's outcome is in.
self.onmessage = async (e: MessageEvent<Task>) => {
  const task = e.data;
  try {
    // Only a disagg pool with sections of its own needs the scenario schema
    // (zod, most of a worker's start-up); other tasks never load it.
    if (needsPoolSectionCheck(task.scenario)) await loadPoolSectionCheck();
    self.postMessage({ ok: true, outcome: runTask(task) });
  } catch (err) {
    self.postMessage({
      ok: false,
      input: err instanceof InputError,
      message: (err as Error).message ?? String(err),
    });
  }
};
