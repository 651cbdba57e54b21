import { summarizeInstances } from '@jointflow/runtime/summary';
import type { Hono } from 'hono';
import type { ApiContext } from '../apiContext';
import { ApiError, notFound } from '../apiError';
import { cancelExecution, redriveExecution, startExecution } from '../executionService';
import { readFanOutCounts } from '../fanOutCounts';
import { summarizeInput } from '../inputSummary';
import {
  deploymentParams,
  executionParams,
  fanOutsQuery,
  listExecutionsQuery,
  startExecutionBody,
  stepOutputQuery,
} from '../schemas';
import { readStepOutput } from '../stepOutput';
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

  // The full committed output of one instance, however large: trace events carry a preview or
  // a blob pointer only. The JSON text is sent as stored (a blob's bytes are not parsed).
  app.get('/api/v1/executions/:id/output', async (c) => {
    const { id } = readParams(c, executionParams);
    const query = readQuery(c, stepOutputQuery);
    const execution = await ctx.repo.getExecution(id);
    if (execution === undefined) throw notFound('execution', id);
    const deployment = await ctx.repo.getDeployment(execution.deploymentId);
    if (deployment === undefined) throw notFound('deployment', execution.deploymentId);
    const output = await readStepOutput(ctx, deployment, id, execution.closedAt, query.instance);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-jointflow-output-bytes': String(output.bytes),
    };
    if (query.download === '1' || query.download === 'true') {
      const name = `${id}-${query.instance.replace(/[^A-Za-z0-9_.=-]+/g, '_')}.json`;
      headers['content-disposition'] = `attachment; filename="${name}"`;
    }
    const body = typeof output.json === 'string' ? output.json : new Uint8Array(output.json);
    return c.body(body, 200, headers);
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
