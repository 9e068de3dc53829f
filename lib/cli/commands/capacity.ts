/**
 * `llmsim capacity`: the highest load at which the SLO attainment (or a
 * metric) meets its bound, per replication, then capacity.json.
 *
 * @module
 */

import { InputError } from "../../errors.ts";
import type { CapacityResult } from "../../analysis/capacity.ts";
import { studyFingerprint } from "../../analysis/fingerprint.ts";
import type { StudySpec } from "../../analysis/shard.ts";
import { replicate } from "../../analysis/study.ts";
import { capacityReport } from "../../analysis/study_results.ts";
import type { Task } from "../../analysis/tasks.ts";
import { writeFilesAtomic } from "../../report/files.ts";
import { toJson } from "../../report/json.ts";
import { renderTable } from "../../report/table.ts";
import type { Command } from "../command.ts";
import { format, loadScenario, type Values, warn } from "../common.ts";
import {
  CRITERION_OPTIONS,
  scenarioOptions,
  STUDY_OPTIONS,
} from "../options.ts";
import {
  capacityOptions,
  checkEffects,
  ensureDir,
  execute,
  outDir,
  replicationsOf,
  splitSets,
  studyOutputs,
} from "../study.ts";

/** `llmsim capacity`. */
export const CAPACITY: Command = {
  name: "capacity",
  doc: "the highest load that meets the SLO attainment target",
  usage: "capacity [options]",
  description:
    `Finds the highest load (all arrival rates scaled together) at which SLO
attainment stays at or above --target, by doubling then bisection with common
random numbers; prints it (capacity_rps, capacity_rps_per_gpu) and writes
capacity.json.`,
  options: [{ options: CRITERION_OPTIONS }, STUDY_OPTIONS, scenarioOptions()],
  outputs: (values) => studyOutputs("capacity", values),
  run: runCapacity,
};

// Loads the scenario, runs a search per replication (or a shard of them).
async function runCapacity(values: Values): Promise<void> {
  format(values);
  const replications = replicationsOf(values);
  const options = capacityOptions(values);
  const { rest, axes, overrides } = splitSets(values);
  if (axes.length > 0) {
    throw new InputError(
      `capacity takes no axes: --set ${
        axes[0].path
      } is a list (run sweep for a grid, or plan --crossover)`,
    );
  }
  const base = await loadScenario(rest);
  warn(checkEffects([base], [], overrides));
  const tasks: Task[] = Array.from({ length: replications }, (_, r) => ({
    kind: "capacity",
    scenario: replicate(base, r),
    options,
  }));
  const spec: StudySpec = {
    kind: "capacity",
    replications,
    fingerprint: studyFingerprint(base, options, replications),
  };
  const outcomes = await execute(values, spec, tasks);
  if (outcomes) {
    await finishCapacity(values, spec, outcomes as CapacityResult[]);
  }
}

/**
 * Writes capacity.json and prints it.
 *
 * @param values Parsed values.
 * @param spec The study.
 * @param runs The searches, one per replication.
 */
export async function finishCapacity(
  values: Values,
  spec: Extract<StudySpec, { kind: "capacity" }>,
  runs: CapacityResult[],
): Promise<void> {
  const fmt = format(values);
  const out = capacityReport(spec, runs);
  const json = toJson(out, []);
  const dir = outDir(values);
  await ensureDir(dir);
  await writeFilesAtomic(new Map([[`${dir}/capacity.json`, json + "\n"]]));
  console.error(`llmsim: wrote ${dir}/capacity.json`);
  if (fmt === "json") console.log(json);
  else {
    const flat = Object.entries(out).filter(([, v]) =>
      typeof v !== "object" || v === null
    );
    console.log(renderTable(["metric", "value"], flat));
  }
}
