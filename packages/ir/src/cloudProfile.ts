import { z } from 'zod';

/** A running cloud's own measurements (see `CloudProfile.measured`). */
export const cloudMeasurementsSchema = z.object({
  /** Median of the cloud's recent cold starts, process start included, ms (absent before one). */
  coldStartMs: z.number().nonnegative().optional(),
  /** Cold starts the median was taken over. */
  coldStarts: z.number().int().nonnegative(),
  /** Sandboxes the cloud runs at once on this host (its processes times invocations each). */
  sandboxes: z.number().int().positive(),
});

export type CloudMeasurements = z.infer<typeof cloudMeasurementsSchema>;

/**
 * A cloud as the compiler, the planner and the local cloud see it: its limits, its price table
 * and, for local clouds, the behaviour the emulator reproduces. Profiles are JSON files a user
 * can edit (a directory passed with `--profiles`; the built-in ones are `defaultCloudProfiles`).
 */
export const cloudProfileSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'a cloud id is lower-case letters, digits and -'),
  /** Human name shown in the designer, e.g. "AWS Lambda (local)". */
  name: z.string(),
  /** Which real platform this profile models. */
  provider: z.enum(['local', 'aws', 'aliyun']),
  /** CSS colour of this cloud's badge and timeline bars. */
  color: z.string(),
  limits: z.object({
    /** Largest async (Event) invoke payload in bytes: 1 MB on Lambda, 128 KB on Aliyun FC. */
    asyncPayloadBytes: z.number().int().positive(),
    syncPayloadBytes: z.number().int().positive(),
    maxTimeoutMs: z.number().int().positive(),
    maxMemoryMb: z.number().int().positive(),
    /** Concurrent executions per function before requests queue. */
    concurrency: z.number().int().positive(),
  }),
  prices: z.object({
    /** USD per request. */
    perRequest: z.number().nonnegative(),
    /** USD per GB-second of billed duration. */
    perGbSecond: z.number().nonnegative(),
    /** Billing granularity of duration in ms (1 on Lambda, 1 on FC 3.0; 100 on older platforms). */
    billingGranularityMs: z.number().int().positive(),
    storeRead: z.number().nonnegative(),
    storeWrite: z.number().nonnegative(),
    /** USD per GB leaving this cloud. */
    egressPerGb: z.number().nonnegative(),
  }),
  behaviour: z.object({
    /** Cold start added to the first invocation of a new worker, ms. */
    coldStartMs: z.number().nonnegative(),
    /** A warm worker is kept this long after its last invocation, ms. */
    keepWarmMs: z.number().nonnegative(),
    /** Speed multiplier per function class (1 = baseline; 4 = runs in a quarter of the time). */
    classSpeed: z.record(z.string(), z.number().positive()),
    /** Async invoke retries on failure, like Lambda's 2. */
    asyncRetries: z.number().int().min(0).max(5),
    asyncRetryDelayMs: z.number().int().nonnegative(),
    /**
     * Invocations of one function that one worker process of a local cloud serves at once (like
     * Cloud Run's concurrency). Each is its own logical sandbox (cold start, concurrency slot,
     * bill); the process is only the cost. Absent: 32 (see the local-cloud README). Zip functions always get 1.
     */
    processConcurrency: z.number().int().min(1).max(1000).optional(),
  }),
  /**
   * The cloud whose key-value store and blobs hold the keys of functions placed here; absent:
   * this cloud's own. Only compute fails over; every key has one home store (DESIGN.md).
   */
  store: z.string().optional(),
  /** One-way latency in ms added to calls from this cloud to another cloud, by target cloud id. */
  latencyMs: z.record(z.string(), z.number().nonnegative()),
  /**
   * What a running cloud measured of itself on this host (local clouds report it in
   * `GET /api/v1/clouds`; never in a profile file). The planner's estimate prefers it to
   * `behaviour.coldStartMs` and `limits.concurrency`, which describe the platform modelled: a
   * local cold start is a real process start, and a laptop runs a few processes, not 1,000.
   */
  measured: cloudMeasurementsSchema.optional(),
});

export type CloudProfile = z.infer<typeof cloudProfileSchema>;

/** Bytes an invocation envelope needs around its inline input. */
export const ENVELOPE_RESERVE_BYTES = 4096;
