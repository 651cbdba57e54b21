import { createLogger } from '@jointflow/runtime/log';
import { afterAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './testing/apiHarness';

describe('the API log', () => {
  const lines: string[] = [];
  let harness: Harness | undefined;
  afterAll(() => harness?.close());

  it('is JSON lines with time, level and msg, a record per request at debug, never the token', async () => {
    harness = await startHarness({
      clouds: [],
      extra: {
        log: createLogger({ write: (line) => lines.push(line), format: 'json', level: 'debug' }),
      },
    });
    const { api } = harness;
    expect((await fetch(`${api.url}/api/v1/health`)).status).toBe(200);
    const listed = await fetch(`${api.url}/api/v1/workflows`, {
      headers: { authorization: `Bearer ${api.token}` },
    });
    expect(listed.status).toBe(200);
    expect((await fetch(`${api.url}/api/v1/workflows?token=${api.token}`)).status).toBe(401);
    const bad = await fetch(`${api.url}/api/v1/workflows`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
      body: '{"name": 1}',
    });
    expect(bad.status).toBe(400);

    const records = lines.map((line) => {
      expect(line.endsWith('\n') && line.indexOf('\n') === line.length - 1).toBe(true);
      return JSON.parse(line) as Record<string, unknown>;
    });
    for (const record of records) {
      expect(Object.keys(record).slice(0, 3)).toEqual(['time', 'level', 'msg']);
    }
    expect(records).toContainEqual(
      expect.objectContaining({ level: 'info', msg: 'api listening', database: 'sqlite' }),
    );
    // The harness's own health calls (warm-up) come first.
    const requests = records.filter((r) => r.msg === 'request').slice(-4);
    expect(requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['GET', '/api/v1/health', 200],
      ['GET', '/api/v1/workflows', 200],
      ['GET', '/api/v1/workflows', 401],
      ['POST', '/api/v1/workflows', 400],
    ]);
    expect(lines.join('')).not.toContain(api.token);
  });
});
