/**
 * The one place the schema library is imported. llmsim defines its scenario
 * with zod 4: `z.infer` gives the TypeScript types, `z.toJSONSchema` the
 * published JSON Schema, and the same definition validates. zod was chosen
 * over TypeBox because its discriminated unions report which variant was
 * meant and its issues carry the key path, from which
 * {@linkcode ./issues.ts} phrases llmsim's one-line errors.
 *
 * @module
 */

export { z } from "npm:zod@^4.6";
