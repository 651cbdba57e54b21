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
      endedAt: 120,
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
    const nodes = trace.nodeSummaries();
    expect(nodes.get('a')?.status).toBe('succeeded');
    expect(nodes.get('b')).toMatchObject({ status: 'failed', retried: 1, instances: 1 });
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
    expect(trace.nodeSummaries().get('m')).toMatchObject({
      instances: 3,
      running: 2,
      succeeded: 1,
      failedOver: 1,
      status: 'running',
    });
  });
});
