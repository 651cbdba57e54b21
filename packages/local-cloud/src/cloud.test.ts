import { spawn } from 'node:child_process';
import { keys, readExecutionResult } from '@jointflow/runtime';
import { deployedFunctionName, deployWorkflow, type LocalCloudShim } from '@jointflow/shims';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outsidePorts, runExecution } from './runExecution';
import { compileOrThrow, startTestClouds, type TestClouds } from './testClouds';

let t: TestClouds;
let aws: LocalCloudShim;
let url: string;

const task = (name: string, code: string, extra: Record<string, unknown> = {}) => ({
  name: `t-${name}`,
  nodes: [{ kind: 'task', name, cloud: 'aws-local', code, ...extra }],
  edges: [],
});

beforeAll(async () => {
  t = await startTestClouds({ only: 'aws-local' });
  const cloud = t.local.clouds[0];
  if (!cloud) throw new Error('no cloud');
  aws = cloud.shim;
  url = cloud.url;
});
afterAll(async () => {
  await t?.close();
});

async function deploy(graph: unknown, deployment: string) {
  const ir = compileOrThrow(graph, t.profiles);
  await deployWorkflow([aws], ir, deployment, t.env);
  return ir;
}

describe('Lambda Invoke API', () => {
  it('answers Event with 202 and RequestResponse with the result, for a request shaped like the AWS SDK', async () => {
    const ir = await deploy(
      task(
        'double',
        'export async function handler(x: { n: number }) { return { doubled: x.n * 2 }; }',
      ),
      'dlambda',
    );
    const invocation = {
      execution: 'lambda-1',
      deployment: 'dlambda',
      irVersion: ir.version,
      fn: 'double',
      scope: [],
      input: { inline: { n: 21 } },
    };
    const name = deployedFunctionName('dlambda', 'double');
    // What @aws-sdk/client-lambda's InvokeCommand sends: POST, the function in the path, the
    // qualifier in the query, the payload as raw bytes, invocation type and log type as headers.
    const sdkShaped = (type: string, execution: string) =>
      fetch(
        `${url}/2015-03-31/functions/${encodeURIComponent(name)}/invocations?Qualifier=%24LATEST`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/octet-stream',
            'x-amz-invocation-type': type,
            'x-amz-log-type': 'None',
            'x-amz-user-agent': 'aws-sdk-js/3',
          },
          body: new TextEncoder().encode(JSON.stringify({ ...invocation, execution })),
        },
      );
    const sync = await sdkShaped('RequestResponse', 'lambda-sync');
    expect(sync.status).toBe(200);
    expect(await sync.json()).toMatchObject({ outcome: 'committed', status: 'succeeded' });
    const event = await sdkShaped('Event', 'lambda-event');
    expect(event.status).toBe(202);
    await expect
      .poll(() => aws.store().get(keys.result('lambda-event')), { timeout: 10_000 })
      .toBeDefined();
    const result = await readExecutionResult(aws.store(), 'lambda-event');
    expect(result).toMatchObject({ status: 'succeeded', output: { doubled: 42 } });
  });

  it('answers malformed requests with JSON 4xx and keeps serving', async () => {
    const name = deployedFunctionName('dlambda', 'double');
    const bad = async (path: string, body: string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${url}${path}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
      });
      const json = (await res.json()) as { error: { code: string; message: string } };
      return { status: res.status, code: json.error.code };
    };
    const invokePath = `/2015-03-31/functions/${name}/invocations`;
    expect(await bad(invokePath, '{not json', { 'x-amz-invocation-type': 'Event' })).toEqual({
      status: 400,
      code: 'InvalidRequestContentException',
    });
    expect(
      await bad(invokePath, '{"execution":1}', { 'x-amz-invocation-type': 'Event' }),
    ).toMatchObject({ status: 400 });
    expect(await bad('/2015-03-31/functions/nope--x/invocations', '{}')).toMatchObject({
      status: 404,
    });
    expect(await bad('/store/put-if-absent', '{"value":1}')).toEqual({
      status: 400,
      code: 'LOCAL_BAD_REQUEST',
    });
    expect(await bad('/no/such/route', '')).toEqual({ status: 404, code: 'LOCAL_NOT_FOUND' });
    const big = JSON.stringify({ pad: 'x'.repeat(1_100_000) });
    expect(await bad(invokePath, big, { 'x-amz-invocation-type': 'Event' })).toMatchObject({
      status: 413,
    });
    expect((await aws.health()).ok).toBe(true);
  });

  it('reports a deploy of invalid TypeScript as failed with esbuild’s message', async () => {
    const ir = compileOrThrow(
      task('broken', 'export async function handler( { return 1 }'),
      t.profiles,
    );
    await expect(deployWorkflow([aws], ir, 'dbroken', t.env)).rejects.toThrow(
      /DEPLOY_BUILD_FAILED/,
    );
    const state = await aws.describe('dbroken', 'broken');
    expect(state.state).toBe('failed');
    if (state.state === 'failed') expect(state.reason).toMatch(/line 1/);
  });
});

