import type { Hono } from 'hono';
import type { ApiContext } from '../apiContext';
import { notFound } from '../apiError';
import {
  createWorkflowBody,
  pageQuery,
  updateWorkflowBody,
  versionParams,
  workflowParams,
} from '../schemas';
import { readJsonBody, readParams, readQuery } from '../validation';

export function workflowRoutes(app: Hono, ctx: ApiContext): void {
  app.post('/api/v1/workflows', async (c) => {
    const body = await readJsonBody(c, createWorkflowBody);
    return c.json(await ctx.repo.createWorkflow(body), 201);
  });

  app.get('/api/v1/workflows', async (c) => {
    const query = readQuery(c, pageQuery);
    return c.json(await ctx.repo.listWorkflows(query));
  });

  app.get('/api/v1/workflows/:id', async (c) => {
    const { id } = readParams(c, workflowParams);
    const workflow = await ctx.repo.getWorkflow(id);
    if (workflow === undefined) throw notFound('workflow', id);
    return c.json(workflow);
  });

  app.put('/api/v1/workflows/:id', async (c) => {
    const { id } = readParams(c, workflowParams);
    const body = await readJsonBody(c, updateWorkflowBody);
    const updated = await ctx.repo.addWorkflowVersion(id, body);
    if (updated === undefined) throw notFound('workflow', id);
    return c.json(updated);
  });

  app.delete('/api/v1/workflows/:id', async (c) => {
    const { id } = readParams(c, workflowParams);
    if (!(await ctx.repo.deleteWorkflow(id))) throw notFound('workflow', id);
    return c.body(null, 204);
  });

  app.get('/api/v1/workflows/:id/versions', async (c) => {
    const { id } = readParams(c, workflowParams);
    const versions = await ctx.repo.listWorkflowVersions(id);
    if (versions === undefined) throw notFound('workflow', id);
    return c.json({
      items: versions.map(({ version, irVersion, createdAt }) => ({
        version,
        irVersion,
        createdAt,
      })),
      nextCursor: null,
    });
  });

  app.get('/api/v1/workflows/:id/versions/:version', async (c) => {
    const { id, version } = readParams(c, versionParams);
    const record = await ctx.repo.getWorkflowVersion(id, version);
    if (record === undefined) throw notFound('workflow version', `${id}@${version}`);
    return c.json(record);
  });
}
