import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import FC, {
  CreateFunctionInput,
  CreateFunctionRequest,
  GetFunctionRequest,
  InputCodeLocation,
  InvokeFunctionHeaders,
  InvokeFunctionRequest,
  ListFunctionsRequest,
  UpdateFunctionInput,
  UpdateFunctionRequest,
} from '@alicloud/fc20230330';
import { Config } from '@alicloud/openapi-client';
import { RuntimeOptions } from '@darabonba/typescript';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfileDir } from './profiles';
import { sandboxDirOf } from './sandboxPermissions';
import { type LocalClouds, startLocalClouds } from './startLocalClouds';
import { zipKey } from './zipInvocation';

/**
 * The Function Compute 3.0 API subset, driven by the real @alicloud/fc20230330 client (requests
 * signed ACS3-HMAC-SHA256) against a real aliyun-local cloud process.
 */

let clouds: LocalClouds;
let client: FC;
let scratch: string;

const handlerSource = (version: number) => `
const { appendFileSync } = require('node:fs');
exports.handler = async (event, context) => {
  const text = event.toString('utf8');
  if (text.startsWith('record:')) {
    appendFileSync(text.slice('record:'.length), context.requestId + '\\n');
    return 'recorded';
  }
  if (text === 'throw') throw new RangeError('too far');
  if (text === 'bytes') return Buffer.from([0, 1, 2, 255]);
  return {
    version: ${version},
    isBuffer: Buffer.isBuffer(event),
    text,
    requestId: context.requestId,
    fn: context.function,
    hasCredentials: typeof context.credentials.accessKeyId === 'string',
    faultPoint: typeof context.jointflowFaultPoint,
    env: {
      FC_REGION: process.env.FC_REGION,
      FC_FUNCTION_NAME: process.env.FC_FUNCTION_NAME,
      GREETING: process.env.GREETING,
      ALIBABA_CLOUD_ACCESS_KEY_ID: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,
    },
  };
};
`;

const zipOf = (version: number) =>
  Buffer.from(zipSync({ 'index.js': strToU8(handlerSource(version)) })).toString('base64');

async function readAll(stream: Readable | undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream ?? Readable.from([])) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function invoke(name: string, body: string | Buffer, type: 'Sync' | 'Async' = 'Sync') {
  return client.invokeFunctionWithOptions(
    name,
    new InvokeFunctionRequest({ body: Readable.from([Buffer.from(body)]) }),
    new InvokeFunctionHeaders({ xFcInvocationType: type }),
    new RuntimeOptions({}),
  );
}

async function waitActive(name: string): Promise<string | undefined> {
  let state: string | undefined;
  await expect
    .poll(
      async () => {
        state = (await client.getFunction(name, new GetFunctionRequest({}))).body?.state;
        return state;
      },
      { timeout: 20_000 },
    )
    .not.toBe('Pending');
  return state;
}

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error as { code?: string; statusCode?: number; message: string },
  );

