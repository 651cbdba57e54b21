import type { WorkflowIR } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
import type { UserHandler } from './createFunction';
import { checkHistory } from './historyChecker';
import { keys } from './keys';
import { type MemoryCloudOptions, runInMemory } from './memoryPorts';
import {
  chainHandlers,
  chainIr,
  choiceHandlers,
  choiceIr,
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
} from './testWorkflows';

async function runChecked(
  ir: WorkflowIR,
  handlers: Record<string, UserHandler>,
  input: unknown,
  options: MemoryCloudOptions = {},
) {
  const run = await runInMemory(ir, handlers, input, options);
  const report = await checkHistory({
    ir,
    execution: run.execution,
    store: run.cloud.store,
    events: run.cloud.events,
  });
  expect(report.violations).toEqual([]);
  expect(run.cloud.deadLetters).toEqual([]);
  return { ...run, report };
}

describe('every pattern gives the fault-free result', () => {
  it('chain', async () => {
    const { result, report } = await runChecked(chainIr, chainHandlers, 4);
    expect(result).toMatchObject({ status: 'succeeded', output: 7, instance: 'c' });
    expect(report.instances).toBe(3);
  });

  it('parallel fan-out and join, in the join edges order', async () => {
    const { result } = await runChecked(parallelIr, parallelHandlers, 'x');
    expect(result).toMatchObject({ status: 'succeeded', output: 'Lx+Rx' });
  });

  it('map and join, in index order', async () => {
    const { result } = await runChecked(mapIr, mapHandlers, { items: [1, 2, 3, 4] });
    expect(result).toMatchObject({ status: 'succeeded', output: 20 });
  });

  it('an empty map completes its join with []', async () => {
    const { result } = await runChecked(mapIr, mapHandlers, { items: [] });
    expect(result).toMatchObject({ status: 'succeeded', output: 0 });
  });

  it('empty maps complete their joins with or without the whole IR at hand', async () => {
    for (const passWorkflow of [true, false]) {
      const flat = await runChecked(mapIr, mapHandlers, { items: [] }, { passWorkflow });
      expect(flat.result).toMatchObject({ status: 'succeeded', output: 0 });
      const loopInMap = await runChecked(loopInMapIr, loopInMapHandlers, [], { passWorkflow });
      expect(loopInMap.result).toMatchObject({ status: 'succeeded', output: [] });
      const mapInLoop = await runChecked(mapInLoopIr, mapInLoopHandlers, [], { passWorkflow });
      expect(mapInLoop.result).toMatchObject({ status: 'succeeded', output: [] });
      const forwarded = flat.cloud.outcomes.filter((o) => o.outcome === 'forwarded').length;
      expect(forwarded).toBe(passWorkflow ? 0 : 1);
    }
  });

  it('a map of 1,000 elements', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const { result, report } = await runChecked(mapIr, mapHandlers, { items });
    expect(result).toMatchObject({ status: 'succeeded', output: 999 * 1000 });
    expect(report.instances).toBe(1000 + 3);
  });

  it('a map over a non-array fails the execution with a clear code', async () => {
    const { result } = await runChecked(mapIr, mapHandlers, { items: 'nope' });
    expect(result).toMatchObject({ status: 'failed', instance: 'm' });
    if (result.status === 'failed') expect(result.error.code).toBe('RUNTIME_MAP_NOT_ARRAY');
  });

  it('choice takes one branch and skips the other at the join', async () => {
    const pos = await runChecked(choiceIr, choiceHandlers, 3);
    expect(pos.result).toMatchObject({ status: 'succeeded', output: 'positive 3' });
    const neg = await runChecked(choiceIr, choiceHandlers, -1);
    expect(neg.result).toMatchObject({ status: 'succeeded', output: 'not positive -1' });
    expect(await neg.cloud.store('a').get(keys.checkpoint(neg.execution, 'pos'))).toBeUndefined();
    const skipped = neg.cloud.events.filter((e) => e.kind === 'step.skipped');
    expect(skipped.map((e) => e.instance)).toEqual(['pos']);
  });

  it('loop iterates with the iteration in the key', async () => {
    const { result, execution, cloud } = await runChecked(loopIr, loopHandlers, 0);
    expect(result).toMatchObject({ status: 'succeeded', output: { final: 5 } });
    for (let k = 0; k < 5; k++) {
      expect(
        await cloud.store('a').get(keys.checkpoint(execution, `inc/loop:l=${k}`)),
      ).toBeDefined();
    }
    expect(await cloud.store('a').get(keys.checkpoint(execution, 'inc/loop:l=5'))).toBeUndefined();
  });

  it('a loop whose back edge still holds after maxIterations fails the execution', async () => {
    const { result } = await runChecked(loopIr, loopHandlers, -100);
    expect(result).toMatchObject({ status: 'failed', instance: 'l/loop:l=9' });
    if (result.status === 'failed') expect(result.error.code).toBe('RUNTIME_LOOP_LIMIT');
  });

  it('map inside a loop keys every iteration and element apart', async () => {
    const { result, execution, cloud } = await runChecked(mapInLoopIr, mapInLoopHandlers, [1, 2]);
    expect(result).toMatchObject({ status: 'succeeded', output: [8, 16] });
    const store = cloud.store('a');
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < 2; i++) {
        expect(
          await store.get(keys.checkpoint(execution, `sq/loop:l=${k}/map:m=${i}`)),
        ).toBeDefined();
      }
      expect(
        store.slotRecords.has(keys.join(execution, 'j', [{ kind: 'loop', name: 'l', index: k }])),
      ).toBe(true);
    }
  });

  it('loop inside a map keys every element and iteration apart', async () => {
    const { result, execution, cloud } = await runChecked(loopInMapIr, loopInMapHandlers, [1, 2]);
    expect(result).toMatchObject({ status: 'succeeded', output: [31, 32] });
    for (let i = 0; i < 2; i++) {
      for (let k = 0; k < 3; k++) {
        const key = keys.checkpoint(execution, `inc/map:m=${i}/loop:l=${k}`);
        expect(await cloud.store('a').get(key)).toBeDefined();
      }
    }
  });
});
