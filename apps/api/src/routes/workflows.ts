import type { ApiContext } from '../apiContext';
import { notFound } from '../apiError';
import {
  pageOf,
  workflowResponseSchema,
  workflowVersionListSchema,
  workflowVersionRefSchema,
  workflowVersionResponseSchema,
} from '../responseSchemas';
import type { RouteTable } from '../routeTable';
import {
  createWorkflowBody,
  pageQuery,
  updateWorkflowBody,
  versionParams,
  workflowParams,
} from '../schemas';
import { workflowSummarySchema } from '../store/records';
import { readJsonBody, readParams, readQuery } from '../validation';

export function workflowRoutes(routes: RouteTable, ctx: ApiContext): void {
  routes.add(
    {
      method: 'post',
      path: '/api/v1/workflows',
      summary: 'Create a workflow',
      body: createWorkflowBody,
      responses: { 201: { description: 'created (version 1)', json: workflowVersionRefSchema } },
    },
    async (c) => {
      const body = await readJsonBody(c, createWorkflowBody);
      return c.json(await ctx.repo.createWorkflow(body), 201);
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/v1/workflows',
      summary: 'List workflows, newest change first (cursor, limit)',
      query: pageQuery,
      responses: { 200: { description: 'a page', json: pageOf(workflowSummarySchema) } },
    },
    async (c) => {
      const query = readQuery(c, pageQuery);
      return c.json(await ctx.repo.listWorkflows(query));
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/v1/workflows/{id}',
      summary: 'Get a workflow (its latest version)',
      params: workflowParams,
      responses: { 200: { description: 'the workflow', json: workflowResponseSchema } },
    },
    async (c) => {
      const { id } = readParams(c, workflowParams);
      const workflow = await ctx.repo.getWorkflow(id);
      if (workflow === undefined) throw notFound('workflow', id);
      return c.json(workflow);
    },
  );

  routes.add(
    {
      method: 'put',
      path: '/api/v1/workflows/{id}',
      summary: 'Store a new version',
      params: workflowParams,
      body: updateWorkflowBody,
      responses: { 200: { description: 'the new version', json: workflowVersionRefSchema } },
    },
    async (c) => {
      const { id } = readParams(c, workflowParams);
      const body = await readJsonBody(c, updateWorkflowBody);
      const updated = await ctx.repo.addWorkflowVersion(id, body);
      if (updated === undefined) throw notFound('workflow', id);
      return c.json(updated);
    },
  );

  routes.add(
    {
      method: 'delete',
      path: '/api/v1/workflows/{id}',
      summary: 'Delete a workflow and its versions',
      params: workflowParams,
      responses: { 204: { description: 'deleted', empty: true } },
    },
    async (c) => {
      const { id } = readParams(c, workflowParams);
      if (!(await ctx.repo.deleteWorkflow(id))) throw notFound('workflow', id);
      return c.body(null, 204);
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/v1/workflows/{id}/versions',
      summary: 'List versions, newest first',
      params: workflowParams,
      responses: { 200: { description: 'every version', json: workflowVersionListSchema } },
    },
    async (c) => {
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
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/v1/workflows/{id}/versions/{version}',
      summary: 'Get one version',
      params: versionParams,
      responses: { 200: { description: 'the version', json: workflowVersionResponseSchema } },
    },
    async (c) => {
      const { id, version } = readParams(c, versionParams);
      const record = await ctx.repo.getWorkflowVersion(id, version);
      if (record === undefined) throw notFound('workflow version', `${id}@${version}`);
      return c.json(record);
    },
  );
}
