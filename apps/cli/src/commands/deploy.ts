import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ApiClient, ApiClientError, type DeploymentState } from '@jointflow/api';
import { type Command, defineCommand, type FlagSpec, UsageError } from '../command';
import { readJsonFile } from './compile';

/** Where `jointflow up` listens unless told otherwise. */
export const DEFAULT_API_URL = 'http://127.0.0.1:4300';

const WORKFLOW_ID = /^wf_[0-9a-f]{16}$/;

/** `--api <url>`, shared by the commands that talk to a running API. */
export const apiFlag = {
  type: 'string',
  value: '<url>',
  help: `the API's URL (default $JOINTFLOW_API or ${DEFAULT_API_URL})`,
} as const satisfies FlagSpec;

/** `JOINTFLOW_HOME`, default `./.jointflow` (relative to the working directory). */
export function jointflowHome(home?: string): string {
  return resolve(home ?? process.env.JOINTFLOW_HOME ?? '.jointflow');
}

/**
 * A client for a running API: the URL from `--api`, `JOINTFLOW_API` or the default; the token
 * from `JOINTFLOW_TOKEN` or `$JOINTFLOW_HOME/token` (written by `jointflow up`).
 *
 * @example
 * const client = connectApi({ api: 'http://127.0.0.1:4300' });
 */
export function connectApi(options: { api?: string; home?: string } = {}): ApiClient {
  const url = (options.api ?? process.env.JOINTFLOW_API ?? DEFAULT_API_URL).replace(/\/+$/, '');
  let token = process.env.JOINTFLOW_TOKEN;
  if (token === undefined || token === '') {
    const file = join(jointflowHome(options.home), 'token');
    if (!existsSync(file)) {
      throw new UsageError(
        `no API token: set JOINTFLOW_TOKEN or JOINTFLOW_HOME (looked for ${file}; 'jointflow up' writes it)`,
      );
    }
    token = readFileSync(file, 'utf8').trim();
  }
  return new ApiClient(url, token);
}

/** One line for an API or network failure, saying what to do. */
export function describeApiFailure(error: unknown, url: string): string {
  if (error instanceof ApiClientError) {
    const diagnostics = error.details.diagnostics;
    const lines = Array.isArray(diagnostics)
      ? diagnostics.map((d: { code?: string; message?: string }) => `\n  ${d.code}: ${d.message}`)
      : [];
    return `${error.code}: ${error.message}${lines.join('')}`;
  }
  if (error instanceof TypeError) {
    return `CLI_API_UNREACHABLE: cannot reach the API at ${url} (${error.message}); start it with 'jointflow up' or pass --api`;
  }
  return error instanceof Error ? error.message : String(error);
}

export interface DeployedViaApi {
  workflowId: string;
  deploymentId: string;
  status: string;
  functions: { name: string; cloud: string; status: string; reason?: string }[];
}

/**
 * Progress lines for a deployment as it rolls out: one when a function starts deploying, when
 * its cloud reports a new state word (Lambda's Pending → Active), and when it is ready (with
 * the seconds since the deploy began) or failed.
 *
 * @example
 * await client.waitForDeployment(id, 120_000, deployProgress(id, (line) => console.error(line)));
 */
export function deployProgress(
  deploymentId: string,
  print: (line: string) => void,
  now: () => number = Date.now,
): (deployment: DeploymentState) => void {
  const started = now();
  const seen = new Map<string, string>();
  let announced = false;
  let ready = 0;
  return (deployment) => {
    const total = deployment.functions.length;
    if (!announced) {
      announced = true;
      print(`deployment ${deploymentId}: ${total} function(s) to deploy`);
    }
    const width = Math.max(...deployment.functions.map((f) => f.name.length), 8);
    for (const fn of deployment.functions) {
      const key = `${fn.name}\u0000${fn.cloud}`;
      const state = `${fn.status}\u0000${fn.providerState ?? ''}`;
      if (seen.get(key) === state || fn.status === 'pending') continue;
      seen.set(key, state);
      const seconds = ((now() - started) / 1000).toFixed(1);
      const provider = fn.providerState === undefined ? '' : ` (${fn.providerState})`;
      const detail =
        fn.status === 'ready'
          ? ` in ${seconds} s [${++ready}/${total}]`
          : fn.status === 'failed'
            ? `: ${fn.reason ?? 'no reason given'}`
            : provider;
      print(`  ${fn.name.padEnd(width)} ${fn.cloud.padEnd(16)} ${fn.status}${detail}`);
    }
  };
}

