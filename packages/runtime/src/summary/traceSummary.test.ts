import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../ports';
import { compareHlc, compareTraceEvents, orderTraceEvents, parseHlc } from './hlc';
import { type SummaryEvent, summarizeInstances, TraceSummary } from './traceSummary';

let clock = 0;
/** An event stamped as the runtime stamps it; `hlc` defaults to the next tick of one clock. */
function ev(
  instance: string,
  kind: TraceEvent['kind'],
  extra: Partial<TraceEvent> = {},
): TraceEvent {
  const attempt = extra.attempt ?? 1;
  clock++;
  return {
    id: `ex/${instance}/${kind}/${attempt}`,
    execution: 'ex',
    deployment: 'd1',
    instance,
    node: instance.split('/')[0] ?? instance,
    kind,
    cloud: 'aws-local',
    attempt,
    hlc: `${1_000 + clock}-0000-aws-local`,
    at: 1_000 + clock,
    ...extra,
  };
}

/** A deterministic shuffle (the fold must not care about arrival order). */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function fold(events: readonly SummaryEvent[], completion?: string): TraceSummary {
  const trace = new TraceSummary();
  trace.apply(events);
  if (completion !== undefined) trace.complete({ status: completion });
  return trace;
}

describe('TraceSummary status rules', () => {
  it('counts a map step against the committed width: succeeded only when every branch is', () => {
    const events = [ev('split', 'step.started'), ev('split', 'step.succeeded')];
    for (let i = 0; i < 3; i++) {
      events.push(ev(`work/map:split=${i}`, 'step.started'));
      events.push(ev(`work/map:split=${i}`, 'step.succeeded', { durationMs: 10 * (i + 1) }));
    }
    events.push(ev('work/map:split=3', 'step.started'));
    events.push(ev('work/map:split=4', 'step.started'));
    events.push(ev('work/map:split=4', 'step.failed', { error: { message: 'boom' } }));
    const trace = fold(events);
    // Before the width is known, a map body with finished branches is running, not succeeded.
    expect(fold(events.slice(0, 8)).stepSummaries().get('work')).toMatchObject({
      status: 'running',
      total: null,
      succeeded: 3,
    });
    trace.setFanOuts([{ instance: 'split', count: 6 }]);
    expect(trace.stepSummaries().get('work')).toMatchObject({
      status: 'failed',
      total: 6,
      instances: 5,
      pending: 1,
      running: 1,
      succeeded: 3,
      failed: 1,
      durationMs: { p50: 20, max: 30, count: 3 },
    });
    expect(trace.stepSummaries().get('split')).toMatchObject({ status: 'succeeded', total: 1 });

    // Every branch committed and succeeded: now, and only now, the step is succeeded.
    const clean = fold(events.slice(0, 8));
    clean.setFanOuts([{ instance: 'split', count: 3 }]);
    expect(clean.stepSummaries().get('work')).toMatchObject({
      status: 'succeeded',
      total: 3,
      pending: 0,
      running: 0,
    });
  });

  it('gives the same states for every arrival order and every duplicate', () => {
    const events = [
      ev('a', 'step.started'),
      ev('a', 'step.succeeded', { durationMs: 5, output: { n: 1 } }),
      ev('a', 'invocation.billed', { costUsd: 0.5, billedMs: 10 }),
      ev('b', 'step.started', { cloud: 'aliyun-local' }),
      ev('b', 'step.retrying', { error: { message: 'flaky' } }),
      ev('b', 'step.failed', { attempt: 2, error: { message: 'down' } }),
      ev('b', 'invoke.failover', { to: 'aws-local' }),
      ev('c', 'step.skipped'),
    ];
    const expected = fold(events).instanceRows();
    expect(expected.map((r) => [r.instance, r.status])).toEqual([
      ['a', 'succeeded'],
      ['b', 'failed'],
      ['c', 'skipped'],
    ]);
    for (let seed = 1; seed <= 20; seed++) {
      const arrival = shuffled([...events, ...events.slice(0, 4)], seed);
      expect(fold(arrival).instanceRows()).toEqual(expected);
    }
    expect(expected[0]).toMatchObject({ costUsd: 0.5, billedMs: 10, invocations: 1 });
    expect(expected[1]).toMatchObject({ attempts: 2, failovers: 1, error: { message: 'down' } });
  });

  it('keeps a success over a failure (a rerun), never a failure over a success', () => {
    const failed = ev('s', 'step.failed', { error: { message: 'first run' } });
    const rerun = ev('s', 'step.succeeded', { attempt: 3, output: 42 });
    for (const order of [
      [failed, rerun],
      [rerun, failed],
    ]) {
      const state = fold(order).instances.get('s');
      expect(state).toMatchObject({ status: 'succeeded', output: 42, attempts: 3 });
      expect(state?.error).toBeUndefined();
    }
  });

  it('takes the status from the committed event, not from step.adopted', () => {
    // A copy that adopts a committed failure re-emits the failure and then `step.adopted`.
    const trace = fold([
      ev('s', 'step.started'),
      ev('s', 'step.failed', { error: { message: 'bad input' } }),
      ev('s', 'step.adopted', { attempt: 2, output: { error: 'bad input' } }),
    ]);
    expect(trace.instances.get('s')).toMatchObject({ status: 'failed', attempts: 2 });
    expect(trace.stepSummaries().get('s')?.status).toBe('failed');
  });

  it('counts attempts, billed invocations and retried instances', () => {
    const trace = fold([
      ev('s', 'step.started'),
      ev('s', 'invocation.billed', { billedMs: 5, costUsd: 1 }),
      ev('s', 'step.started', { attempt: 2 }),
      ev('s', 'invocation.billed', { attempt: 2, billedMs: 7, costUsd: 2 }),
      ev('s', 'step.succeeded', { attempt: 2 }),
    ]);
    expect(trace.instanceRows()[0]).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      invocations: 2,
      billedMs: 12,
      costUsd: 3,
    });
    expect(trace.stepSummaries().get('s')).toMatchObject({ retried: 1, costUsd: 3 });
  });

  it('marks unfinished steps of a cancelled execution cancelled, finished ones as they ended', () => {
    const events = [
      ev('first', 'step.started'),
      ev('first', 'step.succeeded'),
      ev('fan', 'step.started'),
      ev('fan', 'step.succeeded'),
      ev('body/map:fan=0', 'step.started'),
      ev('body/map:fan=0', 'step.succeeded'),
      ev('body/map:fan=1', 'step.started'),
    ];
    const live = fold(events);
    live.setFanOuts([{ instance: 'fan', count: 4 }]);
    expect(live.stepSummaries().get('body')).toMatchObject({ status: 'running', cancelled: 0 });

    const cancelled = fold(events, 'cancelled');
    cancelled.setFanOuts([{ instance: 'fan', count: 4 }]);
    const steps = cancelled.stepSummaries();
    expect(steps.get('first')?.status).toBe('succeeded');
    expect(steps.get('body')).toMatchObject({
      status: 'cancelled',
      total: 4,
      succeeded: 1,
      running: 1,
      pending: 2,
      cancelled: 3,
    });
  });

  it('orders instance rows by the start stamp, not by a cloud wall clock that lags', () => {
    // aliyun-local's wall clock is 5 s behind; its step started after `first` committed, which
    // its stamp (merged from the invocation's) says.
    const events = [
      ev('first', 'step.started', { at: 10_000, hlc: '10000-0000-aws-local' }),
      ev('first', 'step.succeeded', { at: 10_000, hlc: '10000-0001-aws-local' }),
      ev('second', 'step.started', {
        cloud: 'aliyun-local',
        at: 5_010,
        hlc: '10000-0002-aliyun-local',
      }),
    ];
    expect(summarizeInstances(events, 'ex').map((r) => r.instance)).toEqual(['first', 'second']);
    expect(summarizeInstances(events, 'other')).toEqual([]);
  });
});

