import { cloudMeasurementsSchema } from '@jointflow/ir';
import { z } from 'zod';

/**
 * The wire format of a local cloud's HTTP API, shared by the clients here and the server in
 * packages/local-cloud (which imports it from this package; never the other way round).
 * JSON has no `undefined`, so a possibly absent value travels as `{ found, value }`.
 */

export const localRoutes = {
  invoke: (name: string) => `/2015-03-31/functions/${encodeURIComponent(name)}/invocations`,
  storeGet: '/store/get',
  storeGetMany: '/store/get-many',
  storePutIfAbsent: '/store/put-if-absent',
  storeFillSlot: '/store/fill-slot',
  storeReadSlots: '/store/read-slots',
  storeSeal: '/store/seal',
  storeDelete: '/store/delete',
  blobs: '/blobs',
  blob: (key: string) => `/blobs/${key}`,
  function: (name: string) => `/control/functions/${encodeURIComponent(name)}`,
  functions: '/control/functions',
  health: '/control/health',
  faults: '/control/faults',
  deadLetters: '/control/dead-letters',
  metering: '/control/metering',
  stats: '/control/stats',
  pending: (execution: string) => `/control/executions/${encodeURIComponent(execution)}/pending`,
} as const;

export const pendingResponse = z.object({ execution: z.string(), pending: z.number() });

export const maybeValue = z.union([
  z.object({ found: z.literal(true), value: z.unknown() }),
  z.object({ found: z.literal(false) }),
]);
export type MaybeValue = z.infer<typeof maybeValue>;

export const getRequest = z.object({ key: z.string().min(1) });
export const getManyRequest = z.object({ keys: z.array(z.string().min(1)).max(10_000) });
export const getManyResponse = z.object({ values: z.array(maybeValue) });

export const putIfAbsentRequest = z.object({
  key: z.string().min(1),
  value: z.unknown(),
  ttlMs: z.number().int().positive().optional(),
});
export const putIfAbsentResponse = z.union([
  z.object({ won: z.literal(true) }),
  z.object({ won: z.literal(false), existing: z.unknown() }),
]);

export const fillSlotRequest = z.object({
  key: z.string().min(1),
  slot: z.number().int().nonnegative(),
  size: z.number().int().nonnegative(),
  value: z.unknown(),
});
export const fillSlotResponse = z.union([
  z.object({ sealed: z.literal(true) }),
  z.object({
    filled: z.number().int(),
    size: z.number().int(),
    newlyFilled: z.boolean(),
    /** Every slot value in slot order; only when the record is full (`filled === size`). */
    values: z.array(z.unknown()).optional(),
  }),
]);

export const readSlotsRequest = z.object({ key: z.string().min(1) });
export const readSlotsResponse = z.object({ size: z.number().int(), slots: z.array(maybeValue) });

export const sealRequest = z.object({
  prefix: z.string().min(1),
  tombstone: z.unknown(),
  ttlMs: z.number().int().positive(),
});

export const deleteKeysRequest = z.object({
  keys: z.array(z.string().min(1)).max(10_000),
});

export const blobPutResponse = z.object({ key: z.string().regex(/^[0-9a-f]{64}$/) });

export const functionStateSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('absent') }),
  z.object({ state: z.literal('deploying') }),
  z.object({ state: z.literal('ready'), codeHash: z.string() }),
  z.object({ state: z.literal('failed'), reason: z.string() }),
]);

export const healthResponse = z.object({
  ok: z.boolean(),
  id: z.string(),
  outageUntil: z.number().optional(),
});

export const faultSpecSchema = z.object({
  seed: z.number().int().optional(),
  crashBeforeCommit: z.number().min(0).max(1).optional(),
  crashAfterCommit: z.number().min(0).max(1).optional(),
  duplicate: z.number().min(0).max(1).optional(),
  drop: z.number().min(0).max(1).optional(),
  reorderMs: z.number().int().nonnegative().optional(),
  outage: z
    .object({ startInMs: z.number().int().nonnegative(), durationMs: z.number().int().positive() })
    .optional(),
});

export const meteringRow = z.object({
  function: z.string(),
  invocations: z.number(),
  failures: z.number(),
  billedMs: z.number(),
  costUsd: z.number(),
});
export type MeteringRow = z.infer<typeof meteringRow>;

export const deadLetterRow = z.object({
  id: z.number(),
  function: z.string(),
  invocation: z.unknown(),
  attempts: z.number(),
  error: z.string(),
  at: z.number(),
});
export type DeadLetterRow = z.infer<typeof deadLetterRow>;

const opCounts = z.object({
  reads: z.number(),
  writes: z.number(),
  conditionalWrites: z.number(),
  slotFills: z.number(),
});
export type StoreOpCounts = z.infer<typeof opCounts>;

export const statsResponse = z.object({
  id: z.string(),
  pid: z.number(),
  workers: z.array(z.object({ pid: z.number(), function: z.string(), busy: z.boolean() })),
  queued: z.number(),
  /** Invocations waiting for a worker or their due time, per function (added later: optional). */
  waiting: z.record(z.string(), z.number()).optional(),
  inFlight: z.number(),
  /**
   * Store operations since the cloud started: `total` in round trips (reads = get, getMany,
   * readSlots; conditionalWrites = putIfAbsent; slotFills = fillSlot; writes = seal and delete),
   * `byKeyKind` in keys touched (ckpt, once, join, start, result, closed, other).
   */
  storeOps: z.object({ total: opCounts, byKeyKind: z.record(z.string(), opCounts) }).optional(),
  /** The cloud's median cold start and sandboxes on this host (`CloudProfile.measured`). */
  measured: cloudMeasurementsSchema.optional(),
});
export type CloudStats = z.infer<typeof statsResponse>;
