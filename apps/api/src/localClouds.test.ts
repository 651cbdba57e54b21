import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalClouds, startLocalClouds } from '@jointflow/local-cloud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './testing/apiHarness';
import {
  createDatabase,
  type PostgresServer,
  postgresUnavailable,
  startPostgres,
} from './testing/postgresServer';

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
  let dir: string;
  let local: LocalClouds;
  let postgres: PostgresServer | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jf-api-clouds-'));
    [local, postgres] = await Promise.all([
      startLocalClouds({
        dataDir: join(dir, 'clouds'),
        durability: 'os',
        maxWorkersPerCloud: 2,
        behaviour: { coldStartMs: 0, asyncRetryDelayMs: 50 },
        logs: 'ignore',
      }),
      backends.includes('postgres') ? startPostgres() : Promise.resolve(undefined),
    ]);
  });

  afterAll(async () => {
    await Promise.all([local?.stop(), postgres?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(backends)('runs examples/iot-pipeline.json end to end on %s', async (backend) => {
    const databaseUrl =
      backend === 'postgres' && postgres ? await createDatabase(postgres.url) : undefined;
    const h: Harness = await startHarness({
      clouds: local.clouds.map((c) => c.shim),
      ...(databaseUrl ? { databaseUrl } : {}),
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
      const instances = execution.instances as { node: string; status: string }[];
      expect(new Set(instances.map((i) => i.node))).toEqual(new Set(iot.nodes.map((n) => n.name)));
      expect(instances.every((i) => i.status === 'succeeded')).toBe(true);
    } finally {
      await h.close();
    }
  });
});
