import { z } from 'zod';

/**
 * The messages that cross a process boundary: the invocation envelope every function receives
 * and the trace event every function sends. The runtime owns their schemas; the types are
 * derived from them, and every receiver (the local clouds, the function entry, the API's ingest)
 * parses with these same schemas.
 */

/** Data as it travels: inline JSON, or a pointer to a content-addressed blob on a cloud. */
export const dataRefSchema = z.union([
  z.object({ blob: z.string().min(1), cloud: z.string().min(1), bytes: z.number().int() }),
  z.object({ inline: z.unknown() }),
]);
export type DataRef = z.infer<typeof dataRefSchema>;

/**
 * One level of an instance's scope stack (`ScopeEntry` of `@jointflow/ir`, which the inferred
 * type matches): a map entry carries the element count, a loop entry the iteration.
 */
export const scopeEntrySchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('map'),
    name: z.string(),
    index: z.number().int(),
    count: z.number().int(),
  }),
  z.object({ kind: z.literal('loop'), name: z.string(), index: z.number().int() }),
]);

/**
 * The envelope every function receives. It is small and self-describing: the execution, the IR
 * version it is pinned to, the instance's scope stack and its input.
 */
export const invocationSchema = z.object({
  execution: z.string().min(1),
  /** The deployment the execution runs on (names the deployed functions). */
  deployment: z.string().min(1),
  irVersion: z.string(),
  /** The function (node) being invoked. */
  fn: z.string().min(1),
  scope: z.array(scopeEntrySchema),
  input: dataRefSchema,
  /**
   * Set when the sender adopted a checkpoint, retried an invoke, or re-invoked a join: this copy
   * may be a duplicate, so the receiver reads its checkpoint before running user code.
   */
  possibleDuplicate: z.boolean().optional(),
  /**
   * For a join: its slot record is complete and the join reads its input from it. A join invoked
   * without `joinReady` takes `input` as the collected array (an empty map sends `[]`).
   */
  joinReady: z.boolean().optional(),
  /**
   * With `joinReady`: the record's slot values in slot order, carried by the branch whose fill
   * completed it, so the join need not read its slot record (often on another cloud). Slot
   * values never change once filled, so every copy carries the same values. Absent (too large to
   * inline, or a store that does not return them): the join reads the slot record.
   */
  joinSlots: z.array(z.unknown()).optional(),
  /** The sender's hybrid logical clock, so the receiver's trace events order after the sender's. */
  hlc: z.string().optional(),
  /**
   * Set when map `emptyMap` had no elements and its join's location is not known to the map: the
   * invocation walks the map's body (no user code, nothing committed) until a function that
   * joins that map, which invokes the join with `[]`.
   */
  emptyMap: z.string().optional(),
  /**
   * Not to run before this time (epoch ms): a durable timer, such as the one that closes a time
   * window. A host whose queue can delay delivery holds it until then (the local clouds do); the
   * runtime waits for the rest itself, or passes a long wait on as a fresh invocation.
   */
  notBefore: z.number().optional(),
});
export type Invocation = z.infer<typeof invocationSchema>;

export const traceEventKinds = [
  'step.started',
  'step.succeeded',
  'step.adopted',
  'step.failed',
  'step.retrying',
  'step.skipped',
  'invoke.failover',
  'once.ran',
  'execution.succeeded',
  'execution.failed',
  /** A producer's objects reached a trigger (output: from, keys, filled/size when known). */
  'trigger.received',
  /** A trigger's committed decision fired a run (output: the members in decided order). */
  'trigger.fired',
  /** An object no run will take (output: from, key, reason: late | not-in-set). */
  'trigger.dropped',
  /** Emitted by the host, not the runtime: billed duration and cost of one invocation. */
  'invocation.billed',
] as const;
export type TraceEventKind = (typeof traceEventKinds)[number];

/**
 * One trace event. `id` is deterministic (`execution/instance/kind/attempt`) so redelivery is
 * harmless; `hlc` is a hybrid logical clock (`<ms>-<counter>-<cloud>`) for ordering across
 * clouds. The bounds are what a receiver accepts (the API's ingest drops an event outside them).
 */
export const traceEventSchema = z.object({
  id: z.string().min(1).max(1000),
  execution: z.string().min(1).max(200),
  deployment: z.string().min(1).max(200),
  instance: z.string().min(1).max(1000),
  node: z.string().min(1).max(200),
  kind: z.enum(traceEventKinds),
  cloud: z.string().min(1).max(100),
  attempt: z.number().int().min(0),
  hlc: z.string().min(1).max(200),
  /** Wall-clock ms since the epoch on the emitting cloud. */
  at: z.number(),
  durationMs: z.number().nonnegative().optional(),
  billedMs: z.number().nonnegative().optional(),
  costUsd: z.number().nonnegative().optional(),
  /** Small JSON previews (truncated); full values live in checkpoints. */
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  error: z.object({ message: z.string(), stack: z.string().optional() }).optional(),
  /** For `invoke.failover`: the cloud that failed and the one used instead. */
  from: z.string().optional(),
  to: z.string().optional(),
  /**
   * For `invocation.billed` (host timings, optional): how long the invocation waited in the
   * cloud's queue before a sandbox took it, and how long that sandbox's cold start took (0 when
   * warm). With `durationMs` and `at` (its end) they split the invocation for the run timeline.
   */
  queuedMs: z.number().nonnegative().optional(),
  coldStartMs: z.number().nonnegative().optional(),
});
export type TraceEvent = z.infer<typeof traceEventSchema>;

/** A batch of trace events as a function's trace sink sends it to a collector (the API's ingest). */
export const traceBatchSchema = z.object({ events: z.array(traceEventSchema).max(10_000) });
export type TraceBatch = z.infer<typeof traceBatchSchema>;
