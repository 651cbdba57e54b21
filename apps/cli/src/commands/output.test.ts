import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { outputCommand } from './output';

/**
 * `jointflow output` against a loopback stand-in of the API's output endpoint (the endpoint is
 * tested in apps/api/src/stepOutput.test.ts): the request, stdout or --out, and exit codes.
 */
describe('jointflow output', () => {
  const big = JSON.stringify({ values: Array.from({ length: 300_000 }, (_, i) => i) });
  const urls: string[] = [];
  const server = createServer((req, res) => {
    urls.push(req.url ?? '');
    const url = new URL(req.url ?? '', 'http://x');
    if (req.headers.authorization !== 'Bearer test-token') {
      res.writeHead(401).end();
      return;
    }
    if (url.searchParams.get('instance') === 'score/map:resize=2') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(big);
      return;
    }
    res.writeHead(410, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'API_OUTPUT_GONE', message: 'closed' } }));
  });
  let api = '';
  let dir = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'jf-output-cli-'));
    vi.stubEnv('JOINTFLOW_TOKEN', 'test-token');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('prints or saves the full output, and reports why there is none', async () => {
    const written: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const id = 'ex_0000000000000001';
      expect(await outputCommand.run([id, 'score/map:resize=2', '--api', api])).toBe(0);
      expect(urls[0]).toBe(`/api/v1/executions/${id}/output?instance=score%2Fmap%3Aresize%3D2`);
      expect(written.join('')).toBe(`${big}\n`);
      const file = join(dir, 'out.json');
      expect(await outputCommand.run([id, 'score/map:resize=2', '--out', file, '--api', api])).toBe(
        0,
      );
      expect(readFileSync(file, 'utf8')).toBe(big);
      expect(await outputCommand.run([id, 'gone', '--api', api])).toBe(1);
      expect(String(err.mock.lastCall?.[0])).toContain('API_OUTPUT_GONE');
      await expect(outputCommand.run([id])).rejects.toThrow(
        'give an execution id and one instance',
      );
    } finally {
      stdout.mockRestore();
      err.mockRestore();
    }
  });
});
