/**
 * The network that moves a prefilled request's KV from its prefill instance
 * to its decode instance. The disaggregated loop only asks a
 * {@linkcode KvLink} when a transfer it starts now will end, so a model of a
 * shared, contended network can replace the one here: one link per prefill
 * instance, transfers on a link one after another (first in, first out),
 * each taking latency + bytes / bandwidth.
 *
 * @module
 */

/** A link's parameters, as a scenario gives them. */
export interface KvLinkSpec {
  /** KV bytes per prompt token moved (all layers, whole model). */
  bytesPerToken: number;
  /** Link bandwidth, bytes per second. */
  bandwidthBytesPerS: number;
  /** Fixed latency per transfer, seconds. */
  latencyS: number;
}

/** A model of the KV-transfer network. */
export interface KvLink {
  /**
   * Schedules a transfer that may start now.
   *
   * @param from The prefill instance sending.
   * @param to The decode instance receiving.
   * @param bytes KV bytes moved.
   * @param now The time it is asked for.
   * @returns When the KV has arrived.
   */
  transfer(from: number, to: number, bytes: number, now: number): number;
}

/**
 * One link per prefill instance: a transfer starts when the link is free,
 * holds it for bytes / bandwidth, and arrives a latency later (the latency
 * does not hold the link).
 *
 * @example FIFO on one link, none across links
 * ```ts
 * import assert from "node:assert/strict";
 * import { FifoKvLinks } from "./kv_link.ts";
 * const links = new FifoKvLinks(2, { bandwidthBytesPerS: 1e9, latencyS: 0.001 });
 * assert.equal(links.transfer(0, 0, 1e9, 0), 1.001);
 * // Asked at 0.5 s, the second transfer on link 0 waits until 1 s.
 * assert.equal(links.transfer(0, 1, 1e9, 0.5), 2.001);
 * // Link 1 is free.
 * assert.equal(links.transfer(1, 0, 1e9, 0.5), 1.501);
 * ```
 */
export class FifoKvLinks implements KvLink {
  readonly #bandwidthBytesPerS: number;
  readonly #latencyS: number;
  // When each prefill instance's link has sent everything queued on it.
  readonly #freeAtS: Float64Array;

  /**
   * Creates idle links.
   *
   * @param sources Prefill instances (one link each).
   * @param spec Bandwidth and latency of every link.
   */
  constructor(
    sources: number,
    spec: Pick<KvLinkSpec, "bandwidthBytesPerS" | "latencyS">,
  ) {
    this.#bandwidthBytesPerS = spec.bandwidthBytesPerS;
    this.#latencyS = spec.latencyS;
    this.#freeAtS = new Float64Array(sources);
  }

  /**
   * Queues a transfer on its sender's link.
   *
   * @param from The prefill instance sending.
   * @param _to The decode instance receiving (links do not share a network here).
   * @param bytes KV bytes moved.
   * @param now The time it is asked for.
   * @returns When the KV has arrived.
   */
  transfer(from: number, _to: number, bytes: number, now: number): number {
    const startS = Math.max(now, this.#freeAtS[from]);
    this.#freeAtS[from] = startS + bytes / this.#bandwidthBytesPerS;
    return this.#freeAtS[from] + this.#latencyS;
  }
}
