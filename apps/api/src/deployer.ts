import type { WorkflowIR } from '@jointflow/ir';
import { deployFunctions, functionPlacements } from '@jointflow/shims';
import type { ApiContext } from './apiContext';
import { ApiError } from './apiError';
import type { DeploymentRecord } from './store/repository';

/** The env every deployed function gets: where its trace events go and the secret to send them. */
export function functionEnv(ctx: ApiContext, deploymentId: string): Record<string, string> {
  return {
    JF_TRACE_URL: ctx.ingestUrl(),
    JF_TRACE_SECRET: ctx.secrets.ingestSecret(deploymentId),
  };
}

/** One row per function and cloud (the primary and each failover replica): the shims' own list. */
export { functionPlacements };

/** Refuses an IR naming a cloud this API has no shim for (422, like other graph errors). */
export function assertCloudsKnown(ctx: ApiContext, ir: WorkflowIR): void {
  const unknown = functionPlacements(ir).filter((row) => !ctx.clouds.has(row.cloud));
  if (unknown.length === 0) return;
  throw new ApiError(
    'API_GRAPH_INVALID',
    `the graph places functions on clouds this API does not run; pick one of: ${[...ctx.clouds.keys()].join(', ')}`,
    {
      diagnostics: unknown.map((row) => ({
        severity: 'error',
        code: 'API_UNKNOWN_CLOUD',
        node: row.name,
        message: `node ${row.name} is placed on cloud "${row.cloud}", which this API does not know`,
      })),
    },
  );
}

function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/**
 * Pushes every function of a deployment to its clouds (primary and replicas) through the shims'
 * `deployFunctions` (the one the CLI uses too), recording each one's status as it goes; the
 * deployment is ready when all are, failed when any failed.
 */
export async function rollOut(ctx: ApiContext, deployment: DeploymentRecord): Promise<void> {
  await ctx.repo.setDeploymentStatus(deployment.id, 'deploying');
  const { failed } = await deployFunctions(ctx.clouds.values(), deployment.ir, deployment.id, {
    env: functionEnv(ctx, deployment.id),
    placements: deployment.functions,
    async onUpdate(update) {
      const { fn, cloud } = update;
      switch (update.status) {
        case 'deploying':
        case 'ready':
          await ctx.repo.setFunctionStatus(deployment.id, fn, cloud, update.status);
          break;
        case 'provider-state':
          // The provider's own state words (Lambda's Pending → Active…) for the deploy dialog.
          await ctx.repo.setFunctionProviderState(deployment.id, fn, cloud, update.providerState);
          break;
        case 'failed':
          // `deployFunctions` keeps the trace secret out of the reason (database and log).
          ctx.log.warn(`deployment ${deployment.id}: ${fn} on ${cloud} failed: ${update.reason}`, {
            deployment: deployment.id,
            function: fn,
            cloud,
          });
          await ctx.repo.setFunctionStatus(deployment.id, fn, cloud, 'failed', update.reason);
          break;
      }
    },
  });
  await ctx.repo.setDeploymentStatus(deployment.id, failed.length === 0 ? 'ready' : 'failed');
}

/**
 * Removes every function of a deployment from its clouds (Lambda/FC `DeleteFunction`, or the
 * local cloud's delete); the deployment stays listed as `removed`. A cloud that refuses leaves
 * its function recorded as it was and the call fails naming it, so it can be retried.
 */
export async function removeDeployment(
  ctx: ApiContext,
  deployment: DeploymentRecord,
): Promise<{ failed: string[] }> {
  const failed: string[] = [];
  await Promise.all(
    deployment.functions.map(async (row) => {
      const shim = ctx.clouds.get(row.cloud);
      try {
        if (shim === undefined) throw new Error(`cloud ${row.cloud} is not configured`);
        await shim.remove(deployment.id, row.name);
        await ctx.repo.setFunctionStatus(deployment.id, row.name, row.cloud, 'removed');
      } catch (error) {
        failed.push(`${row.name} on ${row.cloud}: ${reasonOf(error)}`);
      }
    }),
  );
  if (failed.length === 0) await ctx.repo.setDeploymentStatus(deployment.id, 'removed');
  return { failed };
}
