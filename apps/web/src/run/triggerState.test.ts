import { describe, expect, it } from 'vitest';
import { RunTrace } from './runTrace';
import {
  describeTriggerEvent,
  type TriggerEventLike,
  TriggerFold,
  triggerStateLabel,
  triggerStates,
} from './triggerState';

let next = 0;
function event(
  kind: string,
  instance: string,
  output: unknown,
  at = 1000 + next,
  node = instance.split('/', 1)[0] ?? instance,
): TriggerEventLike {
  next++;
  return { id: `e${next}`, kind, node, instance, at, output };
}

describe('trigger state from the trace', () => {
  it('k-of-n: 3 of 4 won, 1 dropped, whatever the order and duplicates', () => {
    const events = [
      event('trigger.received', 'avg', { from: 'classify/map:r=2', keys: ['classify/map:r=2'] }),
      event('trigger.received', 'avg', { from: 'classify/map:r=0', keys: ['classify/map:r=0'] }),
      event('trigger.received', 'avg', { from: 'classify/map:r=1', keys: ['classify/map:r=1'] }),
      event('trigger.fired', 'avg', {
        members: ['classify/map:r=2', 'classify/map:r=0', 'classify/map:r=1'],
      }),
      event('trigger.dropped', 'avg', {
        from: 'classify/map:r=3',
        key: 'classify/map:r=3',
        reason: 'late',
      }),
      event('step.started', 'avg', {}),
    ];
    const spec = { type: 'k-of-n' as const, k: 3, n: 4 };
    const before = triggerStates(events.slice(0, 2)).get('avg');
    expect(triggerStateLabel(before, spec)).toBe('2 of 4 arrived, first 3 win');

    // Reversed, and every event delivered twice (a reload re-reads the history).
    const fold = new TriggerFold();
    fold.add([...events].reverse());
    fold.add(events);
    const state = fold.states().get('avg');
    expect(state).toMatchObject({ received: 3, fired: 1, won: 3, dropped: 1 });
    expect(triggerStateLabel(state, spec)).toBe('3 of 4 won, 1 dropped');
    expect(state?.marks.map((m) => m.kind)).toEqual(['fired', 'dropped']);
    expect(fold.states().has('step')).toBe(false);
  });

  it('batch: fired batches and the open buffer, its fill never moving back', () => {
    const spec = { type: 'batch' as const, size: 100 };
    const events: TriggerEventLike[] = [];
    for (let i = 0; i < 100; i++) {
      events.push(
        event(
          'trigger.received',
          'sum/map:sum=0',
          { from: `p/map:m=${i}`, keys: ['x'], filled: i + 1, size: 100 },
          1000 + i,
          'sum',
        ),
      );
    }
    events.push(event('trigger.fired', 'sum/map:sum=0', { members: ['x'] }, 1200, 'sum'));
    for (let i = 0; i < 4; i++) {
      events.push(
        event(
          'trigger.received',
          'sum/map:sum=1',
          { from: `p/map:m=${100 + i}`, keys: ['x'], filled: i + 1, size: 100 },
          1300 + i,
          'sum',
        ),
      );
    }
    // A late copy of an earlier fill (another attempt's event) arrives last.
    events.push(
      event(
        'trigger.received',
        'sum/map:sum=1',
        { from: 'p/map:m=100', keys: ['x'], filled: 1, size: 100 },
        1400,
        'sum',
      ),
    );
    const state = triggerStates(events).get('sum');
    expect(state?.received).toBe(104);
    expect(state?.buckets.map((b) => [b.instance, b.filled, b.firedAt !== undefined])).toEqual([
      ['sum/map:sum=0', 100, true],
      ['sum/map:sum=1', 4, false],
    ]);
    expect(triggerStateLabel(state, spec)).toBe('1 batch fired · 4/100 buffered');
    expect(triggerStateLabel(triggerStates(events.slice(0, 4)).get('sum'), spec)).toBe(
      '4/100 buffered',
    );
    expect(triggerStateLabel(undefined, spec)).toBe('waiting for objects');
  });

  it('set: keys arrived, then fired; objects outside the set dropped', () => {
    const spec = { type: 'set' as const, keys: ['a', 'b', 'c'] };
    const events = [
      event('trigger.received', 'assemble', { from: 'x', keys: ['a', 'b'] }),
      event('trigger.dropped', 'assemble', { from: 'y', key: 'z', reason: 'not-in-set' }),
    ];
    expect(triggerStateLabel(triggerStates(events).get('assemble'), spec)).toBe(
      '2/3 keys arrived · 1 dropped (not in set)',
    );
    events.push(event('trigger.received', 'assemble', { from: 'y', keys: ['c'] }));
    events.push(event('trigger.fired', 'assemble', { members: ['a', 'b', 'c'] }));
    expect(triggerStateLabel(triggerStates(events).get('assemble'), spec)).toBe(
      'fired with 3 keys · 1 dropped (not in set)',
    );
  });

  it('group, by-name and immediate count runs against objects', () => {
    const group = triggerStates([
      event('trigger.received', 'reduce', { from: 'm/map:m=0', keys: ['group:a', 'group:b'] }),
      event('trigger.received', 'reduce', { from: 'm/map:m=1', keys: ['group:a'] }),
      event(
        'trigger.fired',
        'reduce/map:reduce=0',
        { members: ['group:a', 'group:a'] },
        2000,
        'reduce',
      ),
      event('trigger.fired', 'reduce/map:reduce=1', { members: ['group:b'] }, 2001, 'reduce'),
    ]).get('reduce');
    expect(triggerStateLabel(group, { type: 'group', prefix: 'group:' })).toBe(
      '3 objects received · 2 groups fired',
    );
    const byName = triggerStates([
      event('trigger.received', 'onError', { from: 'check', keys: ['error'] }),
      event('trigger.fired', 'onError', { members: ['error'] }),
    ]).get('onError');
    expect(triggerStateLabel(byName, { type: 'by-name', key: 'error' })).toBe(
      '1 run on "error" · 1 object received',
    );
    const immediate = triggerStates([
      event('trigger.received', 'each/map:each=0', { from: 'src', keys: ['a'] }, 1, 'each'),
      event('trigger.received', 'each/map:each=1', { from: 'src', keys: ['b'] }, 2, 'each'),
      event('trigger.fired', 'each/map:each=0', { members: ['a'] }, 3, 'each'),
    ]).get('each');
    expect(triggerStateLabel(immediate, { type: 'immediate' })).toBe('1 of 2 objects fired');
    // Without the graph's spec: plain counts.
    expect(triggerStateLabel(immediate)).toBe('2 objects received · 1 fired');
  });

  it('describes each decision in a sentence', () => {
    expect(
      describeTriggerEvent(
        event('trigger.received', 'sum/map:sum=1', {
          from: 'p/map:m=3',
          keys: ['p/map:m=3'],
          filled: 4,
          size: 100,
        }),
      ),
    ).toBe('received the output of p/map:m=3 · 4/100 filled');
    expect(
      describeTriggerEvent(event('trigger.received', 'assemble', { from: 'x', keys: ['a', 'b'] })),
    ).toBe('received a, b from x');
    expect(
      describeTriggerEvent(
        event('trigger.fired', 'avg', { members: ['a', 'b', 'c', 'd', 'e', 'f'] }),
      ),
    ).toBe('fired with 6 objects: a, b, c, d and 2 more');
    expect(
      describeTriggerEvent(
        event('trigger.dropped', 'avg', { from: 'r3', key: 'r3', reason: 'late' }),
      ),
    ).toBe('dropped r3: late, the winners were already decided');
    expect(
      describeTriggerEvent(
        event('trigger.dropped', 'set', { from: 'y', key: 'z', reason: 'not-in-set' }),
      ),
    ).toBe('dropped z from y: not one of the set’s keys');
    expect(describeTriggerEvent(event('step.started', 'x', {}))).toBeUndefined();
    // Malformed output still reads.
    expect(describeTriggerEvent(event('trigger.fired', 'x', null))).toBe('fired with 0 objects');
  });

  it('are not runs: a group collection that never runs leaves the step succeeded', () => {
    const trace = new RunTrace();
    const view = (e: TriggerEventLike) => ({ ...e, cloud: 'aws-local', attempt: 1 });
    trace.apply(
      [
        event('trigger.received', 'reduce', { from: 'm', keys: ['group:a'] }, 10),
        event('trigger.fired', 'reduce/map:reduce=0', { members: ['group:a'] }, 11, 'reduce'),
        event('step.started', 'reduce/map:reduce=0', undefined, 12, 'reduce'),
        event('step.succeeded', 'reduce/map:reduce=0', undefined, 13, 'reduce'),
      ].map(view),
    );
    expect([...trace.instances.keys()]).toEqual(['reduce/map:reduce=0']);
    expect(trace.events).toHaveLength(4);
    trace.complete({ status: 'succeeded' });
    expect(trace.stepSummaries().get('reduce')?.status).toBe('succeeded');
  });

  it('time windows: where a producer run’s objects went, a countdown, and the window’s own run', () => {
    const spec = { type: 'window' as const, windowMs: 1000 };
    const received = [0, 1, 2].map((i) =>
      event(
        'trigger.received',
        'count',
        {
          from: `lookup/map:m=${i}`,
          keys: ['ad'],
          window: 1_700_000_000,
          windowMs: 1000,
          execution: 'wnd.count.1700000000.abc',
          position: i,
        },
        1_700_000_000_300 + i,
      ),
    );
    const producer = triggerStates(received).get('count');
    expect(producer?.buckets[0]?.windows).toEqual([
      {
        index: 1_700_000_000,
        windowMs: 1000,
        execution: 'wnd.count.1700000000.abc',
        closesAt: 1_700_000_001_000,
        objects: 3,
      },
    ]);
    expect(triggerStateLabel(producer, spec, 1_700_000_000_400)).toBe(
      '3 objects sent to 1 window · closes in 0.6 s; it runs as its own execution',
    );
    expect(triggerStateLabel(producer, spec, 1_700_000_002_000)).toBe(
      '3 objects sent to 1 window · closed; it runs as its own execution',
    );
    expect(describeTriggerEvent(received[0] as TriggerEventLike)).toBe(
      'received ad from lookup/map:m=0 · into window 1700000000 (1000 ms), run in execution wnd.count.1700000000.abc',
    );
    const fired = event('trigger.fired', 'count', {
      members: ['a', 'b', 'c', 'd', 'e'],
      count: 12,
      sources: ['ex1', 'ex2'],
      sourceCount: 2,
    });
    const windowRun = triggerStates([fired]).get('count');
    expect(triggerStateLabel(windowRun, spec)).toBe('window fired with 12 objects from 2 runs');
    expect(describeTriggerEvent(fired)).toBe(
      'fired with 12 objects from 2 executions: a, b, c, d and 8 more',
    );
  });
});
