import { graphSchema } from '@jointflow/ir';
import { traceBatchSchema } from '@jointflow/runtime';
import { faultSpecSchema } from '@jointflow/shims';
import { z } from 'zod';

/** Request schemas: every body, param and query the API reads is parsed with one of these. */

const id = (prefix: string) =>
  z
    .string()
    .regex(new RegExp(`^${prefix}_[0-9a-f]{16}$`), `must be an id like ${prefix}_0123456789abcdef`);

export const workflowId = id('wf');
export const deploymentId = id('dep');
/**
 * An execution the API started (`ex_…`), or a time window's run, which the runtime starts and
 * names `wnd.<trigger>.<window>.<deployment hash>` (packages/runtime, `windowExecution`).
 */
export const WINDOW_EXECUTION_ID = /^wnd\.[a-zA-Z][a-zA-Z0-9_-]{0,62}\.\d{1,16}\.[0-9a-f]{12}$/;
export const executionId = z.union([
  id('ex'),
  z.string().regex(WINDOW_EXECUTION_ID, 'must be an execution id like ex_0123456789abcdef'),
]);
export const cloudId = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'must be a cloud id');

export const workflowParams = z.object({ id: workflowId });
export const versionParams = z.object({
  id: workflowId,
  version: z.coerce.number().int().min(1).max(1_000_000),
});
export const deploymentParams = z.object({ id: deploymentId });
export const executionParams = z.object({ id: executionId });
export const cloudParams = z.object({ id: cloudId });

/** Node name → cloud id, overriding `auto` (and hand-picked clouds) at compile time. */
export const placementSchema = z.record(z.string().max(63), cloudId);

export const createWorkflowBody = z.object({
  name: z.string().trim().min(1).max(200),
  graph: graphSchema,
});

export const updateWorkflowBody = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  graph: graphSchema,
});

export const compileBody = z.object({ graph: graphSchema, placement: placementSchema.optional() });

export const planBody = z.object({
  graph: graphSchema,
  objective: z.enum(['makespan', 'cost', 'balanced']).optional(),
});

export const estimateBody = z.object({
  graph: graphSchema,
  placement: placementSchema.optional(),
});

export const createDeploymentBody = z.object({
  version: z.number().int().min(1).optional(),
  placement: placementSchema.optional(),
});

export const startExecutionBody = z.object({ input: z.unknown() });

const executionStatus = z.enum(['running', 'succeeded', 'failed', 'cancelled']);

const limit = z.coerce.number().int().min(1).max(200).default(50);
const cursor = z.string().min(1).max(200);

export const pageQuery = z.object({ cursor: cursor.optional(), limit });

export const listExecutionsQuery = z.object({
  workflow: workflowId.optional(),
  deployment: deploymentId.optional(),
  status: executionStatus.optional(),
  cursor: cursor.optional(),
  limit,
});

/** One instance's full output: `?instance=<key>`, `&download=1` for an attachment. */
export const stepOutputQuery = z.object({
  instance: z.string().min(1).max(1000),
  download: z.enum(['0', '1', 'true', 'false']).optional(),
});

/** Map instance keys whose committed width the run view asks for. */
export const fanOutsQuery = z.object({
  instance: z.array(z.string().min(1).max(1000)).min(1).max(200),
});

export const eventsQuery = z.object({
  lastEventId: z.coerce.number().int().min(0).optional(),
  token: z.string().optional(),
});

export const lastEventIdHeader = z.coerce.number().int().min(0);
/** `Last-Event-ID`: the last `seq` the client has (a header; `?lastEventId=` for fetch-less clients). */
export const eventsHeaders = z.object({ 'last-event-id': lastEventIdHeader.optional() });

export const faultsBody = faultSpecSchema;

/** A batch of trace events (the runtime owns the trace event's schema). */
export const ingestBody = traceBatchSchema;

/** Parses an optional raw value; a missing or malformed one gives `fallback`. */
export function parseWithDefault<T>(schema: z.ZodType<T>, raw: string | undefined, fallback: T): T {
  if (raw === undefined) return fallback;
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : fallback;
}
