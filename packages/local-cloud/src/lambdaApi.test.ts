import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvalidParameterValueException,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  PublishVersionCommand,
  RequestTooLargeException,
  ResourceConflictException,
  ResourceNotFoundException,
  TooManyRequestsException,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfileDir } from './profiles';
import { sandboxDirOf } from './sandboxPermissions';
import { type LocalClouds, startLocalClouds } from './startLocalClouds';
import { startTraceCollector } from './traceCollector';
import { zipKey } from './zipInvocation';

/**
 * The Lambda API subset, driven by the real @aws-sdk/client-lambda against a real cloud process
 * (one aws-local cloud with a concurrency limit of 2 so throttling is reachable).
 */

let clouds: LocalClouds;
let url: string;
let client: LambdaClient;
let scratch: string;
const ROLE = 'arn:aws:iam::000000000000:role/jointflow-test';

const handlerSource = `
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
export async function handler(event, context) {
  switch (event.mode) {
    case 'echo':
      return {
        event,
        version: VERSION,
        ctx: {
          awsRequestId: context.awsRequestId,
          functionName: context.functionName,
          functionVersion: context.functionVersion,
          memoryLimitInMB: context.memoryLimitInMB,
          invokedFunctionArn: context.invokedFunctionArn,
          remaining: context.getRemainingTimeInMillis(),
          faultPoint: typeof context.jointflowFaultPoint,
        },
        env: {
          AWS_REGION: process.env.AWS_REGION,
          AWS_LAMBDA_FUNCTION_NAME: process.env.AWS_LAMBDA_FUNCTION_NAME,
          AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
          GREETING: process.env.GREETING,
          JF_TRACE_SECRET: process.env.JF_TRACE_SECRET,
          HOST_ONLY: process.env.HOST_ONLY ?? null,
        },
        cwdHasIndex: existsSync('index.mjs'),
      };
    case 'throw':
      throw new TypeError('bad input: ' + event.why);
    case 'record': {
      appendFileSync(event.file, context.awsRequestId + '\\n');
      const seen = readFileSync(event.file, 'utf8').split('\\n').filter(Boolean).length;
      if (event.failFirst && seen === 1) throw new Error('the first attempt fails');
      return 'recorded';
    }
    case 'crash':
      appendFileSync(event.file, 'attempt\\n');
      context.jointflowFaultPoint('before-commit', 'crash-test');
      appendFileSync(event.file, 'committed\\n');
      return 'survived';
    case 'hold':
      writeFileSync(event.started, '');
      while (!existsSync(event.release)) await new Promise((r) => setTimeout(r, 10));
      return 'released';
    case 'hang':
      await new Promise(() => {});
  }
  return null;
}
`;

const zipOf = (files: Record<string, string>) =>
  Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)]))));
const echoZip = (version: number) =>
  zipOf({ 'index.mjs': handlerSource.replace('VERSION', String(version)) });

const decode = (payload: Uint8Array | undefined) =>
  JSON.parse(Buffer.from(payload ?? new Uint8Array()).toString('utf8')) as Record<string, unknown>;

async function invoke(
  name: string,
  event: unknown,
  type: 'RequestResponse' | 'Event' = 'RequestResponse',
) {
  return client.send(
    new InvokeCommand({
      FunctionName: name,
      InvocationType: type,
      Payload: new TextEncoder().encode(JSON.stringify(event)),
    }),
  );
}

async function create(name: string, zip: Buffer, extra: Record<string, unknown> = {}) {
  const created = await client.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: ROLE,
      Code: { ZipFile: zip },
      MemorySize: 256,
      Timeout: 30,
      ...extra,
    }),
  );
  await waitUntilFunctionActiveV2({ client, maxWaitTime: 30 }, { FunctionName: name });
  return created;
}

