import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertRoutesDeclared, RouteTable } from './routeTable';
import { chainGraph, type Harness, startHarness, traceEvent } from './testing/apiHarness';
import { type MemoryCloud, memoryClouds, recordingEngine } from './testing/memoryCloud';

type Operation = {
  parameters: { name: string; in: string }[];
  requestBody?: { content: { 'application/json': { schema: object } } };
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { type?: unknown }> };
};

/** Every route the server declares, with the statuses it answers (besides 4XX/5XX). */
const expectedRoutes: [method: string, path: string, statuses: string[], body: boolean][] = [
  ['get', '/api/v1/health', ['200'], false],
  ['get', '/api/v1/openapi.json', ['200'], false],
  ['post', '/api/v1/workflows', ['201'], true],
  ['get', '/api/v1/workflows', ['200'], false],
  ['get', '/api/v1/workflows/{id}', ['200'], false],
  ['put', '/api/v1/workflows/{id}', ['200'], true],
  ['delete', '/api/v1/workflows/{id}', ['204'], false],
  ['get', '/api/v1/workflows/{id}/versions', ['200'], false],
  ['get', '/api/v1/workflows/{id}/versions/{version}', ['200'], false],
  ['post', '/api/v1/compile', ['200'], true],
  ['post', '/api/v1/plan', ['200'], true],
  ['post', '/api/v1/estimate', ['200'], true],
  ['post', '/api/v1/workflows/{id}/deployments', ['202'], true],
  ['get', '/api/v1/workflows/{id}/deployments', ['200'], false],
  ['get', '/api/v1/deployments/{id}', ['200'], false],
  ['delete', '/api/v1/deployments/{id}', ['204'], false],
  ['post', '/api/v1/deployments/{id}/executions', ['202'], true],
  ['get', '/api/v1/executions', ['200'], false],
  ['get', '/api/v1/executions/{id}', ['200'], false],
  ['get', '/api/v1/executions/{id}/fan-outs', ['200'], false],
  ['get', '/api/v1/executions/{id}/output', ['200'], false],
  ['post', '/api/v1/executions/{id}/cancel', ['202'], false],
  ['post', '/api/v1/executions/{id}/redrive', ['202'], false],
  ['get', '/api/v1/executions/{id}/events', ['200'], false],
  ['get', '/api/v1/clouds', ['200'], false],
  ['post', '/api/v1/clouds/{id}/faults', ['204'], true],
  ['post', '/api/v1/ingest', ['200'], true],
];

