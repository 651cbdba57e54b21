import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WorkflowIR } from '@jointflow/ir';
import { z } from 'zod';
import { benchFile, startChild } from '../../childProcess';
import { postJson } from '../../httpJson';
import { preciseNow } from '../../percentiles';
import { chainPayload } from '../../userCode';
import type { CloudTopology, SystemUnderTest } from '../chainRunner';
import { startPlainCluster } from '../plainCluster';

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

/**
 * Starts the Step-Functions-style coordinator on `topology.clouds[0]` with one plain worker per
 * cloud (across clouds through the profiles' latency) and an SQLite history with fsync on or off.
 */
export async function startCentralized(
  topology: CloudTopology,
  fsync: boolean,
): Promise<SystemUnderTest> {
  const home = topology.clouds[0] ?? '';
  const dir = mkdtempSync(path.join(tmpdir(), 'jf-bench-central-'));
  const cluster = await startPlainCluster(topology);
  const workers = Object.fromEntries(
    topology.clouds.map((cloud) => [cloud, cluster.url(home, cloud)]),
  );
  const coordinator = await startChild<{ port: number }>(
    benchFile('./systems/centralized/coordinator.ts'),
    { args: [JSON.stringify({ db: path.join(dir, 'history.db'), fsync, home, workers })] },
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
    label: `centralized (${fsync ? 'fsync' : 'no fsync'})`,
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
        const response = await postJson(`${base}/deploy`, ir);
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
    pids: async () => [coordinator.pid, ...[...cluster.workers.values()].map((w) => w.pid)],
    async close() {
      await coordinator.stop();
      await cluster.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
