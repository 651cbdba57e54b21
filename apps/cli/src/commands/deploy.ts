import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ApiClient, ApiClientError } from '@jointflow/api';
import { type Command, UsageError } from '../command';
import { readJsonFile } from './compile';

/** Where `jointflow up` listens unless told otherwise. */
export const DEFAULT_API_URL = 'http://127.0.0.1:4300';

const WORKFLOW_ID = /^wf_[0-9a-f]{16}$/;

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
 * Deploys through the API: `target` is a workflow id (its latest version) or a graph file, which
 * is stored as a new workflow first. Waits until the deployment is ready or failed.
 *
 * @example
 * const d = await deployViaApi(connectApi(), 'examples/iot-pipeline.json');
 * if (d.status === 'ready') await client.startExecution(d.deploymentId, input);
 */
export async function deployViaApi(
  client: ApiClient,
  target: string,
  options: { name?: string; timeoutMs?: number } = {},
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
  const deployment = await client.waitForDeployment(deploymentId, options.timeoutMs ?? 120_000);
  return { workflowId, deploymentId, status: deployment.status, functions: deployment.functions };
}

const usage = `Usage: jointflow deploy <graph.json|workflowId> [--api <url>] [--name <name>] [--json]

Deploys a workflow through a running API ('jointflow up'): a graph file is stored as a new
workflow first; a workflow id deploys its latest version. Waits until every function is ready
on its clouds and prints the deployment id.

  --api    the API's URL (default $JOINTFLOW_API or ${DEFAULT_API_URL})
  --name   the workflow's name when deploying a file (default: the graph's name)
  --json   print one JSON document

The token comes from $JOINTFLOW_TOKEN or $JOINTFLOW_HOME/token.
Exit codes: 0 ready, 1 failed, 2 bad usage.`;

export const deployCommand: Command = {
  name: 'deploy',
  summary: 'Deploy a workflow through the API and wait until it is ready',
  usage,
  async run(args) {
    let target: string | undefined;
    let api: string | undefined;
    let name: string | undefined;
    let json = false;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (arg === '--api' || arg === '--name') {
        const value = args[++i];
        if (value === undefined) throw new UsageError(`${arg} needs a value. ${usage}`);
        if (arg === '--api') api = value;
        else name = value;
      } else if (arg === '--json') json = true;
      else if (arg?.startsWith('-')) throw new UsageError(`unknown option ${arg}. ${usage}`);
      else if (target === undefined) target = arg;
      else throw new UsageError(`one workflow only. ${usage}`);
    }
    if (target === undefined)
      throw new UsageError(`a graph file or workflow id is needed. ${usage}`);
    const client = connectApi(api === undefined ? {} : { api });
    let deployed: DeployedViaApi;
    try {
      deployed = await deployViaApi(client, target, name === undefined ? {} : { name });
    } catch (error) {
      if (error instanceof UsageError) throw error;
      console.error(`jointflow deploy: ${describeApiFailure(error, client.url)}`);
      return 1;
    }
    if (json) {
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
};
