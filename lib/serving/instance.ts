/**
 * One model replica with iteration-level (continuous) batching and a paged
 * KV cache, as vLLM-style engines run it. Each iteration's batch holds one
 * decode token per running request and prefill tokens of new ones, within
 * `maxNumSeqs` and `maxNumBatchedTokens`; a request is admitted only when
 * its KV blocks fit, and when decode growth runs out of blocks the most
 * recently admitted request is preempted and later recomputed.
 *
 * Policies:
 * - `prefill_first`: when prompts wait and fit, the iteration runs only
 *   prefills (whole prompts) and the decodes stall (vLLM's classic
 *   scheduler).
 * - `decode_first`: every running request decodes; whole prompts fill the
 *   remaining token budget.
 * - `chunked`: every running request decodes; the remaining budget goes to
 *   prompt chunks, oldest first (Sarathi-Serve, vLLM's chunked prefill).
 *
 * KV accounting: a request holds ceil(kv tokens / block size) blocks, where
 * kv tokens = prompt tokens prefilled + output tokens generated - 1 (the
 * newest token's KV is written by the next decode step).
 *
 * @module
 */

import { IntFifo } from "../engine/fifo.ts";
import type { RequestRecords } from "../metrics/records.ts";
import type { IterationShape, StepTimeModel } from "./step_time.ts";
import type { LogHistogram } from "../metrics/log_histogram.ts";

/** How an instance composes its batches. */
export type BatchPolicy = "prefill_first" | "decode_first" | "chunked";

/** An instance's configuration. */
export interface InstanceConfig {
  /** Batch composition policy. */
  policy: BatchPolicy;
  /** Most requests in one batch. */
  maxNumSeqs: number;
  /** Most tokens (prefill plus decode) in one batch. */
  maxNumBatchedTokens: number;
  /** KV-cache capacity in blocks. */
  kvCapacityBlocks: number;
  /** Tokens per KV block. */
  blockSize: number;
  /** Iteration duration model. */
  stepTime: StepTimeModel;
  /** The measured window [start, end), for windowed busy time. */
  windowS?: readonly [number, number];
  /**
   * `both` (default) prefills and decodes. `prefill` hands each request
   * off after its prefill, holding its KV until {@linkcode Instance.release};
   * `decode` takes prefilled requests through {@linkcode Instance.reserve}
   * and {@linkcode Instance.admitPrefilled}.
   */
  role?: "both" | "prefill" | "decode";
  /** Decode role: the first decode step, not the prefill, is the first token. */
  firstTokenAtDecode?: boolean;
  /** Receives every inter-token gap of measured requests (shared). */
  itl?: LogHistogram;
}

/** Running totals an instance keeps for metrics. */
export interface InstanceStats {
  /** Iterations run. */
  iterations: number;
  /** Busy time, seconds. */
  busyS: number;
  /** Busy time inside the measured window, seconds. */
  busyInWindowS: number;
  /** Sum over iterations of the batch size (requests). */
  batchSizeSum: number;
  /** Largest batch. */
  peakBatchSize: number;
  /** Largest number of KV blocks in use. */
  peakKvBlocks: number;
  /** Sum over iterations of KV blocks in use (for the mean occupancy). */
  kvBlocksSum: number;
  /** Requests preempted (their KV freed, to be recomputed). */
  preemptions: number;
  /** Output tokens produced. */
  outputTokens: number;
}

/** A batched model replica. */
export class Instance {
  readonly config: InstanceConfig;
  readonly stats: InstanceStats = {
    iterations: 0,
    busyS: 0,
    busyInWindowS: 0,
    batchSizeSum: 0,
    peakBatchSize: 0,
    peakKvBlocks: 0,
    kvBlocksSum: 0,
    preemptions: 0,
    outputTokens: 0,
  };
  /** KV blocks in use. */
  kvUsedBlocks = 0;
  /** Whether an iteration is in flight. */
  busy = false;

