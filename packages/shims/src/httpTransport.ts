import { Agent, request } from 'node:http';
import { z } from 'zod';

/**
 * The one HTTP client every local-cloud port and the local shim use: keep-alive sockets to
 * 127.0.0.1, JSON in and out, and errors that carry a stable code. Node's `fetch` would do, but a
 * plain `http.request` on a keep-alive agent costs a fraction of the time per call, and these
 * calls sit on the critical path of every step.
 */

const agent = new Agent({ keepAlive: true, maxSockets: 64, keepAliveMsecs: 1_000 });

/** Header naming the calling cloud; the receiving cloud adds the latency between the two. */
export const FROM_CLOUD_HEADER = 'x-jointflow-from';

export class ShimError extends Error {
  readonly code: string;
  /** HTTP status when the cloud answered; absent when it could not be reached. */
  readonly status?: number;
  constructor(code: string, message: string, status?: number) {
    super(message);
    this.name = 'ShimError';
    this.code = code;
    if (status !== undefined) this.status = status;
  }
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  timeoutMs?: number;
}

/**
 * Sends one request; rejects with `ShimError('CLOUD_UNREACHABLE')` when no answer comes. A request
 * that dies on a kept-alive socket the server closed at the same moment (ECONNRESET, "socket hang
 * up" on a reused socket) is sent once more on a fresh one, as Node's documentation advises:
 * every port call is safe to repeat (reads; put-if-absent and slot fills answer a repeat with
 * what is stored; an invoke twice is a duplicate the runtime absorbs).
 */
export function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  return sendOnce(req).catch((error: unknown) => {
    if (error instanceof StaleSocket) return sendOnce(req, true);
    throw error;
  });
}

/** The server closed a kept-alive socket as this request went out on it. */
class StaleSocket extends Error {}

function sendOnce(req: HttpRequest, retried = false): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(req.url);
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
    const call = request(
      {
        agent,
        method: req.method,
        hostname: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        headers,
        timeout: req.timeoutMs ?? 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', (error) =>
          reject(new ShimError('CLOUD_UNREACHABLE', `${req.url}: ${error.message}`)),
        );
      },
    );
    call.on('timeout', () => call.destroy(new Error('timed out')));
    call.on('error', (error: NodeJS.ErrnoException) => {
      const reset = error.code === 'ECONNRESET' || error.message === 'socket hang up';
      if (reset && call.reusedSocket && !retried) {
        reject(new StaleSocket(error.message));
        return;
      }
      reject(new ShimError('CLOUD_UNREACHABLE', `${req.method} ${req.url}: ${error.message}`));
    });
    if (req.body !== undefined) call.end(req.body);
    else call.end();
  });
}

/** One request to a cloud, addressed by path (the transport knows where the cloud is). */
export interface TransportRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
}

/**
 * How a port reaches one cloud's API: over loopback HTTP, or (a worker calling its own cloud)
 * over the worker's IPC channel. Both carry the same request and answer, and the cloud handles
 * both with the same routes.
 */
export interface CloudTransport {
  /** Names the cloud in error messages (its base URL for HTTP). */
  readonly label: string;
  send(request: TransportRequest): Promise<HttpResponse>;
}

/** The HTTP transport to the cloud at `baseUrl` (keep-alive loopback). */
export function httpTransport(baseUrl: string): CloudTransport {
  return {
    label: baseUrl,
    send: (request) =>
      httpRequest({
        method: request.method,
        url: `${baseUrl}${request.path}`,
        ...(request.headers ? { headers: request.headers } : {}),
        ...(request.body !== undefined ? { body: request.body } : {}),
      }),
  };
}

/** What a local cloud puts in a 4xx/5xx body (either field may be missing). */
const cloudErrorBody = z.object({
  error: z.object({ code: z.string().optional(), message: z.string().optional() }),
});

/** The error a local cloud puts in a 4xx/5xx body. */
function errorOf(res: HttpResponse, url: string): ShimError {
  let code = `HTTP_${res.status}`;
  let message = res.body.toString('utf8').slice(0, 500);
  try {
    const parsed = cloudErrorBody.safeParse(JSON.parse(message));
    if (parsed.success) {
      code = parsed.data.error.code ?? code;
      message = parsed.data.error.message ?? message;
    }
  } catch {
    // Not JSON: keep the raw text as the message.
  }
  return new ShimError(code, `${url}: ${message}`, res.status);
}

/** POSTs (or sends `method`) a JSON body and returns the parsed JSON answer; non-2xx rejects. */
export async function jsonCall(
  method: string,
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<unknown> {
  const res = await httpRequest({
    method,
    url,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status < 200 || res.status >= 300) throw errorOf(res, url);
  if (res.body.length === 0) return undefined;
  return JSON.parse(res.body.toString('utf8'));
}

export { errorOf as httpErrorOf };
