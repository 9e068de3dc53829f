/**
 * The one place the schema library is imported. llmsim defines its scenario
 * with zod 4: `z.infer` gives the TypeScript types, `z.toJSONSchema` the
 * published JSON Schema, and the same definition validates. zod was chosen
 * over TypeBox because its discriminated unions report which variant was
 * meant and its issues carry the key path, from which
 * {@linkcode ./issues.ts} phrases llmsim's one-line errors.
 *
 * Loading zod costs most of a process's start-up (about 30 ms, and as much
 * again to build the scenario's schemas), so only validation loads it: a
 * registry entry's schema is a builder taking the namespace ({@linkcode Zod}),
 * imported as a type, and code that runs validated scenarios (a sweep
 * worker, `simulate`) never reaches this module (tests/lazy_load_test.ts).
 *
 * @module
 */

import { z } from "npm:zod@^4.6";

export { z };

/**
 * The zod namespace, as a type: what a registry entry's schema builder
 * takes, so that its file imports zod as a type only.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { z, type Zod } from "./zod.ts";
 * const rate = (zod: Zod) => zod.number().positive();
 * assert.equal(rate(z).safeParse(0).success, false);
 * ```
 */
export type Zod = typeof z;