  #records: RequestRecords;
  #waiting = new IntFifo(256);
  // Preempted requests go back ahead of new arrivals (vLLM's recompute).
  #resumed: number[] = [];
  // Prefill role: requests whose prefill ended, and the KV blocks they hold.
  #handoffs: number[] = [];
  #held = new Map<number, number>();
  // Decode role: blocks reserved for transfers under way, and slots.
  #reservedSlots = 0;
  // Output tokens a preempted request had produced; its recompute prefill
  // covers the prompt plus those tokens.
  #resumeGenerated = new Map<number, number>();
  // Running requests in admission order, with their progress.
  #runId: Int32Array;
  #runTarget: Int32Array;
  #runPrefilled: Int32Array;
  #runGenerated: Int32Array;
  #runKv: Int32Array;
  #runLastTokenS: Float64Array;
  #runBlocks: Int32Array;
  #runCount = 0;
  // This iteration's plan: tokens scheduled per running slot.
  #planChunk: Int32Array;
  #planDecode: Uint8Array;
  #shape: IterationShape = {
    prefillTokens: 0,
    prefillContextTokens: 0,
    decodeTokens: 0,
    decodeContextTokens: 0,
  };

  /**
   * Creates an idle instance.
   *
   * @param config Batching limits, KV capacity and the step-time model.
   * @param records The run's request records (prompt and output lengths are read, timelines written).
   *
   * @example Usage
   * ```ts
   * import { Instance } from "./instance.ts";
   * import { rateStepTime } from "./step_time.ts";
   * import { RequestRecords } from "../metrics/records.ts";
   * const records = new RequestRecords();
   * const inst = new Instance({
   *   policy: "chunked", maxNumSeqs: 8, maxNumBatchedTokens: 512,
   *   kvCapacityBlocks: 100, blockSize: 16,
   *   stepTime: rateStepTime({ prefill_tokens_per_s: 10000, decode_tokens_per_s: 50 }),
   * }, records);
   * inst.enqueue(records.add(0, 100, 3));
   * let now = 0;
   * while (true) {
   *   const end = inst.startIteration(now);
   *   if (end < 0) break;
   *   now = end;
   *   inst.finishIteration(now);
   * }
   * if (records.finishS[0] !== now) throw new Error("not finished");
   * ```
   */
  constructor(config: InstanceConfig, records: RequestRecords) {
    this.config = config;
    this.#records = records;
    const n = config.maxNumSeqs;
    this.#runId = new Int32Array(n);
    this.#runTarget = new Int32Array(n);
    this.#runPrefilled = new Int32Array(n);
    this.#runGenerated = new Int32Array(n);
    this.#runKv = new Int32Array(n);
    this.#runLastTokenS = new Float64Array(n);
    this.#runBlocks = new Int32Array(n);
    this.#planChunk = new Int32Array(n);
    this.#planDecode = new Uint8Array(n);
  }

  /** Requests waiting or running here. */
  get outstanding(): number {
    return this.#waiting.size + this.#resumed.length + this.#runCount +
      this.#held.size + this.#reservedSlots;
  }

  /** Requests running (admitted, holding KV). */
  get running(): number {
    return this.#runCount;
  }

  /**
   * Queues an arrived request.
   *
   * @param i The request's index in the records.
   */
  enqueue(i: number): void {
    this.#waiting.push(i);
  }

  /**
   * Prefill role: takes the requests whose prefill ended since the last call.
   *
   * @returns Their indices, oldest first.
   */
  takeHandoffs(): number[] {
    const out = this.#handoffs;
    this.#handoffs = [];
    return out;
  }

  /**
   * Prefill role: frees the KV a handed-off request held (its transfer is
   * done).
   *
   * @param i The request.
   */
  release(i: number): void {
    this.kvUsedBlocks -= this.#held.get(i) ?? 0;
    this.#held.delete(i);
  }

  /**
   * Decode role: reserves KV blocks and a batch slot for a prefilled request
   * about to be transferred here.
   *
   * @param kvTokens The KV tokens it brings (its prompt).
   * @returns False when there is no room (backpressure).
   */
  reserve(kvTokens: number): boolean {
    const blocks = this.#blocksFor(kvTokens);
    if (
      this.kvUsedBlocks + blocks > this.config.kvCapacityBlocks ||
      this.#runCount + this.#reservedSlots >= this.config.maxNumSeqs ||
      this.#waiting.size + this.#resumed.length > 0
    ) return false;
    this.kvUsedBlocks += blocks;
    this.#reservedSlots++;
    return true;
  }

  /**
   * Decode role: a reserved request's KV has arrived; it joins the running
   * batch with its first token already produced.
   *
   * @param i The request.
   * @param now Arrival time of its KV.
   */
  admitPrefilled(i: number, now: number): void {
    const prompt = this.#records.promptTokens[i];
    this.#reservedSlots--;
    const k = this.#runCount++;
    this.#runId[k] = i;
    this.#runTarget[k] = prompt;
    this.#runPrefilled[k] = prompt;
    this.#runGenerated[k] = 1;
    this.#runKv[k] = prompt;
    this.#runBlocks[k] = this.#blocksFor(prompt);
    this.#planChunk[k] = 0;
    this.#planDecode[k] = 0;
    this.#records.decodeStartS[i] = now;
    // With the first token counted at the prefill, the gap to the first
    // decode token includes the transfer, as a client would see it.
    this.#runLastTokenS[k] = this.#records.prefillEndS[i];
  }

  #blocksFor(tokens: number): number {
    return Math.ceil(tokens / this.config.blockSize);
  }

  #nextWaiting(): number {
    return this.#resumed.length > 0 ? this.#resumed[0] : this.#waiting.peek();
  }

  #popWaiting(): number {
    return this.#resumed.length > 0
      ? this.#resumed.shift()!
      : this.#waiting.shift();
  }

  // Frees the last admitted running request and puts it back in line.
  #preemptLast(): void {
    const k = --this.#runCount;
    this.kvUsedBlocks -= this.#runBlocks[k];
    this.#resumed.unshift(this.#runId[k]);
    this.#resumeGenerated.set(this.#runId[k], this.#runGenerated[k]);
    this.stats.preemptions++;
  }

  // Tokens to prefill for a waiting request (a resumed one recomputes its
  // generated tokens too).
  #prefillTarget(i: number): number {
    return this.#records.promptTokens[i] + (this.#resumeGenerated.get(i) ?? 0);
  }

  #admit(i: number, chunk: number, now: number): boolean {
    const blocks = this.#blocksFor(chunk);
    if (this.kvUsedBlocks + blocks > this.config.kvCapacityBlocks) return false;
    const generated = this.#resumeGenerated.get(i) ?? 0;
    this.#resumeGenerated.delete(i);
    const k = this.#runCount++;
    this.#runId[k] = i;
    this.#runTarget[k] = this.#records.promptTokens[i] + generated;
    this.#runPrefilled[k] = 0;
    this.#runGenerated[k] = generated;
    this.#runKv[k] = 0;
    this.#runBlocks[k] = blocks;
    this.#planChunk[k] = chunk;
    this.#planDecode[k] = 0;
    this.kvUsedBlocks += blocks;
    if (Number.isNaN(this.#records.prefillStartS[i])) {
      this.#records.prefillStartS[i] = now;
    }
    return true;
  }

  /**
   * Plans and starts the next iteration.
   *
   * @param now Current time.
   * @returns When the iteration ends, or -1 when there is nothing to run.
   */
  startIteration(now: number): number {
    const cfg = this.config;
    let budget = cfg.maxNumBatchedTokens;
    const shape = this.#shape;
    shape.prefillTokens = 0;
    shape.prefillContextTokens = 0;
    shape.decodeTokens = 0;
    shape.decodeContextTokens = 0;
    for (let k = 0; k < this.#runCount; k++) {
      this.#planChunk[k] = 0;
      this.#planDecode[k] = 0;
    }

    let prefillOnly = false;
    if (cfg.policy === "prefill_first") {
      // Admit whole prompts while they fit; if any is admitted, decodes stall.
      const before = this.#runCount;
      this.#admitWhole(now, budget);
      prefillOnly = this.#runCount > before;
    }
    if (!prefillOnly) {
      // One decode token for each running, fully prefilled request, growing
      // its KV by a block when needed and preempting the newest if full.
      for (let k = 0; k < this.#runCount; k++) {
        if (this.#runPrefilled[k] < this.#runTarget[k]) continue;
        // This step writes the KV of the newest token.
        const kvTokens = this.#runKv[k] + 1;
        const need = this.#blocksFor(kvTokens) - this.#runBlocks[k];
        while (
          need > 0 && this.kvUsedBlocks + need > cfg.kvCapacityBlocks &&
          this.#runCount > k
        ) this.#preemptLast();
        if (this.#runCount <= k) break; // this request itself was preempted
        this.#runBlocks[k] += need;
        this.kvUsedBlocks += need;
        this.#planDecode[k] = 1;
        shape.decodeTokens++;
        shape.decodeContextTokens += kvTokens;
        budget--;
      }
      if (cfg.policy === "chunked") this.#planChunks(now, budget);
      else if (cfg.policy === "decode_first") this.#admitWhole(now, budget);
    }

    let batch = 0;
    for (let k = 0; k < this.#runCount; k++) {
      const chunk = this.#planChunk[k];
      if (chunk > 0) {
        shape.prefillTokens += chunk;
        shape.prefillContextTokens += this.#runPrefilled[k] + chunk;
      }
      if (chunk > 0 || this.#planDecode[k]) batch++;
    }
    if (batch === 0) return -1;
    const durationS = cfg.stepTime.iterationTimeS(shape);
    const st = this.stats;
    st.iterations++;
    st.busyS += durationS;
    const lo = Math.max(now, cfg.windowS?.[0] ?? -Infinity);
    const hi = Math.min(now + durationS, cfg.windowS?.[1] ?? Infinity);
    if (hi > lo) st.busyInWindowS += hi - lo;
    st.batchSizeSum += batch;
    if (batch > st.peakBatchSize) st.peakBatchSize = batch;
    if (this.kvUsedBlocks > st.peakKvBlocks) {
      st.peakKvBlocks = this.kvUsedBlocks;
    }
    st.kvBlocksSum += this.kvUsedBlocks;
    this.busy = true;
    return now + durationS;
  }

  // Admits waiting prompts whole, oldest first, within seqs, budget and KV.
  #admitWhole(now: number, budget: number): void {
    while (this.#runCount < this.config.maxNumSeqs) {
      const i = this.#nextWaiting();
      if (i < 0) break;
      const prompt = this.#prefillTarget(i);
      // A prompt longer than the budget runs alone rather than never.
      const alone = prompt > this.config.maxNumBatchedTokens && budget ===
          this.config.maxNumBatchedTokens;
      if (prompt > budget && !alone) break;
      if (!this.#admit(i, prompt, now)) break;
      this.#popWaiting();
      budget -= prompt;
    }
  }

  // Gives the remaining budget to prompt chunks: running partial prefills
  // first, then new requests, oldest first.
  #planChunks(now: number, budget: number): void {
    const cfg = this.config;
    for (let k = 0; k < this.#runCount && budget > 0; k++) {
      const left = this.#runTarget[k] - this.#runPrefilled[k];
      if (left <= 0) continue;
      const chunk = Math.min(left, budget);
      const need = this.#blocksFor(this.#runKv[k] + chunk) -
        this.#runBlocks[k];
      if (this.kvUsedBlocks + need > cfg.kvCapacityBlocks) continue;
      this.#runBlocks[k] += need;
      this.kvUsedBlocks += need;
      this.#planChunk[k] = chunk;
      budget -= chunk;
    }
    while (budget > 0 && this.#runCount < cfg.maxNumSeqs) {
      const i = this.#nextWaiting();
      if (i < 0) break;
      const chunk = Math.min(this.#prefillTarget(i), budget);
      if (!this.#admit(i, chunk, now)) break;
      this.#popWaiting();
      budget -= chunk;
    }
  }

  /**
   * Applies the iteration that just ended: prefill progress, first tokens,
   * decode tokens, and finished requests (whose KV is freed).
   *
   * @param now The iteration's end time.
   * @returns How many requests finished.
   */
  finishIteration(now: number): number {
    const rec = this.#records;
    const itl = this.config.itl;
    const measureFromS = this.config.windowS?.[0] ?? -Infinity;
    let finished = 0;
    let w = 0;
    for (let k = 0; k < this.#runCount; k++) {
      const i = this.#runId[k];
      const target = this.#runTarget[k];
      let prefilled = this.#runPrefilled[k];
      let generated = this.#runGenerated[k];
      let kv = this.#runKv[k];
      const chunk = this.#planChunk[k];
      if (chunk > 0) {
        prefilled += chunk;
        kv += chunk;
        if (prefilled >= target) {
          // The prefill's last chunk yields the next output token (the
          // first, unless this is a recompute after preemption).
          generated++;
          this.stats.outputTokens++;
          this.#runLastTokenS[k] = now;
          if (Number.isNaN(rec.prefillEndS[i])) {
            rec.prefillEndS[i] = now;
            if (this.config.role !== "prefill") rec.decodeStartS[i] = now;
            if (!this.config.firstTokenAtDecode) rec.firstTokenS[i] = now;
          }
          if (
            this.config.role === "prefill" && generated < rec.outputTokens[i]
          ) {
            this.#handoffs.push(i);
            this.#held.set(i, this.#runBlocks[k]);
            continue;
          }
        }
      } else if (this.#planDecode[k]) {
        generated++;
        this.stats.outputTokens++;
        kv++;
        if (Number.isNaN(rec.firstTokenS[i])) rec.firstTokenS[i] = now;
        else if (itl && rec.arrivalS[i] >= measureFromS) {
          itl.add(now - this.#runLastTokenS[k]);
        }
        this.#runLastTokenS[k] = now;
      }
      if (prefilled >= target && generated >= rec.outputTokens[i]) {
        rec.finishS[i] = now;
        if (Number.isNaN(rec.firstTokenS[i])) rec.firstTokenS[i] = now;
        this.kvUsedBlocks -= this.#runBlocks[k];
        finished++;
        continue;
      }
      this.#runId[w] = i;
      this.#runTarget[w] = target;
      this.#runPrefilled[w] = prefilled;
      this.#runGenerated[w] = generated;
      this.#runKv[w] = kv;
      this.#runLastTokenS[w] = this.#runLastTokenS[k];
      this.#runBlocks[w] = this.#runBlocks[k];
      w++;
    }
    this.#runCount = w;
    this.busy = false;
    return finished;
  }
}
