import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClientError } from './apiClient';
import { chainGraph, type Harness, startHarness, traceEvent } from './testing/apiHarness';
import {
  type MemoryCloud,
  memoryClouds,
  type RecordingEngine,
  recordingEngine,
} from './testing/memoryCloud';
import {
  createDatabase,
  type PostgresServer,
  postgresRequired,
  postgresUnavailable,
  startPostgres,
} from './testing/postgresServer';
import { rawHttp } from './testing/rawHttp';

type Backend = 'sqlite' | 'postgres';
type ErrorBody = { error: { code: string; message: string; diagnostics: unknown[] } };

const pgMissing = postgresUnavailable();
if (pgMissing !== undefined) {
  const message = `\n*** PostgreSQL API tests SKIPPED: ${pgMissing} ***\n`;
  if (postgresRequired()) throw new Error(message);
  console.warn(message);
}
const backends: Backend[] = pgMissing === undefined ? ['sqlite', 'postgres'] : ['sqlite'];

let postgres: PostgresServer | undefined;
beforeAll(async () => {
  if (backends.includes('postgres')) postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

async function raw(h: Harness, method: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`${h.api.url}${path}`, {
    method,
    ...init,
    headers: { authorization: `Bearer ${h.api.token}`, ...(init.headers ?? {}) },
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text === '' ? undefined : (JSON.parse(text) as ErrorBody),
  };
}

describe.each(backends)('API on %s', (backend) => {
  let h: Harness;
  let clouds: MemoryCloud[];
  let engine: RecordingEngine;

  async function start() {
    clouds = memoryClouds();
    engine = recordingEngine();
    const databaseUrl =
      backend === 'postgres' && postgres ? await createDatabase(postgres.url) : undefined;
    h = await startHarness({ clouds, engine, ...(databaseUrl ? { databaseUrl } : {}) });
  }

  afterEach(async () => {
    await h?.close();
  });

  async function deployChain(): Promise<{ workflow: string; deployment: string; secret: string }> {
    const { id: workflow } = await h.client.createWorkflow('chain', chainGraph);
    const { id: deployment } = await h.client.deploy(workflow);
    const ready = await h.client.waitForDeployment(deployment, 10_000);
    expect(ready.status).toBe('ready');
    const secret = clouds[0]?.deployed.find((d) => d.deployment === deployment)?.env
      .JF_TRACE_SECRET;
    if (secret === undefined) throw new Error('no ingest secret in the deployed env');
    return { workflow, deployment, secret };
  }

  async function ingest(secret: string, events: unknown[]) {
    const send = () =>
      fetch(`${h.api.url}/api/v1/ingest`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
    // Ingest is idempotent, so a sender retries it; after a restart on the same port the first
    // try may land on a pooled connection the old server closed.
    const response = await send().catch(send);
    return { status: response.status, body: (await response.json()) as Record<string, number> };
  }

  it('guards every endpoint but health with the token, kept in a 0600 file', async () => {
    await start();
    const health = await fetch(`${h.api.url}/api/v1/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, storage: backend });
    const noToken = await fetch(`${h.api.url}/api/v1/workflows`);
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({ error: { code: 'API_UNAUTHORIZED' } });
    const wrong = await raw(h, 'GET', '/api/v1/workflows', {
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
    // A token in the URL is refused everywhere, the event stream included: headers only.
    const inUrl = await fetch(
      `${h.api.url}/api/v1/executions/ex_0123456789abcdef/events?token=${h.api.token}`,
    );
    expect(inUrl.status).toBe(401);
    expect(statSync(join(h.home, 'token')).mode & 0o777).toBe(0o600);
    expect(statSync(join(h.home, 'master.key')).mode & 0o777).toBe(0o600);
    expect(h.api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const preflight = (origin: string) =>
      fetch(`${h.api.url}/api/v1/workflows`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET' },
      }).then((r) => r.headers.get('access-control-allow-origin'));
    expect(await preflight('http://evil.example')).toBeNull();
    expect(await preflight(h.api.url)).toBe(h.api.url);
    const openapi = await fetch(`${h.api.url}/api/v1/openapi.json`);
    expect(((await openapi.json()) as { paths: Record<string, unknown> }).paths).toHaveProperty(
      '/api/v1/executions/{id}/events',
    );
  });

  it('stores workflows with versions, pages the list and deletes', async () => {
    await start();
    const created = await h.client.createWorkflow('chain', chainGraph);
    expect(created.version).toBe(1);
    const updated = await h.client.updateWorkflow(created.id, {
      graph: { ...chainGraph, description: 'second' },
    });
    expect(updated).toEqual({ id: created.id, version: 2 });
    const got = await h.client.getWorkflow(created.id);
    expect(got.version).toBe(2);
    expect(got.graph.description).toBe('second');
    const versions = await h.client.listWorkflowVersions(created.id);
    expect(versions.items.map((v) => v.version)).toEqual([2, 1]);
    const v1 = await h.client.getWorkflowVersion(created.id, 1);
    expect(v1.graph.description).toBeUndefined();

    for (let i = 0; i < 4; i++) await h.client.createWorkflow(`w${i}`, chainGraph);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${cursor}`;
      const page = await h.client.listWorkflows(`?limit=2${query}`);
      seen.push(...page.items.map((w) => w.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(new Set(seen).size).toBe(5);

    await h.client.request('DELETE', `/api/v1/workflows/${created.id}`);
    const gone = await raw(h, 'GET', `/api/v1/workflows/${created.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body?.error.code).toBe('API_NOT_FOUND');
  });

  it('answers client mistakes with 4xx codes', async () => {
    await start();
    const json = { 'content-type': 'application/json' };
    expect(
      (await raw(h, 'POST', '/api/v1/workflows', { headers: json, body: '{"name":' })).body?.error
        .code,
    ).toBe('API_BAD_JSON');
    const invalid = await raw(h, 'POST', '/api/v1/workflows', {
      headers: json,
      body: JSON.stringify({ name: 'x', graph: { nodes: 3 } }),
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body?.error.code).toBe('API_VALIDATION');
    const big = await rawHttp(
      `${h.api.url}/api/v1/workflows`,
      'POST',
      { ...json, authorization: `Bearer ${h.api.token}` },
      JSON.stringify({ name: 'x', pad: 'a'.repeat(2 * 1024 * 1024) }),
    );
    expect(big.status).toBe(413);
    expect(JSON.parse(big.text).error.code).toBe('API_BODY_TOO_LARGE');
    expect((await raw(h, 'GET', '/api/v1/executions/ex_0000000000000000')).status).toBe(404);
    expect((await raw(h, 'GET', '/api/v1/executions/nonsense')).status).toBe(400);
    expect((await raw(h, 'GET', '/api/v1/nowhere')).body?.error.code).toBe('API_NOT_FOUND');
    expect((await raw(h, 'GET', '/api/v1/executions?cursor=zzz')).body?.error.code).toBe(
      'API_VALIDATION',
    );
  });

  it('refuses to deploy a graph with errors (422 with diagnostics)', async () => {
    await start();
    const broken = {
      ...chainGraph,
      edges: [{ id: 'e1', source: 'first', target: 'missing' }],
    };
    const { id } = await h.client.createWorkflow('broken', broken);
    const response = await raw(h, 'POST', `/api/v1/workflows/${id}/deployments`, {
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(422);
    expect(response.body?.error.code).toBe('API_GRAPH_INVALID');
    expect(response.body?.error.diagnostics.length).toBeGreaterThan(0);
  });

  it('deploys per function and cloud, and reports a failed function with its reason', async () => {
    await start();
    const { deployment } = await deployChain();
    const record = await h.client.getDeployment(deployment);
    expect(record.functions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'first', cloud: 'aws-local', status: 'ready' }),
        expect.objectContaining({ name: 'second', cloud: 'aliyun-local', status: 'ready' }),
      ]),
    );
    clouds[1]?.failDeploy.add('second');
    const { id: workflow } = await h.client.createWorkflow('chain2', chainGraph);
    const { id: failing } = await h.client.deploy(workflow);
    const failed = await h.client.waitForDeployment(failing, 10_000);
    expect(failed.status).toBe('failed');
    const reason = failed.functions.find((f) => f.name === 'second')?.reason ?? '';
    expect(reason).toContain('cannot build');
    expect(reason).toContain('[secret]');
    expect(reason).not.toMatch(/dep_[0-9a-f]{16}\.[A-Za-z0-9_-]{20,}/);
    await expect(h.client.startExecution(failing, {})).rejects.toMatchObject({
      code: 'API_CONFLICT',
    });

    // Removing a deployment deletes its functions on every cloud and keeps the record.
    await h.client.request('DELETE', `/api/v1/deployments/${deployment}`);
    const removed = await h.client.getDeployment(deployment);
    expect(removed.status).toBe('removed');
    expect(removed.functions.every((f) => f.status === 'removed')).toBe(true);
    expect(await clouds[0]?.describe(deployment, 'first')).toEqual({ state: 'absent' });
  });

  it('runs an execution from ingested events: status, result, cost, instances, SSE to the end', async () => {
    await start();
    const { workflow, deployment, secret } = await deployChain();
    const { id } = await h.client.startExecution(deployment, { value: 1 });
    expect(engine.starts.map((s) => s.execution)).toEqual([id]);

    const streamed: number[] = [];
    const following = h.client.followEvents(id, { onEvent: (e) => streamed.push(e.seq) });
    const events = [
      traceEvent(id, deployment, 'first', 'step.started'),
      traceEvent(id, deployment, 'first', 'step.succeeded', {
        output: { value: 2 },
        durationMs: 3,
      }),
      traceEvent(id, deployment, 'first', 'invocation.billed', { costUsd: 0.001, billedMs: 4 }),
      traceEvent(id, deployment, 'second', 'step.started', { cloud: 'aliyun-local' }),
    ];
    const first = await ingest(secret, [...events, { junk: true }]);
    expect(first.body).toMatchObject({ accepted: 4, duplicates: 0, invalid: 1 });
    const again = await ingest(secret, events);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 4 });
    engine.results.set(id, { status: 'succeeded', result: { value: 3, full: true } });
    await ingest(secret, [
      traceEvent(id, deployment, 'second', 'step.succeeded', {
        cloud: 'aliyun-local',
        output: { value: 3 },
      }),
      traceEvent(id, deployment, 'second', 'execution.succeeded', { output: { value: 3 } }),
    ]);
    const end = await following;
    expect(end?.status).toBe('succeeded');
    expect(streamed).toEqual([1, 2, 3, 4, 5, 6]);

    const execution = await h.client.getExecution(id);
    expect(execution).toMatchObject({
      status: 'succeeded',
      input: { value: 1 },
      result: { value: 3, full: true },
      costUsd: 0.001,
      workflowId: workflow,
    });
    expect(execution.makespanMs).toEqual(expect.any(Number));
    expect(execution.instances).toEqual([
      expect.objectContaining({ instance: 'first', status: 'succeeded', costUsd: 0.001 }),
      expect.objectContaining({ instance: 'second', status: 'succeeded', cloud: 'aliyun-local' }),
    ]);

    const list = await h.client.listExecutions(`?workflow=${workflow}&status=succeeded`);
    expect(list.items.map((e) => e.id)).toEqual([id]);
    const none = await h.client.listExecutions('?status=failed');
    expect(none.items).toEqual([]);

    // Another deployment's secret cannot write this execution's events.
    const wrong = await ingest(`${deployment}.forged`, events);
    expect(wrong.status).toBe(401);

    // Nor can another deployment's real secret, by naming itself and this execution: a forged
    // result, a forged cost and a forged failure are all refused as unknown executions.
    const other = await deployChain();
    const before = await h.client.getExecution(id);
    const forged = await ingest(other.secret, [
      { ...traceEvent(id, other.deployment, 'step7', 'invocation.billed'), costUsd: 1e9 },
      traceEvent(id, other.deployment, 'step7', 'execution.failed'),
      { ...traceEvent(id, other.deployment, 'step7', 'step.succeeded'), id: `${id}/forged/x/1` },
    ]);
    expect(forged.body).toMatchObject({ accepted: 0, unknown: 3 });
    const after = await h.client.getExecution(id);
    expect(after).toMatchObject({
      status: before.status,
      costUsd: before.costUsd,
      lastSeq: before.lastSeq,
    });
  });

  it('resumes SSE after a restart with Last-Event-ID, without loss or duplicates', async () => {
    await start();
    const { deployment, secret } = await deployChain();
    const { id } = await h.client.startExecution(deployment, {});
    const batch = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) =>
        traceEvent(id, deployment, `step${from + i}`, 'step.succeeded'),
      );
    await ingest(secret, batch(0, 5));
    const seen: number[] = [];
    const controller = new AbortController();
    const reading = h.client
      .followEvents(id, {
        signal: controller.signal,
        onEvent: (e) => {
          seen.push(e.seq);
          if (seen.length === 5) controller.abort();
        },
      })
      .catch(() => undefined);
    await reading;
    expect(seen).toEqual([1, 2, 3, 4, 5]);

    await h.restart();
    // Events re-sent after the restart (some already stored) plus new ones.
    const again = await ingest(secret, [...batch(3, 8)]);
    expect(again.body).toMatchObject({ accepted: 3, duplicates: 2 });
    engine.results.set(id, { status: 'succeeded', result: 42 });
    await ingest(secret, [traceEvent(id, deployment, 'step7', 'execution.succeeded')]);
    const end = await h.client.followEvents(id, {
      lastEventId: 5,
      onEvent: (e) => seen.push(e.seq),
    });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(end).toMatchObject({ status: 'succeeded', lastSeq: 9 });
    // A Last-Event-ID past the end gets nothing, and the end names the real last event.
    const beyond: number[] = [];
    const past = await h.client.followEvents(id, {
      lastEventId: 50,
      onEvent: (e) => beyond.push(e.seq),
    });
    expect(beyond).toEqual([]);
    expect(past).toMatchObject({ status: 'succeeded', lastSeq: 9 });
  });

  it('redrives a stalled execution from the watchdog, and by hand', async () => {
    clouds = memoryClouds();
    engine = recordingEngine();
    const databaseUrl =
      backend === 'postgres' && postgres ? await createDatabase(postgres.url) : undefined;
    h = await startHarness({
      clouds,
      engine,
      ...(databaseUrl ? { databaseUrl } : {}),
      extra: { watchdog: { stallMs: 100, intervalMs: 50, maxRedrives: 2 } },
    });
    const { deployment, secret } = await deployChain();
    const { id } = await h.client.startExecution(deployment, {});
    const until = Date.now() + 5_000;
    while (Date.now() < until) {
      const execution = await h.client.getExecution(id);
      if (execution.status === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(engine.redrives.length).toBe(2);
    const failed = await h.client.getExecution(id);
    expect(failed).toMatchObject({ status: 'failed', redrives: 2, idleRedrives: 2 });
    await h.client.request('POST', `/api/v1/executions/${id}/redrive`);
    expect(engine.redrives.length).toBe(3);
    expect(await h.client.getExecution(id)).toMatchObject({ status: 'running', idleRedrives: 0 });

    // A step in flight (started, not ended) is given its timeout (30 s by default), not 100 ms.
    const { id: busy } = await h.client.startExecution(deployment, {});
    await ingest(secret, [traceEvent(busy, deployment, 'first', 'step.started')]);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(engine.redrives.filter((r) => r.execution === busy)).toEqual([]);
    expect((await h.client.getExecution(busy)).status).toBe('running');
    await expect(
      h.client.request('POST', '/api/v1/executions/ex_0000000000000000/redrive'),
    ).rejects.toBeInstanceOf(ApiClientError);
  });

  it('plans auto nodes, estimates, compiles, and deploys an auto graph on the planned clouds', async () => {
    await start();
    const gpu = 'export async function handler(input) { return input; }';
    const auto = {
      name: 'auto',
      nodes: [
        { kind: 'task', name: 'prep', cloud: 'aws-local', code: gpu },
        { kind: 'task', name: 'infer', cloud: 'auto', functionClass: 'gpu', code: gpu },
      ],
      edges: [{ id: 'e1', source: 'prep', target: 'infer' }],
    };
    const planned = await h.client.plan({ graph: auto, objective: 'makespan' });
    expect(Object.keys(planned.placement)).toEqual(['infer']);
    expect(planned.ir?.functions.infer?.cloud).toBe(planned.placement.infer);
    expect(planned.estimate?.makespanMs).toBeGreaterThan(0);

    const estimated = await h.client.estimate({ graph: auto, placement: { infer: 'aws-local' } });
    expect(estimated.estimate?.costUsd).toBeGreaterThan(0);
    const compiled = await h.client.compile({ graph: auto, placement: { infer: 'aliyun-local' } });
    expect(compiled.ir).toBeDefined();

    const { id: workflow } = await h.client.createWorkflow('auto', auto);
    const { id: deployment } = await h.client.deploy(workflow);
    const ready = await h.client.waitForDeployment(deployment, 10_000);
    expect(ready.functions.find((f) => f.name === 'infer')?.cloud).toBe(planned.placement.infer);
  });

  it('closes finished executions after the grace; a closed one cannot be redriven', async () => {
    clouds = memoryClouds();
    engine = recordingEngine();
    const databaseUrl =
      backend === 'postgres' && postgres ? await createDatabase(postgres.url) : undefined;
    h = await startHarness({
      clouds,
      engine,
      ...(databaseUrl ? { databaseUrl } : {}),
      extra: {
        watchdog: { intervalMs: 50, closeSucceededAfterMs: 100, closeFailedAfterMs: 60_000 },
      },
    });
    const { deployment, secret } = await deployChain();
    const { id: done } = await h.client.startExecution(deployment, {});
    const { id: failing } = await h.client.startExecution(deployment, {});
    engine.results.set(done, { status: 'succeeded', result: 1 });
    engine.results.set(failing, { status: 'failed', error: { message: 'boom' } });
    await ingest(secret, [
      traceEvent(done, deployment, 'second', 'execution.succeeded'),
      traceEvent(failing, deployment, 'first', 'execution.failed', { error: { message: 'boom' } }),
    ]);
    const until = Date.now() + 5_000;
    while (Date.now() < until && (await h.client.getExecution(done)).closedAt === null) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await h.client.getExecution(done)).closedAt).toEqual(expect.any(Number));
    expect(engine.closes).toEqual([done]);
    // The failed one stays open, so it can still be redriven.
    expect((await h.client.getExecution(failing)).closedAt).toBeNull();
    await expect(
      h.client.request('POST', `/api/v1/executions/${done}/redrive`),
    ).rejects.toMatchObject({
      code: 'API_CONFLICT',
    });
    await h.client.request('POST', `/api/v1/executions/${failing}/redrive`);
    expect(engine.redrives.map((r) => r.execution)).toEqual([failing]);
  });

  it('lists clouds with health and passes faults to a cloud', async () => {
    await start();
    const listed = await h.client.listClouds();
    expect(listed.items.map((c) => c.id)).toEqual(['aws-local', 'aliyun-local']);
    expect(listed.items.every((c) => c.health.ok)).toBe(true);
    await h.client.request('POST', '/api/v1/clouds/aws-local/faults', { drop: 0.5, seed: 1 });
    expect(clouds[0]?.faults).toEqual([{ drop: 0.5, seed: 1 }]);
    await expect(
      h.client.request('POST', '/api/v1/clouds/aws-local/faults', { drop: 7 }),
    ).rejects.toMatchObject({
      code: 'API_VALIDATION',
    });
    await expect(h.client.request('POST', '/api/v1/clouds/gcp/faults', {})).rejects.toMatchObject({
      code: 'API_NOT_FOUND',
    });
  });
});