async function faults(spec: object) {
  const res = await fetch(`${url}/control/faults`, {
    method: 'POST',
    headers: { ...control(), 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  expect(res.status).toBe(204);
}

/**
 * Where the echo function's handler may write (its sandbox directory; it can write nothing else)
 * and this test reads what it wrote.
 */
const echoDir = () => sandboxDirOf(join(scratch, 'clouds', 'aws-local'), zipKey('echo', '$LATEST'));

/** The control secret of the running cloud (`/control/*` answers only with it). */
const control = () => ({ authorization: `Bearer ${clouds.controlSecret}` });

const linesOf = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];

/** Starts (or restarts, on the same data directory) the one cloud and points the client at it. */
async function startCloud() {
  const aws = loadProfileDir().find((p) => p.id === 'aws-local');
  if (aws === undefined) throw new Error('no aws-local profile');
  clouds = await startLocalClouds({
    profiles: [{ ...aws, limits: { ...aws.limits, concurrency: 2 } }],
    dataDir: join(scratch, 'clouds'),
    behaviour: { coldStartMs: 10, asyncRetryDelayMs: 50, asyncRetries: 2 },
    logs: 'ignore',
  });
  url = clouds.clouds[0]?.url ?? '';
  client?.destroy();
  client = new LambdaClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
    maxAttempts: 1,
  });
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'jf-lambda-api-'));
  await startCloud();
});
afterAll(async () => {
  client?.destroy();
  await clouds?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('Lambda control API through @aws-sdk/client-lambda', () => {
  it('creates a zip function (Pending, then Active for the waiter) and describes it without env values', async () => {
    const zip = echoZip(1);
    const created = await client.send(
      new CreateFunctionCommand({
        FunctionName: 'echo',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: ROLE,
        Code: { ZipFile: zip },
        MemorySize: 256,
        Timeout: 30,
        Description: 'jf:abc123',
        Environment: { Variables: { GREETING: 'hello', JF_TRACE_SECRET: 'do-not-return' } },
      }),
    );
    expect(created.State).toBe('Pending');
    expect(created.Version).toBe('$LATEST');
    const waited = await waitUntilFunctionActiveV2(
      { client, maxWaitTime: 30 },
      { FunctionName: 'echo' },
    );
    expect(waited.state).toBe('SUCCESS');
    const got = await client.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    const config = got.Configuration;
    expect(config).toMatchObject({
      FunctionName: 'echo',
      FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:echo',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 30,
      State: 'Active',
      LastUpdateStatus: 'Successful',
      Version: '$LATEST',
      CodeSize: zip.length,
      CodeSha256: createHash('sha256').update(zip).digest('base64'),
      Description: 'jf:abc123',
      PackageType: 'Zip',
    });
    // Names are kept, values never leave the cloud (the ingest secret travels in env).
    expect(config?.Environment?.Variables).toEqual({
      GREETING: '<redacted>',
      JF_TRACE_SECRET: '<redacted>',
    });
    expect(JSON.stringify(got)).not.toContain('do-not-return');
    const again = await client.send(new GetFunctionConfigurationCommand({ FunctionName: 'echo' }));
    expect(again.CodeSha256).toBe(config?.CodeSha256);
    const list = await client.send(new ListFunctionsCommand({}));
    expect(list.Functions?.map((f) => f.FunctionName)).toContain('echo');
  });

  it('invokes RequestResponse with Lambda’s event, context and environment', async () => {
    const out = await invoke('echo', { mode: 'echo', n: 7 });
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe('$LATEST');
    const body = decode(out.Payload);
    expect(body.event).toEqual({ mode: 'echo', n: 7 });
    expect(body.version).toBe(1);
    expect(body.ctx).toMatchObject({
      functionName: 'echo',
      functionVersion: '$LATEST',
      memoryLimitInMB: '256',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:echo',
      faultPoint: 'function',
    });
    const ctx = body.ctx as { awsRequestId: string; remaining: number };
    expect(ctx.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ctx.remaining).toBeGreaterThan(0);
    expect(ctx.remaining).toBeLessThanOrEqual(30_000);
    expect(body.env).toEqual({
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: 'echo',
      AWS_ACCESS_KEY_ID: 'LOCALPLACEHOLDERKEY',
      GREETING: 'hello',
      JF_TRACE_SECRET: 'do-not-return',
      HOST_ONLY: null,
    });
    expect(body.cwdHasIndex).toBe(true);
    const dry = await client.send(
      new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun', Payload: strToU8('{}') }),
    );
    expect(dry.StatusCode).toBe(204);
  });

  it('reports a handler error as FunctionError Unhandled with Lambda’s error payload', async () => {
    const out = await invoke('echo', { mode: 'throw', why: 'no n' });
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    const body = decode(out.Payload);
    expect(body).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad input: no n' });
    expect((body.trace as string[]).join('\n')).toContain('index.mjs');
  });

  it('updates the code (waitUntilFunctionUpdatedV2) and the warm sandbox runs the new code', async () => {
    const zip = echoZip(2);
    const updated = await client.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'echo', ZipFile: zip }),
    );
    expect(updated.LastUpdateStatus).toBe('InProgress');
    expect(updated.CodeSha256).toBe(createHash('sha256').update(zip).digest('base64'));
    const waited = await waitUntilFunctionUpdatedV2(
      { client, maxWaitTime: 30 },
      { FunctionName: 'echo' },
    );
    expect(waited.state).toBe('SUCCESS');
    expect(decode((await invoke('echo', { mode: 'echo' })).Payload).version).toBe(2);

    const config = await client.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'echo',
        MemorySize: 512,
        Environment: { Variables: { GREETING: 'bonjour' } },
      }),
    );
    expect(config.MemorySize).toBe(512);
    await waitUntilFunctionUpdatedV2({ client, maxWaitTime: 30 }, { FunctionName: 'echo' });
    const body = decode((await invoke('echo', { mode: 'echo' })).Payload);
    expect(body.ctx).toMatchObject({ memoryLimitInMB: '512' });
    expect(body.env).toMatchObject({ GREETING: 'bonjour' });
  });

  it('publishes versions that keep their code and answer a Qualifier', async () => {
    const v1 = await client.send(new PublishVersionCommand({ FunctionName: 'echo' }));
    expect(v1.Version).toBe('1');
    await client.send(new UpdateFunctionCodeCommand({ FunctionName: 'echo', ZipFile: echoZip(3) }));
    await waitUntilFunctionUpdatedV2({ client, maxWaitTime: 30 }, { FunctionName: 'echo' });
    const old = await client.send(
      new InvokeCommand({
        FunctionName: 'echo',
        Qualifier: '1',
        Payload: new TextEncoder().encode('{"mode":"echo"}'),
      }),
    );
    expect(old.ExecutedVersion).toBe('1');
    expect(decode(old.Payload).version).toBe(2);
    expect(decode((await invoke('echo', { mode: 'echo' })).Payload).version).toBe(3);
  });

  it('runs a CommonJS handler from a nested path, and the two-argument callback style', async () => {
    await create(
      'cjs',
      zipOf({
        'src/app.js':
          'exports.main = (event, context, callback) => { callback(null, { sum: event.a + event.b, name: context.functionName }); };',
      }),
      { Handler: 'src/app.main' },
    );
    const out = await invoke('cjs', { a: 2, b: 3 });
    expect(decode(out.Payload)).toEqual({ sum: 5, name: 'cjs' });
  });

  it('answers Lambda’s error codes', async () => {
    await expect(
      client.send(new GetFunctionCommand({ FunctionName: 'nope' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(invoke('nope', {})).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(create('echo', echoZip(1))).rejects.toBeInstanceOf(ResourceConflictException);
    await expect(
      create('bad-env', echoZip(1), { Environment: { Variables: { AWS_REGION: 'eu-west-1' } } }),
    ).rejects.toThrow(/reserved keys.*AWS_REGION/);
    await expect(create('not-zip', Buffer.from('plain text, not a zip'))).rejects.toBeInstanceOf(
      InvalidParameterValueException,
    );
    await expect(create('py', echoZip(1), { Runtime: 'python3.12' })).rejects.toBeInstanceOf(
      InvalidParameterValueException,
    );
    const bad = await client
      .send(
        new InvokeCommand({ FunctionName: 'echo', Payload: new TextEncoder().encode('{not json') }),
      )
      .catch((error: unknown) => error);
    expect((bad as Error).name).toBe('InvalidRequestContentException');
    expect((bad as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(400);
    // Over the profile's asynchronous payload limit (1 MB on aws-local).
    await expect(
      invoke('echo', { mode: 'echo', pad: 'x'.repeat(1024 * 1024) }, 'Event'),
    ).rejects.toBeInstanceOf(RequestTooLargeException);
    // Over the request limit itself (8 MB here), refused before it is read to the end.
    await expect(
      invoke('echo', { mode: 'echo', pad: 'x'.repeat(9 * 1024 * 1024) }),
    ).rejects.toBeInstanceOf(RequestTooLargeException);
  });

  it('refuses a zip over 50 MB with RequestEntityTooLargeException (413)', async () => {
    // Incompressible size does not matter here: the limit is on the zip as uploaded.
    const big = Buffer.alloc(50 * 1024 * 1024 + 1);
    big.writeUInt32LE(0x04034b50, 0);
    const error = await create('too-big', big).catch((e: unknown) => e);
    // Not in the SDK's model (API Gateway's answer on AWS): a LambdaServiceException by name.
    expect((error as Error).name).toBe('RequestEntityTooLargeException');
    expect((error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(413);
    await expect(
      client.send(new GetFunctionCommand({ FunctionName: 'too-big' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('throttles RequestResponse at the concurrency limit with TooManyRequestsException (429)', async () => {
    const started = [join(echoDir(), 'hold-1'), join(echoDir(), 'hold-2')];
    const release = join(echoDir(), 'release');
    const held = started.map((file) => invoke('echo', { mode: 'hold', started: file, release }));
    await expect.poll(() => started.every((f) => existsSync(f)), { timeout: 20_000 }).toBe(true);
    const error = await invoke('echo', { mode: 'echo' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooManyRequestsException);
    expect((error as TooManyRequestsException).Reason).toBe('ConcurrentInvocationLimitExceeded');
    writeFileSync(release, '');
    for (const out of await Promise.all(held)) expect(decode(out.Payload)).toBe('released');
  });

  it('kills a run past its Timeout and reports Sandbox.Timedout', async () => {
    await create('hangs', echoZip(1), { Timeout: 1 });
    const out = await invoke('hangs', { mode: 'hang' });
    expect(out.FunctionError).toBe('Unhandled');
    expect(decode(out.Payload)).toMatchObject({ errorType: 'Sandbox.Timedout' });
  });

  it('deletes a function', async () => {
    await client.send(new DeleteFunctionCommand({ FunctionName: 'hangs' }));
    await expect(
      client.send(new GetFunctionCommand({ FunctionName: 'hangs' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('Lambda Event invocations of zip functions', () => {
  it('answers 202 and runs the handler from the async queue, retrying a failed attempt', async () => {
    const file = join(echoDir(), 'events-retry');
    const out = await invoke('echo', { mode: 'record', file, failFirst: true }, 'Event');
    expect(out.StatusCode).toBe(202);
    await expect.poll(() => linesOf(file).length, { timeout: 20_000 }).toBe(2);
    // Lambda keeps one request id across the retries of an asynchronous invocation.
    const [first, second] = linesOf(file);
    expect(first).toBe(second);
  });

  it('meters zip functions like every function', async () => {
    const res = await fetch(`${url}/control/metering`, { headers: control() });
    const rows = (await res.json()) as {
      function: string;
      invocations: number;
      billedMs: number;
    }[];
    const echo = rows.find((r) => r.function === 'echo');
    expect(echo?.invocations).toBeGreaterThanOrEqual(8);
    expect(echo?.billedMs).toBeGreaterThan(0);
  });

  it('injects a real crash at context.jointflowFaultPoint and the queue retries it', async () => {
    await faults({ seed: 3, crashBeforeCommit: 1 });
    try {
      const file = join(echoDir(), 'events-crash');
      await invoke('echo', { mode: 'crash', file }, 'Event');
      // Three attempts (asyncRetries 2); crashes are never injected into the last one.
      await expect
        .poll(() => linesOf(file), { timeout: 20_000 })
        .toEqual(['attempt', 'attempt', 'attempt', 'committed']);
    } finally {
      await faults({});
    }
    const dead = (await (
      await fetch(`${url}/control/dead-letters`, { headers: control() })
    ).json()) as unknown[];
    expect(dead).toEqual([]);
  });

  it('delivers an injected duplicate twice and drops an injected drop', async () => {
    await faults({ seed: 4, duplicate: 1 });
    const twice = join(echoDir(), 'events-duplicate');
    try {
      await invoke('echo', { mode: 'record', file: twice }, 'Event');
      await expect.poll(() => linesOf(twice).length, { timeout: 20_000 }).toBe(2);
    } finally {
      await faults({});
    }
    await faults({ seed: 5, drop: 1 });
    const dropped = join(echoDir(), 'events-dropped');
    const marker = join(echoDir(), 'events-after-drop');
    try {
      const out = await invoke('echo', { mode: 'record', file: dropped }, 'Event');
      expect(out.StatusCode).toBe(202);
    } finally {
      await faults({});
    }
    // An invocation accepted after the dropped one runs; the dropped one never does.
    await invoke('echo', { mode: 'record', file: marker }, 'Event');
    await expect.poll(() => linesOf(marker).length, { timeout: 20_000 }).toBe(1);
    const stats = (await (await fetch(`${url}/control/stats`, { headers: control() })).json()) as {
      queued: number;
    };
    expect(stats.queued).toBe(0);
    expect(existsSync(dropped)).toBe(false);
  });
});

describe('zip functions and the rest of the cloud', () => {
  it('emits invocation.billed to the function’s JF_TRACE_URL for a Jointflow invocation', async () => {
    const collector = await startTraceCollector();
    try {
      await create('billed', echoZip(1), {
        Environment: {
          Variables: { JF_TRACE_URL: collector.url, JF_TRACE_SECRET: collector.secret },
        },
      });
      const invocation = {
        execution: 'bill-1',
        deployment: 'dbill',
        irVersion: 'v1',
        fn: 'billed',
        scope: [],
        input: { inline: {} },
        mode: 'echo',
      };
      const out = await invoke('billed', invocation, 'Event');
      expect(out.StatusCode).toBe(202);
      await expect
        .poll(() => collector.events().filter((e) => e.kind === 'invocation.billed'), {
          timeout: 20_000,
        })
        .toHaveLength(1);
      const [event] = collector.events();
      expect(event).toMatchObject({
        kind: 'invocation.billed',
        execution: 'bill-1',
        node: 'billed',
        cloud: 'aws-local',
        attempt: 1,
      });
      expect(event?.billedMs).toBeGreaterThan(0);
    } finally {
      await collector.close();
    }
  });

  it('answers 503 during an injected outage, for Event and RequestResponse alike', async () => {
    await faults({ outage: { startInMs: 0, durationMs: 60_000 } });
    try {
      for (const type of ['Event', 'RequestResponse'] as const) {
        const error = await invoke('echo', { mode: 'echo' }, type).catch((e: unknown) => e);
        expect((error as Error).name).toBe('CLOUD_OUTAGE');
        expect((error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(
          503,
        );
      }
    } finally {
      await faults({});
    }
    expect((await invoke('echo', { mode: 'echo' })).StatusCode).toBe(200);
  });

  it('keeps its functions, versions and code across a restart of the cloud process', async () => {
    const before = await client.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    await clouds.stop();
    await startCloud();
    const after = await client.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    expect(after.Configuration).toMatchObject({
      State: 'Active',
      LastUpdateStatus: 'Successful',
      CodeSha256: before.Configuration?.CodeSha256,
      MemorySize: 512,
    });
    expect(decode((await invoke('echo', { mode: 'echo' })).Payload).version).toBe(3);
    const v1 = await client.send(
      new InvokeCommand({
        FunctionName: 'echo',
        Qualifier: '1',
        Payload: strToU8('{"mode":"echo"}'),
      }),
    );
    expect(decode(v1.Payload).version).toBe(2);
  });
});
