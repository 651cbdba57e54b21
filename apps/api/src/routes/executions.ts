import { summarizeInstances } from '@jointflow/runtime/summary';
import type { ApiContext } from '../apiContext';
import { ApiError, notFound } from '../apiError';
import { cancelExecution, redriveExecution, startExecution } from '../executionService';
import { readFanOutCounts } from '../fanOutCounts';
import { summarizeInput } from '../inputSummary';
import {
  executionCancelledSchema,
  executionListSchema,
  executionStartedSchema,
  executionViewSchema,
  fanOutCountsSchema,
} from '../responseSchemas';
import type { RouteTable } from '../routeTable';
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

export function executionRoutes(routes: RouteTable, ctx: ApiContext): void {
  routes.add(
    {
      method: 'post',
      path: '/api/v1/deployments/{id}/executions',
      summary: 'Start an execution (409 until the deployment is ready)',
      params: deploymentParams,
      body: startExecutionBody,
      responses: { 202: { description: 'started', json: executionStartedSchema } },
    },
    async (c) => {
      const { id } = readParams(c, deploymentParams);
      const body = await readJsonBody(c, startExecutionBody);
      const execution = await startExecution(ctx, id, body.input);
      return c.json({ id: execution.id }, 202);
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/v1/executions',
      summary: 'List executions, newest first (workflow, deployment, status, cursor, limit)',
      query: listExecutionsQuery,
      responses: { 200: { description: 'a page', json: executionListSchema } },
    },
    async (c) => {
      const query = readQuery(c, listExecutionsQuery);
      const page = await ctx.repo.listExecutions(query);
      return c.json({
        items: page.items.map(({ input, result: _result, ...summary }) => ({
          ...summary,
          inputSummary: summarizeInput(input),
        })),
        nextCursor: page.nextCursor,
      });
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/v1/executions/{id}',
      summary: 'An execution with its per-instance summary and window links',
      params: executionParams,
      responses: { 200: { description: 'the execution', json: executionViewSchema } },
    },
    async (c) => {
      const { id } = readParams(c, executionParams);
      const execution = await ctx.repo.getExecution(id);
      if (execution === undefined) throw notFound('execution', id);
      const events = await ctx.repo.listEvents(id, 0, SUMMARY_EVENT_LIMIT);
      return c.json({
        ...execution,
        links: await ctx.repo.getExecutionLinks(id),
        instances: summarizeInstances(events.map((e) => e.event)),
      });
    },
  );

  // The committed width of map steps, so the run view can count branches not yet started.
  routes.add(
    {
      method: 'get',
      path: '/api/v1/executions/{id}/fan-outs',
      summary: 'Committed widths of map instances (repeat instance=<key>, 1-200)',
      params: executionParams,
      query: fanOutsQuery,
      responses: { 200: { description: 'one count per map instance', json: fanOutCountsSchema } },
    },
    async (c) => {
      const { id } = readParams(c, executionParams);
      const instances = readFanOutInstances(c.req.queries('instance'));
      const execution = await ctx.repo.getExecution(id);
      if (execution === undefined) throw notFound('execution', id);
      const deployment = await ctx.repo.getDeployment(execution.deploymentId);
      if (deployment === undefined) throw notFound('deployment', execution.deploymentId);
      return c.json({ items: await readFanOutCounts(ctx, deployment, id, instances) });
    },
  );

  // The full committed output of one instance, however large: trace events carry a preview or
  // a blob pointer only. The JSON text is sent as stored (a blob's bytes are not parsed).
  routes.add(
    {
      method: 'get',
      path: '/api/v1/executions/{id}/output',
      summary: "One instance's full committed output (blob-stored ones too), as stored",
      params: executionParams,
      query: stepOutputQuery,
      responses: {
        200: { description: "the output's JSON text, bytes as stored", raw: 'application/json' },
      },
    },
    async (c) => {
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
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/api/v1/executions/{id}/cancel',
      summary: 'Cancel a running execution (no step starts another)',
      params: executionParams,
      responses: {
        202: { description: 'cancelled, or how it ended first', json: executionCancelledSchema },
      },
    },
    async (c) => {
      const { id } = readParams(c, executionParams);
      const execution = await cancelExecution(ctx, id);
      return c.json({ id: execution.id, status: execution.status }, 202);
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/api/v1/executions/{id}/redrive',
      summary: 'Redrive from the committed checkpoints',
      params: executionParams,
      responses: { 202: { description: 'redriven', json: executionStartedSchema } },
    },
    async (c) => {
      const { id } = readParams(c, executionParams);
      const execution = await redriveExecution(ctx, id);
      return c.json({ id: execution.id }, 202);
    },
  );
}