describe('store', () => {
  it('has exactly one put-if-absent winner among racing processes', async () => {
    const racers = 6;
    const script = `
      const [url, id] = process.argv.slice(1);
      const res = await fetch(url + '/store/put-if-absent', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'race/k', value: { id } }) });
      process.stdout.write(await res.text());`;
    const outputs = await Promise.all(
      Array.from(
        { length: racers },
        (_, i) =>
          new Promise<string>((resolve, reject) => {
            const child = spawn(process.execPath, [
              '--input-type=module',
              '-e',
              script,
              url,
              String(i),
            ]);
            let out = '';
            child.stdout.on('data', (c: Buffer) => (out += c.toString()));
            child.on('exit', (code) =>
              code === 0 ? resolve(out) : reject(new Error(`racer exit ${code}`)),
            );
          }),
      ),
    );
    const results = outputs.map(
      (o) => JSON.parse(o) as { won: boolean; existing?: { id: string } },
    );
    const winners = results.filter((r) => r.won);
    expect(winners).toHaveLength(1);
    const stored = (await aws.store().get('race/k')) as { id: string };
    for (const r of results) if (!r.won) expect(r.existing).toEqual(stored);
  });

  // The store's semantics are the conformance suite's (localStore.conformance.test.ts).
  it('keeps content-addressed blobs', async () => {
    const blob = new TextEncoder().encode('hello blobs');
    const key = await aws.blobs().put(blob);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(new TextDecoder().decode(await aws.blobs().get(key))).toBe('hello blobs');
  });
});

describe('worker ports over IPC', () => {
  it('passes a payload over the async limit through a blob on the worker’s own cloud', async () => {
    // 1.2 MB > aws-local's 1 MB Event payload: step a's output goes to a blob (put over a's IPC
    // channel to its cloud), step b reads it back over its own channel.
    const ir = await deploy(
      {
        name: 't-bigpayload',
        nodes: [
          {
            kind: 'task',
            name: 'big',
            cloud: 'aws-local',
            code: "export async function handler() { return { s: 'x'.repeat(1_200_000) + 'é' }; }",
          },
          {
            kind: 'task',
            name: 'measure',
            cloud: 'aws-local',
            code: 'export async function handler(x: { s: string }) { return { n: x.s.length, last: x.s.at(-1) }; }',
          },
        ],
        edges: [{ id: 'e', source: 'big', target: 'measure' }],
      },
      'dbig',
    );
    const ports = outsidePorts([aws], t.local.peers);
    const run = await runExecution(ports, {
      ir,
      deployment: 'dbig',
      input: {},
      stallMs: 5_000,
      timeoutMs: 20_000,
    });
    expect(run.result).toMatchObject({ status: 'succeeded', output: { n: 1_200_001, last: 'é' } });
  });
});

describe('failures', () => {
  it('commits a throwing step as failed with its error and stack after its retries', async () => {
    const ir = await deploy(
      task('thrower', "export async function handler() { throw new Error('boom: bad input'); }", {
        retries: 1,
      }),
      'dthrow',
    );
    const ports = outsidePorts([aws], t.local.peers);
    const run = await runExecution(ports, {
      ir,
      deployment: 'dthrow',
      input: {},
      stallMs: 5_000,
      timeoutMs: 20_000,
    });
    expect(run.result.status).toBe('failed');
    if (run.result.status === 'failed') {
      expect(run.result.error.message).toContain('boom: bad input');
      expect(run.result.error.stack).toContain('handler');
    }
  });

  it('kills a run past its timeout, retries it through the async queue as the step allows, then commits the timeout as its failure', async () => {
    const ir = await deploy(
      task(
        'sleeper',
        'export async function handler() { await new Promise((r) => setTimeout(r, 60_000)); }',
        {
          timeoutMs: 300,
        },
      ),
      'dslow',
    );
    const ports = outsidePorts([aws], t.local.peers);
    const run = await runExecution(ports, {
      ir,
      deployment: 'dslow',
      input: {},
      stallMs: 60_000,
      timeoutMs: 60_000,
    });
    // Three attempts (the step's 2 retries) each killed at its timeout; the fourth delivery
    // commits the timeout as the step's failure without running the code again.
    expect(run.result).toMatchObject({ status: 'failed', error: { code: 'FUNCTION_TIMEOUT' } });
    const name = deployedFunctionName('dslow', 'sleeper');
    expect((await aws.deadLetters()).filter((d) => d.function === name)).toEqual([]);
    const metering = (await aws.metering()).find((m) => m.function === name);
    expect(metering?.failures).toBe(3);
    // Three attempts billed about 300 ms each, not 60 s: the worker was killed each time.
    expect(metering?.billedMs ?? Number.POSITIVE_INFINITY).toBeLessThan(30_000);
  });
});
