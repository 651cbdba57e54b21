import type { Hono } from 'hono';
import type { ApiContext } from '../apiContext';
import { ApiError, notFound } from '../apiError';
import { cancelExecution, redriveExecution, startExecution } from '../executionService';
import { readFanOutCounts } from '../fanOutCounts';
import { summarizeInput } from '../inputSummary';
import { summarizeInstances } from '../instanceSummary';
import {
  deploymentParams,
  executionParams,
  fanOutsQuery,
  listExecutionsQuery,
  startExecutionBody,
} from '../schemas';
import { readJsonBody, readParams, readQuery } from '../validation';

/** Most events an execution view folds; beyond that the summary covers the first ones. */
const SUMMARY_EVENT_LIMIT = 100_000;

function readFanOutInstances(raw: string[] | undefined): string[] {
  const parsed = fanOutsQuery.safeParse({ instance: raw ?? [] });
  if (!parsed.success) {
    throw new ApiError(
      'API_VALIDATION',
      `instance: ${parsed.error.issues.map((i) => i.message).join('; ')}; pass 1-200 map instance keys as ?instance=<key>`,
    );
  }
  return parsed.data.instance;
}

export function executionRoutes(app: Hono, ctx: ApiContext): void {
  app.post('/api/v1/deployments/:id/executions', async (c) => {
    const { id } = readParams(c, deploymentParams);
    const body = await readJsonBody(c, startExecutionBody);
    const execution = await startExecution(ctx, id, body.input);
    return c.json({ id: execution.id }, 202);
  });

  app.get('/api/v1/executions', async (c) => {
    const query = readQuery(c, listExecutionsQuery);
    const page = await ctx.repo.listExecutions(query);
    return c.json({
      items: page.items.map(({ input, result: _result, ...summary }) => ({
        ...summary,
        inputSummary: summarizeInput(input),
      })),
      nextCursor: page.nextCursor,
    });
  });

  app.get('/api/v1/executions/:id', async (c) => {
    const { id } = readParams(c, executionParams);
    const execution = await ctx.repo.getExecution(id);
    if (execution === undefined) throw notFound('execution', id);
    const events = await ctx.repo.listEvents(id, 0, SUMMARY_EVENT_LIMIT);
    return c.json({
      ...execution,
      links: await ctx.repo.getExecutionLinks(id),
      instances: summarizeInstances(events.map((e) => e.event)),
    });
  });

  // The committed width of map steps, so the run view can count branches not yet started.
  app.get('/api/v1/executions/:id/fan-outs', async (c) => {
    const { id } = readParams(c, executionParams);
    const instances = readFanOutInstances(c.req.queries('instance'));
    const execution = await ctx.repo.getExecution(id);
    if (execution === undefined) throw notFound('execution', id);
    const deployment = await ctx.repo.getDeployment(execution.deploymentId);
    if (deployment === undefined) throw notFound('deployment', execution.deploymentId);
    return c.json({ items: await readFanOutCounts(ctx, deployment, id, instances) });
  });

  app.post('/api/v1/executions/:id/cancel', async (c) => {
    const { id } = readParams(c, executionParams);
    const execution = await cancelExecution(ctx, id);
    return c.json({ id: execution.id, status: execution.status }, 202);
  });

  app.post('/api/v1/executions/:id/redrive', async (c) => {
    const { id } = readParams(c, executionParams);
    const execution = await redriveExecution(ctx, id);
    return c.json({ id: execution.id }, 202);
  });
}
