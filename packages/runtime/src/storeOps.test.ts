import type { WorkflowIR } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
import type { UserHandler } from './createFunction';
import { readExecutionResult, startExecution } from './execution';
import { checkHistory } from './historyChecker';
import { keys } from './keys';
import { createMemoryPorts } from './memoryPorts';
import {
  choiceHandlers,
  choiceIr,
  cont,
  mapHandlers,
  mapIr,
  parallelHandlers,
  parallelIr,
  task,
  workflow,
} from './testWorkflows';

/** Store operations of one fault-free execution, all clouds, the start record included. */
async function storeOpsOf(ir: WorkflowIR, handlers: Record<string, UserHandler>, input: unknown) {
  const cloud = createMemoryPorts();
  cloud.deploy(ir, handlers, 'd1');
  const { execution } = await startExecution(cloud.ports('api'), { ir, deployment: 'd1', input });
  await cloud.drain();
  const ops = { ...cloud.store('a').ops };
  const total = cloud.storeOps();
  const report = await checkHistory({ ir, execution, store: cloud.store, events: cloud.events });
  expect(report.violations).toEqual([]);
  return { total, ops };
}

function chainOf(length: number, extra: { expensive?: boolean } = {}): WorkflowIR {
  const names = Array.from({ length }, (_, i) => `s${i}`);
  return workflow(
    's0',
    names.map((name, i) => {
      const next = names[i + 1];
      return task(name, next === undefined ? [] : [cont(next)], extra);
    }),
  );
}

const inc: UserHandler = (x) => (x as number) + 1;

describe('store operations on the critical path (no faults)', () => {
  it('a chain step costs its commit, plus the cancel check beside it when it invokes', async () => {
    for (const length of [1, 5, 20]) {
      const handlers = Object.fromEntries(Array.from({ length }, (_, i) => [`s${i}`, inc]));
      const { total, ops } = await storeOpsOf(chainOf(length), handlers, 0);
      // start record + one commit per step + the execution result, and one read of the closed
      // marker (cancel) per step that invokes a successor, sent concurrently with its commit
      expect(total).toBe(1 + length + (length - 1) + 1);
      expect(ops.get).toBe(length - 1);
      expect(ops.getMany).toBe(0);
    }
  });

  it('an expensive step adds the pre-run read', async () => {
    const handlers = { s0: inc, s1: inc, s2: inc };
    const { total, ops } = await storeOpsOf(chainOf(3, { expensive: true }), handlers, 0);
    expect(total).toBe(1 + 3 * 2 + 2 + 1);
    expect(ops.getMany).toBe(3);
  });

  it('a map branch costs two operations (commit + slot fill) whatever the width', async () => {
    for (const width of [1, 10, 100, 1000]) {
      const items = Array.from({ length: width }, (_, i) => i);
      const { total, ops } = await storeOpsOf(mapIr, mapHandlers, { items });
      // start + map commit + join commit + total commit + result = 5, and the cancel checks of
      // the map and the join (which invoke): the completing branch carries the slot values to
      // the join, which reads nothing back; branches only fill slots and skip the check
      expect(total - 7).toBe(2 * width);
      expect(ops.fillSlot).toBe(width);
      expect(ops.readSlots).toBe(0);
    }
  });

  it('a join reads its slot record when the slot values are too large to carry', async () => {
    // Each slot holds about 22 bytes ({"ref":{"inline":n}}): one fits in 64, ten do not.
    const ir = structuredClone(mapIr);
    const work = ir.functions.work;
    if (work === undefined) throw new Error('mapIr has no work');
    work.continuations = work.continuations.map((c) => ({ ...c, inlineLimitBytes: 64 }));
    for (const [width, reads] of [
      [1, 0],
      [10, 1],
    ] as const) {
      const cloud = createMemoryPorts();
      cloud.deploy(ir, mapHandlers, 'd1');
      const items = Array.from({ length: width }, (_, i) => i);
      const { execution } = await startExecution(cloud.ports('api'), {
        ir,
        deployment: 'd1',
        input: { items },
      });
      await cloud.drain();
      expect(cloud.store('a').ops.readSlots).toBe(reads);
      const result = await readExecutionResult(cloud.store('a'), execution);
      expect(result).toMatchObject({ status: 'succeeded', output: width * (width - 1) });
      const report = await checkHistory({
        ir,
        execution,
        store: cloud.store,
        events: cloud.events,
      });
      expect(report.violations).toEqual([]);
    }
  });

  it('parallel and choice joins', async () => {
    // start, split (+ cancel check), 2 x (commit + fill), join commit (+ check), sum, result
    expect((await storeOpsOf(parallelIr, parallelHandlers, 'x')).total).toBe(11);
    // start, choice (commit + skip fill + check), branch (commit + fill), join commit (+ check),
    // out, result
    expect((await storeOpsOf(choiceIr, choiceHandlers, 5)).total).toBe(10);
  });
});

describe('the history checker finds violations', () => {
  async function completedChain() {
    const cloud = createMemoryPorts();
    const ir = chainOf(3);
    cloud.deploy(ir, { s0: inc, s1: inc, s2: inc }, 'd1');
    const { execution } = await startExecution(cloud.ports('api'), {
      ir,
      deployment: 'd1',
      input: 0,
    });
    await cloud.drain();
    return { cloud, ir, execution };
  }

  it('reports a reached instance that never committed', async () => {
    const { cloud, ir, execution } = await completedChain();
    cloud.store('a').values.delete(keys.checkpoint(execution, 's1'));
    const report = await checkHistory({ ir, execution, store: cloud.store, events: cloud.events });
    expect(report.ok).toBe(false);
    expect(report.violations).toContain('s1 is reached by committed decisions but never committed');
  });

  it('reports a lost trace event and a second commit', async () => {
    const { cloud, ir, execution } = await completedChain();
    const events = cloud.events.filter(
      (e) => !(e.instance === 's2' && e.kind === 'step.succeeded'),
    );
    const lost = await checkHistory({ ir, execution, store: cloud.store, events });
    expect(lost.violations).toContain('trace event lost: step.succeeded of s2');
    const first = cloud.events.find((e) => e.instance === 's0' && e.kind === 'step.succeeded');
    if (first === undefined) throw new Error('no commit event');
    const twice = await checkHistory({
      ir,
      execution,
      store: cloud.store,
      events: [...cloud.events, { ...first, id: `${first.id}-again` }],
    });
    expect(twice.violations.some((v) => v.startsWith('s0 committed twice'))).toBe(true);
  });

  it('reports a result that is not the terminal output, and a missing result', async () => {
    const { cloud, ir, execution } = await completedChain();
    const store = cloud.store('a');
    const result = store.values.get(keys.result(execution)) as Record<string, unknown>;
    store.values.set(keys.result(execution), { ...result, output: { inline: 42 } });
    const wrong = await checkHistory({ ir, execution, store: cloud.store, events: cloud.events });
    expect(wrong.violations).toContain(
      'the execution result differs from the output of terminal s2',
    );
    store.values.delete(keys.result(execution));
    const missing = await checkHistory({ ir, execution, store: cloud.store, events: cloud.events });
    expect(missing.violations).toContain(`execution ${execution} has no result`);
  });
});
