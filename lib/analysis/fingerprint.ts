/**
 * A study's fingerprint: a short hash of everything that decides its task
 * list and outputs (the base scenario, the axes, the criterion, ...). Shard
 * files carry it, so shards of different studies refuse to merge.
 *
 * @module
 */

/**
 * FNV-1a (32 bits) over the JSON of the study's inputs, as 8 hex digits.
 * Typed arrays count by their values, so a scenario holding a step table
 * hashes the same after a round trip through JSON.
 *
 * @param parts What decides the study (base scenario first, then the rest).
 * @returns The fingerprint.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { studyFingerprint } from "./fingerprint.ts";
 * const a = studyFingerprint({ rate: 2 }, [1, 2]);
 * assert.match(a, /^[0-9a-f]{8}$/);
 * assert.equal(studyFingerprint({ rate: 2 }, [1, 2]), a);
 * assert.notEqual(studyFingerprint({ rate: 3 }, [1, 2]), a);
 * assert.equal(
 *   studyFingerprint({ t: new Float64Array([1, 2]) }),
 *   studyFingerprint({ t: [1, 2] }),
 * );
 * ```
 */
export function studyFingerprint(...parts: unknown[]): string {
  const text = JSON.stringify(
    parts,
    (_k, v) => v instanceof Float64Array ? Array.from(v) : v,
  );
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}
