import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpRequest } from './httpTransport';

/**
 * A kept-alive socket the server closes just as the next request goes out on it ("socket hang
 * up", ECONNRESET) is retried once on a fresh socket; a reset of a fresh socket is an error.
 */

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  server = undefined;
});

async function serve(onRequest: (served: number, socket: Socket) => 'answer' | 'reset') {
  const served = new WeakMap<Socket, number>();
  let requests = 0;
  server = createServer((req, res) => {
    requests += 1;
    const n = served.get(req.socket) ?? 0;
    served.set(req.socket, n + 1);
    if (onRequest(n, req.socket) === 'reset') {
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  await new Promise<void>((ready) => server?.listen(0, '127.0.0.1', ready));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
  return { url, requests: () => requests };
}

describe('httpRequest', () => {
  it('sends again once when a reused keep-alive socket was closed under it', async () => {
    // Every socket answers its first request and drops its second without an answer.
    const s = await serve((served) => (served === 0 ? 'answer' : 'reset'));
    expect((await httpRequest({ method: 'POST', url: s.url, body: '{}' })).status).toBe(200);
    const again = await httpRequest({ method: 'POST', url: s.url, body: '{}' });
    expect(again.status).toBe(200);
    expect(again.body.toString()).toBe('ok');
    expect(s.requests()).toBe(3);
  });

  it('reports a reset of a fresh socket as CLOUD_UNREACHABLE, without retrying', async () => {
    const s = await serve(() => 'reset');
    await expect(httpRequest({ method: 'GET', url: `${s.url}?fresh` })).rejects.toMatchObject({
      code: 'CLOUD_UNREACHABLE',
    });
  });
});
