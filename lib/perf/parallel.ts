/**
 * How one instance's GPUs are split: tensor (tp = t), pipeline (pp = p),
 * expert (ep = e) and data-parallel attention (dp_attention = d), and where
 * its traffic runs (within a node over NVLink, or across nodes over the
 * NIC).
 *
 * An instance has t x p x d GPUs: p pipeline stages of t x d GPUs each. In a
 * stage, d attention ranks of t GPUs each run attention (and the dense
 * layers, norms and LM head) on their own share of the batch, at TP t; the
 * MoE layers' experts are split over e GPUs of the stage (E / e experts
 * each), and each expert over the remaining t d / e GPUs by tensor
 * parallelism. GPUs are numbered stage by stage, rank by rank, and nodes
 * hold `gpus_per_node` consecutive GPUs, so a group crosses nodes when it
 * is larger than a node, and stage s hands its activations to stage s + 1
 * over the NIC when they sit on different nodes.
 *
 * @module
 */

/** An instance's parallel split (all whole numbers, default 1). */
export interface Parallelism {
  /** Tensor-parallel degree within each attention rank. */
  tp: number;
  /** Pipeline stages. */
  pp: number;
  /** GPUs of a stage over which the routed experts are split. */
  ep: number;
  /** Attention ranks per stage, each with its own batch share and KV. */
  dp: number;
  /** Micro-batches per iteration under pp (default pp). */
  microbatches: number;
}

/** The split of a TP-only instance. */
export const TP_ONLY: Readonly<Parallelism> = Object.freeze({
  tp: 1,
  pp: 1,
  ep: 1,
  dp: 1,
  microbatches: 1,
});

/**
 * GPUs one instance takes: t x p x d.
 *
 * @param p The split.
 * @returns GPUs per instance.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { gpusPerInstance } from "./parallel.ts";
 * assert.equal(gpusPerInstance({ tp: 2, pp: 2, ep: 8, dp: 4, microbatches: 2 }), 16);
 * ```
 */
export function gpusPerInstance(p: Parallelism): number {
  return p.tp * p.pp * p.dp;
}

/**
 * Whether a split is TP only (the model's original, exact path).
 *
 * @param p The split.
 * @returns True when pp, ep and dp are all 1.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isTpOnly } from "./parallel.ts";
 * assert.ok(isTpOnly({ tp: 8, pp: 1, ep: 1, dp: 1, microbatches: 1 }));
 * assert.ok(!isTpOnly({ tp: 1, pp: 1, ep: 8, dp: 8, microbatches: 1 }));
 * ```
 */
export function isTpOnly(p: Parallelism): boolean {
  return p.pp === 1 && p.ep === 1 && p.dp === 1;
}

/**
 * Micro-batches an iteration runs in: m = min(pp_microbatches, sequences),
 * at least 1 (a batch of 3 sequences cannot be cut in 4).
 *
 * @param p The split.
 * @param sequences Sequences in the iteration's batch.
 * @returns m (1 without pipeline parallelism).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { microbatchCount } from "./parallel.ts";
 * const p = { tp: 1, pp: 4, ep: 1, dp: 1, microbatches: 8 };
 * assert.equal(microbatchCount(p, 100), 8);
 * assert.equal(microbatchCount(p, 3), 3);
 * ```
 */
export function microbatchCount(p: Parallelism, sequences: number): number {
  if (p.pp === 1) return 1;
  return Math.max(1, Math.min(p.microbatches, sequences));
}

/**
 * The pipeline bubble of synchronous (GPipe-style) micro-batches over equal
 * stages: the share of each stage's time spent idle, (p - 1) / (m + p - 1).
 *
 * @param pp Stages p.
 * @param microbatches Micro-batches m.
 * @returns The idle share.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { pipelineBubble } from "./parallel.ts";
 * assert.equal(pipelineBubble(4, 4), 3 / 7);
 * assert.equal(pipelineBubble(1, 1), 0);
 * ```
 */
export function pipelineBubble(pp: number, microbatches: number): number {
  return (pp - 1) / (microbatches + pp - 1);
}

/** Where a pool's GPUs sit. */
export interface Interconnect {
  /** GPUs per node (one NVLink domain). */
  gpusPerNode: number;
  /** One direction of a GPU's NVLink, achieved, bytes/s. */
  nvlinkBytesPerS: number;
  /** One direction of a GPU's NIC, achieved, bytes/s. */
  nicBytesPerS: number;
}

/**
 * The expected number of other nodes a token's k routed experts sit on,
 * when its stage's `group` GPUs span n = group / N nodes and each expert is
 * on a uniformly random one: (n - 1)(1 - (1 - 1/n)^k), 0 within a node.
 * A dispatch sends the token over the NIC once to each of them.
 *
 * @param k Routed experts per token.
 * @param group GPUs in the stage (t x d).
 * @param gpusPerNode N.
 * @returns Expected remote nodes per token.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { remoteNodes } from "./parallel.ts";
 * assert.equal(remoteNodes(8, 8, 8), 0);
 * assert.equal(remoteNodes(1, 16, 8), 0.5);
 * ```
 */
export function remoteNodes(
  k: number,
  group: number,
  gpusPerNode: number,
): number {
  if (group <= gpusPerNode) return 0;
  const nodes = group / gpusPerNode;
  return (nodes - 1) * (1 - Math.pow(1 - 1 / nodes, k));
}

/**
 * The stage-to-stage hops of one micro-batch that cross nodes: with stages
 * of `stageGpus` consecutive GPUs, hop s (from stage s - 1 to s) crosses
 * when the two stages' first GPUs are on different nodes, or a stage is
 * larger than a node.
 *
 * @param pp Stages.
 * @param stageGpus GPUs per stage (t x d).
 * @param gpusPerNode GPUs per node.
 * @returns Hops over the NIC (of pp - 1).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { crossNodeHops } from "./parallel.ts";
 * assert.equal(crossNodeHops(4, 2, 8), 0); // one node
 * assert.equal(crossNodeHops(4, 4, 8), 1); // two nodes
 * assert.equal(crossNodeHops(4, 8, 8), 3); // a node each
 * ```
 */
export function crossNodeHops(
  pp: number,
  stageGpus: number,
  gpusPerNode: number,
): number {
  let hops = 0;
  for (let s = 1; s < pp; s++) {
    const before = Math.floor(((s - 1) * stageGpus) / gpusPerNode);
    const after = Math.floor((s * stageGpus) / gpusPerNode);
    if (before !== after || stageGpus > gpusPerNode) hops++;
  }
  return hops;
}
