import {
  deploymentResponseSchema,
  executionCancelledSchema,
  executionListSchema,
  executionStartedSchema,
  fanOutCountsSchema,
} from '@jointflow/api/schemas';
import type { z } from 'zod';
import { executionSchema, executionSummarySchema, request } from '../api/apiClient';

/** An execution as the run view reads it (`GET /executions/:id`, the API's schema). */
export const runExecutionSchema = executionSchema;
export type RunExecution = z.infer<typeof runExecutionSchema>;

/** A row of the runs list: what `GET /executions` answers per execution. */
export const runSummarySchema = executionSummarySchema;
export type RunSummary = z.infer<typeof runSummarySchema>;

const runPageSchema = executionListSchema;
export type RunPage = z.infer<typeof runPageSchema>;

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
    request('POST', `/executions/${encodeURIComponent(id)}/redrive`, executionStartedSchema),
  /** Cancels a running execution: no step starts another; it ends `cancelled` (final). */
  cancel: (id: string) =>
    request('POST', `/executions/${encodeURIComponent(id)}/cancel`, executionCancelledSchema),
  fanOuts: (id: string, instances: readonly string[]) =>
    request(
      'GET',
      `/executions/${encodeURIComponent(id)}/fan-outs?${instances.map((i) => `instance=${encodeURIComponent(i)}`).join('&')}`,
      fanOutCountsSchema,
    ),
  deploymentPlacement: async (id: string): Promise<Record<string, string>> => {
    const deployment = await request(
      'GET',
      `/deployments/${encodeURIComponent(id)}`,
      deploymentResponseSchema,
    );
    const out: Record<string, string> = {};
    for (const [name, fn] of Object.entries(deployment.ir.functions)) out[name] = fn.cloud;
    return out;
  },
};
