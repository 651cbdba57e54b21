import { deployWorkflow } from '@jointflow/shims';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outsidePorts, runExecution } from './runExecution';
import { compileOrThrow, startTestClouds, type TestClouds } from './testClouds';

/**
 * Steps that never answer: a crash (`process.exit`), a loop past the timeout, a heap past the
 * step's memory. Each delivery that ends that way is an attempt of the step; once the step's
 * retry policy is spent the runtime commits the failure with the cloud's reason and the
 * execution fails, instead of being redelivered and redriven without end.
 */

let t: TestClouds;

beforeAll(async () => {
  t = await startTestClouds({ only: 'aws-local' });
});
afterAll(async () => {
  await t?.close();
});

const cases = [
  {
    name: 'crash',
    code: 'export async function handler() { process.exit(1); }',
    extra: { retries: 1 },
    code_: 'FUNCTION_CRASHED',
    message: /exited with code 1 \(2 attempts, the step allows 2\)/,
  },
  {
    name: 'loop',
    code: 'export async function handler() { for (;;) {} }',
    extra: { retries: 0, timeoutMs: 500 },
    code_: 'FUNCTION_TIMEOUT',
    message: /ran past its timeout of 500 ms/,
  },
  {
    name: 'heap',
    code: 'export async function handler() { const keep = []; for (;;) keep.push(new Array(1e6).fill(Math.random())); }',
    extra: { retries: 0, memoryMb: 64 },
    code_: 'FUNCTION_OUT_OF_MEMORY',
    message: /ran out of its memory \(64 MB\)/,
  },
] as const;

describe('runaway steps fail with the cloud reason after their retries', () => {
  it.each(cases)('$name', async ({ name, code, extra, code_, message }) => {
    const graph = {
      name: `t-runaway-${name}`,
      nodes: [
        {
          kind: 'task',
          name: 'ok',
          cloud: 'aws-local',
          code: 'export async function handler(i) { return i; }',
        },
        { kind: 'task', name: 'bad', cloud: 'aws-local', code, ...extra },
      ],
      edges: [{ id: 'e', source: 'ok', target: 'bad' }],
    };
    const ir = compileOrThrow(graph, t.profiles);
    const cloud = t.local.clouds[0];
    if (cloud === undefined) throw new Error('no cloud');
    const deployment = `drun${name}`;
    await deployWorkflow([cloud.shim], ir, deployment, t.env);
    const run = await runExecution(outsidePorts([cloud.shim], t.local.peers), {
      ir,
      deployment,
      input: {},
      stallMs: 20_000,
      timeoutMs: 120_000,
    });
    expect(run.result).toMatchObject({ status: 'failed', error: { code: code_ } });
    const error = run.result.status === 'failed' ? run.result.error.message : '';
    expect(error).toMatch(message);
    expect(run.redrives).toBe(0);
  });
});
