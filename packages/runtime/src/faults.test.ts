import type { WorkflowIR } from '@jointflow/ir';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFunction, type UserHandler } from './createFunction';
import {
  closeExecution,
  executionStores,
  readExecutionResult,
  redriveExecution,
  startExecution,
} from './execution';
import { checkHistory } from './historyChecker';
import { keys } from './keys';
import { createMemoryPorts, type MemoryCloud, type MemoryFaults } from './memoryPorts';
import { isTombstone, stepRecordSchema } from './records';
import {
  chainHandlers,
  chainIr,
  choiceHandlers,
  choiceIr,
  cont,
  joinFn,
  loopHandlers,
  loopInMapHandlers,
  loopInMapIr,
  loopIr,
  mapHandlers,
  mapInLoopHandlers,
  mapInLoopIr,
  mapIr,
  parallelHandlers,
  parallelIr,
  task,
  workflow,
} from './testWorkflows';

const cases: {
  name: string;
  ir: WorkflowIR;
  handlers: Record<string, UserHandler>;
  input: unknown;
  output: unknown;
}[] = [
  { name: 'chain', ir: chainIr, handlers: chainHandlers, input: 4, output: 7 },
  { name: 'parallel', ir: parallelIr, handlers: parallelHandlers, input: 'x', output: 'Lx+Rx' },
  { name: 'map', ir: mapIr, handlers: mapHandlers, input: { items: [1, 2, 3, 4, 5] }, output: 30 },
  { name: 'empty map', ir: mapIr, handlers: mapHandlers, input: { items: [] }, output: 0 },
  { name: 'choice', ir: choiceIr, handlers: choiceHandlers, input: -2, output: 'not positive -2' },
  { name: 'loop', ir: loopIr, handlers: loopHandlers, input: 1, output: { final: 5 } },
  {
    name: 'map in loop',
    ir: mapInLoopIr,
    handlers: mapInLoopHandlers,
    input: [1, 3],
    output: [8, 24],
  },
  {
    name: 'loop in map',
    ir: loopInMapIr,
    handlers: loopInMapHandlers,
    input: [5, 6, 7],
    output: [35, 36, 37],
  },
];

async function start(
  cloud: MemoryCloud,
  ir: WorkflowIR,
  handlers: Record<string, UserHandler>,
  input: unknown,
) {
  cloud.deploy(ir, handlers, 'd1');
  const { execution } = await startExecution(cloud.ports('api'), { ir, deployment: 'd1', input });
  return execution;
}

async function verify(cloud: MemoryCloud, ir: WorkflowIR, execution: string) {
  const report = await checkHistory({ ir, execution, store: cloud.store, events: cloud.events });
  expect(report.violations).toEqual([]);
  return readExecutionResult(cloud.store(ir.resultStore), execution, cloud.blobs);
}

/** Runs under faults, redriving (as the watchdog would) while the execution has no result. */
async function runUnderFaults(
  c: (typeof cases)[number],
  faults: MemoryFaults,
): Promise<{ cloud: MemoryCloud; execution: string }> {
  const cloud = createMemoryPorts({ faults, maxAttempts: 10 });
  const execution = await start(cloud, c.ir, c.handlers, c.input);
  await cloud.drain();
  for (let round = 0; round < 30; round++) {
    const result = await readExecutionResult(cloud.store(c.ir.resultStore), execution);
    if (result.status !== 'running') break;
    await redriveExecution(cloud.ports('api'), { execution, resultStore: c.ir.resultStore });
    await cloud.drain();
  }
  return { cloud, execution };
}

