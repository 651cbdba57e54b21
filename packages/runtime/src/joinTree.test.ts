import { describe, expect, it } from 'vitest';
import { readExecutionResult, startExecution } from './execution';
import { checkHistory } from './historyChecker';
import { fillJoinSlot, readJoinSlots } from './joinTree';
import { createMemoryPorts, MemoryKeyValueStore } from './memoryPorts';
import { mapHandlers, mapIr } from './testWorkflows';

describe('join tree', () => {
  it('no record holds more slots than the store allows, and the root fills exactly once', async () => {
    for (const [max, size] of [
      [4, 5],
      [4, 16],
      [4, 17],
      [3, 100],
      [16, 1000],
    ] as const) {
      const store = new MemoryKeyValueStore(max);
      const order = Array.from({ length: size }, (_, i) => (i * 7919) % size);
      let completions = 0;
      for (const slot of order) {
        const fill = await fillJoinSlot(store, 'ex/join:j', slot, size, { v: slot });
        if ('sealed' in fill) throw new Error('sealed');
        if (fill.filled === fill.size && fill.newlyFilled) completions += 1;
        expect(fill.size).toBe(size);
      }
      expect(completions).toBe(1);
      for (const record of store.slotRecords.values()) {
        expect(record.size).toBeLessThanOrEqual(max);
      }
      const values = await readJoinSlots(store, 'ex/join:j');
      expect(values).toEqual(Array.from({ length: size }, (_, i) => ({ v: i })));
      // A duplicate fill after completion reports the join full again, as not new.
      const again = await fillJoinSlot(store, 'ex/join:j', 0, size, { v: 0 });
      expect(again).toMatchObject({ filled: size, size, newlyFilled: false });
    }
  });

  it('a partly filled tree reads as incomplete', async () => {
    const store = new MemoryKeyValueStore(4);
    await fillJoinSlot(store, 'k', 0, 10, 'a');
    const values = await readJoinSlots(store, 'k');
    expect(values.filter((v) => v !== undefined)).toEqual([]);
  });

  it('a sealed record refuses the fill', async () => {
    const store = new MemoryKeyValueStore(4);
    await fillJoinSlot(store, 'ex/join:j', 0, 10, 'a');
    await store.seal('ex/', { closed: { closedAt: 1, status: 'succeeded' } });
    expect(await fillJoinSlot(store, 'ex/join:j', 1, 10, 'b')).toEqual({ sealed: true });
  });

  it('wide maps complete under faults on a store with small records', async () => {
    for (const width of [0, 1, 5, 37, 300]) {
      const cloud = createMemoryPorts({
        maxSlotsPerRecord: 4,
        faults: { seed: width + 3, duplicate: 0.2, reorder: true, crash: { 'after-commit': 0.1 } },
      });
      cloud.deploy(mapIr, mapHandlers, 'd1');
      const items = Array.from({ length: width }, (_, i) => i);
      const { execution } = await startExecution(cloud.ports('api'), {
        ir: mapIr,
        deployment: 'd1',
        input: { items },
      });
      await cloud.drain();
      const result = await readExecutionResult(cloud.store(mapIr.resultStore), execution);
      const expected = await readExecutionResult(
        await (async () => {
          const clean = createMemoryPorts();
          clean.deploy(mapIr, mapHandlers, 'd1');
          await startExecution(clean.ports('api'), {
            ir: mapIr,
            deployment: 'd1',
            input: { items },
            execution,
          });
          await clean.drain();
          return clean.store(mapIr.resultStore);
        })(),
        execution,
      );
      expect(result).toMatchObject({ status: 'succeeded' });
      expect(result.status === 'succeeded' && result.output).toEqual(
        expected.status === 'succeeded' && expected.output,
      );
      const report = await checkHistory({
        ir: mapIr,
        execution,
        store: cloud.store,
        events: cloud.events,
      });
      expect(report.violations).toEqual([]);
    }
  });
});
