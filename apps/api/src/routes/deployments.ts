import { graphSchema } from '@jointflow/ir';
import type { ApiContext } from '../apiContext';
import { ApiError, notFound } from '../apiError';
import { assertCloudsKnown, functionPlacements, removeDeployment, rollOut } from '../deployer';
import {
  deploymentCreatedSchema,
  deploymentListSchema,
  deploymentResponseSchema,
} from '../responseSchemas';
import type { RouteTable } from '../routeTable';
import { createDeploymentBody, deploymentParams, workflowParams } from '../schemas';
import { compileForDeploy } from '../toolchain';
import { readJsonBody, readParams } from '../validation';

export function deploymentRoutes(routes: RouteTable, ctx: ApiContext): void {
  routes.add(
    {
      method: 'post',
      path: '/api/v1/workflows/{id}/deployments',
      summary: 'Deploy a version (compiled, placed, rolled out per function and cloud)',
      params: workflowParams,
      body: createDeploymentBody,
      responses: {
        202: { description: 'accepted; poll the deployment', json: deploymentCreatedSchema },
      },
    },
    async (c) => {
      const { id } = readParams(c, workflowParams);
      const body = await readJsonBody(c, createDeploymentBody);
      const workflow = await ctx.repo.getWorkflow(id);
      if (workflow === undefined) throw notFound('workflow', id);
      const version = body.version ?? workflow.version;
      const stored = await ctx.repo.getWorkflowVersion(id, version);
      if (stored === undefined) throw notFound('workflow version', `${id}@${version}`);
      const graph = graphSchema.safeParse(stored.graph);
      if (!graph.success) {
        throw new ApiError(
          'API_GRAPH_INVALID',
          'the stored graph no longer parses; save it again',
          {
            diagnostics: [],
          },
        );
      }
      const ir = await compileForDeploy(ctx, graph.data, body.placement);
      assertCloudsKnown(ctx, ir);
      const deployment = await ctx.repo.createDeployment({
        workflowId: id,
        version,
        ir,
        functions: functionPlacements(ir),
      });
      await ctx.repo.setVersionIrVersion(id, version, ir.version);
      ctx.track(
        rollOut(ctx, deployment).catch((error: unknown) => {
          ctx.log(
            `deployment ${deployment.id}: ${error instanceof Error ? error.message : String(error)}`,
          );
          return ctx.repo.setDeploymentStatus(deployment.id, 'failed');
        }),
      );
      return c.json({ id: deployment.id, irVersion: ir.version }, 202);
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/v1/workflows/{id}/deployments',
      summary: "List a workflow's deployments, newest first (100 at most)",
      params: workflowParams,
      responses: { 200: { description: 'the deployments', json: deploymentListSchema } },
    },
    async (c) => {
      const { id } = readParams(c, workflowParams);
      if ((await ctx.repo.getWorkflow(id)) === undefined) throw notFound('workflow', id);
      return c.json({ items: await ctx.repo.listDeployments(id), nextCursor: null });
    },
  );

  routes.add(
    {
      method: 'delete',
      path: '/api/v1/deployments/{id}',
      summary: "Remove a deployment's functions from their clouds",
      params: deploymentParams,
      responses: { 204: { description: 'removed', empty: true } },
    },
    async (c) => {
      const { id } = readParams(c, deploymentParams);
      const deployment = await ctx.repo.getDeployment(id);
      if (deployment === undefined) throw notFound('deployment', id);
      const { failed } = await removeDeployment(ctx, deployment);
      if (failed.length > 0) {
        throw new ApiError(
          'API_CLOUD_UNAVAILABLE',
          `some functions could not be removed; retry the delete: ${failed.join('; ')}`,
        );
      }
      return c.body(null, 204);
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/v1/deployments/{id}',
      summary: 'Deployment status per function and cloud',
      params: deploymentParams,
      responses: { 200: { description: 'the deployment', json: deploymentResponseSchema } },
    },
    async (c) => {
      const { id } = readParams(c, deploymentParams);
      const deployment = await ctx.repo.getDeployment(id);
      if (deployment === undefined) throw notFound('deployment', id);
      return c.json(deployment);
    },
  );
}
