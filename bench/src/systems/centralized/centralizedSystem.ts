import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WorkflowIR } from '@jointflow/ir';
import { FROM_CLOUD_HEADER } from '@jointflow/shims';
import { z } from 'zod';
import { benchFile, startChild } from '../../childProcess';
import { postJson } from '../../httpJson';
import { preciseNow } from '../../percentiles';
import { chainPayload, MARK_STEP_CODE } from '../../userCode';
import { startBenchLocalClouds } from '../benchClouds';
import type { CloudTopology, SystemUnderTest } from '../chainRunner';
import { deployLambdaFunction, lambdaFunctionName, stepFunctionModule } from '../lambdaFunctions';
import { type PlainCluster, startPlainCluster } from '../plainCluster';

const executionResponse = z.object({
  output: z.unknown(),
  writes: z.number(),
  tally: z
    .object({
      steps: z.array(z.object({ cloud: z.string(), memoryMb: z.number(), durationMs: z.number() })),
      transitions: z.number(),
    })
    .optional(),
});
const marksOf = (output: unknown): number[] =>
  z.object({ marks: z.array(z.number()) }).parse(output).marks;

/** Where the coordinator's steps run. */
export type CentralizedPath = 'invoke-api' | 'plain-workers';

/** What `path` each path takes, as RESULTS.md states it per row. */
export const CENTRALIZED_PATHS: Record<CentralizedPath, string> = {
  'invoke-api': "local clouds' Invoke API, RequestResponse from the coordinator",
  'plain-workers': 'plain worker processes, HTTP POST (reference, not the local clouds)',
};

/** The compute under the coordinator: the local clouds, or plain workers (the reference). */
interface StepHost {
  steps: unknown;
  chainStep: string;
  deploy(ir: WorkflowIR): Promise<Record<string, string>>;
  pids(workflow?: string): Promise<number[]>;
  close(): Promise<void>;
}

async function localCloudHost(dir: string, fsync: boolean, home: string): Promise<StepHost> {
  const local = await startBenchLocalClouds(path.join(dir, 'clouds'), fsync);
  const clouds = Object.fromEntries(local.clouds.map((cloud) => [cloud.profile.id, cloud.url]));
  const urlOf = (cloud: string) => {
    const url = clouds[cloud] ?? clouds[home];
    if (url === undefined) throw new Error(`BENCH_NO_CLOUD: no local cloud ${cloud}`);
    return url;
  };
  const chainStep = lambdaFunctionName('sfn', 'mark');
  const mark = await stepFunctionModule(MARK_STEP_CODE);
  const deployed = new Map<string, string[]>();
  await Promise.all(
    Object.values(clouds).map((url) => deployLambdaFunction(url, chainStep, mark, 128)),
  );
  return {
    steps: { path: 'invoke-api', clouds, fromHeader: FROM_CLOUD_HEADER },
    chainStep,
    async deploy(ir) {
      const names: Record<string, string> = {};
      for (const fn of Object.values(ir.functions)) {
        if (fn.code.trim() === '') continue;
        const name = lambdaFunctionName('sfn', ir.workflow, fn.name);
        await deployLambdaFunction(
          urlOf(fn.cloud),
          name,
          await stepFunctionModule(fn.code),
          fn.memoryMb,
        );
        names[fn.name] = name;
      }
      deployed.set(ir.workflow, Object.values(names));
      return names;
    },
    async pids(workflow) {
      // Zip sandboxes are keyed `<prefix><function name>:<version>`: a workflow's own workers,
      // and the chain step's (as Jointflow's count leaves out idle workers of other workflows).
      const names =
        workflow === undefined ? undefined : [chainStep, ...(deployed.get(workflow) ?? [])];
      const stats = await Promise.all(local.clouds.map((cloud) => cloud.shim.stats()));
      return stats.flatMap((cloud) => [
        cloud.pid,
        ...cloud.workers
          .filter(
            (w) => names === undefined || names.some((name) => w.function.includes(`${name}:`)),
          )
          .map((w) => w.pid),
      ]);
    },
    close: () => local.stop(),
  };
}

