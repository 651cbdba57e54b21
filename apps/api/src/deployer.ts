import type { FunctionIR, WorkflowIR } from '@jointflow/ir';
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

/** One row per function and cloud: the primary and each failover replica. */
export function functionPlacements(
  ir: WorkflowIR,
): { name: string; cloud: string; role: 'primary' | 'replica' }[] {
  const rows: { name: string; cloud: string; role: 'primary' | 'replica' }[] = [];
  for (const fn of Object.values(ir.functions)) {
    rows.push({ name: fn.name, cloud: fn.cloud, role: 'primary' });
    for (const cloud of fn.failover) {
      if (cloud !== fn.cloud) rows.push({ name: fn.name, cloud, role: 'replica' });
    }
  }
  return rows;
}

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
 * Pushes every function of a deployment to its clouds (primary and replicas), recording each
 * one's status as it goes; the deployment is ready when all are, failed when any failed.
 */
export async function rollOut(ctx: ApiContext, deployment: DeploymentRecord): Promise<void> {
  const { ir } = deployment;
  await ctx.repo.setDeploymentStatus(deployment.id, 'deploying');
  const env = functionEnv(ctx, deployment.id);
  const context = { workflow: ir.workflow, irVersion: ir.version, resultStore: ir.resultStore };
  const outcomes = await Promise.all(
    deployment.functions.map(async (row) => {
      const fn: FunctionIR | undefined = ir.functions[row.name];
      const shim = ctx.clouds.get(row.cloud);
      try {
        if (fn === undefined) throw new Error(`function ${row.name} is missing from the IR`);
        if (shim === undefined) throw new Error(`cloud ${row.cloud} is not available`);
        await ctx.repo.setFunctionStatus(deployment.id, row.name, row.cloud, 'deploying');
        // The provider's own state words (Lambda's Pending → Active…) for the deploy dialog.
        await shim.deploy({ deployment: deployment.id, context, fn, env }, (progress) => {
          if (progress.providerState === undefined) return;
          ctx.repo
            .setFunctionProviderState(deployment.id, row.name, row.cloud, progress.providerState)
            .catch(() => undefined);
        });
        const state = await shim.describe(deployment.id, row.name);
        if (state.state === 'failed') throw new Error(state.reason);
        if (state.state !== 'ready')
          throw new Error(`the cloud reports ${state.state} after deploy`);
        await ctx.repo.setFunctionStatus(deployment.id, row.name, row.cloud, 'ready');
        return true;
      } catch (error) {
        // A cloud's error text must never carry the secret into the database or the log.
        const reason = reasonOf(error).replaceAll(env.JF_TRACE_SECRET ?? '\u0000', '[secret]');
        ctx.log.warn(`deployment ${deployment.id}: ${row.name} on ${row.cloud} failed: ${reason}`, {
          deployment: deployment.id,
          function: row.name,
          cloud: row.cloud,
        });
        await ctx.repo.setFunctionStatus(deployment.id, row.name, row.cloud, 'failed', reason);
        return false;
      }
    }),
  );
  await ctx.repo.setDeploymentStatus(
    deployment.id,
    outcomes.every((ok) => ok) ? 'ready' : 'failed',
  );
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