describe('hybrid logical clock order', () => {
  it('parses stamps whose cloud has dashes and compares counters as numbers', () => {
    expect(parseHlc('1700000000000-0003-aws-local')).toEqual({
      ms: 1_700_000_000_000,
      counter: 3,
      cloud: 'aws-local',
    });
    expect(parseHlc('not a stamp')).toBeUndefined();
    expect(compareHlc('5-10000-a', '5-9999-a')).toBeGreaterThan(0);
    expect(compareHlc('5-0001-b', '5-0001-a')).toBeGreaterThan(0);
    expect(compareHlc('6-0000-a', '5-9999-z')).toBeGreaterThan(0);
    expect(compareHlc(undefined, '1-0000-a')).toBeLessThan(0);
  });

  it('sorts events by stamp, then id, whatever their wall time and arrival', () => {
    const a = { id: 'a', at: 900, hlc: '1000-0000-x' };
    const b = { id: 'b', at: 100, hlc: '1000-0001-y' };
    const c = { id: 'c', at: 50, hlc: '1000-0001-y' };
    const old = { id: 'old', at: 999 };
    const want = ['old', 'a', 'b', 'c'];
    expect([b, c, old, a].sort(compareTraceEvents).map((e) => e.id)).toEqual(want);
    expect(orderTraceEvents([c, a, b, old]).map((e) => e.id)).toEqual(want);
  });
});

describe('@jointflow/runtime/summary', () => {
  it('stays browser-safe: no Node built-in, no package, no runtime module but types', () => {
    const dir = import.meta.dirname;
    for (const file of readdirSync(dir).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
    )) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const match of text.matchAll(/^(import|export)(\s+type)?\s[^;]*?from\s+'([^']+)'/gms)) {
        const [, , typeOnly, from] = match;
        const local = from?.startsWith('./') === true;
        expect(local || typeOnly !== undefined, `${file} imports ${from}`).toBe(true);
        expect(from?.startsWith('node:') || from?.startsWith('../../'), `${file}: ${from}`).toBe(
          false,
        );
      }
    }
  });
});