/**
 * Deploys through the API: `target` is a workflow id (its latest version) or a graph file, which
 * is stored as a new workflow first. Waits until the deployment is ready or failed, calling
 * `onProgress` with a line per change (see `deployProgress`).
 *
 * @example
 * const d = await deployViaApi(connectApi(), 'examples/iot-pipeline.json', { onProgress: console.error });
 * if (d.status === 'ready') await client.startExecution(d.deploymentId, input);
 */
export async function deployViaApi(
  client: ApiClient,
  target: string,
  options: { name?: string; timeoutMs?: number; onProgress?: (line: string) => void } = {},
): Promise<DeployedViaApi> {
  let workflowId = target;
  if (!WORKFLOW_ID.test(target)) {
    const graph = readJsonFile(target);
    const name =
      options.name ??
      (typeof graph === 'object' &&
      graph !== null &&
      'name' in graph &&
      typeof graph.name === 'string'
        ? graph.name
        : target);
    workflowId = (await client.createWorkflow(name, graph)).id;
  }
  const { id: deploymentId } = await client.deploy(workflowId);
  const deployment = await client.waitForDeployment(
    deploymentId,
    options.timeoutMs ?? 120_000,
    options.onProgress === undefined ? undefined : deployProgress(deploymentId, options.onProgress),
  );
  return {
    workflowId,
    deploymentId,
    status: deployment.status,
    functions: deployment.functions.map(({ name, cloud, status, reason }) => ({
      name,
      cloud,
      status,
      ...(reason !== undefined ? { reason } : {}),
    })),
  };
}

export const deployCommand: Command = defineCommand({
  name: 'deploy',
  summary: 'Deploy a workflow through the API and wait until it is ready',
  synopsis: ['<graph.json|workflowId> [--api <url>] [--name <name>] [--json]'],
  positionals: { min: 1, max: 1, what: 'one graph file or workflow id' },
  description: `Deploys a workflow through a running API ('jointflow up'): a graph file is stored as a new
workflow first; a workflow id deploys its latest version. Prints each function's progress as it
deploys (to stderr with --json, so stdout stays one JSON document), waits until every function is
ready on its clouds and prints the deployment id. The token comes from $JOINTFLOW_TOKEN or
$JOINTFLOW_HOME/token.`,
  flags: {
    api: apiFlag,
    name: {
      type: 'string',
      value: '<name>',
      help: "the workflow's name when deploying a file (default: the graph's name)",
    },
    json: { type: 'boolean', help: 'print one JSON document' },
  },
  examples: [
    'jointflow deploy examples/iot-pipeline.json',
    'jointflow deploy wf_0123456789abcdef --api http://127.0.0.1:4300 --json',
  ],
  exitCodes: '0 ready, 1 failed, 2 bad usage.',
  async run({ flags, positionals: [target = ''] }) {
    const client = connectApi(flags.api === undefined ? {} : { api: flags.api });
    const onProgress = (line: string) => (flags.json ? console.error(line) : console.log(line));
    let deployed: DeployedViaApi;
    try {
      deployed = await deployViaApi(client, target, {
        onProgress,
        ...(flags.name === undefined ? {} : { name: flags.name }),
      });
    } catch (error) {
      if (error instanceof UsageError) throw error;
      console.error(`jointflow deploy: ${describeApiFailure(error, client.url)}`);
      return 1;
    }
    if (flags.json) {
      console.log(JSON.stringify(deployed, null, 2));
    } else {
      console.log(`workflow   ${deployed.workflowId}`);
      console.log(`deployment ${deployed.deploymentId} ${deployed.status}`);
      for (const fn of deployed.functions) {
        const reason = fn.reason === undefined ? '' : `  ${fn.reason}`;
        console.log(`  ${fn.name.padEnd(20)} ${fn.cloud.padEnd(16)} ${fn.status}${reason}`);
      }
    }
    return deployed.status === 'ready' ? 0 : 1;
  },
});
