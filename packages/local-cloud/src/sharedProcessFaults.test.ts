import type { TraceEvent } from '@jointflow/runtime';
import { deployWorkflow } from '@jointflow/shims';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outsidePorts, runExecution } from './runExecution';
import { compileOrThrow, startTestClouds, type TestClouds } from './testClouds';

/**
 * Several sandboxes share one worker process (`processConcurrency` 8 here), so one invocation's
 * runaway kills its neighbours' process too. Branch 0 of a 4-wide map runs away
 * while branches 1-3 sleep in the same process; every step allows no retry. The neighbours must
 * not pay for it: they are redelivered without an attempt and commit their outputs, and only
 * branch 0 fails, with its own reason. Were a neighbour's death counted as its attempt, its step
 * (no retries) would commit FUNCTION_CRASHED too.
 */

let t: TestClouds;

beforeAll(async () => {
  t = await startTestClouds({ only: 'aws-local', processConcurrency: 8 });
});
afterAll(async () => {
  await t?.close();
});

/** spread → map over `items` → body (per item) → join, all on aws-local. */
function mapGraph(name: string, items: string, body: Record<string, unknown>, joinCode: string) {
  return {
    name,
    nodes: [
      {
        kind: 'task',
        name: 'spread',
        cloud: 'aws-local',
        code: `export async function handler() { return { items: ${items} }; }`,
      },
      { kind: 'map', name: 'each', cloud: 'aws-local', items: 'items', code: '' },
      { kind: 'task', name: 'body', cloud: 'aws-local', ...body },
      { kind: 'join', name: 'all', cloud: 'aws-local', fanOut: 'each', code: joinCode },
    ],
    edges: [
      { id: 'a', source: 'spread', target: 'each' },
      { id: 'b', source: 'each', target: 'body' },
      { id: 'c', source: 'body', target: 'all' },
    ],
  };
}

/** Deploys `graph` on the one cloud as `deployment`; `run` starts an execution and awaits it. */
async function deployOnCloud(graph: unknown, deployment: string) {
  const ir = compileOrThrow(graph, t.profiles);
  const cloud = t.local.clouds[0];
  if (cloud === undefined) throw new Error('no cloud');
  await deployWorkflow([cloud.shim], ir, deployment, t.env);
  const run = () =>
    runExecution(outsidePorts([cloud.shim], t.local.peers), {
      ir,
      deployment,
      input: {},
      stallMs: 20_000,
      timeoutMs: 120_000,
    });
  return { cloud, run };
}

const cases = [
  {
    // Killed by the host at its timeout: attributable at once; the neighbours are bystanders.
    name: 'timeout',
    runaway: 'for (;;) {}',
    extra: { timeoutMs: 1500 },
    reason: /FUNCTION_TIMEOUT|ran past its timeout/,
  },
  {
    // Dies by itself with four in flight: nobody can tell whose fault it was, so all four are
    // redelivered alone in a process, where branch 0 dies again, attributably.
    name: 'exit',
    runaway: 'await new Promise((r) => setTimeout(r, 200)); process.exit(3);',
    extra: {},
    reason: /exited with code 3/,
  },
] as const;

describe('a runaway invocation fails only itself, not the sandboxes sharing its process', () => {
  it.each(cases)('$name', async ({ name, runaway, extra, reason }) => {
    const graph = mapGraph(
      `t-shared-${name}`,
      '[0, 1, 2, 3]',
      {
        retries: 0,
        code: `export async function handler(n: number) {
  if (n === 0) { ${runaway} }
  await new Promise((r) => setTimeout(r, 700));
  return n * 10;
}`,
        ...extra,
      },
      'export async function handler(parts: number[]) { return parts; }',
    );
    const { run: start } = await deployOnCloud(graph, `dshared${name}`);
    const run = await start();
    expect(run.result.status).toBe('failed');

    // Commit events trail the result: wait for all four branches' (a count, not a deadline).
    let commits: TraceEvent[] = [];
    for (let i = 0; i < 100; i++) {
      commits = t.collector
        .events()
        .filter(
          (e) =>
            e.execution === run.execution &&
            e.node === 'body' &&
            (e.kind === 'step.succeeded' || e.kind === 'step.failed'),
        );
      if (new Set(commits.map((e) => e.instance)).size >= 4) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const outcome = (index: number) => commits.find((e) => e.instance === `body/map:each=${index}`);
    expect(outcome(0)?.kind).toBe('step.failed');
    expect(outcome(0)?.error?.message).toMatch(reason);
    for (const index of [1, 2, 3]) {
      expect(outcome(index)?.kind, `branch ${index}`).toBe('step.succeeded');
    }
    // The neighbours did share branch 0's process and were cut short with it.
    const cutShort = t.collector
      .events()
      .filter(
        (e) =>
          e.execution === run.execution &&
          e.kind === 'invocation.billed' &&
          e.node === 'body' &&
          e.instance !== 'body/map:each=0' &&
          e.error !== undefined,
      );
    expect(cutShort.length).toBeGreaterThan(0);
  });
});

describe('an injected crash kills only its own sandbox, not the process it shares', () => {
  it('crashed branches are retried as attempts; their neighbours run on, never cut short', async () => {
    const width = 12;
    const graph = mapGraph(
      't-shared-injected',
      `Array.from({ length: ${width} }, (_, i) => i)`,
      {
        code: `export async function handler(n: number) {
  await new Promise((r) => setTimeout(r, 400));
  return n * 10;
}`,
      },
      'export async function handler(parts: number[]) { return parts.reduce((a, b) => a + b, 0); }',
    );
    const deployment = 'dsharedinjected';
    const { cloud, run: start } = await deployOnCloud(graph, deployment);
    // About half of the first attempts crash, before or after their commit; the rest, sleeping in
    // the same processes meanwhile, must not notice.
    await cloud.shim.local.injectFaults({
      seed: 11,
      crashBeforeCommit: 0.3,
      crashAfterCommit: 0.3,
    });
    try {
      const run = await start();
      expect(run.result).toMatchObject({
        status: 'succeeded',
        output: ((width - 1) * width * 10) / 2,
      });
    } finally {
      await cloud.shim.local.injectFaults({});
    }
    const failed = t.collector
      .events()
      .filter(
        (e) =>
          e.deployment === deployment && e.kind === 'invocation.billed' && e.error !== undefined,
      );
    const injected = failed.filter((e) => /an injected fault at/.test(e.error?.message ?? ''));
    expect(injected.length).toBeGreaterThan(0);
    // Nothing else failed: no neighbour was cut short (a process exit would have made bystanders
    // or unattributed deaths of the invocations sharing the crashed one's process).
    expect(failed.filter((e) => !injected.includes(e)).map((e) => e.error?.message)).toEqual([]);
  });
});
