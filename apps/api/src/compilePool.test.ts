import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from './apiError';
import { MAX_GRAPH_NODES } from './compileJob';
import { CompilePool } from './compilePool';
import { type Harness, startHarness } from './testing/apiHarness';
import { memoryClouds, recordingEngine } from './testing/memoryCloud';

/** A chain of `n` task steps, the shape that made compiling block the API (issue 14). */
function chain(n: number, code = 'export async function handler(x) { return x; }') {
  return {
    name: 'long-chain',
    nodes: Array.from({ length: n }, (_, i) => ({
      kind: 'task',
      name: `s${i}`,
      cloud: 'aws-local',
      ...(code === '' ? {} : { code }),
    })),
    edges: Array.from({ length: n - 1 }, (_, i) => ({
      id: `e${i}`,
      source: `s${i}`,
      target: `s${i + 1}`,
    })),
  };
}

describe('compiling off the event loop', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ clouds: memoryClouds(), engine: recordingEngine() });
  });
  afterAll(async () => {
    await h.close();
  });

  const post = (path: string, body: unknown) =>
    fetch(`${h.api.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.api.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('answers health while a 6,000-step chain compiles, then returns its IR', async () => {
    let compiled = false;
    // Done as soon as the answer's headers arrive: reading its large body takes a while more.
    const compile = post('/api/v1/compile', { graph: chain(6_000) }).then((response) => {
      compiled = true;
      return response;
    });
    // Health is asked one call after another while the compile is pending. With compiling on the
    // event loop, no health answer could arrive before the compile's answer.
    let answeredBefore = 0;
    while (!compiled && answeredBefore < 10) {
      const health = await fetch(`${h.api.url}/api/v1/health`);
      expect(health.status).toBe(200);
      await health.text();
      if (!compiled) answeredBefore += 1;
    }
    const response = await compile;
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      ir?: { functions: Record<string, unknown> };
      diagnostics: unknown[];
    };
    expect(body.diagnostics).toEqual([]);
    expect(Object.keys(body.ir?.functions ?? {})).toHaveLength(6_000);
    expect(answeredBefore).toBe(10);
  });

  it('plans, estimates and deploys through the workers too', async () => {
    const pinned = chain(3);
    const graph = { ...pinned, nodes: pinned.nodes.map((node) => ({ ...node, cloud: 'auto' })) };
    const plan = await post('/api/v1/plan', { graph });
    expect(plan.status).toBe(200);
    expect(Object.keys(((await plan.json()) as { placement: object }).placement)).toHaveLength(3);
    const estimate = await post('/api/v1/estimate', { graph });
    expect(((await estimate.json()) as { estimate: unknown }).estimate).not.toBeNull();
    const { id } = await h.client.createWorkflow('short', graph);
    const { id: deployment } = await h.client.deploy(id);
    expect((await h.client.waitForDeployment(deployment, 10_000)).status).toBe('ready');
  });

  it('refuses a graph over the size limit with 413 API_GRAPH_TOO_LARGE', async () => {
    for (const path of ['/api/v1/compile', '/api/v1/plan', '/api/v1/estimate']) {
      const response = await post(path, { graph: chain(MAX_GRAPH_NODES + 1, '') });
      expect(response.status).toBe(413);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('API_GRAPH_TOO_LARGE');
      expect(body.error.message).toContain(`${MAX_GRAPH_NODES} nodes`);
    }
  });
});

describe('CompilePool', () => {
  const profiles = () => memoryClouds().map((c) => c.profile);
  const body = JSON.stringify({ graph: chain(6_000) });

  it('fails only the job that runs out of heap or time, with 413, and keeps serving', async () => {
    const starved = new CompilePool(profiles, { maxHeapMb: 16 });
    const slow = new CompilePool(profiles, { jobTimeoutMs: 1 });
    try {
      for (const [pool, reason] of [
        [starved, 'ran out of memory'],
        [slow, 'took longer than'],
      ] as const) {
        const error = await pool.run({ op: 'request', route: 'compile', body }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ApiError);
        expect((error as ApiError).code).toBe('API_GRAPH_TOO_LARGE');
        expect((error as ApiError).message).toContain(reason);
      }
    } finally {
      await Promise.all([starved.close(), slow.close()]);
    }
    const pool = new CompilePool(profiles);
    try {
      const small = JSON.stringify({ graph: chain(3) });
      const answers = await Promise.all(
        [1, 2, 3].map(() => pool.run({ op: 'request', route: 'compile', body: small })),
      );
      for (const answer of answers) expect(JSON.parse(answer).diagnostics).toEqual([]);
      // A client mistake comes back as the same ApiError the route would throw.
      const bad = await pool.run({ op: 'request', route: 'compile', body: '{"graph":1}' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((bad as ApiError).code).toBe('API_VALIDATION');
    } finally {
      await pool.close();
    }
    await expect(pool.run({ op: 'request', route: 'compile', body })).rejects.toThrow(
      'shutting down',
    );
  });
});
