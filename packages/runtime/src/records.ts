import { z } from 'zod';
import { dataRefSchema, invocationSchema, scopeEntrySchema } from './messages';
import { RuntimeError } from './runtimeError';

/**
 * What the runtime stores, parsed with zod whenever it is read back: store values are outside
 * data (another copy, another version, a person with a database shell may have written them).
 */

export const stepErrorSchema = z.object({
  message: z.string(),
  stack: z.string().optional(),
  code: z.string().optional(),
});
export type StepError = z.infer<typeof stepErrorSchema>;

const recordMeta = {
  v: z.literal(1),
  /** Delivery attempt of the copy that committed; part of the commit's trace event id. */
  attempt: z.number().int(),
  cloud: z.string(),
  at: z.number(),
  durationMs: z.number(),
  /** Keys of the `ctx.once` calls of the committing run, so adopters re-emit their events. */
  once: z.array(z.string()).optional(),
};

/**
 * A committed record: the checkpoint of one instance. A success holds the output and every
 * decision later steps depend on (continuations taken, map length); a failure holds the error
 * and the input, so a rerun from the failed step can start it again.
 */
export const stepRecordSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('succeeded'),
    ...recordMeta,
    output: dataRefSchema,
    /** Indexes into the function's `continuations` that were taken. */
    taken: z.array(z.number().int().nonnegative()),
    /** For a map: the element count (the size of its join). */
    mapCount: z.number().int().nonnegative().optional(),
    /** Objects the step emitted with `ctx.emit`, in call order, for the triggers it feeds. */
    emits: z.array(z.object({ key: z.string(), ref: dataRefSchema })).optional(),
  }),
  z.object({
    status: z.literal('failed'),
    ...recordMeta,
    error: stepErrorSchema,
    input: dataRefSchema,
  }),
]);
export type StepRecord = z.infer<typeof stepRecordSchema>;
export type SucceededRecord = Extract<StepRecord, { status: 'succeeded' }>;

/** A join slot: a branch's output, or the skip token of a branch a choice did not take. */
export const slotValueSchema = z.union([
  z.object({ skip: z.literal(true) }),
  z.object({ ref: dataRefSchema }),
]);
export type SlotValue = z.infer<typeof slotValueSchema>;

export const resultRecordSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('succeeded'),
    output: dataRefSchema,
    instance: z.string(),
    at: z.number(),
  }),
  z.object({
    status: z.literal('failed'),
    error: stepErrorSchema,
    /** The failed instance, its function, scope, input and locations: what a rerun needs. */
    instance: z.string(),
    fn: z.string(),
    scope: z.array(scopeEntrySchema),
    input: dataRefSchema,
    /** Store holding the failed instance's checkpoint. */
    homeStore: z.string(),
    /** Clouds hosting the failed function, primary first. */
    clouds: z.array(z.string()).min(1),
    at: z.number(),
  }),
]);
export type ResultRecord = z.infer<typeof resultRecordSchema>;

/** The start invocation and the clouds (primary first) that host the start function. */
export const startRecordSchema = z.object({
  invocation: invocationSchema,
  clouds: z.array(z.string()).min(1),
  at: z.number(),
});
export type StartRecord = z.infer<typeof startRecordSchema>;

export const closedMarkerSchema = z.object({
  closedAt: z.number(),
  /** `cancelled`: closed by `cancelExecution` before it completed. */
  status: z.enum(['succeeded', 'failed', 'cancelled']),
});
export type ClosedMarker = z.infer<typeof closedMarkerSchema>;

/**
 * What closing an execution leaves in place of each of its values (checkpoints, memos, start
 * and result records): the closed marker, wrapped. The item stays, so a late duplicate's
 * put-if-absent of the same key loses to it by its own single-item condition.
 */
export const tombstoneSchema = z.strictObject({ closed: closedMarkerSchema });
export type Tombstone = z.infer<typeof tombstoneSchema>;

export function tombstoneOf(marker: ClosedMarker): Tombstone {
  return { closed: marker };
}

/** True when a stored value is a tombstone left by closing the execution. */
export function isTombstone(value: unknown): value is Tombstone {
  return tombstoneSchema.safeParse(value).success;
}

/** Parses a stored value or throws `RUNTIME_CORRUPT_RECORD` naming the key. */
export function parseStored<T>(schema: z.ZodType<T>, value: unknown, key: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new RuntimeError(
      'RUNTIME_CORRUPT_RECORD',
      `the value at "${key}" is not a record this runtime wrote (${parsed.error.issues[0]?.message ?? 'invalid'}); inspect or delete it, then redrive the execution`,
    );
  }
  return parsed.data;
}
