import { describe, expect, it } from 'vitest';
import { RunTrace, type TraceEventView } from './runTrace';

function event(
  partial: Partial<TraceEventView> & Pick<TraceEventView, 'instance' | 'kind' | 'at'>,
): TraceEventView {
  const node = partial.instance.split('/')[0] ?? partial.instance;
  return {
    id: `ex/${partial.instance}/${partial.kind}/${partial.attempt ?? 1}`,
    node,
    cloud: 'aws-local',
    attempt: 1,
    ...partial,
  };
}

describe('RunTrace', () => {
  it('moves statuses forward only, deduplicates by id and sums cost per cloud', () => {
    const trace = new RunTrace();
    trace.apply([
      event({ instance: 'a', kind: 'step.succeeded', at: 120, durationMs: 20, output: 1 }),
      event({ instance: 'a', kind: 'step.started', at: 100 }),
      event({ instance: 'a', kind: 'step.started', at: 100 }),
      event({ instance: 'a', kind: 'invocation.billed', at: 121, costUsd: 0.5 }),
      event({ instance: 'b/map:m=0', kind: 'step.started', at: 130, cloud: 'aliyun-local' }),
      event({ instance: 'b/map:m=0', kind: 'step.retrying', at: 140, cloud: 'aliyun-local' }),
      event({
        instance: 'b/map:m=0',
        kind: 'step.failed',
        at: 150,
        cloud: 'aliyun-local',
        attempt: 2,
        error: { message: 'boom' },
      }),
      event({
        instance: 'b/map:m=0',
        kind: 'invocation.billed',
        at: 151,
        cloud: 'aliyun-local',
        costUsd: 0.25,
      }),
    ]);
    expect(trace.events).toHaveLength(7);
    const a = trace.instances.get('a');
    expect(a).toMatchObject({
      status: 'succeeded',
      startedAt: 100,
      endedAt: 140,
      output: 1,
      costUsd: 0.5,
    });
    const b = trace.instances.get('b/map:m=0');
    expect(b).toMatchObject({
      status: 'failed',
      retried: true,
      attempts: 2,
      error: { message: 'boom' },
    });
    expect(Object.fromEntries(trace.costByCloud)).toEqual({
      'aws-local': 0.5,
      'aliyun-local': 0.25,
    });
    expect(trace.makespanMs).toBe(51);
    const nodes = trace.stepSummaries();
    expect(nodes.get('a')?.status).toBe('succeeded');
    expect(nodes.get('b')).toMatchObject({ status: 'failed', retried: 1, instances: 1 });
    expect(nodes.get('a')).toMatchObject({ costUsd: 0.5, clouds: ['aws-local'] });
  });

  it('counts map instances per node and marks failover', () => {
    const trace = new RunTrace();
    const events: TraceEventView[] = [];
    for (let i = 0; i < 3; i++) {
      events.push(event({ instance: `m/map:x=${i}`, kind: 'step.started', at: i }));
    }
    events.push(event({ instance: 'm/map:x=0', kind: 'step.succeeded', at: 9 }));
    events.push(
      event({
        instance: 'm/map:x=1',
        kind: 'invoke.failover',
        at: 1,
        from: 'aws-local',
        to: 'aliyun-local',
      }),
    );
    trace.apply(events);
    expect(trace.stepSummaries().get('m')).toMatchObject({
      instances: 3,
      running: 2,
      succeeded: 1,
      failedOver: 1,
      status: 'running',
    });
  });

  it('counts map branches against the committed width: never succeeded while any is pending', () => {
    const trace = new RunTrace();
    const events: TraceEventView[] = [
      event({ instance: 'x', kind: 'step.started', at: 0 }),
      event({ instance: 'x', kind: 'step.succeeded', at: 1, durationMs: 1 }),
    ];
    // 14 branches committed; 3 started, and the 3 that started all succeeded.
    for (let i = 0; i < 3; i++) {
      events.push(event({ instance: `s/map:x=${i}`, kind: 'step.started', at: 10 + i }));
      events.push(event({ instance: `s/map:x=${i}`, kind: 'step.succeeded', at: 10 + i }));
    }
    trace.apply(events);
    // Before the width is known, a step with finished branches is still running, not succeeded.
    expect(trace.stepSummaries().get('s')).toMatchObject({ status: 'running', total: null });
    expect(trace.unknownFanOuts(new Set(['x']))).toEqual(['x']);
    trace.setFanOuts([{ instance: 'x', count: 14 }]);
    // A step of the map's body that no branch has reported yet: every branch pending.
    expect(
      trace
        .stepSummaries(
          new Map([
            ['s', 'x'],
            ['t', 'x'],
          ]),
        )
        .get('t'),
    ).toMatchObject({
      status: 'pending',
      total: 14,
      pending: 14,
      instances: 0,
    });
    expect(trace.stepSummaries().get('s')).toMatchObject({
      status: 'running',
      total: 14,
      pending: 11,
      running: 0,
      succeeded: 3,
      failed: 0,
    });
    const rest: TraceEventView[] = [];
    for (let i = 3; i < 14; i++) {
      rest.push(event({ instance: `s/map:x=${i}`, kind: 'step.succeeded', at: 20 + i }));
    }
    trace.apply(rest);
    expect(trace.stepSummaries().get('s')).toMatchObject({
      status: 'succeeded',
      total: 14,
      pending: 0,
      succeeded: 14,
    });
  });

  it('a redriven step that fails, then succeeds, ends succeeded (a success outranks a failure)', () => {
    const trace = new RunTrace();
    trace.apply([
      event({ instance: 'a', kind: 'step.started', at: 0 }),
      event({ instance: 'a', kind: 'step.failed', at: 1, error: { message: 'down' } }),
    ]);
    expect(trace.instances.get('a')).toMatchObject({ status: 'failed' });
    trace.apply([
      event({ instance: 'a', kind: 'step.started', at: 50, attempt: 2 }),
      event({ instance: 'a', kind: 'step.succeeded', at: 51, attempt: 2, output: 7 }),
      // A late copy of the old failure changes nothing.
      event({ instance: 'a', kind: 'step.failed', at: 1, attempt: 3, error: { message: 'x' } }),
    ]);
    expect(trace.instances.get('a')).toMatchObject({ status: 'succeeded', output: 7, attempts: 3 });
    // Each run of the function is billed once, with its own id: that is how often it ran.
    trace.apply([
      {
        ...event({ instance: 'a', kind: 'invocation.billed', at: 60 }),
        id: 'b#2',
        durationMs: 9,
        queuedMs: 1,
        coldStartMs: 0,
      },
      {
        ...event({ instance: 'a', kind: 'invocation.billed', at: 2 }),
        id: 'b#1',
        durationMs: 1,
        queuedMs: 0,
        coldStartMs: 0,
        error: { message: 'down' },
      },
    ]);
    expect(trace.instances.get('a')?.invocations.map((i) => i.failed)).toEqual([true, false]);
    expect(trace.instances.get('a')?.timing?.endedAt).toBe(60);
    expect(trace.instances.get('a')?.error).toBeUndefined();
    expect(trace.stepSummaries().get('a')?.status).toBe('succeeded');
  });

  it('splits an instance into queued, cold start, running and committing from the host timing', () => {
    const trace = new RunTrace();
    trace.apply([
      event({ instance: 'a', kind: 'step.started', at: 1_000 }),
      // The committed record: code ran from 1000 for 40 ms.
      event({ instance: 'a', kind: 'step.succeeded', at: 1_000, durationMs: 40 }),
      // The invocation ended at 1070 after 80 ms in the worker, a 300 ms cold start and 50 ms queued.
      event({
        instance: 'a',
        kind: 'invocation.billed',
        at: 1_070,
        durationMs: 80,
        queuedMs: 50,
        coldStartMs: 300,
        costUsd: 1e-6,
      }),
    ]);
    const state = trace.instances.get('a');
    if (!state) throw new Error('no instance');
    expect(trace.phasesOf(state)).toEqual({
      start: 640,
      queuedMs: 50,
      coldStartMs: 300,
      runningMs: 50,
      committingMs: 30,
      end: 1_070,
    });
    expect(trace.firstAt).toBe(640);
    expect(trace.stepSummaries().get('a')?.wallMs).toMatchObject({ p50: 430, count: 1 });
  });

  it('gives duration percentiles per mapped step', () => {
    const trace = new RunTrace();
    const events: TraceEventView[] = [];
    for (let i = 0; i < 100; i++) {
      events.push(
        event({ instance: `s/map:m=${i}`, kind: 'step.succeeded', at: i, durationMs: i + 1 }),
      );
    }
    trace.apply(events);
    expect(trace.stepSummaries().get('s')?.durationMs).toEqual({
      p50: 50,
      p90: 90,
      p99: 99,
      max: 100,
      count: 100,
    });
  });
});

describe('readTraceEvent', () => {
  it('accepts what the schema accepts and skips what it refuses', async () => {
    const { readTraceEvent, traceEventSchema } = await import('./runTrace');
    const good = {
      id: 'e/a/step.failed/1',
      instance: 'a',
      node: 'a',
      kind: 'step.failed',
      cloud: 'aws-local',
      at: 5,
      seq: 3,
      error: { message: 'boom', stack: 'at x' },
      extra: { kept: true },
    };
    expect(readTraceEvent(structuredClone(good))).toEqual(traceEventSchema.parse(good));
    const bad: unknown[] = [
      null,
      'x',
      { ...good, id: 1 },
      { ...good, at: '5' },
      { ...good, attempt: 'one' },
      { ...good, costUsd: '1' },
      { ...good, error: { stack: 'x' } },
      { ...good, to: 3 },
    ];
    for (const value of bad) {
      expect(readTraceEvent(structuredClone(value))).toBeUndefined();
      expect(traceEventSchema.safeParse(value).success).toBe(false);
    }
  });
});
