import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  deletePrefixesRequest,
  FROM_CLOUD_HEADER,
  faultSpecSchema,
  fillSlotRequest,
  getManyRequest,
  getRequest,
  putIfAbsentRequest,
  readSlotsRequest,
} from '@jointflow/shims';
import { z } from 'zod';
import { BLOB_KEY } from './blobFiles';
import { type Cloud, CloudError } from './cloud';

/**
 * The cloud's HTTP face on 127.0.0.1: the Lambda Invoke API, the store and blob APIs, and a
 * control plane. Every error is JSON `{error:{code,message}}` (Lambda paths also carry
 * `x-amzn-ErrorType` and Lambda's `{Type,message}` fields); no request can crash the process.
 * A request whose `x-jointflow-from` names another cloud waits the profile's one-way latency
 * before it is handled and again before it is answered.
 */

const JSON_LIMIT = 8 * 1024 * 1024;
const BLOB_LIMIT = 64 * 1024 * 1024;
const INVOKE = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const FUNCTION = /^\/control\/functions\/([^/]+)$/;
const BLOB = /^\/blobs\/([^/]+)$/;
const PENDING = /^\/control\/executions\/([^/]+)\/pending$/;

const peersBody = z.record(z.string(), z.string().url());

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new CloudError(413, 'LOCAL_BODY_TOO_LARGE', `request body over ${limit} bytes`));
        req.destroy();
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

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface CloudServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startCloudServer(cloud: Cloud, port: number): Promise<CloudServer> {
  const { profile } = cloud;

  async function route(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    const invoke = INVOKE.exec(path);
    if (invoke && method === 'POST') {
      const name = decodeURIComponent(invoke[1] ?? '');
      const body = await readBody(req, JSON_LIMIT);
      const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
      if (type === 'Event') {
        cloud.acceptEvent(name, parseJson(body), body.length);
        res.writeHead(202, { 'x-amzn-requestid': cryptoId() });
        res.end();
        return;
      }
      if (type !== 'RequestResponse') {
        throw new CloudError(
          400,
          'InvalidParameterValueException',
          `invocation type ${type} is not supported; use Event or RequestResponse`,
        );
      }
      const outcome = await cloud.invokeSync(name, parseJson(body), body.length);
      if (outcome.ok) sendJson(res, 200, outcome.result, { 'x-amz-executed-version': '$LATEST' });
      else {
        sendJson(
          res,
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
      return;
    }
    if (path.startsWith('/store/') && method === 'POST') {
      const body = parseJson(await readBody(req, JSON_LIMIT));
      const kv = cloud.kv;
      switch (path) {
        case '/store/get':
          return sendJson(res, 200, kv.get(parseWith(getRequest, body).key));
        case '/store/get-many':
          return sendJson(res, 200, { values: kv.getMany(parseWith(getManyRequest, body).keys) });
        case '/store/put-if-absent': {
          const r = parseWith(putIfAbsentRequest, body);
          return sendJson(res, 200, kv.putIfAbsent(r.key, r.value, r.ttlMs, r.unlessExists));
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
          return sendJson(res, 200, kv.fillSlot(r.key, r.slot, r.size, r.value));
        }
        case '/store/read-slots':
          return sendJson(res, 200, kv.readSlots(parseWith(readSlotsRequest, body).key));
        case '/store/delete-prefixes':
          kv.deletePrefixes(parseWith(deletePrefixesRequest, body).prefixes);
          return sendJson(res, 200, {});
      }
    }
    if (path === '/blobs' && method === 'PUT') {
      return sendJson(res, 200, { key: cloud.blobs.put(await readBody(req, BLOB_LIMIT)) });
    }
    const blob = BLOB.exec(path);
    if (blob && method === 'GET') {
      const key = blob[1] ?? '';
      if (!BLOB_KEY.test(key))
        throw new CloudError(400, 'LOCAL_BAD_REQUEST', 'a blob key is 64 hex digits');
      const bytes = cloud.blobs.get(key);
      if (bytes === undefined)
        throw new CloudError(404, 'LOCAL_BLOB_NOT_FOUND', `no blob ${key} on ${profile.id}`);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(bytes);
      return;
    }
    const pending = PENDING.exec(path);
    if (pending && method === 'GET') {
      const execution = decodeURIComponent(pending[1] ?? '');
      return sendJson(res, 200, { execution, pending: cloud.pendingOf(execution) });
    }
    const fn = FUNCTION.exec(path);
    if (fn) {
      const name = decodeURIComponent(fn[1] ?? '');
      if (method === 'PUT')
        return sendJson(
          res,
          200,
          await cloud.deploy(name, parseJson(await readBody(req, JSON_LIMIT))),
        );
      if (method === 'GET') return sendJson(res, 200, cloud.describe(name));
      if (method === 'DELETE') {
        cloud.remove(name);
        return sendJson(res, 200, {});
      }
    }
    switch (`${method} ${path}`) {
      case 'GET /control/functions':
        return sendJson(res, 200, cloud.listFunctions());
      case 'GET /control/health': {
        const outageUntil = cloud.outageUntil();
        return sendJson(res, 200, {
          ok: outageUntil === undefined,
          id: profile.id,
          ...(outageUntil ? { outageUntil } : {}),
        });
      }
      case 'POST /control/faults':
        cloud.injectFaults(
          parseWith(faultSpecSchema, parseJson(await readBody(req, JSON_LIMIT)) ?? {}),
        );
        res.writeHead(204).end();
        return;
      case 'GET /control/faults':
        return sendJson(res, 200, cloud.faults());
      case 'PUT /control/peers':
        cloud.setPeers(parseWith(peersBody, parseJson(await readBody(req, JSON_LIMIT))));
        return sendJson(res, 200, {});
      case 'GET /control/dead-letters':
        return sendJson(res, 200, cloud.deadLetters());
      case 'GET /control/metering':
        return sendJson(res, 200, cloud.metering.totals());
      case 'GET /control/stats':
        return sendJson(res, 200, { id: profile.id, pid: process.pid, ...cloud.stats() });
    }
    throw new CloudError(
      404,
      'LOCAL_NOT_FOUND',
      `no route ${method} ${path} on local cloud ${profile.id}`,
    );
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const from = req.headers[FROM_CLOUD_HEADER];
    const latency =
      typeof from === 'string' && from !== profile.id ? (profile.latencyMs[from] ?? 0) : 0;
    const handle = async () => {
      if (latency > 0) await sleep(latency);
      if (latency > 0) {
        // Delay the answer too: a call across clouds costs a round trip.
        const writeHead = res.writeHead.bind(res);
        const end = res.end.bind(res);
        let held: unknown[] | undefined;
        res.writeHead = ((...args: Parameters<typeof writeHead>) => {
          held = args;
          return res;
        }) as typeof res.writeHead;
        res.end = ((chunk?: unknown) => {
          setTimeout(() => {
            if (held) writeHead(...(held as Parameters<typeof writeHead>));
            end(chunk as Buffer);
          }, latency);
          return res;
        }) as typeof res.end;
      }
      await route(req, res, path);
    };
    handle().catch((error: unknown) => {
      if (res.headersSent) return;
      if (error instanceof CloudError) {
        sendJson(
          res,
          error.status,
          {
            error: { code: error.code, message: error.message },
            Type: error.status < 500 ? 'User' : 'Service',
            message: error.message,
          },
          { 'x-amzn-errortype': error.code },
        );
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`[${profile.id}] internal error on ${req.method} ${path}: ${message}\n`);
      sendJson(res, 500, { error: { code: 'LOCAL_INTERNAL', message } });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
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
