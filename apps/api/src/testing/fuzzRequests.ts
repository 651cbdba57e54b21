import fc from 'fast-check';
import { rawHttp } from './rawHttp';

/**
 * Generated bad requests for the API (the fuzz test and `bench/src/fuzz.ts`): malformed JSON,
 * wrong types, unknown and malformed ids, odd encodings, huge bodies, missing and wrong tokens,
 * and graphs that pass the schema but are wrong in every other way.
 */

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
  idLike.map((id) => `/api/v1/executions/${id}/cancel`),
  fc
    .tuple(idLike, idLike)
    .map(([id, instance]) => `/api/v1/executions/${id}/output?instance=${instance}`),
  idLike.map((id) => `/api/v1/executions/${id}/output`),
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
export const schemaValidGraph = fc.record({
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

/** One generated request; `WORKFLOW` in its path stands for a workflow that exists. */
export interface BadRequest {
  method: string;
  path: string;
  body: string | undefined;
  auth: string;
  contentType: string;
}

/** A request that is wrong somewhere: its method, path, body, token or content type. */
export const badRequest: fc.Arbitrary<BadRequest> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
  path,
  body,
  auth,
  contentType,
});

/**
 * Sends `request` to the API at `baseUrl` (`valid` auth uses `token`; `WORKFLOW` in the path
 * becomes `workflow`). The SSE endpoint of a known execution would stream, so paths only ever
 * name unknown executions.
 */
export async function sendBadRequest(
  baseUrl: string,
  token: string,
  workflow: string,
  request: BadRequest,
): Promise<{ target: string; status: number; text: string }> {
  const headers: Record<string, string> = {};
  if (request.auth === 'valid') headers.authorization = `Bearer ${token}`;
  else if (request.auth !== 'none') headers.authorization = request.auth;
  if (request.contentType !== 'none') headers['content-type'] = request.contentType;
  const withBody = request.body !== undefined && request.method !== 'GET';
  if (withBody) headers['content-length'] = String(Buffer.byteLength(request.body ?? ''));
  const target = request.path.replace('WORKFLOW', workflow);
  const response = await rawHttp(
    `${baseUrl}${target}`,
    request.method,
    headers,
    withBody ? request.body : undefined,
  );
  return { target, ...response };
}