describe('the fault-free result survives faults', () => {
  for (const c of cases) {
    it(`${c.name}: duplicates, reordering, crashes at every point, drops`, async () => {
      for (const seed of [1, 2, 3, 4, 5]) {
        const faults: MemoryFaults = {
          seed,
          duplicate: 0.3,
          drop: 0.1,
          reorder: true,
          crash: { 'before-commit': 0.15, 'after-commit': 0.15, 'before-invoke': 0.15 },
        };
        const { cloud, execution } = await runUnderFaults(c, faults);
        const result = await verify(cloud, c.ir, execution);
        expect(result, `seed ${seed}`).toMatchObject({ status: 'succeeded', output: c.output });
      }
    });
  }
});

describe('any mix of faults (property)', () => {
  it('every execution ends with the fault-free result and a clean history', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...cases),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        fc.boolean(),
        async (c, seed, duplicate, drop, crash, reorder) => {
          const faults: MemoryFaults = {
            seed,
            duplicate,
            drop,
            reorder,
            crash: { 'before-commit': crash, 'after-commit': crash, 'before-invoke': crash },
          };
          const { cloud, execution } = await runUnderFaults(c, faults);
          const report = await checkHistory({
            ir: c.ir,
            execution,
            store: cloud.store,
            events: cloud.events,
          });
          expect(report.violations).toEqual([]);
          const result = await readExecutionResult(cloud.store(c.ir.resultStore), execution);
          expect(result).toMatchObject({ status: 'succeeded', output: c.output });
        },
      ),
      { numRuns: 60, seed: 20261122 },
    );
  });
});

describe('crash replay', () => {
  it('a crash after commit is redelivered as a platform retry that adopts and goes on', async () => {
    // The crash loses the first delivery of each step; its redelivery must not rerun user code.
    let runs = 0;
    const counted: Record<string, UserHandler> = {};
    for (const [name, h] of Object.entries(chainHandlers)) {
      counted[name] = (x) => {
        runs += 1;
        return h(x);
      };
    }
    const cloud = createMemoryPorts({ faults: { crash: { 'after-commit': 1 } } });
    const execution = await start(cloud, chainIr, counted, 4);
    await cloud.drain();
    // Every first delivery crashed after its commit, the retries adopted.
    expect(cloud.outcomes.filter((o) => o.outcome === 'adopted')).toHaveLength(3);
    expect(runs).toBe(3);
    expect(await verify(cloud, chainIr, execution)).toMatchObject({
      status: 'succeeded',
      output: 7,
    });
  });
});

describe('failover', () => {
  const failoverIr = workflow('a', [
    task('a', [cont('b', { failover: ['b'] })], { failover: ['b'] }),
    task('b', [cont('c', { failover: ['b'] })], { failover: ['b'] }),
    task('c', [], { failover: ['b'] }),
  ]);

  it('invokes the replica when the primary cloud refuses, keeping data in the home store', async () => {
    const cloud = createMemoryPorts({ faults: { down: ['a'] } });
    const execution = await start(cloud, failoverIr, chainHandlers, 4);
    await cloud.drain();
    expect(await verify(cloud, failoverIr, execution)).toMatchObject({
      status: 'succeeded',
      output: 7,
    });
    expect(cloud.invoked.every((i) => i.cloud === 'b')).toBe(true);
    expect(cloud.events.filter((e) => e.kind === 'invoke.failover')).toHaveLength(2);
    expect(cloud.store('b').values.size).toBe(0);
  });

  it('without a replica the invocation fails and is retried by the platform', async () => {
    const cloud = createMemoryPorts({ faults: { down: ['b'] }, maxAttempts: 2 });
    const ir = workflow('a', [task('a', [cont('b', { cloud: 'b' })]), task('b', [])]);
    const execution = await start(cloud, ir, chainHandlers, 1);
    await cloud.drain();
    expect(cloud.deadLetters).toHaveLength(1);
    cloud.faults = {};
    await redriveExecution(cloud.ports('api'), { execution, resultStore: 'a' });
    await cloud.drain();
    expect(await verify(cloud, ir, execution)).toMatchObject({ status: 'succeeded', output: 4 });
  });
});

