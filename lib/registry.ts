/**
 * A registry holds the policies of one kind (routers, batch policies,
 * arrival processes, ...), each defined in a file of its own. Everything
 * that lists the allowed names (the scenario schema, the JSON Schema, help
 * text, error messages) asks the registry, so adding a policy is adding its
 * file and one line in the registry's list.
 *
 * @module
 */

import { didYouMean, InputError } from "./errors.ts";

/** What every registry entry carries: its name and its one-line doc. */
export interface RegistryEntry {
  /** The name a scenario or a flag uses. */
  readonly name: string;
  /** One sentence saying what it does, for help, schema and docs. */
  readonly doc: string;
}

/**
 * The entries of one policy kind, in the order they were listed.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Registry } from "./registry.ts";
 * const colours = new Registry("colour", [
 *   { name: "red", doc: "Warm." },
 *   { name: "blue", doc: "Cold." },
 * ] as const);
 * assert.deepEqual(colours.names, ["red", "blue"]);
 * assert.equal(colours.get("blue").doc, "Cold.");
 * assert.throws(() => colours.get("bleu"), /did you mean "blue"/);
 * ```
 */
export class Registry<E extends RegistryEntry> {
  /** What the entries are, for messages ("router", "arrival process"). */
  readonly kind: string;
  /** Every name, in the order listed. */
  readonly names: readonly E["name"][];
  readonly #byName: ReadonlyMap<string, E>;

  /**
   * Builds a registry; two entries of one name are a programming error.
   *
   * @param kind What the entries are.
   * @param entries The entries, in the order help and docs list them.
   */
  constructor(kind: string, entries: readonly E[]) {
    this.kind = kind;
    const byName = new Map<string, E>();
    for (const entry of entries) {
      if (byName.has(entry.name)) {
        throw new Error(`${kind} "${entry.name}" is registered twice`);
      }
      byName.set(entry.name, entry);
    }
    this.#byName = byName;
    this.names = entries.map((e) => e.name);
  }

  /**
   * Whether a name is registered.
   *
   * @param name The name.
   * @returns True for a registered name.
   */
  has(name: string): name is E["name"] {
    return this.#byName.has(name);
  }

  /**
   * The entry of a name.
   *
   * @param name The name.
   * @param path The key path to name in the error, if the name came from one.
   * @returns The entry.
   * @throws {InputError} For a name that is not registered, with the allowed
   * names and the closest one.
   */
  get(name: string, path: readonly (string | number)[] = []): E {
    const entry = this.#byName.get(name);
    if (entry !== undefined) return entry;
    const hint = didYouMean(name, this.names);
    throw new InputError(
      `must be one of ${this.names.join(", ")}, got ${JSON.stringify(name)}` +
        (hint ? ` (did you mean "${hint}"?)` : ""),
      path,
    );
  }

  /**
   * Every entry, in the order listed.
   *
   * @returns The entries.
   */
  entries(): readonly E[] {
    return [...this.#byName.values()];
  }

  /**
   * A Markdown list of the names and their docs, for help and docs.
   *
   * @returns One line per entry.
   */
  describe(): string {
    return this.entries().map((e) => `- \`${e.name}\`: ${e.doc}`).join("\n");
  }
}
