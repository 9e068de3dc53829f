/**
 * The commands of `llmsim`, in the order the help lists them. A new
 * command is a new file in this folder declaring a {@linkcode Command}, and
 * one line here.
 *
 * @module
 */

import { Registry } from "../../registry.ts";
import type { Command } from "../command.ts";
import { CALIBRATE } from "./calibrate.ts";
import { CAPACITY } from "./capacity.ts";
import { COMPARE } from "./compare.ts";
import { FIT } from "./fit.ts";
import { MERGE } from "./merge.ts";
import { PLAN } from "./plan.ts";
import { REPORT } from "./report.ts";
import { SCHEMA } from "./schema.ts";
import { SIMULATE } from "./simulate.ts";
import { SWEEP, SWEEP_PREFILL } from "./sweep.ts";

/** Every command, by name. */
export const COMMANDS: Registry<Command> = new Registry("command", [
  SIMULATE,
  COMPARE,
  SWEEP,
  SWEEP_PREFILL,
  CAPACITY,
  PLAN,
  MERGE,
  REPORT,
  FIT,
  CALIBRATE,
  SCHEMA,
]);
