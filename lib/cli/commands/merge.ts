/**
 * `llmsim merge`: reads the shard files of a sweep, capacity or plan,
 * merges them (lib/analysis/merge.ts) and writes the outputs one
 * unsharded run writes, byte for byte.
 *
 * @module
 */

import type { CapacityResult } from "../../analysis/capacity.ts";
import {
  mergeShards,
  type NamedShard,
  parseShardFile,
} from "../../analysis/merge.ts";
import type { TaskOutcome } from "../../analysis/tasks.ts";
import { InputError } from "../../errors.ts";
import { type Command, stringOption } from "../command.ts";
import { format, type Values } from "../common.ts";
import { HELP_OPTION } from "../options.ts";
import { studyOutputs } from "../study.ts";
import { finishCapacity } from "./capacity.ts";
import { finishPlan } from "./plan.ts";
import { finishSweep } from "./sweep.ts";

/** `llmsim merge`. */
export const MERGE: Command = {
  name: "merge",
  doc: "combine the shard files of a sweep, capacity or plan",
  usage: "merge [--out-dir DIR] [--format F] SHARD.json...",
  description:
    `Combines the shard files that 'sweep', 'capacity' or 'plan' wrote with
--shard i/n into the outputs one unsharded run writes, byte for byte.`,
  options: [{
    options: [
      stringOption("out-dir", "DIR", "where to write the files", {
        default: "out",
      }),
      stringOption("format", "json|table", "output for machines or people", {
        default: "json",
      }),
      HELP_OPTION,
    ],
  }],
  positionals: true,
  outputs: (values) => studyOutputs("merge", values),
  run: (values) => runMerge(values, (values._ as string[] | undefined) ?? []),
};

async function runMerge(values: Values, files: string[]): Promise<void> {
  format(values);
  if (files.length === 0) throw new InputError("merge: give the shard files");
  const shards: NamedShard[] = [];
  for (const name of files) {
    let text: string;
    try {
      text = await Deno.readTextFile(name);
    } catch (e) {
      throw new InputError(
        e instanceof Deno.errors.NotFound
          ? `${name}: file not found`
          : `${name}: not a shard file (${(e as Error).message})`,
      );
    }
    shards.push({ name, file: parseShardFile(text, name) });
  }
  const { spec, outcomes } = mergeShards(shards);
  if (spec.kind === "sweep") {
    await finishSweep(values, spec, outcomes as TaskOutcome[]);
  } else if (spec.kind === "capacity") {
    await finishCapacity(values, spec, outcomes as CapacityResult[]);
  } else await finishPlan(values, spec, outcomes);
}
