/**
 * `llmsim compare`: the same requests through mono and disagg, with the
 * differences.
 *
 * @module
 */

import { compare } from "../../analysis/compare.ts";
import { InputError } from "../../errors.ts";
import { flattenRow } from "../../report/csv.ts";
import { toJson } from "../../report/json.ts";
import { renderTable } from "../../report/table.ts";
import type { Command } from "../command.ts";
import { format, loadScenario, warn } from "../common.ts";
import { scenarioOptions } from "../options.ts";

/** `llmsim compare`. */
export const COMPARE: Command = {
  name: "compare",
  doc: "run mono and disagg on the same requests, with deltas",
  usage: "compare [options]",
  description:
    `Runs the same requests (common random numbers) through mono and disagg and
prints both with their differences (disagg - mono).`,
  options: [scenarioOptions()],
  async run(values) {
    const fmt = format(values);
    // compare runs both architectures: a mode given would do nothing.
    const setMode = ((values.set as string[] | undefined) ?? []).find((x) =>
      x.startsWith("mode=")
    );
    if (values.mode !== undefined || setMode !== undefined) {
      throw new InputError(
        `compare: ${
          values.mode !== undefined ? "--mode" : "--set mode"
        } has no effect (compare runs both mono and disagg)`,
      );
    }
    const result = compare(await loadScenario(values));
    const warnings = [...result.warnings];
    const json = toJson(
      { mono: result.mono, disagg: result.disagg, delta: result.delta },
      warnings,
    );
    warn(warnings);
    if (fmt === "json") {
      console.log(json);
      return;
    }
    const [mono, disagg, delta] = [result.mono, result.disagg, result.delta]
      .map((x) => flattenRow(x));
    const keys = [...new Set([...Object.keys(mono), ...Object.keys(disagg)])];
    console.log(renderTable(
      ["metric", "mono", "disagg", "delta"],
      keys.map((k) => [k, mono[k], disagg[k], delta[k]]),
    ));
  },
};
