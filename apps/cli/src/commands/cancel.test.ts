import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cancelCommand } from './cancel';

/**
 * `jointflow cancel` against a loopback stand-in of the API's cancel endpoint (the endpoint
 * itself is tested in apps/api/src/cancel.test.ts): the request it sends, what it prints, and
 * its exit codes.
 */
describe('jointflow cancel', () => {
  const seen: { method?: string; url?: string; auth?: string }[] = [];
  const answers = new Map<string, { status: number; body: unknown }>([
    [
      'ex_000000000000000a',
      { status: 202, body: { id: 'ex_000000000000000a', status: 'cancelled' } },
    ],
    [
      'ex_000000000000000b',
      { status: 202, body: { id: 'ex_000000000000000b', status: 'succeeded' } },
    ],
    [
      'ex_000000000000000c',
      {
        status: 409,
        body: {
          error: {
            code: 'API_CONFLICT',
            message: 'execution is failed; only a running execution can be cancelled',
          },
        },
      },
    ],
  ]);
  const server = createServer((req: IncomingMessage, res) => {
    seen.push({ method: req.method, url: req.url, auth: req.headers.authorization });
    const id = /^\/api\/v1\/executions\/([^/]+)\/cancel$/.exec(req.url ?? '')?.[1] ?? '';
    const answer = answers.get(id) ?? {
      status: 404,
      body: { error: { code: 'API_NOT_FOUND', message: 'no' } },
    };
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  });
  let api = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    vi.stubEnv('JOINTFLOW_TOKEN', 'test-token');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('cancels, says when the execution had ended first, and reports API errors', async () => {
    const out = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await cancelCommand.run(['ex_000000000000000a', '--api', api])).toBe(0);
      expect(out).toHaveBeenCalledWith('execution ex_000000000000000a: cancelled');
      expect(seen[0]).toEqual({
        method: 'POST',
        url: '/api/v1/executions/ex_000000000000000a/cancel',
        auth: 'Bearer test-token',
      });
      expect(await cancelCommand.run(['ex_000000000000000b', '--api', api])).toBe(1);
      expect(err).toHaveBeenLastCalledWith(
        'jointflow cancel: execution ex_000000000000000b succeeded before the cancel',
      );
      expect(await cancelCommand.run(['ex_000000000000000c', '--api', api])).toBe(1);
      expect(String(err.mock.lastCall?.[0])).toContain('API_CONFLICT');
      await expect(cancelCommand.run(['--api', api])).rejects.toThrow('give one execution id');
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});
