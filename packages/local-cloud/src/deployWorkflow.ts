import type { WorkflowIR } from '@jointflow/ir';
import type { CloudShim } from '@jointflow/shims';

export class DeployError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Deploys every function of `ir` to its primary cloud and each failover cloud (the replicas),
 * in parallel. `env` goes to every function (e.g. `JF_TRACE_URL` and `JF_TRACE_SECRET`). Rejects
 * with `DeployError` naming the first function that failed to build or whose cloud is unknown.
 *
 * @example
 * await deployWorkflow(local.clouds.map((c) => c.shim), ir, 'd1', { JF_TRACE_URL: url, JF_TRACE_SECRET: s });
 */
export async function deployWorkflow(
  shims: readonly CloudShim[],
  ir: WorkflowIR,
  deploymentId: string,
  env: Record<string, string> = {},
): Promise<{ deployed: { fn: string; cloud: string }[] }> {
  const byId = new Map(shims.map((s) => [s.profile.id, s]));
  const context = { workflow: ir.workflow, irVersion: ir.version, resultStore: ir.resultStore };
  const jobs: Promise<{ fn: string; cloud: string }>[] = [];
  for (const fn of Object.values(ir.functions)) {
    for (const cloud of new Set([fn.cloud, ...fn.failover])) {
      const shim = byId.get(cloud);
      if (shim === undefined) {
        throw new DeployError(
          'DEPLOY_UNKNOWN_CLOUD',
          `function ${fn.name} is placed on cloud "${cloud}", which is not running; start it or change the placement`,
        );
      }
      jobs.push(
        shim.deploy({ deployment: deploymentId, context, fn, env }).then(
          () => ({ fn: fn.name, cloud }),
          (error: unknown) => {
            const message = error instanceof Error ? error.message : String(error);
            throw new DeployError(
              'DEPLOY_FAILED',
              `deploying ${fn.name} to ${cloud} failed: ${message}`,
            );
          },
        ),
      );
    }
  }
  return { deployed: await Promise.all(jobs) };
}
