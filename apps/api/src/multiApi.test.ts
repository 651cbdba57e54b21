import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudShim } from '@jointflow/shims';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './apiClient';
import type { ExecutionEngine } from './executionEngine';
import { type ApiServer, type ApiServerOptions, createApiServer } from './server';
import { openRepository } from './store/openRepository';
import { chainGraph, traceEvent } from './testing/apiHarness';
import { memoryClouds, recordingEngine } from './testing/memoryCloud';
import {
  createDatabase,
  type PostgresServer,
  postgresRequired,
  postgresUnavailable,
  startPostgres,
} from './testing/postgresServer';
import { useTestLocalClouds } from './testing/testLocalClouds';

/**
 * Several API processes on one PostgreSQL database (issue 14): they start at the same moment on
 * a fresh database, ingest the same batches, follow each other's executions over SSE, and one
 * watchdog redrives. Each "process" here is a `createApiServer` of its own (own pool, session,
 * watchdog, port) on one shared home (token and master key), as N processes behind one load
 * balancer would be.
 */
const pgMissing = postgresUnavailable();
if (pgMissing !== undefined) {
  const message = `\n*** multi-API PostgreSQL tests SKIPPED: ${pgMissing} ***\n`;
  if (postgresRequired()) throw new Error(message);
  console.warn(message);
}

/** Executions run through both APIs against real local clouds (JF_MULTI_API_RUNS for more). */
const RUNS = Number(process.env.JF_MULTI_API_RUNS ?? 24);