describe('transfer', () => {
  const big = 'x'.repeat(5000);
  const ir = workflow('a', [task('a', [cont('b', { inlineLimitBytes: 1000 })]), task('b', [])]);
  const handlers = { a: () => big, b: (x: unknown) => (x as string).length };

  it('sends a payload over the inline limit as a content-addressed blob', async () => {
    const cloud = createMemoryPorts();
    const execution = await start(cloud, ir, handlers, null);
    await cloud.drain();
    expect(await verify(cloud, ir, execution)).toMatchObject({ status: 'succeeded', output: 5000 });
    const toB = cloud.invoked.find((i) => i.invocation.fn === 'b');
    expect(toB?.invocation.input).toMatchObject({ cloud: 'a', bytes: 5002 });
    expect(cloud.blobs('a').blobs.size).toBe(1);
  });

  it('stores an output beyond the record limit as a blob and resolves it in the result', async () => {
    const huge = 'y'.repeat(70 * 1024);
    const cloud = createMemoryPorts();
    const execution = await start(cloud, ir, { a: () => huge, b: (x: unknown) => x }, null);
    await cloud.drain();
    const result = await verify(cloud, ir, execution);
    expect(result).toMatchObject({ status: 'succeeded', output: huge });
    const record = stepRecordSchema.parse(
      await cloud.store('a').get(keys.checkpoint(execution, 'b')),
    );
    expect(record.status === 'succeeded' && 'blob' in record.output).toBe(true);
    // The same bytes are stored once.
    expect(cloud.blobs('a').blobs.size).toBe(1);
  });
});

describe('failures', () => {
  it('retries in-process, then succeeds', async () => {
    let calls = 0;
    const ir = workflow('a', [task('a', [], { retries: 2 })]);
    const cloud = createMemoryPorts();
    const execution = await start(
      cloud,
      ir,
      { a: () => (++calls < 3 ? Promise.reject(new Error('flaky')) : 'ok') },
      null,
    );
    await cloud.drain();
    expect(await verify(cloud, ir, execution)).toMatchObject({ status: 'succeeded', output: 'ok' });
    expect(cloud.events.filter((e) => e.kind === 'step.retrying')).toHaveLength(2);
  });

  it('commits a failure so that a late success adopts it, and reruns from the failed step', async () => {
    let bCalls = 0;
    const handlers = {
      ...chainHandlers,
      b: (x: unknown) => {
        bCalls += 1;
        if (bCalls === 1) throw new Error('boom');
        return (x as number) * 2;
      },
    };
    const cloud = createMemoryPorts();
    const execution = await start(cloud, chainIr, handlers, 4);
    await cloud.drain();
    const failed = await verify(cloud, chainIr, execution);
    expect(failed).toMatchObject({ status: 'failed', instance: 'b', error: { message: 'boom' } });

    // A late copy of b now succeeds in user code but must adopt the committed failure.
    const late = cloud.invoked.find((i) => i.invocation.fn === 'b');
    if (late === undefined) throw new Error('b was never invoked');
    const fnB = chainIr.functions.b;
    if (fnB === undefined) throw new Error('no b');
    const run = createFunction({
      context: { workflow: 'test', irVersion: 'v1', resultStore: 'a' },
      fn: fnB,
      deployment: 'd1',
      handler: handlers.b,
      ports: cloud.ports('a'),
    });
    const outcome = await run(late.invocation, { attempt: 1, platformRetry: false });
    expect(outcome).toMatchObject({ outcome: 'adopted', status: 'failed', via: 'lost-commit' });
    expect(cloud.invoked.filter((i) => i.invocation.fn === 'c')).toHaveLength(0);

    // Rerun from the failed step: a keeps its checkpoint, b runs again, the run completes.
    const redrive = await redriveExecution(cloud.ports('api'), { execution, resultStore: 'a' });
    expect(redrive.action).toBe('rerun-failed');
    await cloud.drain();
    expect(await verify(cloud, chainIr, execution)).toMatchObject({
      status: 'succeeded',
      output: 7,
    });
    expect(
      cloud.outcomes.filter((o) => o.instance === 'a' && o.outcome === 'committed'),
    ).toHaveLength(1);
  });
});