beforeAll(async () => {
  const aliyun = loadProfileDir().find((p) => p.id === 'aliyun-local');
  if (aliyun === undefined) throw new Error('no aliyun-local profile');
  scratch = mkdtempSync(join(tmpdir(), 'jf-fc-api-'));
  clouds = await startLocalClouds({
    profiles: [aliyun],
    dataDir: join(scratch, 'clouds'),
    behaviour: { coldStartMs: 10, asyncRetryDelayMs: 50 },
    logs: 'ignore',
  });
  const url = new URL(clouds.clouds[0]?.url ?? '');
  client = new FC(
    new Config({
      endpoint: url.host,
      protocol: 'http',
      accessKeyId: 'LTAI-local',
      accessKeySecret: 'local-secret',
      regionId: 'cn-hangzhou',
    }),
  );
});
afterAll(async () => {
  await clouds?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('Function Compute 3.0 API through @alicloud/fc20230330', () => {
  it('creates a function (Pending, then Active) and describes it without env values', async () => {
    const zipFile = zipOf(1);
    const created = await client.createFunction(
      new CreateFunctionRequest({
        body: new CreateFunctionInput({
          functionName: 'echo',
          runtime: 'nodejs20',
          handler: 'index.handler',
          code: new InputCodeLocation({ zipFile }),
          memorySize: 256,
          timeout: 30,
          environmentVariables: { GREETING: 'ni hao', JF_TRACE_SECRET: 'do-not-return' },
        }),
      }),
    );
    expect(created.statusCode).toBe(200);
    expect(created.body?.state).toBe('Pending');
    expect(await waitActive('echo')).toBe('Active');
    const got = await client.getFunction('echo', new GetFunctionRequest({}));
    expect(got.body).toMatchObject({
      functionName: 'echo',
      runtime: 'nodejs20',
      handler: 'index.handler',
      memorySize: 256,
      timeout: 30,
      state: 'Active',
      lastUpdateStatus: 'Successful',
      codeSize: Buffer.from(zipFile, 'base64').length,
      codeChecksum: createHash('sha256').update(Buffer.from(zipFile, 'base64')).digest('hex'),
      environmentVariables: { GREETING: '<redacted>', JF_TRACE_SECRET: '<redacted>' },
    });
    expect(JSON.stringify(got.body)).not.toContain('do-not-return');
    const listed = await client.listFunctions(new ListFunctionsRequest({}));
    expect(listed.body?.functions?.map((f) => f.functionName)).toEqual(['echo']);
  });

  it('invokes Sync with the body as a Buffer event and FC’s context', async () => {
    const out = await invoke('echo', 'hello fc');
    expect(out.statusCode).toBe(200);
    const body = JSON.parse((await readAll(out.body)).toString('utf8'));
    expect(body).toMatchObject({
      version: 1,
      isBuffer: true,
      text: 'hello fc',
      fn: { name: 'echo', memorySize: 256, timeout: 30 },
      hasCredentials: true,
      faultPoint: 'function',
      env: {
        FC_REGION: 'cn-hangzhou',
        FC_FUNCTION_NAME: 'echo',
        GREETING: 'ni hao',
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'LOCALPLACEHOLDERKEY',
      },
    });
    expect(body.requestId).toBe(out.headers?.['x-fc-request-id']);
    const bytes = await invoke('echo', 'bytes');
    expect([...(await readAll(bytes.body))]).toEqual([0, 1, 2, 255]);
  });

  it('reports a handler error with x-fc-error-type', async () => {
    const out = await invoke('echo', 'throw');
    expect(out.statusCode).toBe(200);
    expect(out.headers?.['x-fc-error-type']).toBe('UnhandledInvocationError');
    const body = JSON.parse((await readAll(out.body)).toString('utf8'));
    expect(body).toMatchObject({ errorType: 'RangeError', errorMessage: 'too far' });
  });

  it('answers Async with 202 and runs the handler from the async queue', async () => {
    // The handler may write only its sandbox's own directory.
    const file = join(
      sandboxDirOf(join(scratch, 'clouds', 'aliyun-local'), zipKey('echo', '$LATEST')),
      'async',
    );
    const out = await invoke('echo', `record:${file}`, 'Async');
    expect(out.statusCode).toBe(202);
    await expect
      .poll(() => (existsSync(file) ? readFileSync(file, 'utf8').trim() : ''), { timeout: 20_000 })
      .toMatch(/^[0-9a-f-]{36}$/);
  });

  it('updates code and configuration; the next invocation runs the new code', async () => {
    const updated = await client.updateFunction(
      'echo',
      new UpdateFunctionRequest({
        body: new UpdateFunctionInput({
          code: new InputCodeLocation({ zipFile: zipOf(2) }),
          memorySize: 512,
        }),
      }),
    );
    expect(updated.body?.lastUpdateStatus).toBe('InProgress');
    await expect
      .poll(
        async () =>
          (await client.getFunction('echo', new GetFunctionRequest({}))).body?.lastUpdateStatus,
        { timeout: 20_000 },
      )
      .toBe('Successful');
    const body = JSON.parse((await readAll((await invoke('echo', 'again')).body)).toString('utf8'));
    expect(body).toMatchObject({ version: 2, fn: { memorySize: 512 } });
  });

  it('answers FC’s error codes', async () => {
    const missing = await errorOf(client.getFunction('nope', new GetFunctionRequest({})));
    expect(missing).toMatchObject({ code: 'FunctionNotFound', statusCode: 404 });
    expect(await errorOf(invoke('nope', 'x'))).toMatchObject({ code: 'FunctionNotFound' });
    const create = (name: string, extra: Record<string, unknown>) =>
      client.createFunction(
        new CreateFunctionRequest({
          body: new CreateFunctionInput({
            functionName: name,
            runtime: 'nodejs20',
            handler: 'index.handler',
            code: new InputCodeLocation({ zipFile: zipOf(1) }),
            ...extra,
          }),
        }),
      );
    expect(await errorOf(create('echo', {}))).toMatchObject({
      code: 'FunctionAlreadyExists',
      statusCode: 409,
    });
    expect(await errorOf(create('odd-memory', { memorySize: 200 }))).toMatchObject({
      code: 'InvalidArgument',
      statusCode: 400,
    });
    expect(
      await errorOf(
        create('not-zip', { code: new InputCodeLocation({ zipFile: 'bm90IGEgemlw' }) }),
      ),
    ).toMatchObject({ code: 'InvalidArgument' });
    // Over aliyun-local's asynchronous payload limit (128 KB, as FC).
    expect(await errorOf(invoke('echo', 'x'.repeat(130 * 1024), 'Async'))).toMatchObject({
      code: 'EntityTooLarge',
    });
  });

  it('deletes a function', async () => {
    await client.deleteFunction('echo');
    expect(await errorOf(client.getFunction('echo', new GetFunctionRequest({})))).toMatchObject({
      code: 'FunctionNotFound',
    });
  });
});
