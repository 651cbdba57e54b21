import { deployWorkflow } from '@jointflow/shims';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outsidePorts, runExecution } from './runExecution';
import { compileOrThrow, startTestClouds, type TestClouds } from './testClouds';

/**
 * A failed step's stack names the user's own file and line (`user.ts:<line>`), not the bundle's:
 * the bundle has a source map and the worker maps stacks with it (sourceMappedStacks.ts).
 */

let t: TestClouds;

beforeAll(async () => {
  t = await startTestClouds({ only: 'aws-local' });
});
afterAll(async () => {
  await t?.close();
});

describe('source-mapped stacks', () => {
  it('reports a step error at user.ts:<line> in the result and the step.failed event', async () => {
    const code = [
      'function check(n: number): number {',
      '  const limit: number = 3;',
      "  if (n > limit) throw new Error('too big: ' + n);",
      '  return n;',
      '}',
      'export async function handler(input: { n: number }) {',
      '  return { n: check(input.n) };',
      '}',
      '',
    ].join('\n');
    const graph = {
      name: 't-stack',
      nodes: [{ kind: 'task', name: 'check', cloud: 'aws-local', code, retries: 0 }],
      edges: [],
    };
    const ir = compileOrThrow(graph, t.profiles);
    const cloud = t.local.clouds[0];
    if (cloud === undefined) throw new Error('no cloud');
    await deployWorkflow([cloud.shim], ir, 'dstack', t.env);
    const run = await runExecution(outsidePorts([cloud.shim], t.local.peers), {
      ir,
      deployment: 'dstack',
      input: { n: 5 },
      stallMs: 5_000,
      timeoutMs: 30_000,
    });
    expect(run.result.status).toBe('failed');
    const stack = run.result.status === 'failed' ? (run.result.error.stack ?? '') : '';
    expect(stack).toContain('too big: 5');
    // The throw is on line 3 of the user's file; the caller on line 7.
    expect(stack).toMatch(/at check \(.*\/user\.ts:3:\d+\)/);
    expect(stack).toMatch(/user\.ts:7:\d+/);
    expect(stack).not.toMatch(/at check \([^)]*function\.mjs/);
    await expect
      .poll(() =>
        t.collector.events().find((e) => e.kind === 'step.failed' && e.execution === run.execution),
      )
      .toBeDefined();
    const failed = t.collector
      .events()
      .find((e) => e.kind === 'step.failed' && e.execution === run.execution);
    expect(failed?.error?.stack).toMatch(/user\.ts:3:\d+/);
  });
});