async function plainWorkerHost(topology: CloudTopology, home: string): Promise<StepHost> {
  const cluster: PlainCluster = await startPlainCluster(topology);
  const workers = Object.fromEntries(
    topology.clouds.map((cloud) => [cloud, cluster.url(home, cloud)]),
  );
  return {
    steps: { path: 'plain-workers', workers },
    chainStep: 'mark',
    async deploy(ir) {
      const names: Record<string, string> = {};
      for (const fn of Object.values(ir.functions)) {
        if (fn.code.trim() === '') continue;
        const worker = workers[fn.cloud] ?? workers[home];
        if (!worker) throw new Error(`BENCH_NO_WORKER: no worker for cloud ${fn.cloud}`);
        const name = `${ir.workflow}/${fn.name}`;
        await postJson(`${worker}/deploy`, { name, code: fn.code });
        names[fn.name] = name;
      }
      return names;
    },
    pids: async () => [...cluster.workers.values()].map((w) => w.pid),
    close: () => cluster.close(),
  };
}

/**
 * Starts the Step-Functions-style coordinator on `topology.clouds[0]` with an SQLite history
 * (fsync on or off). Its steps run as functions on fresh local clouds, invoked through their
 * Lambda Invoke API (`invoke-api`, the comparison that counts), or on one plain worker per cloud
 * with latency proxies between clouds (`plain-workers`, kept as a labelled reference).
 */
export async function startCentralized(
  topology: CloudTopology,
  fsync: boolean,
  stepPath: CentralizedPath,
): Promise<SystemUnderTest> {
  const home = topology.clouds[0] ?? '';
  const dir = mkdtempSync(path.join(tmpdir(), 'jf-bench-central-'));
  const host =
    stepPath === 'invoke-api'
      ? await localCloudHost(dir, fsync, home)
      : await plainWorkerHost(topology, home);
  const coordinator = await startChild<{ port: number }>(
    benchFile('./systems/centralized/coordinator.ts'),
    {
      args: [
        JSON.stringify({
          db: path.join(dir, 'history.db'),
          fsync,
          home,
          chainStep: host.chainStep,
          steps: host.steps,
        }),
      ],
    },
  );
  const base = `http://127.0.0.1:${coordinator.ready.port}`;
  let lastWrites = 0;
  const call = async (route: string, body: unknown) => {
    const response = await postJson(`${base}${route}`, body);
    if (response.status !== 200) {
      throw new Error(`BENCH_CENTRALIZED_FAILED: ${JSON.stringify(response.body)}`);
    }
    return executionResponse.parse(response.body);
  };
  return {
    label: `centralized${stepPath === 'plain-workers' ? ', plain workers (reference)' : ''} (${fsync ? 'fsync' : 'no fsync'})`,
    path: CENTRALIZED_PATHS[stepPath],
    durability: fsync
      ? 'SQLite WAL, synchronous=FULL: every transition fsync’d before the next step'
      : 'SQLite WAL, synchronous=NORMAL: transitions reach the OS, no fsync',
    async runChain(clouds) {
      const result = await call('/executions/chain', { clouds, payload: chainPayload() });
      lastWrites = result.writes;
      return marksOf(result.output);
    },
    workflows: {
      async deploy(ir: WorkflowIR) {
        const functions = await host.deploy(ir);
        const response = await postJson(`${base}/deploy`, { ir, functions });
        if (response.status !== 200)
          throw new Error(`BENCH_CENTRALIZED_DEPLOY: ${JSON.stringify(response.body)}`);
      },
      async run(workflow, input) {
        const before = lastWrites;
        const started = preciseNow();
        const result = await call('/executions/workflow', { workflow, input });
        const makespanMs = preciseNow() - started;
        lastWrites = result.writes;
        return {
          output: result.output,
          makespanMs,
          storeWrites: result.writes - before,
          ...(result.tally ? { tally: result.tally } : {}),
        };
      },
    },
    pids: async (workflow) => [coordinator.pid, ...(await host.pids(workflow))],
    async close() {
      await coordinator.stop();
      await host.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