describe('ctx.once', () => {
  it('hands one idempotency key per instance and returns the memoised value to every copy', async () => {
    const applied = new Map<string, number>();
    let effectRuns = 0;
    const handlers: Record<string, UserHandler> = {
      work: async (x, ctx) => {
        const receipt = await ctx.once('charge', (idempotencyKey) => {
          effectRuns += 1;
          if (!applied.has(idempotencyKey)) applied.set(idempotencyKey, Math.random());
          return applied.get(idempotencyKey);
        });
        return { x, receipt };
      },
      total: (x) => x,
    };
    for (const seed of [11, 12, 13]) {
      applied.clear();
      const cloud = createMemoryPorts({
        faults: {
          seed,
          duplicate: 0.5,
          reorder: true,
          crash: { 'before-commit': 0.3, 'after-commit': 0.2 },
        },
        maxAttempts: 10,
      });
      const execution = await start(cloud, mapIr, handlers, { items: [1, 2, 3, 4, 5, 6] });
      await cloud.drain();
      const result = await verify(cloud, mapIr, execution);
      expect(result.status).toBe('succeeded');
      expect(applied.size).toBe(6);
      expect([...applied.keys()].sort()).toEqual(
        [0, 1, 2, 3, 4, 5].map((i) => `${execution}/work/map:m=${i}/charge`),
      );
      // Every committed output carries the value the outside system recorded for its key.
      if (result.status === 'succeeded') {
        for (const [i, item] of (result.output as { receipt: number }[]).entries()) {
          expect(item.receipt).toBe(applied.get(`${execution}/work/map:m=${i}/charge`));
        }
      }
      expect(
        cloud.events
          .filter((e) => e.kind === 'once.ran')
          .map((e) => e.id)
          .filter((v, i, a) => a.indexOf(v) === i),
      ).toHaveLength(6);
    }
    expect(effectRuns).toBeGreaterThanOrEqual(18);
  });
});

describe('closing', () => {
  it('cleans up, keeps the closed marker, and a late duplicate exits', async () => {
    const cloud = createMemoryPorts();
    const execution = await start(cloud, chainIr, chainHandlers, 4);
    await cloud.drain();
    await closeExecution(cloud.ports('api'), {
      execution,
      resultStore: 'a',
      stores: executionStores(chainIr),
    });
    const store = cloud.store('a');
    // Every item stays, as the closed marker or a tombstone without payload.
    const sealedItems = () =>
      [...store.values.entries()]
        .filter(([key, value]) => key === keys.closed(execution) || isTombstone(value))
        .map(([key]) => key)
        .sort();
    expect(sealedItems()).toEqual([...store.values.keys()].sort());
    expect(sealedItems()).toContain(keys.checkpoint(execution, 'b'));
    const before = sealedItems();
    expect(await readExecutionResult(store, execution)).toMatchObject({
      status: 'closed',
      outcome: 'succeeded',
    });

    const late = cloud.invoked.find((i) => i.invocation.fn === 'b');
    const fnB = chainIr.functions.b;
    if (late === undefined || fnB === undefined) throw new Error('b was never invoked');
    let ran = 0;
    const run = createFunction({
      context: { workflow: 'test', irVersion: 'v1', resultStore: 'a' },
      fn: fnB,
      deployment: 'd1',
      handler: (x) => {
        ran += 1;
        return x;
      },
      ports: cloud.ports('a'),
    });
    // Flagged: the pre-run read sees the marker and exits before user code.
    expect(await run(late.invocation, { attempt: 2, platformRetry: true })).toMatchObject({
      outcome: 'closed',
    });
    expect(ran).toBe(0);
    // Unflagged: user code runs, but its commit loses to the tombstone on the same item.
    expect(await run(late.invocation, { attempt: 1, platformRetry: false })).toMatchObject({
      outcome: 'closed',
    });
    expect(sealedItems()).toEqual(before);
    await cloud.drain();
    expect(cloud.invoked.filter((i) => i.invocation.fn === 'c')).toHaveLength(1);
  });

  it('refuses to close a running execution', async () => {
    const cloud = createMemoryPorts({ faults: { drop: 1 } });
    const execution = await start(cloud, chainIr, chainHandlers, 4);
    await expect(
      closeExecution(cloud.ports('api'), { execution, resultStore: 'a' }),
    ).rejects.toThrow('RUNTIME_EXECUTION_RUNNING');
  });
});