describe('the OpenAPI document', () => {
  let h: Harness;
  let clouds: MemoryCloud[];
  let doc: Document;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const validators = new Map<string, ValidateFunction>();

  beforeAll(async () => {
    clouds = memoryClouds();
    h = await startHarness({ clouds, engine: recordingEngine() });
    doc = (await (await fetch(`${h.api.url}/api/v1/openapi.json`)).json()) as Document;
  });
  afterAll(async () => {
    await h?.close();
  });

  /** The document's schema of an answer, with the components its `$ref`s point into. */
  function responseSchema(method: string, path: string, status: string): object {
    const schema =
      doc.paths[path]?.[method]?.responses[status]?.content?.['application/json']?.schema;
    if (schema === undefined) throw new Error(`no JSON schema for ${method} ${path} ${status}`);
    return { ...schema, components: doc.components };
  }

  /** The component a `$ref` names. */
  function component(schema: object | undefined): { type?: unknown } | undefined {
    const ref = (schema as { $ref?: string } | undefined)?.$ref ?? '';
    return doc.components.schemas[ref.replace('#/components/schemas/', '')];
  }

  /** Sends a request and checks the answer against the document's schema for its status. */
  async function call(
    method: string,
    docPath: string,
    url: string,
    options: { body?: unknown; auth?: string; expect?: number } = {},
  ): Promise<unknown> {
    const response = await fetch(`${h.api.url}${url}`, {
      method: method.toUpperCase(),
      headers: {
        authorization: `Bearer ${options.auth ?? h.api.token}`,
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    if (options.expect !== undefined) expect(response.status).toBe(options.expect);
    const status = String(response.status);
    const text = await response.text();
    if (status === '204') return undefined;
    const key = `${method} ${docPath} ${status}`;
    let validate = validators.get(key);
    if (validate === undefined) {
      const schema =
        response.status >= 400
          ? responseSchema(method, docPath, response.status >= 500 ? '5XX' : '4XX')
          : responseSchema(method, docPath, status);
      validate = ajv.compile(schema);
      validators.set(key, validate);
    }
    const body: unknown = JSON.parse(text);
    if (!validate(body)) {
      throw new Error(
        `${key}: the answer does not match the document: ${ajv.errorsText(validate.errors)}\n${text.slice(0, 500)}`,
      );
    }
    return body;
  }

  it('lists every route the server serves, with its parameters, body and response schemas', () => {
    expect(doc.openapi).toBe('3.1.0');
    // The graph, the IR and the trace event are components, referenced rather than repeated.
    for (const name of ['Graph', 'GraphInput', 'WorkflowIR', 'TraceEvent', 'Error']) {
      expect(doc.components.schemas[name], name).toHaveProperty('type');
    }
    const text = JSON.stringify(doc);
    expect(text.length).toBeLessThan(120_000);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    );
    expect(documented.sort()).toEqual(expectedRoutes.map(([m, p]) => `${m} ${p}`).sort());
    for (const [method, path, statuses, body] of expectedRoutes) {
      const op = doc.paths[path]?.[method];
      if (op === undefined) throw new Error(`${method} ${path} missing`);
      for (const name of [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) {
        expect(op.parameters).toContainEqual(expect.objectContaining({ name, in: 'path' }));
      }
      expect(op.requestBody !== undefined).toBe(body);
      if (body) {
        expect(component(op.requestBody?.content['application/json'].schema)).toHaveProperty(
          'type',
        );
      }
      for (const status of [...statuses, '4XX', '5XX']) {
        expect(op.responses[status], `${method} ${path} ${status}`).toBeDefined();
      }
      for (const status of statuses.filter((s) => s !== '204')) {
        const content = op.responses[status]?.content ?? {};
        expect(Object.keys(content).length).toBeGreaterThan(0);
        const json = content['application/json']?.schema;
        if (json !== undefined)
          expect(component(json), `${method} ${path} ${status}`).toBeDefined();
      }
    }
    // Query parameters come from the routes' query schemas.
    const list = doc.paths['/api/v1/executions']?.get?.parameters.map((p) => `${p.in}:${p.name}`);
    expect(list).toEqual(
      expect.arrayContaining([
        'query:workflow',
        'query:deployment',
        'query:status',
        'query:cursor',
        'query:limit',
      ]),
    );
    expect(
      doc.paths['/api/v1/executions/{id}/events']?.get?.parameters.map((p) => `${p.in}:${p.name}`),
    ).toContain('header:last-event-id');
  });

  it('answers every documented route (none falls through to the catch-all)', async () => {
    for (const [method, path] of expectedRoutes) {
      const url = path
        .replace('{version}', '1')
        .replace('{id}', path.includes('/clouds/') ? 'aws-local' : 'wf_0000000000000000');
      const response = await fetch(`${h.api.url}${url}`, {
        method: method.toUpperCase(),
        headers: { authorization: `Bearer ${h.api.token}`, 'content-type': 'application/json' },
        ...(method === 'get' || method === 'delete' ? {} : { body: '{}' }),
      });
      const text = await response.text();
      expect(text, `${method} ${path}`).not.toContain('no endpoint');
    }
  });

  it('refuses to start with a route registered outside the route table', () => {
    const app = new Hono();
    const table = new RouteTable(app);
    table.add({ method: 'get', path: '/api/v1/things/{id}', summary: 'x', responses: {} }, (c) =>
      c.json({}),
    );
    expect(() => assertRoutesDeclared(app, table)).not.toThrow();
    app.post('/api/v1/things', (c) => c.json({}));
    expect(() => assertRoutesDeclared(app, table)).toThrow(/POST \/api\/v1\/things/);
  });

  it('describes real answers: each validates against its schema in the document', async () => {
    await call('get', '/api/v1/health', '/api/v1/health', { expect: 200 });
    const created = (await call('post', '/api/v1/workflows', '/api/v1/workflows', {
      body: { name: 'chain', graph: chainGraph },
      expect: 201,
    })) as { id: string };
    const wf = `/api/v1/workflows/${created.id}`;
    await call('put', '/api/v1/workflows/{id}', wf, {
      body: { graph: { ...chainGraph, description: 'second' } },
      expect: 200,
    });
    await call('get', '/api/v1/workflows', '/api/v1/workflows?limit=1', { expect: 200 });
    await call('get', '/api/v1/workflows/{id}', wf, { expect: 200 });
    await call('get', '/api/v1/workflows/{id}/versions', `${wf}/versions`, { expect: 200 });
    await call('get', '/api/v1/workflows/{id}/versions/{version}', `${wf}/versions/2`, {
      expect: 200,
    });
    for (const route of ['compile', 'plan', 'estimate']) {
      await call('post', `/api/v1/${route}`, `/api/v1/${route}`, {
        body: { graph: chainGraph },
        expect: 200,
      });
    }
    const deployed = (await call(
      'post',
      '/api/v1/workflows/{id}/deployments',
      `${wf}/deployments`,
      {
        body: {},
        expect: 202,
      },
    )) as { id: string };
    await h.client.waitForDeployment(deployed.id, 10_000);
    await call('get', '/api/v1/deployments/{id}', `/api/v1/deployments/${deployed.id}`, {
      expect: 200,
    });
    await call('get', '/api/v1/workflows/{id}/deployments', `${wf}/deployments`, { expect: 200 });
    const started = (await call(
      'post',
      '/api/v1/deployments/{id}/executions',
      `/api/v1/deployments/${deployed.id}/executions`,
      { body: { input: { value: 1 } }, expect: 202 },
    )) as { id: string };
    const secret = clouds[0]?.deployed.find((d) => d.deployment === deployed.id)?.env
      .JF_TRACE_SECRET;
    if (secret === undefined) throw new Error('no ingest secret in the deployed env');
    await call('post', '/api/v1/ingest', '/api/v1/ingest', {
      auth: secret,
      body: {
        events: [
          traceEvent(started.id, deployed.id, 'first', 'step.started'),
          traceEvent(started.id, deployed.id, 'first', 'step.succeeded', {
            durationMs: 3,
            output: { value: 2 },
          }),
          { not: 'an event' },
        ],
      },
      expect: 200,
    });
    const ex = `/api/v1/executions/${started.id}`;
    const view = (await call('get', '/api/v1/executions/{id}', ex, { expect: 200 })) as {
      instances: unknown[];
    };
    expect(view.instances.length).toBeGreaterThan(0);
    await call('get', '/api/v1/executions', `/api/v1/executions?deployment=${deployed.id}`, {
      expect: 200,
    });
    await call('get', '/api/v1/executions/{id}/fan-outs', `${ex}/fan-outs?instance=first`, {
      expect: 200,
    });
    await call('post', '/api/v1/executions/{id}/cancel', `${ex}/cancel`, { expect: 202 });
    await call('get', '/api/v1/clouds', '/api/v1/clouds', { expect: 200 });
    // Errors match the document's error schema too.
    await call('get', '/api/v1/workflows/{id}', '/api/v1/workflows/wf_0000000000000000', {
      expect: 404,
    });
    await call('post', '/api/v1/workflows', '/api/v1/workflows', { body: {}, expect: 400 });
  });

  it('catches an answer that does not match (the check can fail)', async () => {
    const validate = ajv.compile(responseSchema('get', '/api/v1/health', '200'));
    expect(validate({ ok: true, status: 'ok', version: '0.1.0', storage: 'sqlite' })).toBe(false);
    const listItem = ajv.compile(responseSchema('get', '/api/v1/executions', '200'));
    expect(listItem({ items: [{ id: 'ex_1', status: 'paused' }], nextCursor: null })).toBe(false);
  });
});
