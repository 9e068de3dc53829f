/**
 * The summary's `kv_offload` block: where the prompt tokens that skipped
 * their prefill were found (HBM or an offload tier), and what each tier's
 * link moved.
 *
 * @module
 */

/** Hits in HBM. */
export interface KvHbmSummary {
  /** Prompt tokens (first prefills) found in HBM. */
  hit_tokens: number;
  /** Their share of all prompt tokens. */
  hit_rate: number;
}

/** One offload tier, summed over the instances that have it. */
export interface KvTierSummary extends KvHbmSummary {
  /** Capacity per instance (a pooled store: the store's), bytes. */
  capacity_bytes: number;
  /** Prefix entries (512 tokens) written into the tier. */
  written_entries: number;
  /** Bytes written into the tier. */
  written_bytes: number;
  /** Prefix entries fetched from the tier to HBM. */
  fetched_entries: number;
  /** Bytes fetched from the tier. */
  fetched_bytes: number;
  /** Entries the tier evicted (to the next tier, or dropped by the last). */
  evicted_entries: number;
  /**
   * Stale copies dropped when a prefix prefilled again was evicted again
   * (written = fetched + evicted + replaced + held).
   */
  replaced_entries: number;
  /** Entries the tier holds at the end of the run. */
  held_entries: number;
  /**
   * A pooled store shared by the pool's instances (`shared: true`): its
   * capacity, evictions and contents are the store's, once; fetches copy
   * (written = evicted + held).
   */
  shared?: true;
  /** A pooled store: writes of entries it already held, which moved nothing. */
  deduplicated_entries?: number;
}

/** The `kv_offload` block of a run with `kv_cache.offload`. */
export interface KvOffloadSummary {
  /** The fetch-or-recompute policy. */
  policy: string;
  /** Hits in HBM. */
  hbm: KvHbmSummary;
  /** Each tier, by its kind (`dram`, `ssd`, `remote`). */
  tiers: Record<string, KvTierSummary>;
  /** Fetches (one per request that waited for lower-tier blocks). */
  fetches: number;
  /** Mean fetch time (queueing on the links included), seconds. */
  mean_fetch_s: number;
  /** Prompt tokens found in a tier but prefilled again (the policy's choice). */
  recomputed_tokens: number;
}
