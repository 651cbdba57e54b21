import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainGraph, type Harness, startHarness } from './testing/apiHarness';
import { badRequest, schemaValidGraph, sendBadRequest } from './testing/fuzzRequests';
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
      fc.asyncProperty(badRequest, async (request) => {
        sent += 1;
        const response = await sendBadRequest(h.api.url, h.api.token, workflow, request);
        expect(
          response.status,
          `${request.method} ${response.target} -> ${response.text.slice(0, 200)}`,
        ).toBeLessThan(500);
        if (response.status >= 400) {
          const parsed = JSON.parse(response.text) as { error?: { code?: unknown } };
          expect(typeof parsed.error?.code).toBe('string');
          codes.add(String(parsed.error?.code));
        }
      }),
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
