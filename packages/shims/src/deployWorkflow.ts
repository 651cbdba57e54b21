import type { FunctionIR, WorkflowIR } from '@jointflow/ir';
import type { CloudShim } from './cloudShim';

export class DeployError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** One copy of a function on one cloud: its primary, or a failover replica. */
export interface FunctionPlacement {
  name: string;
  cloud: string;
  role: 'primary' | 'replica';
}

/**
 * Every copy a deployment of `ir` needs: each function on its primary cloud and on each failover
 * cloud (a replica), once per cloud.
 */
export function functionPlacements(ir: WorkflowIR): FunctionPlacement[] {
  const rows: FunctionPlacement[] = [];
  for (const fn of Object.values(ir.functions)) {
    rows.push({ name: fn.name, cloud: fn.cloud, role: 'primary' });
    for (const cloud of new Set(fn.failover)) {
      if (cloud !== fn.cloud) rows.push({ name: fn.name, cloud, role: 'replica' });
    }
  }
  return rows;
}

/** What happened to one copy, as it happens (the API records each; the CLI may print them). */
export type FunctionDeployUpdate = { fn: string; cloud: string } & (
  | { status: 'deploying' }
  /** The provider's own word for the state it is in (Lambda's Pending → Active, …). */
  | { status: 'provider-state'; providerState: string }
  | { status: 'ready' }
  | { status: 'failed'; reason: string }
);

export interface DeployWorkflowOptions {
  /**
   * Env of every function, e.g. `JF_TRACE_URL` and `JF_TRACE_SECRET`; values of entries named
   * like a secret (`…SECRET`, `…TOKEN`, `…KEY`, `…PASSWORD`) never appear in a reason.
   */
  env?: Record<string, string>;
  /** Called as each copy moves; awaited before the copy's next step. */
  onUpdate?(update: FunctionDeployUpdate): void | Promise<void>;
  /** Only these copies (e.g. the rows a stored deployment lists); default: `functionPlacements(ir)`. */
  placements?: readonly { name: string; cloud: string }[];
}

export interface DeployWorkflowResult {
  deployed: { fn: string; cloud: string }[];
  /** `code`: `DEPLOY_UNKNOWN_CLOUD`, `DEPLOY_UNKNOWN_FUNCTION`, or `DEPLOY_FAILED` (the reason says why). */
  failed: { fn: string; cloud: string; code: string; reason: string }[];
}

/** Env entries whose values must never appear in a reason (stored, logged, printed). */
const SECRET_ENV = /SECRET|TOKEN|PASSWORD|KEY/i;

function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/**
 * Deploys every copy of a workflow's functions in parallel and settles them all: each copy is
 * deployed through its cloud's shim, then described, and counts as deployed only when its cloud
 * says `ready`. A copy whose cloud is not among `shims` fails with `DEPLOY_UNKNOWN_CLOUD`.
 * Reasons never contain a secret of `env` (the trace secret goes to every function).
 *
 * @example
 * const { failed } = await deployFunctions(shims, ir, 'd1', { env: { JF_TRACE_URL: url, JF_TRACE_SECRET: s } });
 */
export async function deployFunctions(
  shims: Iterable<CloudShim>,
  ir: WorkflowIR,
  deploymentId: string,
  options: DeployWorkflowOptions = {},
): Promise<DeployWorkflowResult> {
  const byId = new Map<string, CloudShim>();
  for (const shim of shims) byId.set(shim.profile.id, shim);
  const env = options.env ?? {};
  const secrets = Object.entries(env)
    .filter(([name, value]) => SECRET_ENV.test(name) && value.length > 0)
    .map(([, value]) => value);
  const redact = (text: string) => secrets.reduce((t, s) => t.replaceAll(s, '[secret]'), text);
  const context = { workflow: ir.workflow, irVersion: ir.version, resultStore: ir.resultStore };
  const notify = async (update: FunctionDeployUpdate) => {
    await options.onUpdate?.(update);
  };
  const result: DeployWorkflowResult = { deployed: [], failed: [] };
  await Promise.all(
    (options.placements ?? functionPlacements(ir)).map(async ({ name, cloud }) => {
      const fn: FunctionIR | undefined = ir.functions[name];
      const shim = byId.get(cloud);
      try {
        if (fn === undefined) {
          throw new DeployError('DEPLOY_UNKNOWN_FUNCTION', `function ${name} is not in the IR`);
        }
        if (shim === undefined) {
          throw new DeployError(
            'DEPLOY_UNKNOWN_CLOUD',
            `function ${name} is placed on cloud "${cloud}", which is not running; start it or change the placement`,
          );
        }
        await notify({ fn: name, cloud, status: 'deploying' });
        await shim.deploy({ deployment: deploymentId, context, fn, env }, (progress) => {
          if (progress.providerState === undefined) return;
          Promise.resolve(
            notify({
              fn: name,
              cloud,
              status: 'provider-state',
              providerState: progress.providerState,
            }),
          ).catch(() => undefined);
        });
        const state = await shim.describe(deploymentId, name);
        if (state.state === 'failed') throw new Error(state.reason);
        if (state.state !== 'ready')
          throw new Error(`the cloud reports ${state.state} after deploy`);
        await notify({ fn: name, cloud, status: 'ready' });
        result.deployed.push({ fn: name, cloud });
      } catch (error) {
        const reason = redact(reasonOf(error));
        const code = error instanceof DeployError ? error.code : 'DEPLOY_FAILED';
        result.failed.push({ fn: name, cloud, code, reason });
        await notify({ fn: name, cloud, status: 'failed', reason });
      }
    }),
  );
  return result;
}

/**
 * Deploys every copy of `ir` (primary and failover replicas) in parallel and rejects with
 * `DeployError` naming the first copy that failed, once all have settled: the CLI's and the
 * tests' form of `deployFunctions`.
 *
 * @example
 * await deployWorkflow(local.clouds.map((c) => c.shim), ir, 'd1', { JF_TRACE_URL: url, JF_TRACE_SECRET: s });
 */
export async function deployWorkflow(
  shims: Iterable<CloudShim>,
  ir: WorkflowIR,
  deploymentId: string,
  env: Record<string, string> = {},
): Promise<{ deployed: { fn: string; cloud: string }[] }> {
  const { deployed, failed } = await deployFunctions(shims, ir, deploymentId, { env });
  const first = failed[0];
  if (first !== undefined) {
    throw new DeployError(
      first.code,
      `deploying ${first.fn} to ${first.cloud} failed: ${first.reason}`,
    );
  }
  return { deployed };
}