describe('redrive', () => {
  it('recovers a dropped invoke from the committed frontier', async () => {
    const cloud = createMemoryPorts();
    const execution = await start(cloud, parallelIr, parallelHandlers, 'q');
    cloud.faults = { drop: 1 };
    await cloud.drain();
    expect(await readExecutionResult(cloud.store('a'), execution)).toEqual({ status: 'running' });
    cloud.faults = {};
    expect(
      await redriveExecution(cloud.ports('api'), { execution, resultStore: 'a' }),
    ).toMatchObject({
      action: 'redriven',
    });
    await cloud.drain();
    expect(await verify(cloud, parallelIr, execution)).toMatchObject({
      status: 'succeeded',
      output: 'Lq+Rq',
    });
    expect(
      await redriveExecution(cloud.ports('api'), { execution, resultStore: 'a' }),
    ).toMatchObject({
      action: 'none',
    });
  });
});

describe('join slots', () => {
  it('keeps big branch outputs out of the slot record and resolves them in the join', async () => {
    const cloud = createMemoryPorts();
    const big = (x: unknown) => 'z'.repeat(20_000 + (x as number));
    const execution = await start(
      cloud,
      mapIr,
      { work: big, total: (xs) => (xs as string[]).map((x) => x.length) },
      { items: [1, 2, 3] },
    );
    await cloud.drain();
    expect(await verify(cloud, mapIr, execution)).toMatchObject({
      status: 'succeeded',
      output: [20_001, 20_002, 20_003],
    });
    const record = [...cloud.store('a').slotRecords.values()][0];
    expect(JSON.stringify([...(record?.slots.values() ?? [])]).length).toBeLessThan(1000);
  });
});

describe('rerun of a failed join', () => {
  it('keeps the collected input in the failure and reruns the join from it', async () => {
    let calls = 0;
    const ir = workflow('split', [
      task('split', [cont('left'), cont('right')]),
      task('left', [
        cont('j', {
          mode: 'join',
          join: { join: 'j', slot: { kind: 'static', slot: 0, size: 2 }, store: 'a' },
        }),
      ]),
      task('right', [
        cont('j', {
          mode: 'join',
          join: { join: 'j', slot: { kind: 'static', slot: 1, size: 2 }, store: 'a' },
        }),
      ]),
      joinFn('j', 'split', [], { code: 'export const handler = (xs) => xs;' }),
    ]);
    const handlers: Record<string, UserHandler> = {
      ...parallelHandlers,
      j: (xs) => {
        calls += 1;
        if (calls === 1) throw new Error('join broke');
        return (xs as string[]).join('|');
      },
    };
    const cloud = createMemoryPorts();
    const execution = await start(cloud, ir, handlers, 'v');
    await cloud.drain();
    expect(await verify(cloud, ir, execution)).toMatchObject({ status: 'failed', instance: 'j' });
    await redriveExecution(cloud.ports('api'), { execution, resultStore: 'a' });
    await cloud.drain();
    expect(await verify(cloud, ir, execution)).toMatchObject({
      status: 'succeeded',
      output: 'Lv|Rv',
    });
  });
});
