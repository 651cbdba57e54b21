import http from 'node:http';

/** One keep-alive agent per process: the hop we measure is a warm connection, as in a FaaS. */
export const keepAliveAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export interface JsonResponse {
  status: number;
  body: unknown;
  headers: http.IncomingHttpHeaders;
}

/** POSTs JSON (or raw bytes) over loopback HTTP/1.1 with keep-alive and parses a JSON answer. */
export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const payload = Buffer.from(JSON.stringify(body));
  return request(url, 'POST', payload, { 'content-type': 'application/json', ...headers });
}

export function getJson(url: string): Promise<JsonResponse> {
  return request(url, 'GET', undefined, {});
}

function request(
  url: string,
  method: string,
  payload: Buffer | undefined,
  headers: Record<string, string>,
): Promise<JsonResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent: keepAliveAgent,
        headers: payload ? { ...headers, 'content-length': String(payload.length) } : headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text.length > 0 ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: hand back the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Reads a request body as JSON. */
export async function readJsonBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length > 0 ? JSON.parse(text) : undefined;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const payload = Buffer.from(JSON.stringify(body ?? null));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': payload.length });
  res.end(payload);
}

/** Starts an HTTP server on 127.0.0.1, an ephemeral port, and returns the port. */
export async function listenLoopback(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no port');
  return address.port;
}
