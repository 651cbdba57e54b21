import type { Hono } from 'hono';
import type { ApiContext } from '../apiContext';
import { notFound } from '../apiError';
import { redriveExecution, startExecution } from '../executionService';
import { summarizeInstances } from '../instanceSummary';
import {
  deploymentParams,
  executionParams,
  listExecutionsQuery,
  startExecutionBody,
} from '../schemas';
import { readJsonBody, readParams, readQuery } from '../validation';

/** Most events an execution view folds; beyond that the summary covers the first ones. */
const SUMMARY_EVENT_LIMIT = 100_000;

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
      items: page.items.map(({ input: _input, result: _result, ...summary }) => summary),
      nextCursor: page.nextCursor,
    });
  });

  app.get('/api/v1/executions/:id', async (c) => {
    const { id } = readParams(c, executionParams);
    const execution = await ctx.repo.getExecution(id);
    if (execution === undefined) throw notFound('execution', id);
    const events = await ctx.repo.listEvents(id, 0, SUMMARY_EVENT_LIMIT);
    return c.json({ ...execution, instances: summarizeInstances(events.map((e) => e.event)) });
  });

  app.post('/api/v1/executions/:id/redrive', async (c) => {
    const { id } = readParams(c, executionParams);
    const execution = await redriveExecution(ctx, id);
    return c.json({ id: execution.id }, 202);
  });
}
