import {
  cloudMeasurementsSchema,
  cloudProfileSchema,
  graphSchema,
  workflowIRSchema,
} from '@jointflow/ir';
import { traceEventSchema } from '@jointflow/runtime/messages';
import { z } from 'zod';
import {
  deploymentRecordSchema,
  executionErrorSchema,
  executionLinksSchema,
  executionRecordSchema,
  executionStatusSchema,
  workflowSummarySchema,
  workflowVersionRecordSchema,
} from './store/records';

/**
 * What the API answers, as zod schemas: the routes declare them (`routeTable.ts`), the OpenAPI
 * document is generated from them, and `ApiClient` parses every answer with them. Records come
 * from `store/records.ts`, trace events from the runtime, graphs and the IR from the IR package.
 */

export { workflowSummarySchema };

/** A page of a list: `nextCursor` is null on the last page (or for lists that do not page). */
export const pageOf = <S extends z.ZodType>(item: S) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const errorResponseSchema = z.object({
  error: z.looseObject({
    code: z.string(),
    message: z.string(),
    /** `API_GRAPH_INVALID`: the compiler's findings. */
    diagnostics: z.array(z.unknown()).optional(),
  }),
});

export const healthResponseSchema = z.object({
  ok: z.literal(true),
  status: z.enum(['ok', 'degraded']),
  /** Clouds that did not answer their health check. */
  degraded: z.array(z.string()).optional(),
  version: z.string(),
  storage: z.enum(['sqlite', 'postgres']),
  clouds: z.array(z.string()),
  cloudHealth: z.array(z.object({ id: z.string(), ok: z.boolean(), error: z.string().optional() })),
});

/** The OpenAPI document itself (`GET /api/v1/openapi.json`). */
export const openApiResponseSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

/** A workflow created or a new version stored. */
export const workflowVersionRefSchema = z.object({ id: z.string(), version: z.number().int() });

/** The latest version's graph, as it was parsed when stored. */
export const workflowResponseSchema = workflowSummarySchema.extend({ graph: graphSchema });
export const workflowVersionResponseSchema = workflowVersionRecordSchema.extend({
  graph: graphSchema,
});
export const workflowVersionListSchema = pageOf(
  workflowVersionRecordSchema.pick({ version: true, irVersion: true, createdAt: true }),
);

export const diagnosticSchema = z.object({
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  message: z.string(),
  node: z.string().optional(),
  edge: z.string().optional(),
});

/** The planner's estimate (packages/planner `Estimate`): its headline figures, details loose. */
export const estimateSchema = z.looseObject({
  makespanMs: z.number(),
  costUsd: z.number(),
  perCloud: z.record(z.string(), z.looseObject({})),
  criticalPath: z.array(z.string()),
  steps: z.record(z.string(), z.looseObject({ cloud: z.string() })),
  coldStartMs: z.number(),
  queueMs: z.number(),
});

export const compileResponseSchema = z.object({
  ir: workflowIRSchema.optional(),
  diagnostics: z.array(diagnosticSchema),
});
export const planResponseSchema = z.object({
  /** Node name → the cloud the planner chose. */
  placement: z.record(z.string(), z.string()),
  estimate: estimateSchema.nullable(),
  ir: workflowIRSchema.optional(),
  diagnostics: z.array(diagnosticSchema),
});
export const estimateResponseSchema = z.object({
  estimate: estimateSchema.nullable(),
  diagnostics: z.array(diagnosticSchema),
});

export const deploymentCreatedSchema = z.object({ id: z.string(), irVersion: z.string() });
export const deploymentResponseSchema = deploymentRecordSchema;
export const deploymentListSchema = pageOf(deploymentRecordSchema);

export const executionStartedSchema = z.object({ id: z.string() });
export const executionCancelledSchema = z.object({ id: z.string(), status: executionStatusSchema });

/** A list item: the record without its input and result, plus a one-line input preview. */
export const executionSummarySchema = executionRecordSchema
  .omit({ input: true, result: true })
  .extend({ inputSummary: z.string() });
export const executionListSchema = pageOf(executionSummarySchema);

/**
 * One instance's summary in an execution view, folded from its trace events. The fold belongs
 * to the runtime's summary module; the fields every client reads are named here.
 */
export const instanceSummarySchema = z.looseObject({
  instance: z.string(),
  node: z.string(),
  cloud: z.string(),
  status: z.string(),
  attempts: z.number(),
});

export const executionViewSchema = executionRecordSchema.extend({
  links: executionLinksSchema,
  instances: z.array(instanceSummarySchema),
});

export const fanOutCountsSchema = z.object({
  items: z.array(
    z.object({ instance: z.string(), node: z.string(), count: z.number().int().nullable() }),
  ),
});

export const cloudHealthSchema = z.object({
  ok: z.boolean(),
  latencyMs: z.number(),
  outageUntil: z.number().optional(),
  detail: z.string().optional(),
});
/** A cloud as `GET /api/v1/clouds` lists it: its profile, where it runs, its health. */
export const cloudSchema = cloudProfileSchema.extend({
  region: z.string(),
  faultInjection: z.boolean(),
  health: cloudHealthSchema,
  measured: cloudMeasurementsSchema.optional(),
});
export const cloudListSchema = pageOf(cloudSchema);

export const ingestResponseSchema = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  /** Events naming an execution this API does not know. */
  unknown: z.number().int(),
  /** Events that do not match the trace event schema. */
  invalid: z.number().int(),
  /** Events of another deployment than the secret's. */
  forbidden: z.number().int(),
});

/** One Server-Sent Event's `data` of kind `trace`: a trace event with its sequence number. */
export const sseTraceDataSchema = traceEventSchema.extend({ seq: z.number().int().min(1) });
/** The `end` event's `data`: how the execution ended. */
export const sseEndDataSchema = z.object({
  status: executionStatusSchema,
  lastSeq: z.number().int(),
  result: z.unknown().optional(),
  error: executionErrorSchema.optional(),
});
