/**
 * What a batch policy is: the order in which an instance fills one
 * iteration's batch from its mechanisms (decode every running request,
 * admit whole prompts, continue or start prompt chunks). The instance owns
 * the mechanisms and their O(1) bookkeeping; a policy only composes them, so
 * a new policy is one file.
 *
 * @module
 */

/**
 * The mechanisms an instance offers a batch policy while it plans an
 * iteration (the policy's {@linkcode BatchPolicy.plan} is their only
 * caller). Each stays within the batch-slot limit and the KV capacity.
 */
export interface BatchBuilder {
  /**
   * Every decoding request decodes one token; when the blocks their KV
   * growth needs do not fit, running requests are preempted until they do
   * (the newest first; under `priority` scheduling the lowest priority).
   *
   * @returns Batch tokens the decodes take (0 when none decodes).
   */
  scheduleDecodes(): number;
  /**
   * Admits waiting prompts whole, oldest first, while they fit the budget;
   * a prompt longer than the whole budget runs alone rather than never.
   *
   * @param now The iteration's start.
   * @param budget Batch tokens left.
   * @returns Requests admitted.
   */
  admitWhole(now: number, budget: number): number;
  /**
   * Gives budget to the running partial prefills, oldest first.
   *
   * @param budget Batch tokens left.
   * @returns Batch tokens still left.
   */
  continueChunks(budget: number): number;
  /**
   * Admits waiting requests with their first prompt chunk, oldest first,
   * until the budget is spent.
   *
   * @param now The iteration's start.
   * @param budget Batch tokens left.
   */
  admitChunks(now: number, budget: number): void;
}

/** A batch policy, as registered in `BATCH_POLICIES`. */
export interface BatchPolicy {
  /** The name a scenario's `scheduler.policy` uses. */
  readonly name: string;
  /** One sentence for help, schema and docs. */
  readonly doc: string;
  /**
   * Fills one iteration's batch. With nothing waiting and nothing
   * prefilling, every policy's batch is all the decodes, so the instance
   * does not call it then (most iterations): a policy must decode every
   * running request in that case.
   *
   * @param batch The instance's mechanisms.
   * @param now The iteration's start.
   * @param budget The batch's token budget (`maxNumBatchedTokens`).
   */
  plan(batch: BatchBuilder, now: number, budget: number): void;
}
