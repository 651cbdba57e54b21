import { describe, expect, it } from 'vitest';
import type { UserHandler } from './createFunction';
import {
  cancelExecution,
  readExecutionResult,
  redriveExecution,
  startExecution,
} from './execution';
import { createMemoryPorts } from './memoryPorts';
import { cont, task, workflow } from './testWorkflows';

/** s0 → s1 → … → s5; s2 cancels the execution while it runs. */
const names = ['s0', 's1', 's2', 's3', 's4', 's5'];
const ir = workflow(
  's0',
  names.map((name, i) => {
    const next = names[i + 1];
    return task(name, next === undefined ? [] : [cont(next)]);
  }),
);

describe('cancelExecution', () => {
  it('lets the running step commit, starts nothing after it, and reads as cancelled', async () => {
    const cloud = createMemoryPorts();
    const ran: string[] = [];
    const step =
      (name: string): UserHandler =>
      async (x) => {
        ran.push(name);
        if (name === 's2') {
          const outcome = await cancelExecution(cloud.ports('api'), {
            execution: 'ex1',
            resultStore: 'a',
            stores: ['a'],
          });
          expect(outcome.outcome).toBe('cancelled');
        }
        return (x as number) + 1;
      };
    cloud.deploy(ir, Object.fromEntries(names.map((n) => [n, step(n)])), 'd1');
    await startExecution(cloud.ports('api'), { ir, deployment: 'd1', execution: 'ex1', input: 0 });
    await cloud.drain();

    expect(ran).toEqual(['s0', 's1', 's2']);
    expect(cloud.outcomes.find((o) => o.instance === 's2')?.outcome).toBe('closed');
    expect(await readExecutionResult(cloud.store('a'), 'ex1')).toMatchObject({
      status: 'closed',
      outcome: 'cancelled',
    });
    // Cancelled is final: a redrive does nothing, a second cancel says so.
    expect(
      (await redriveExecution(cloud.ports('api'), { execution: 'ex1', resultStore: 'a' })).action,
    ).toBe('closed');
    await cloud.drain();
    expect(ran).toHaveLength(3);
    expect(
      (await cancelExecution(cloud.ports('api'), { execution: 'ex1', resultStore: 'a' })).outcome,
    ).toBe('cancelled');
  });

  it('does not cancel an execution that has its result', async () => {
    const cloud = createMemoryPorts();
    const inc: UserHandler = (x) => (x as number) + 1;
    cloud.deploy(ir, Object.fromEntries(names.map((n) => [n, inc])), 'd1');
    await startExecution(cloud.ports('api'), { ir, deployment: 'd1', execution: 'ex2', input: 0 });
    await cloud.drain();
    const outcome = await cancelExecution(cloud.ports('api'), {
      execution: 'ex2',
      resultStore: 'a',
    });
    expect(outcome.outcome).toBe('succeeded');
    expect(await readExecutionResult(cloud.store('a'), 'ex2')).toMatchObject({
      status: 'succeeded',
      output: 6,
    });
  });
});