describe.skipIf(pgMissing !== undefined)('N API processes on one PostgreSQL', () => {
  let postgres: PostgresServer;
  const homes: string[] = [];
  beforeAll(async () => {
    postgres = await startPostgres();
  });
  afterAll(async () => {
    await postgres?.stop();
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });

  /** Two APIs started at the same moment on a fresh database and one fresh home. */
  async function startTwo(
    clouds: readonly CloudShim[],
    extra: (index: number) => Partial<ApiServerOptions>,
  ): Promise<{ apis: ApiServer[]; logs: string[][] }> {
    const databaseUrl = await createDatabase(postgres.url);
    const home = mkdtempSync(join(tmpdir(), 'jf-multi-'));
    homes.push(home);
    const logs: string[][] = [[], []];
    const apis = await Promise.all(
      [0, 1].map((index) =>
        createApiServer({
          home,
          databaseUrl,
          clouds,
          log: (message) => logs[index]?.push(message),
          ...extra(index),
        }),
      ),
    );
    return { apis, logs };
  }

  it('both come up at once; ingest is idempotent across them; SSE and one watchdog', async () => {
    const clouds = memoryClouds();
    const engine = recordingEngine();
    // The first start of every execution fails as a cloud restarting would (issue 14: a start
    // failing with ECONNRESET was not retried).
    const flaky: ExecutionEngine = {
      ...engine,
      async start(run) {
        if (!engine.starts.some((s) => s.execution === run.execution)) {
          engine.starts.push(run);
          throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
        }
        await engine.start(run);
      },
    };
    const { apis, logs } = await startTwo(clouds, () => ({
      engine: flaky,
      watchdog: { stallMs: 300, intervalMs: 100, maxRedrives: 3 },
    }));
    const [a, b] = apis as [ApiServer, ApiServer];
    try {
      const viaA = new ApiClient(a.url, a.token);
      const viaB = new ApiClient(b.url, b.token);
      expect(a.token).toBe(b.token);
      const { id: workflow } = await viaA.createWorkflow('chain', chainGraph);
      const { id: deployment } = await viaB.deploy(workflow);
      expect((await viaA.waitForDeployment(deployment, 10_000)).status).toBe('ready');
      const secret = clouds[0]?.deployed.find((d) => d.deployment === deployment)?.env
        .JF_TRACE_SECRET;
      if (secret === undefined) throw new Error('no ingest secret in the deployed env');

      // Started through A, retried after the ECONNRESET: running, started twice.
      const { id: execution } = await viaA.startExecution(deployment, { value: 1 });
      expect(engine.starts.filter((s) => s.execution === execution)).toHaveLength(2);
      expect((await viaB.getExecution(execution)).status).toBe('running');

      // The same batch to both at once, 40 times: no 500, every event stored exactly once.
      const ingest = (api: ApiServer, events: unknown[]) =>
        fetch(`${api.url}/api/v1/ingest`, {
          method: 'POST',
          headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
          body: JSON.stringify({ events }),
        }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as { accepted: number; duplicates: number },
        }));
      const batches = 40;
      for (let i = 0; i < batches; i++) {
        const batch = ['step.started', 'step.succeeded'].map((kind) =>
          traceEvent(execution, deployment, `step${i}`, kind as 'step.started'),
        );
        const answers = await Promise.all([ingest(a, batch), ingest(b, batch)]);
        expect(answers.map((x) => x.status)).toEqual([200, 200]);
        expect(answers.reduce((n, x) => n + x.body.accepted, 0)).toBe(2);
        expect(answers.reduce((n, x) => n + x.body.duplicates, 0)).toBe(2);
      }

      // B streams what A stored, with contiguous ids, to the end that A ingests.
      const seqs: number[] = [];
      const following = viaB.followEvents(execution, { onEvent: (e) => seqs.push(e.seq) });
      engine.results.set(execution, { status: 'succeeded', result: { value: 3 } });
      const end = [traceEvent(execution, deployment, 'second', 'execution.succeeded')];
      expect((await ingest(a, end)).body.accepted).toBe(1);
      const ended = await following;
      expect(ended?.status).toBe('succeeded');
      expect(seqs).toEqual(Array.from({ length: batches * 2 + 1 }, (_, i) => i + 1));

      // A stalled execution: exactly one API's watchdog redrives it until it gives up.
      const { id: stalled } = await viaB.startExecution(deployment, { value: 2 });
      for (let i = 0; i < 600; i++) {
        if ((await viaA.getExecution(stalled)).status === 'failed') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect((await viaA.getExecution(stalled)).status).toBe('failed');
      const redrivesBy = logs.map(
        (lines) => lines.filter((l) => l.includes(`${stalled} stalled; redriving`)).length,
      );
      expect(redrivesBy.sort()).toEqual([0, 3]);
      expect(engine.redrives.filter((r) => r.execution === stalled)).toHaveLength(3);

      // The watchdog's holder stops: its session ends, and the other process takes over.
      const leader = redrivesBy[0] === 3 ? 0 : 1;
      const leaderApi = apis[leader] as ApiServer;
      const other = new ApiClient(apis[1 - leader]?.url ?? '', a.token);
      await leaderApi.close();
      const { id: orphan } = await other.startExecution(deployment, { value: 3 });
      for (let i = 0; i < 600; i++) {
        if ((await other.getExecution(orphan)).status === 'failed') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect((await other.getExecution(orphan)).status).toBe('failed');
      const redrivenBy = logs.map(
        (lines) => lines.filter((l) => l.includes(`${orphan} stalled; redriving`)).length,
      );
      expect(redrivenBy[leader]).toBe(0);
      expect(redrivenBy[1 - leader]).toBe(3);
    } finally {
      await Promise.all(apis.map((api) => api.close()));
    }
  });

  it('a change stored by one process is notified to the others (LISTEN/NOTIFY)', async () => {
    const databaseUrl = await createDatabase(postgres.url);
    const [one, two] = await Promise.all([
      openRepository({ home: tmpdir(), databaseUrl }),
      openRepository({ home: tmpdir(), databaseUrl }),
    ]);
    try {
      const { id: workflow } = await one.createWorkflow({ name: 'w', graph: chainGraph });
      const deployment = await one.createDeployment({
        workflowId: workflow,
        version: 1,
        ir: {
          format: 1,
          workflow: 'w',
          version: 'v',
          start: 'first',
          resultStore: 'aws-local',
          functions: {},
        },
        functions: [],
      });
      const execution = await one.createExecution({
        deploymentId: deployment.id,
        workflowId: workflow,
        input: null,
      });
      const heard: string[] = [];
      let wake: () => void = () => {};
      const woken = new Promise<void>((resolve) => {
        wake = resolve;
      });
      two.onExecutionChanged((id) => {
        heard.push(id);
        wake();
      });
      // The listener's session connects in the background: until it listens, re-send (bounded).
      for (let i = 0; i < 100 && heard.length === 0; i++) {
        await one.ingestEvents([
          traceEvent(execution.id, deployment.id, `step${i}`, 'step.started'),
        ]);
        await Promise.race([woken, new Promise((resolve) => setTimeout(resolve, 100))]);
      }
      expect(heard[0]).toBe(execution.id);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  describe('with real local clouds', () => {
    const localClouds = useTestLocalClouds('jf-multi-clouds-');

    it(`${RUNS} executions started through both complete with 0 redrives`, async () => {
      const local = localClouds();
      const { apis, logs } = await startTwo(
        local.clouds.map((c) => c.shim),
        () => ({}),
      );
      try {
        const clients = apis.map((api) => new ApiClient(api.url, api.token));
        const [viaA, viaB] = clients as [ApiClient, ApiClient];
        const { id: workflow } = await viaA.createWorkflow('chain', chainGraph);
        const { id: deployment } = await viaA.deploy(workflow);
        const ready = await viaA.waitForDeployment(deployment, 120_000);
        expect(ready.status, JSON.stringify(ready)).toBe('ready');
        const ids = await Promise.all(
          Array.from({ length: RUNS }, (_, i) =>
            (i % 2 === 0 ? viaA : viaB).startExecution(deployment, { value: i }),
          ),
        );
        const finished = new Map<string, Record<string, unknown>>();
        // Bounded by polls, not time: each poll waits a little for the clouds to work.
        for (let poll = 0; poll < 2_000 && finished.size < RUNS; poll++) {
          for (const { id } of ids) {
            if (finished.has(id)) continue;
            const execution = await (poll % 2 === 0 ? viaA : viaB).getExecution(id);
            if (execution.status !== 'running') finished.set(id, execution);
          }
          if (finished.size < RUNS) await new Promise((resolve) => setTimeout(resolve, 250));
        }
        const executions = [...finished.values()];
        expect(executions).toHaveLength(RUNS);
        expect(executions.filter((e) => e.status === 'succeeded')).toHaveLength(RUNS);
        const values = executions
          .map((e) => (e.result as { value: number }).value)
          .sort((x, y) => x - y);
        expect(values).toEqual(Array.from({ length: RUNS }, (_, i) => i + 2));
        const redrives = executions.reduce((n, e) => n + Number(e.redrives), 0);
        console.log(`multi-API: ${RUNS} executions through 2 APIs, ${redrives} redrives`);
        expect(redrives, logs.flat().join('\n')).toBe(0);
      } finally {
        await Promise.all(apis.map((api) => api.close()));
      }
      // A safety net for a hung run, not a budget: the polls above bound the wait.
    }, 1_200_000);
  });
});
