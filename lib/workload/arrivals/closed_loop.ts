/**
 * A closed loop: `concurrency` users, each of whom sends a request, waits
 * for the end of its response, thinks for `think_time_s` and sends again
 * (the machine-repair model of queueing theory; with exponential think and
 * service times, mean-value analysis gives its throughput exactly). The
 * send times depend on the service, so the clock here only says that
 * every request is ready at time 0: the serving loop's client model
 * (lib/serving/clients.ts) sends them as users free up.
 *
 * @module
 */

import type { Zod } from "../../schema/zod.ts";
import { InputError } from "../../errors.ts";
import { durationMean, durationSchema } from "../durations.ts";
import { defineArrivalProcess, PROCESS_DOC } from "./process.ts";

const DOC = "`concurrency` users who each send, wait for the response, " +
  "think for `think_time_s` and send again";

/**
 * The `closed_loop` process.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "../../schema/zod.ts";
 * import { closedLoop } from "./closed_loop.ts";
 * const spec = closedLoop.schema(z).parse({ process: "closed_loop", concurrency: 8 });
 * assert.equal(spec.think_time_s, 0);
 * // Users with a 2 s think time send at most 8 / 2 requests per second.
 * assert.equal(closedLoop.meanRate({ ...spec, think_time_s: 2 }), 4);
 * assert.equal(closedLoop.schema(z).safeParse({ process: "closed_loop", concurrency: 0 }).success, false);
 * ```
 */
export const closedLoop = defineArrivalProcess({
  name: "closed_loop",
  doc: DOC,
  schema: (z: Zod) =>
    z.strictObject({
      process: z.literal("closed_loop").describe(PROCESS_DOC),
      concurrency: z.int().min(1).max(1_000_000).describe(
        "`closed_loop`: number of users, each with one request in flight or " +
          "thinking (>= 1).",
      ),
      think_time_s: durationSchema(z, "think time").default(0),
    }),
  // Every request is ready at once; the client model decides when it is sent.
  clock: () => () => 0,
  // An upper bound: users who never waited for a response would send
  // concurrency / think requests per second. The run's summary reports
  // the measured rate.
  meanRate: (spec) => spec.concurrency! / durationMean(spec.think_time_s!),
  scaled: () => {
    throw new InputError(
      "a closed loop has no arrival rate to scale: vary arrival.concurrency " +
        "(e.g. with sweep) instead",
      ["arrival", "process"],
    );
  },
});
