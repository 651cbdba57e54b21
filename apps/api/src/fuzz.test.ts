import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainGraph, type Harness, startHarness } from './testing/apiHarness';
import { memoryClouds, recordingEngine } from './testing/memoryCloud';
import { rawHttp } from './testing/rawHttp';

/**
 * Throws well over a thousand generated bad requests at a real server: malformed JSON, wrong
 * types, unknown and malformed ids, odd encodings, huge bodies, missing and wrong tokens. None
 * may get a 5xx, every error must carry a code, and the server must stay up.
 */
describe('API fuzz', () => {
  let h: Harness;
  let workflow: string;

  beforeAll(async () => {
    h = await startHarness({ clouds: memoryClouds(), engine: recordingEngine() });
    workflow = (await h.client.createWorkflow('chain', chainGraph)).id;
  });
  afterAll(async () => {
    await h.close();
  });

  const idLike = fc.oneof(
    fc.constantFrom('wf_0000000000000000', 'dep_0123456789abcdef', 'ex_ffffffffffffffff'),
    fc.string({ maxLength: 30 }).map((s) => encodeURIComponent(s)),
    fc.constantFrom('%E0%A4%A', '%', '..', '%2F..%2F', 'ex_%00', 'a'.repeat(3000), '-1', '1e9'),
  );

  const path = fc.oneof(
    fc.constantFrom(
      '/api/v1/workflows',
      '/api/v1/compile',
      '/api/v1/plan',
      '/api/v1/estimate',
      '/api/v1/executions',
      '/api/v1/clouds',
      '/api/v1/ingest',
      '/api/v1/health',
    ),
    idLike.map((id) => `/api/v1/workflows/${id}`),
    idLike.map((id) => `/api/v1/workflows/${id}/versions`),
    fc.tuple(idLike, idLike).map(([id, v]) => `/api/v1/workflows/${id}/versions/${v}`),
    idLike.map((id) => `/api/v1/workflows/${id}/deployments`),
    fc.constant('/api/v1/workflows/WORKFLOW/deployments'),
    fc.constant('/api/v1/workflows/WORKFLOW'),
    idLike.map((id) => `/api/v1/deployments/${id}`),
    idLike.map((id) => `/api/v1/deployments/${id}/executions`),
    idLike.map((id) => `/api/v1/executions/${id}`),
    idLike.map((id) => `/api/v1/executions/${id}/redrive`),
    idLike.map((id) => `/api/v1/executions/${id}/events`),
    idLike.map((id) => `/api/v1/clouds/${id}/faults`),
    fc
      .tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }))
      .map(([k, v]) => `/api/v1/executions?${encodeURIComponent(k)}=${encodeURIComponent(v)}`),
    fc.constantFrom(
      '/api/v1/executions?limit=0',
      '/api/v1/executions?limit=abc',
      '/api/v1/executions?status=zombie',
      '/api/v1/executions?cursor=%FF%FE',
      '/api/v1/workflows?cursor=W1siYSJdXQ',
      '/api/v1/workflows?limit=99999999999999999999',
    ),
  );

  const jsonValue = fc.jsonValue({ maxDepth: 4 });
  const body = fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 200 }),
    fc.constantFrom(
      '{',
      '{"name":',
      '[1,2',
      'null',
      '"x"',
      '{"a":1}}',
      '\u0000',
      '{"__proto__":{"x":1}}',
    ),
    jsonValue.map((v) => JSON.stringify(v)),
    fc.record({ name: jsonValue, graph: jsonValue }).map((v) => JSON.stringify(v)),
    fc
      .record({ graph: fc.record({ name: jsonValue, nodes: jsonValue, edges: jsonValue }) })
      .map((v) => JSON.stringify(v)),
    fc.record({ events: fc.array(jsonValue, { maxLength: 5 }) }).map((v) => JSON.stringify(v)),
    fc.record({ input: jsonValue, version: jsonValue }).map((v) => JSON.stringify(v)),
    fc.constant(`{"pad":"${'x'.repeat(1_100_000)}"}`),
  );

  const auth = fc.oneof(
    fc.constant('valid'),
    fc.constant('none'),
    fc.constantFrom(
      'Bearer ',
      'Bearer nope',
      'Basic abc',
      'bearer',
      'Bearer dep_0.x',
      'Bearer a.b.c',
    ),
  );

  const contentType = fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
    'none',
  );

  // Graphs that pass the schema but are wrong in every other way reach the compiler and planner.
  const nodeName = fc.constantFrom('a', 'b', 'c', 'd');
  const schemaValidGraph = fc.record({
    name: fc.constant('fuzz'),
    nodes: fc.array(
      fc.oneof(
        fc.record({
          kind: fc.constant('task'),
          name: nodeName,
          cloud: fc.constantFrom('auto', 'aws-local', 'aliyun-local', 'gcp'),
          code: fc.constantFrom('', 'export async function handler(i) { return i; }', 'nonsense('),
          functionClass: fc.constantFrom('cpu', 'gpu', 'tpu'),
        }),
        fc.record({
          kind: fc.constant('map'),
          name: nodeName,
          items: fc.constantFrom('$', '$.xs', '('),
        }),
        fc.record({ kind: fc.constant('join'), name: nodeName, fanOut: nodeName }),
        fc.record({ kind: fc.constant('choice'), name: nodeName }),
        fc.record({
          kind: fc.constant('loop'),
          name: nodeName,
          maxIterations: fc.integer({ min: 1, max: 5 }),
        }),
      ),
      { maxLength: 5 },
    ),
    edges: fc.array(
      fc.record({
        id: fc.constantFrom('e1', 'e2', 'e3', 'e4'),
        source: nodeName,
        target: nodeName,
        guard: fc.option(fc.constantFrom('$iteration < 2', 'x >', '$.ok = true'), {
          nil: undefined,
        }),
      }),
      { maxLength: 6 },
    ),
  });

  it('compiles, plans, estimates and deploys arbitrary schema-valid graphs without a 5xx', async () => {
    const json = { 'content-type': 'application/json', authorization: `Bearer ${h.api.token}` };
    await fc.assert(
      fc.asyncProperty(schemaValidGraph, async (graph) => {
        for (const [path, body] of [
          ['/api/v1/compile', { graph }],
          ['/api/v1/plan', { graph }],
          ['/api/v1/estimate', { graph }],
        ] as const) {
          const response = await rawHttp(`${h.api.url}${path}`, 'POST', json, JSON.stringify(body));
          expect(response.status, `${path}: ${response.text.slice(0, 300)}`).toBeLessThan(500);
        }
        const created = await rawHttp(
          `${h.api.url}/api/v1/workflows`,
          'POST',
          json,
          JSON.stringify({ name: 'fuzz', graph }),
        );
        expect(created.status).toBe(201);
        const { id } = JSON.parse(created.text) as { id: string };
        const deployed = await rawHttp(
          `${h.api.url}/api/v1/workflows/${id}/deployments`,
          'POST',
          json,
          '{}',
        );
        expect(deployed.status, deployed.text.slice(0, 300)).toBeLessThan(500);
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it('never answers a client mistake with a 5xx and stays up (1,100 requests)', async () => {
    let sent = 0;
    const codes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
        path,
        body,
        auth,
        contentType,
        async (method, rawPath, payload, authMode, type) => {
          sent += 1;
          const headers: Record<string, string> = {};
          if (authMode === 'valid') headers.authorization = `Bearer ${h.api.token}`;
          else if (authMode !== 'none') headers.authorization = authMode;
          if (type !== 'none') headers['content-type'] = type;
          const withBody = payload !== undefined && method !== 'GET';
          if (withBody) headers['content-length'] = String(Buffer.byteLength(payload));
          const target = rawPath.replace('WORKFLOW', workflow);
          // The SSE endpoint of an unknown execution answers 404 at once; of a known one it would
          // stream, so it is only hit with unknown ids here.
          const response = await rawHttp(
            `${h.api.url}${target}`,
            method,
            headers,
            withBody ? payload : undefined,
          );
          expect(
            response.status,
            `${method} ${target} -> ${response.text.slice(0, 200)}`,
          ).toBeLessThan(500);
          if (response.status >= 400) {
            const parsed = JSON.parse(response.text) as { error?: { code?: unknown } };
            expect(typeof parsed.error?.code).toBe('string');
            codes.add(String(parsed.error?.code));
          }
        },
      ),
      { numRuns: 1_100, seed: 4242 },
    );
    expect(sent).toBeGreaterThanOrEqual(1_000);
    // The requests reached every layer: auth, size limit, JSON parsing, schemas, lookups.
    for (const code of [
      'API_UNAUTHORIZED',
      'API_BODY_TOO_LARGE',
      'API_BAD_JSON',
      'API_VALIDATION',
      'API_NOT_FOUND',
      'API_UNSUPPORTED_MEDIA_TYPE',
    ]) {
      expect(codes).toContain(code);
    }
    const health = await fetch(`${h.api.url}/api/v1/health`);
    expect(health.status).toBe(200);
  });

  it('refuses JSON nested 10,000 deep with a 400 naming the limit, and stays up', async () => {
    for (const [path, wrap] of [
      [
        '/api/v1/workflows',
        (deep: string) =>
          `{"name":"deep","graph":{"name":"deep","nodes":[],"edges":[],"sampleInput":${deep}}}`,
      ],
      [`/api/v1/workflows/${workflow}/deployments`, (deep: string) => `{"version":${deep}}`],
    ] as const) {
      const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
      const response = await rawHttp(
        `${h.api.url}${path}`,
        'POST',
        { authorization: `Bearer ${h.api.token}`, 'content-type': 'application/json' },
        wrap(deep),
      );
      expect(response.status, response.text.slice(0, 200)).toBe(400);
      expect(JSON.parse(response.text)).toMatchObject({
        error: { code: 'API_JSON_TOO_DEEP', message: expect.stringContaining('the limit is 256') },
      });
    }
    // Brackets inside strings are text, not nesting.
    const text = await h.client.createWorkflow('brackets', {
      name: 'brackets',
      description: '['.repeat(5_000),
      nodes: [],
      edges: [],
    });
    expect(text.id).toMatch(/^wf_/);
    expect((await fetch(`${h.api.url}/api/v1/health`)).status).toBe(200);
  });
});
