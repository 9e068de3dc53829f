/**
 * `llmsim schema`: the JSON Schema of scenario files, for editors.
 *
 * @module
 */

import { scenarioJsonSchema } from "../../scenario/json_schema.ts";
import type { Command } from "../command.ts";
import { HELP_OPTION } from "../options.ts";

/** `llmsim schema`. */
export const SCHEMA: Command = {
  name: "schema",
  doc: "print the JSON Schema of scenario files (for editors)",
  usage: "schema",
  description:
    `Prints the JSON Schema of scenario files. Editors with the YAML language
server use it through a first line such as
  # yaml-language-server: $schema=../docs/scenario.schema.json`,
  options: [{ options: [HELP_OPTION] }],
  run() {
    console.log(JSON.stringify(scenarioJsonSchema(), null, 2));
    return Promise.resolve();
  },
};
