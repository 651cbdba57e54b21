import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  deleteKeysRequest,
  FROM_CLOUD_HEADER,
  faultSpecSchema,
  fillSlotRequest,
  getManyRequest,
  getRequest,
  putIfAbsentRequest,
  readSlotsRequest,
  sealRequest,
} from '@jointflow/shims';
import { z } from 'zod';
import { BLOB_KEY } from './blobFiles';
import { type Cloud, CloudError } from './cloud';
import { cloudLog } from './cloudLog';
import { routeFc } from './fcApi';
import { routeLambda } from './lambdaApi';
import { decodePortBody, encodePortBody, type PortCall } from './workerProtocol';

/**
 * The cloud's HTTP face on 127.0.0.1: the Lambda Invoke API, the store and blob APIs, and a
 * control plane. Every error is JSON `{error:{code,message}}` (Lambda paths also carry
 * `x-amzn-ErrorType` and Lambda's `{Type,message}` fields); no request can crash the process.
 * A request whose `x-jointflow-from` names another cloud waits the profile's one-way latency
 * before it is handled and again before it is answered.
 *
 * Who may call what (`guardHttp`, `guardPort`): over HTTP, no request from a browser (one with an
 * `Origin` or `Sec-Fetch-Site` header, or a `Host` other than the loopback address: a web page
 * cannot post to the cloud, not even through DNS rebinding), no CORS-safelisted body type
 * (`text/plain`, forms) and JSON only on `/store` and `/control`, and `/control/*` (deploy,
 * faults, peers, metering, dead letters, stats; all but health) only with
 * `Authorization: Bearer <the cloud's control secret>`, a per-start secret that
 * startLocalClouds hands to its shims and that workers never get. Over a worker's IPC channel
 * only the data plane (store, blobs, invoke): step code can `process.send` too.
 */

const JSON_LIMIT = 8 * 1024 * 1024;
const BLOB_LIMIT = 64 * 1024 * 1024;
const INVOKE = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const FUNCTION = /^\/control\/functions\/([^/]+)$/;
const BLOB = /^\/blobs\/([^/]+)$/;
const PENDING = /^\/control\/executions\/([^/]+)\/pending$/;

const peersBody = z.record(z.string(), z.string().url());

function readHttpBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (over) {
        // Read and drop the rest so the client gets the 413 instead of a reset; a body far
        // past the limit is cut off.
        if (size > 4 * limit) req.destroy();
        return;
      }
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(new CloudError(413, 'LOCAL_BODY_TOO_LARGE', `request body over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new CloudError(400, 'InvalidRequestContentException', 'the body is not valid JSON');
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new CloudError(
      400,
      'LOCAL_BAD_REQUEST',
      parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
    );
  }
  return parsed.data;
}

/** Body types a browser may send cross-origin without asking first (no CORS preflight). */
const CORS_SAFELISTED = new Set([
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
]);
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\]):(\d+)$/;

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Why an HTTP request is refused before it is routed (undefined: it may go on). `port` is the
 * one the server listens on; `controlSecret` guards `/control/*` (health excepted).
 */
export function guardHttp(
  req: Pick<CloudRequest, 'method' | 'path' | 'headers'>,
  port: number,
  controlSecret: string,
): CloudError | undefined {
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  };
  if (header('origin') !== undefined || header('sec-fetch-site') !== undefined) {
    return new CloudError(
      403,
      'LOCAL_FORBIDDEN_ORIGIN',
      'a local cloud does not answer browsers: call it from the Jointflow API, the CLI or a shim',
    );
  }
  const host = LOOPBACK_HOST.exec(header('host') ?? '');
  if (host === null || Number(host[2]) !== port) {
    return new CloudError(
      403,
      'LOCAL_FORBIDDEN_HOST',
      `a local cloud answers only requests addressed to 127.0.0.1:${port}`,
    );
  }
  const type = (header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const length = Number(header('content-length') ?? 0);
  const hasBody = length > 0 || header('transfer-encoding') !== undefined;
  const ours = req.path.startsWith('/store/') || req.path.startsWith('/control/');
  if (hasBody && ((ours && type !== 'application/json') || CORS_SAFELISTED.has(type))) {
    return new CloudError(
      415,
      'LOCAL_UNSUPPORTED_MEDIA_TYPE',
      `a ${type || 'untyped'} body is refused on ${req.path}: send JSON with content-type application/json`,
    );
  }
  if (req.path.startsWith('/control/') && req.path !== '/control/health') {
    const auth = header('authorization') ?? '';
    const given = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : '';
    if (given === '' || !timingSafeEqual(digest(given), digest(controlSecret))) {
      return new CloudError(
        401,
        'LOCAL_UNAUTHORIZED',
        `${req.path} needs the cloud's control secret (Authorization: Bearer …), which startLocalClouds gives its shims; a cloud started by hand writes it to <dataDir>/control-secret`,
      );
    }
  }
  return undefined;
}

/** Why a worker's IPC port call is refused (undefined: a data-plane call, it may go on). */
export function guardPort(call: Pick<PortCall, 'method' | 'path'>): CloudError | undefined {
  const { method, path } = call;
  const allowed =
    (method === 'POST' && path.startsWith('/store/')) ||
    (method === 'PUT' && path === '/blobs') ||
    (method === 'GET' && BLOB.test(path)) ||
    (method === 'POST' && INVOKE.test(path));
  return allowed
    ? undefined
    : new CloudError(
        403,
        'LOCAL_FORBIDDEN',
        `a worker reaches only the store, blobs and invoke routes of its cloud, not ${method} ${path}`,
      );
}

/** A refusal or failure as the cloud's JSON error (Lambda's fields included). */
function errorReply(error: CloudError): CloudReply {
  return json(
    error.status,
    {
      error: { code: error.code, message: error.message },
      Type: error.status < 500 ? 'User' : 'Service',
      message: error.message,
    },
    { 'x-amzn-errortype': error.code },
  );
}

/** A request to the cloud's API, however it arrived (HTTP, or a worker's IPC channel). */
export interface CloudRequest {
  method: string;
  path: string;
  /** The query string's parameters (Lambda's `Qualifier`, FC's `qualifier`). */
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** The body, refused over `limit` bytes. */
  readBody(limit: number): Promise<Buffer>;
}

/** The answer to a `CloudRequest`. */
export interface CloudReply {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): CloudReply {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface CloudServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * The cloud's API without the transport: routes one request and answers it, errors included.
 * The HTTP server and the workers' IPC channel both call it, so both share every route,
 * validation, fault and counter. A request from another cloud waits the one-way latency
 * before it is handled and again before its answer.
 */
export function createCloudApi(cloud: Cloud): (req: CloudRequest) => Promise<CloudReply> {
  const { profile } = cloud;

  async function route(req: CloudRequest, path: string): Promise<CloudReply> {
    const method = req.method;
    // The Lambda and FC 3.0 APIs for zip functions (lambdaApi.ts, fcApi.ts). A Lambda Invoke of
    // a Jointflow function falls through to the Invoke route below.
    if (path.startsWith('/2015-03-31/')) {
      const answer = await routeLambda(cloud, req, path, req.query);
      if (answer !== undefined) return answer;
    } else if (path.startsWith('/2023-03-30/')) {
      return routeFc(cloud, req, path, req.query);
    }
    const invoke = INVOKE.exec(path);
    if (invoke && method === 'POST') {
      const name = decodeURIComponent(invoke[1] ?? '');
      const body = await req.readBody(JSON_LIMIT);
      const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
      if (type === 'Event') {
        cloud.acceptEvent(name, parseJson(body), body.length);
        return { status: 202, headers: { 'x-amzn-requestid': cryptoId() }, body: '' };
      }
      if (type !== 'RequestResponse') {
        throw new CloudError(
          400,
          'InvalidParameterValueException',
          `invocation type ${type} is not supported; use Event or RequestResponse`,
        );
      }
      const outcome = await cloud.invokeSync(name, parseJson(body), body.length);
      if (outcome.ok) return json(200, outcome.result, { 'x-amz-executed-version': '$LATEST' });
      return json(
        200,
        {
          errorMessage: outcome.error.message,
          errorType:
            outcome.failure === 'error'
              ? 'Error'
              : outcome.failure === 'timeout'
                ? 'Sandbox.Timedout'
                : 'Runtime.ExitError',
          stackTrace: outcome.error.stack?.split('\n') ?? [],
        },
        { 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' },
      );
    }
    if (path.startsWith('/store/') && method === 'POST') {
      const body = parseJson(await req.readBody(JSON_LIMIT));
      const kv = cloud.kv;
      switch (path) {
        case '/store/get':
          return json(200, kv.get(parseWith(getRequest, body).key));
        case '/store/get-many':
          return json(200, { values: kv.getMany(parseWith(getManyRequest, body).keys) });
        case '/store/put-if-absent': {
          const r = parseWith(putIfAbsentRequest, body);
          return json(200, await kv.putIfAbsentGrouped(r.key, r.value, r.ttlMs));
        }
        case '/store/fill-slot': {
          const r = parseWith(fillSlotRequest, body);
          if (r.slot >= r.size && r.size > 0) {
            throw new CloudError(
              400,
              'LOCAL_BAD_REQUEST',
              `slot ${r.slot} is outside a record of size ${r.size}`,
            );
          }
          return json(200, await kv.fillSlotGrouped(r.key, r.slot, r.size, r.value));
        }
        case '/store/read-slots':
          return json(200, kv.readSlots(parseWith(readSlotsRequest, body).key));
        case '/store/seal': {
          const r = parseWith(sealRequest, body);
          kv.seal(r.prefix, r.tombstone, r.ttlMs);
          return json(200, {});
        }
        case '/store/delete':
          kv.delete(parseWith(deleteKeysRequest, body).keys);
          return json(200, {});
      }
    }
    if (path === '/blobs' && method === 'PUT') {
      return json(200, { key: cloud.blobs.put(await req.readBody(BLOB_LIMIT)) });
    }
    const blob = BLOB.exec(path);
    if (blob && method === 'GET') {
      const key = blob[1] ?? '';
      if (!BLOB_KEY.test(key))
        throw new CloudError(400, 'LOCAL_BAD_REQUEST', 'a blob key is 64 hex digits');
      const bytes = cloud.blobs.get(key);
      if (bytes === undefined)
        throw new CloudError(404, 'LOCAL_BLOB_NOT_FOUND', `no blob ${key} on ${profile.id}`);
      return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: bytes };
    }
    const pending = PENDING.exec(path);
    if (pending && method === 'GET') {
      const execution = decodeURIComponent(pending[1] ?? '');
      return json(200, { execution, pending: cloud.pendingOf(execution) });
    }
    const fn = FUNCTION.exec(path);
    if (fn) {
      const name = decodeURIComponent(fn[1] ?? '');
      if (method === 'PUT')
        return json(200, await cloud.deploy(name, parseJson(await req.readBody(JSON_LIMIT))));
      if (method === 'GET') return json(200, cloud.describe(name));
      if (method === 'DELETE') {
        cloud.remove(name);
        return json(200, {});
      }
    }
    switch (`${method} ${path}`) {
      case 'GET /control/functions':
        return json(200, cloud.listFunctions());
      case 'GET /control/health': {
        const outageUntil = cloud.outageUntil();
        return json(200, {
          ok: outageUntil === undefined,
          id: profile.id,
          ...(outageUntil ? { outageUntil } : {}),
        });
      }
      case 'POST /control/faults':
        cloud.injectFaults(
          parseWith(faultSpecSchema, parseJson(await req.readBody(JSON_LIMIT)) ?? {}),
        );
        return { status: 204, headers: {}, body: '' };
      case 'GET /control/faults':
        return json(200, cloud.faults());
      case 'PUT /control/peers':
        cloud.setPeers(parseWith(peersBody, parseJson(await req.readBody(JSON_LIMIT))));
        return json(200, {});
      case 'GET /control/dead-letters':
        return json(200, cloud.deadLetters());
      case 'GET /control/metering':
        return json(200, cloud.metering.totals());
      case 'GET /control/stats':
        return json(200, { id: profile.id, pid: process.pid, ...cloud.stats() });
    }
    throw new CloudError(
      404,
      'LOCAL_NOT_FOUND',
      `no route ${method} ${path} on local cloud ${profile.id}`,
    );
  }

  return async (req) => {
    const from = req.headers[FROM_CLOUD_HEADER];
    const latency =
      typeof from === 'string' && from !== profile.id ? (profile.latencyMs[from] ?? 0) : 0;
    if (latency > 0) await sleep(latency);
    let reply: CloudReply;
    try {
      reply = await route(req, req.path);
    } catch (error) {
      if (error instanceof CloudError) {
        reply = errorReply(error);
      } else {
        const message = error instanceof Error ? error.message : String(error);
        cloudLog().error(`internal error on ${req.method} ${req.path}: ${message}`, {
          cloud: profile.id,
          method: req.method,
          path: req.path,
        });
        reply = json(500, { error: { code: 'LOCAL_INTERNAL', message } });
      }
    }
    // The answer travels back too: a call across clouds costs a round trip.
    if (latency > 0) await sleep(latency);
    return reply;
  };
}

/** A worker's IPC port call as a `CloudRequest` (the body is checked against the same limits). */
function portRequest(call: PortCall): CloudRequest {
  const body = decodePortBody(call);
  return {
    method: call.method,
    path: call.path,
    query: new URLSearchParams(),
    headers: call.headers,
    readBody: (limit) =>
      body.length > limit
        ? Promise.reject(
            new CloudError(413, 'LOCAL_BODY_TOO_LARGE', `request body over ${limit} bytes`),
          )
        : Promise.resolve(body),
  };
}

/**
 * Serves the cloud's API over loopback HTTP, and to its own workers over their IPC channels.
 * `controlSecret` guards `/control/*` over HTTP (see `guardHttp`).
 */
export async function startCloudServer(
  cloud: Cloud,
  port: number,
  controlSecret: string,
): Promise<CloudServer> {
  const api = createCloudApi(cloud);
  cloud.servePorts(async (call) => {
    const refused = guardPort(call);
    const reply = refused === undefined ? await api(portRequest(call)) : errorReply(refused);
    return { status: reply.status, headers: reply.headers, ...encodePortBody(reply.body) };
  });
  let listening = port;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const [path = '/', search = ''] = (req.url ?? '/').split('?', 2);
    const request: CloudRequest = {
      method: req.method ?? 'GET',
      path,
      query: new URLSearchParams(search),
      headers: req.headers,
      readBody: (limit) => readHttpBody(req, limit),
    };
    const refused = guardHttp(request, listening, controlSecret);
    if (refused !== undefined) {
      const reply = errorReply(refused);
      // Not read: the connection closes after the answer instead of waiting for the body.
      res.writeHead(reply.status, { ...reply.headers, connection: 'close' });
      res.end(reply.body);
      return;
    }
    api(request).then(
      (reply) => {
        if (res.headersSent) return;
        res.writeHead(reply.status, reply.headers);
        res.end(reply.body);
      },
      () => res.destroy(),
    );
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  listening = address.port;
  return {
    url: `http://127.0.0.1:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let requestCounter = 0;
function cryptoId(): string {
  requestCounter++;
  return `${process.pid.toString(16)}-${Date.now().toString(16)}-${requestCounter.toString(16)}`;
}
