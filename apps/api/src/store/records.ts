import { workflowIRSchema } from '@jointflow/ir';
import { traceEventSchema } from '@jointflow/runtime/messages';
import { z } from 'zod';

/**
 * What the API keeps, as zod schemas: the repository's records (types inferred from them), which
 * `sqlRepository.ts` parses every row into and the API's responses are built from
 * (`responseSchemas.ts`). Trace events and the IR are the runtime's and the IR package's schemas.
 */

export const deploymentStatusSchema = z.enum([
  'pending',
  'deploying',
  'ready',
  'failed',
  'removed',
]);
export type DeploymentStatus = z.infer<typeof deploymentStatusSchema>;
export const functionStatusSchema = z.enum(['pending', 'deploying', 'ready', 'failed', 'removed']);
export type FunctionStatus = z.infer<typeof functionStatusSchema>;
export const executionStatusSchema = z.enum(['running', 'succeeded', 'failed', 'cancelled']);
export type ExecutionStatus = z.infer<typeof executionStatusSchema>;

/** Epoch milliseconds. */
const epochMs = z.number();

export const workflowSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The latest version. */
  version: z.number().int().min(1),
  createdAt: epochMs,
  updatedAt: epochMs,
});
export type WorkflowSummary = z.infer<typeof workflowSummarySchema>;

export const workflowRecordSchema = workflowSummarySchema.extend({
  /** The latest version's graph, as stored (it was parsed by the graph schema when saved). */
  graph: z.unknown(),
});
export type WorkflowRecord = z.infer<typeof workflowRecordSchema>;

export const workflowVersionRecordSchema = z.object({
  workflowId: z.string(),
  version: z.number().int().min(1),
  graph: z.unknown(),
  /** The IR version of its first deployment; null until deployed. */
  irVersion: z.string().nullable(),
  createdAt: epochMs,
});
export type WorkflowVersionRecord = z.infer<typeof workflowVersionRecordSchema>;

export const deploymentFunctionRecordSchema = z.object({
  name: z.string(),
  cloud: z.string(),
  role: z.enum(['primary', 'replica']),
  status: functionStatusSchema,
  reason: z.string().optional(),
  /** The provider's own word for the function's state while deploying (`Pending`, `Active`…). */
  providerState: z.string().optional(),
});
export type DeploymentFunctionRecord = z.infer<typeof deploymentFunctionRecordSchema>;

export const deploymentRecordSchema = z.object({
  id: z.string(),
  workflowId: z.string(),
  version: z.number().int().min(1),
  irVersion: z.string(),
  ir: workflowIRSchema,
  status: deploymentStatusSchema,
  functions: z.array(deploymentFunctionRecordSchema),
  createdAt: epochMs,
  updatedAt: epochMs,
});
export type DeploymentRecord = z.infer<typeof deploymentRecordSchema>;

/** Set for a run the runtime started itself: a time window's run of trigger `trigger`. */
export const executionOriginSchema = z.object({
  kind: z.literal('window'),
  trigger: z.string(),
  window: z.number(),
  windowMs: z.number().optional(),
});
export type ExecutionOrigin = z.infer<typeof executionOriginSchema>;

/** Why an execution failed (more fields may ride along, e.g. from the runtime's result). */
export const executionErrorSchema = z.looseObject({ message: z.string() });

export const executionRecordSchema = z.object({
  id: z.string(),
  deploymentId: z.string(),
  workflowId: z.string(),
  status: executionStatusSchema,
  input: z.unknown(),
  result: z.unknown().optional(),
  error: executionErrorSchema.optional(),
  makespanMs: z.number().nullable(),
  costUsd: z.number(),
  startedAt: epochMs,
  finishedAt: epochMs.nullable(),
  lastSeq: z.number().int().min(0),
  lastEventAt: epochMs,
  redrives: z.number().int().min(0),
  /** Watchdog redrives since the last stored event (reset by any event or a user's redrive). */
  idleRedrives: z.number().int().min(0),
  /** When its checkpoints were deleted from the clouds (only the closed marker is left there). */
  closedAt: epochMs.nullable(),
  origin: executionOriginSchema.optional(),
});
export type ExecutionRecord = z.infer<typeof executionRecordSchema>;

const executionLink = z.object({ execution: z.string(), trigger: z.string() });
/** Executions linked through time windows: which windows this one fed, which fed this one. */
export const executionLinksSchema = z.object({
  feeds: z.array(executionLink),
  fedBy: z.array(executionLink),
  /** All producer executions that fed this one (`fedBy` lists the first 100). */
  fedByCount: z.number().int().min(0),
});
export type ExecutionLinks = z.infer<typeof executionLinksSchema>;

export const storedEventSchema = z.object({
  seq: z.number().int().min(1),
  event: traceEventSchema,
});
export type StoredEvent = z.infer<typeof storedEventSchema>;
