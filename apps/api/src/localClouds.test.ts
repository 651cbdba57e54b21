import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keys } from '@jointflow/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, slowChainGraph, startHarness } from './testing/apiHarness';
import { freePort } from './testing/freePort';
import {
  createDatabase,
  type PostgresServer,
  postgresUnavailable,
  startPostgres,
} from './testing/postgresServer';
import { useTestLocalClouds } from './testing/testLocalClouds';

/**
 * The acceptance path against real local clouds and the real runtime: create a workflow from
 * examples/iot-pipeline.json, deploy it, run it, follow its events over SSE to the end, read the
 * result — on SQLite and on PostgreSQL.
 */
const examples = join(import.meta.dirname, '..', '..', '..', 'examples');
const iot = JSON.parse(readFileSync(join(examples, 'iot-pipeline.json'), 'utf8')) as {
  name: string;
  sampleInput: unknown;
  nodes: { name: string }[];
};

const backends = postgresUnavailable() === undefined ? ['sqlite', 'postgres'] : ['sqlite'];

describe('API with real local clouds', () => {
  const started = useTestLocalClouds('jf-api-clouds-');
  let postgres: PostgresServer | undefined;
  // Every API in this file listens on the same port, one after the other: trace events a cloud
  // still holds for an earlier test's API then reach a live server (which ignores them as
  // unknown) instead of waiting in the cloud's outbox ahead of this test's events.
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    if (backends.includes('postgres')) postgres = await startPostgres();
  });

  afterAll(async () => {
    await postgres?.stop();
  });

  it('loses nothing when the API restarts while an execution runs', async () => {
    const h: Harness = await startHarness({
      clouds: started().clouds.map((c) => c.shim),
      extra: { port },
    });
    const steps = ['s1', 's2', 's3', 's4', 's5', 's6'];
    const graph = slowChainGraph(steps, 250);
    try {
      const { id: workflow } = await h.client.createWorkflow(graph.name, graph);
      const { id: deployment } = await h.client.deploy(workflow);
      expect((await h.client.waitForDeployment(deployment, 60_000)).status).toBe('ready');
      const { id } = await h.client.startExecution(deployment, { n: 0 });

      const seen: { seq: number; id: string }[] = [];
      const controller = new AbortController();
      await h.client
        .followEvents(id, {
          signal: controller.signal,
          onEvent: (e) => {
            seen.push({ seq: e.seq, id: String(e.id) });
            if (seen.length >= 3) controller.abort();
          },
        })
        .catch(() => undefined);
      const before = seen.length;
      expect(before).toBeGreaterThanOrEqual(3);

      // Down while steps keep running: the clouds keep their events in their outboxes.
      const port = Number(new URL(h.api.url).port);
      await h.restart();
      expect(Number(new URL(h.api.url).port)).toBe(port);

      const last = seen[seen.length - 1]?.seq ?? 0;
      const end = await h.client.followEvents(id, {
        lastEventId: last,
        onEvent: (e) => seen.push({ seq: e.seq, id: String(e.id) }),
      });
      expect(end?.status).toBe('succeeded');
      expect(end?.result).toEqual({ n: steps.length });
      expect(seen.map((e) => e.seq)).toEqual(seen.map((_, i) => i + 1));
      expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
      const succeeded = seen.filter((e) => e.id.includes('/step.succeeded/'));
      expect(succeeded.length).toBe(steps.length);
    } finally {
      await h.close();
    }
  });

  it('finishes under dropped invokes and duplicates through the watchdog, with the fault-free result', async () => {
    const h: Harness = await startHarness({
      clouds: started().clouds.map((c) => c.shim),
      // Drops hit redrives too: a doubling wait after each would stretch this run to minutes on
      // a busy machine, so the wait stays at most twice the stall time here.
      extra: {
        port,
        watchdog: { stallMs: 400, intervalMs: 150, maxRedrives: 20, maxBackoff: 2 },
      },
    });
    try {
      const { id: workflow } = await h.client.createWorkflow(iot.name, iot);
      const { id: deployment } = await h.client.deploy(workflow);
      expect((await h.client.waitForDeployment(deployment, 60_000)).status).toBe('ready');
      const clean = await h.client.startExecution(deployment, iot.sampleInput);
      const expected = (await h.client.followEvents(clean.id, { onEvent: () => {} }))?.result;
      expect(expected).toBeDefined();

      for (const cloud of ['aws-local', 'aliyun-local']) {
        await h.client.request('POST', `/api/v1/clouds/${cloud}/faults`, {
          seed: 11,
          drop: 0.3,
          duplicate: 0.3,
        });
      }
      const faulty = await h.client.startExecution(deployment, iot.sampleInput);
      const end = await h.client.followEvents(faulty.id, { onEvent: () => {} });
      expect(end?.status).toBe('succeeded');
      expect(end?.result).toEqual(expected);
      const execution = await h.client.getExecution(faulty.id);
      const instances = execution.instances;
      expect(instances.length).toBe(iot.nodes.length);
    } finally {
      for (const cloud of ['aws-local', 'aliyun-local']) {
        await h.client.request('POST', `/api/v1/clouds/${cloud}/faults`, {}).catch(() => {});
      }
      await h.close();
    }
  });

  it.each(backends)('runs examples/iot-pipeline.json end to end on %s', async (backend) => {
    const databaseUrl =
      backend === 'postgres' && postgres ? await createDatabase(postgres.url) : undefined;
    const h: Harness = await startHarness({
      clouds: started().clouds.map((c) => c.shim),
      ...(databaseUrl ? { databaseUrl } : {}),
      extra: { port, watchdog: { intervalMs: 100, closeSucceededAfterMs: 300 } },
    });
    try {
      const { id: workflow } = await h.client.createWorkflow(iot.name, iot);
      const { id: deployment } = await h.client.deploy(workflow);
      const deployed = await h.client.waitForDeployment(deployment, 60_000);
      expect(deployed.functions.filter((f) => f.status !== 'ready')).toEqual([]);
      expect(deployed.status).toBe('ready');

      const { id } = await h.client.startExecution(deployment, iot.sampleInput);
      const kinds: string[] = [];
      const seqs: number[] = [];
      const end = await h.client.followEvents(id, {
        onEvent: (e) => {
          kinds.push(String(e.kind));
          seqs.push(e.seq);
        },
      });
      expect(end?.status).toBe('succeeded');
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      expect(kinds).toContain('execution.succeeded');

      const execution = await h.client.getExecution(id);
      expect(execution.status).toBe('succeeded');
      expect(execution.result).toBeDefined();
      expect(execution.makespanMs).toEqual(expect.any(Number));
      const instances = execution.instances;
      expect(new Set(instances.map((i) => i.node))).toEqual(new Set(iot.nodes.map((n) => n.name)));
      expect(instances.every((i) => i.status === 'succeeded')).toBe(true);

      // The clouds report what their cold starts cost on this host, for the planner's estimate.
      const { items: clouds } = await h.client.listClouds();
      expect(clouds.every((c) => (c.measured?.sandboxes ?? 0) >= 1)).toBe(true);
      const measured = clouds.filter((c) => (c.measured?.coldStarts ?? 0) > 0);
      expect(measured.length).toBeGreaterThan(0);
      for (const c of measured) expect(c.measured?.coldStartMs).toEqual(expect.any(Number));

      // After the grace the execution is closed in the clouds: the result record is gone from
      // the result store, the closed marker stays, and the API still answers from its database.
      const until = Date.now() + 10_000;
      while (Date.now() < until && (await h.client.getExecution(id)).closedAt === null) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const closed = await h.client.getExecution(id);
      expect(closed.closedAt).toEqual(expect.any(Number));
      expect(closed.result).toEqual(execution.result);
      const { ir } = await h.client.getDeployment(deployment);
      const store = started()
        .clouds.find((c) => c.profile.id === ir.resultStore)
        ?.shim.store();
      // Closing seals the result in place: a tombstone without the payload.
      expect(await store?.get(keys.result(id))).toEqual({
        closed: expect.objectContaining({ status: 'succeeded' }),
      });
      expect(await store?.get(keys.closed(id))).toMatchObject({ status: 'succeeded' });
    } finally {
      await h.close();
    }
  });
});
