import { z } from 'zod';
import { executionSchema, executionSummarySchema, request } from '../api/apiClient';

/** An execution as the run view reads it: the API's record plus its redrive count. */
export const runExecutionSchema = executionSchema.extend({
  redrives: z.number().optional(),
  finishedAt: z.number().optional().nullable(),
  closedAt: z.number().optional().nullable(),
});
export type RunExecution = z.infer<typeof runExecutionSchema>;

/** A row of the runs list: what `GET /executions` answers per execution. */
export const runSummarySchema = executionSummarySchema.extend({
  makespanMs: z.number().optional().nullable(),
  costUsd: z.number().optional().nullable(),
  finishedAt: z.number().optional().nullable(),
  redrives: z.number().optional(),
  inputSummary: z.string().optional(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

const runPageSchema = z.object({
  items: z.array(runSummarySchema),
  nextCursor: z.string().nullable().optional(),
});
export type RunPage = z.infer<typeof runPageSchema>;

const fanOutsSchema = z.object({
  items: z.array(
    z.object({ instance: z.string(), node: z.string(), count: z.number().nullable() }),
  ),
});

/** Where each function of a deployment was placed (`auto` resolved). */
const deploymentIrSchema = z
  .object({
    id: z.string(),
    status: z.string(),
    ir: z
      .object({
        functions: z.record(z.string(), z.object({ cloud: z.string(), kind: z.string() }).loose()),
      })
      .loose()
      .optional(),
  })
  .loose();

const acceptedSchema = z.object({ id: z.string() }).loose();

/** The API calls of the run view and the runs list (paths relative to `/api/v1`). */
export const runApi = {
  getExecution: (id: string) =>
    request('GET', `/executions/${encodeURIComponent(id)}`, runExecutionSchema),
  listRuns: (workflowId: string, cursor?: string, limit = 25) =>
    request(
      'GET',
      `/executions?workflow=${encodeURIComponent(workflowId)}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      runPageSchema,
    ),
  /** Reruns a failed (or stalled) execution from its checkpoints: the failed step runs again. */
  redrive: (id: string) =>
    request('POST', `/executions/${encodeURIComponent(id)}/redrive`, acceptedSchema),
  /** Cancels a running execution: no step starts another; it ends `cancelled` (final). */
  cancel: (id: string) =>
    request('POST', `/executions/${encodeURIComponent(id)}/cancel`, acceptedSchema),
  fanOuts: (id: string, instances: readonly string[]) =>
    request(
      'GET',
      `/executions/${encodeURIComponent(id)}/fan-outs?${instances.map((i) => `instance=${encodeURIComponent(i)}`).join('&')}`,
      fanOutsSchema,
    ),
  deploymentPlacement: async (id: string): Promise<Record<string, string>> => {
    const deployment = await request(
      'GET',
      `/deployments/${encodeURIComponent(id)}`,
      deploymentIrSchema,
    );
    const out: Record<string, string> = {};
    for (const [name, fn] of Object.entries(deployment.ir?.functions ?? {})) out[name] = fn.cloud;
    return out;
  },
};
