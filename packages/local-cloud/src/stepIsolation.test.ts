import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deployWorkflow } from '@jointflow/shims';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outsidePorts, runExecution } from './runExecution';
import { sandboxDirOf } from './sandboxPermissions';
import { compileOrThrow, startTestClouds, type TestClouds } from './testClouds';

/**
 * Step code is hostile until shown otherwise (issue 14): a probe step once read the API token,
 * found ingest secrets in the clouds' databases and called the API. Here a step tries the same
 * and must get errors: the token file of a Jointflow home, its own cloud's store and spool, the
 * data directory's listing, another process's environment, a child process; its own environment
 * holds nothing of the cloud's (a sentinel secret set in the test process, which the cloud
 * processes inherit, must not reach it) nor the trace secret. Then the cloud's HTTP face: no
 * control call without the per-start secret, no text/plain bodies, no browsers.
 */

const SENTINEL = 'JF_TEST_SENTINEL_SECRET';
let t: TestClouds;
let home: string;

beforeAll(async () => {
  process.env[SENTINEL] = 'do-not-leak';
  t = await startTestClouds({ only: 'aws-local' });
  home = mkdtempSync(join(tmpdir(), 'jf-home-'));
  writeFileSync(join(home, 'token'), 'the-api-token\n', { mode: 0o600 });
});
afterAll(async () => {
  delete process.env[SENTINEL];
  await t?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

const probe = `
import { execSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

type Paths = { token: string; store: string; spool: string; dataDir: string; parentEnviron: string };

function attempt(what: () => unknown): string {
  try {
    what();
    return 'allowed';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** Step code can use the worker's IPC channel too: a control call there must be refused. */
function controlOverIpc(): Promise<number | string> {
  const id = 1_000_000_000;
  return new Promise((resolve) => {
    const onMessage = (m: { type?: string; id?: number; status?: number }) => {
      if (m.type !== 'portReply' || m.id !== id) return;
      process.off('message', onMessage);
      resolve(m.status ?? 'no status');
    };
    process.on('message', onMessage);
    const call = { type: 'port', id, method: 'POST', path: '/control/faults', headers: { 'content-type': 'application/json' }, body: '{"drop":1}' };
    if (process.send === undefined) resolve('no channel');
    else process.send(call);
  });
}

export async function handler(paths: Paths) {
  return {
    controlOverIpc: await controlOverIpc(),
    token: attempt(() => readFileSync(paths.token, 'utf8')),
    store: attempt(() => readFileSync(paths.store)),
    spool: attempt(() => readFileSync(paths.spool)),
    listing: attempt(() => readdirSync(paths.dataDir)),
    parentEnviron: attempt(() => readFileSync(paths.parentEnviron)),
    child: attempt(() => execSync('id')),
    ownDir: attempt(() => {
      writeFileSync(join(process.cwd(), 'scratch.txt'), 'mine');
      return readFileSync(join(process.cwd(), 'scratch.txt'), 'utf8');
    }),
    cwd: process.cwd(),
    uid: process.getuid?.(),
    env: Object.keys(process.env).sort(),
    envValues: Object.values(process.env).join(' '),
  };
}
`;

describe('step code isolation', () => {
  it('a step cannot read the token, the databases or its parent, and sees a scrubbed environment', async () => {
    const graph = {
      name: 't-isolation',
      nodes: [{ kind: 'task', name: 'probe', cloud: 'aws-local', code: probe }],
      edges: [],
    };
    const ir = compileOrThrow(graph, t.profiles);
    const cloud = t.local.clouds[0];
    if (cloud === undefined) throw new Error('no cloud');
    await deployWorkflow([cloud.shim], ir, 'disolation', t.env);
    const dataDir = join(t.dataDir, 'aws-local');
    const run = await runExecution(outsidePorts([cloud.shim], t.local.peers), {
      ir,
      deployment: 'disolation',
      input: {
        token: join(home, 'token'),
        store: join(dataDir, 'cloud.db'),
        spool: join(dataDir, 'spool.db'),
        dataDir,
        parentEnviron: `/proc/${cloud.pid}/environ`,
      },
      stallMs: 20_000,
      timeoutMs: 120_000,
    });
    expect(run.result.status).toBe('succeeded');
    if (run.result.status !== 'succeeded') return;
    const report = run.result.output as Record<string, unknown>;
    expect(report).toMatchObject({
      token: 'ERR_ACCESS_DENIED',
      store: 'ERR_ACCESS_DENIED',
      spool: 'ERR_ACCESS_DENIED',
      listing: 'ERR_ACCESS_DENIED',
      parentEnviron: 'ERR_ACCESS_DENIED',
      child: 'ERR_ACCESS_DENIED',
      ownDir: 'allowed',
      controlOverIpc: 403,
    });
    // Its own directory, not the repository (nor the cloud's working directory).
    expect(String(report.cwd).startsWith(dirname(sandboxDirOf(dataDir, 'x')))).toBe(true);
    // Started as root (as CI is), the cloud runs step code as another user.
    if (process.getuid?.() === 0) expect(report.uid).toBe(65534);
    else expect(report.uid).toBe(process.getuid?.());
    expect(report.env).not.toContain(SENTINEL);
    expect(report.env).not.toContain('JF_TRACE_SECRET');
    expect(report.env).not.toContain('JF_CONTROL_SECRET');
    const values = String(report.envValues);
    expect(values).not.toContain('do-not-leak');
    expect(values).not.toContain(t.local.controlSecret);
    expect(values).not.toContain(t.env.JF_TRACE_SECRET);
  });

  it("keeps the cloud's data private to its user (0700 directory, 0600 databases)", () => {
    const dataDir = join(t.dataDir, 'aws-local');
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    for (const file of ['cloud.db', 'spool.db']) {
      expect(statSync(join(dataDir, file)).mode & 0o777, file).toBe(0o600);
    }
  });
});

/** A raw HTTP request (fetch cannot set Host), answered with its status and error code. */
function call(
  url: string,
  options: { method: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; code?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${options.path}`,
      { method: options.method, headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let code: string | undefined;
          try {
            code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
          } catch {
            code = undefined;
          }
          resolve({ status: res.statusCode ?? 0, ...(code === undefined ? {} : { code }) });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe("the cloud's HTTP face", () => {
  const faults = JSON.stringify({ drop: 1 });
  const json = { 'content-type': 'application/json' };

  it('answers /control only with the control secret', async () => {
    const url = t.local.clouds[0]?.url ?? '';
    const post = (headers: Record<string, string>) =>
      call(url, { method: 'POST', path: '/control/faults', headers, body: faults });
    expect(await post(json)).toEqual({ status: 401, code: 'LOCAL_UNAUTHORIZED' });
    expect(await post({ ...json, authorization: 'Bearer wrong' })).toEqual({
      status: 401,
      code: 'LOCAL_UNAUTHORIZED',
    });
    expect(await call(url, { method: 'GET', path: '/control/stats' })).toMatchObject({
      status: 401,
    });
    const auth = { authorization: `Bearer ${t.local.controlSecret}` };
    expect(await post({ ...json, ...auth })).toEqual({ status: 204 });
    expect(
      await call(url, {
        method: 'POST',
        path: '/control/faults',
        headers: { ...json, ...auth },
        body: '{}',
      }),
    ).toEqual({ status: 204 });
    // Health stays open (it says only whether the cloud is up).
    expect(await call(url, { method: 'GET', path: '/control/health' })).toEqual({ status: 200 });
  });

  it('refuses what a web page can send: text/plain and form bodies, an Origin, a foreign Host', async () => {
    const url = t.local.clouds[0]?.url ?? '';
    const auth = { authorization: `Bearer ${t.local.controlSecret}` };
    // A browser's "simple" cross-origin POST needs no preflight: text/plain is its way in.
    expect(
      await call(url, {
        method: 'POST',
        path: '/control/faults',
        headers: { ...auth, 'content-type': 'text/plain' },
        body: faults,
      }),
    ).toEqual({ status: 415, code: 'LOCAL_UNSUPPORTED_MEDIA_TYPE' });
    expect(
      await call(url, {
        method: 'POST',
        path: '/store/get',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'key=x',
      }),
    ).toEqual({ status: 415, code: 'LOCAL_UNSUPPORTED_MEDIA_TYPE' });
    expect(
      await call(url, {
        method: 'POST',
        path: '/2015-03-31/functions/x/invocations',
        headers: { 'content-type': 'text/plain', 'x-amz-invocation-type': 'Event' },
        body: '{}',
      }),
    ).toEqual({ status: 415, code: 'LOCAL_UNSUPPORTED_MEDIA_TYPE' });
    expect(
      await call(url, {
        method: 'POST',
        path: '/store/get',
        headers: { ...json, origin: 'https://evil.example' },
        body: '{"key":"x"}',
      }),
    ).toEqual({ status: 403, code: 'LOCAL_FORBIDDEN_ORIGIN' });
    expect(
      await call(url, {
        method: 'GET',
        path: '/control/health',
        headers: { 'sec-fetch-site': 'cross-site' },
      }),
    ).toEqual({ status: 403, code: 'LOCAL_FORBIDDEN_ORIGIN' });
    // DNS rebinding: the page's own name resolving to 127.0.0.1.
    expect(
      await call(url, {
        method: 'POST',
        path: '/store/get',
        headers: { ...json, host: `evil.example:${new URL(url).port}` },
        body: '{"key":"x"}',
      }),
    ).toEqual({ status: 403, code: 'LOCAL_FORBIDDEN_HOST' });
    // The same store call from a Node client goes through.
    expect(
      await call(url, { method: 'POST', path: '/store/get', headers: json, body: '{"key":"x"}' }),
    ).toEqual({ status: 200 });
  });
});
