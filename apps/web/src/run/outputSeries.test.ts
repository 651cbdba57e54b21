import { describe, expect, it } from 'vitest';
import { numericFields, outputNumbers, outputSeries } from './outputSeries';
import { RunTrace, type TraceEventView } from './runTrace';

function committed(instance: string, at: number, output: unknown): TraceEventView {
  return {
    id: `ex/${instance}/step.succeeded/1`,
    instance,
    node: instance.split('/')[0] ?? instance,
    kind: 'step.succeeded',
    cloud: 'aws-local',
    attempt: 1,
    at,
    durationMs: 5,
    output,
  };
}

/** The instances of one step, folded from trace events as the run view folds them. */
function instancesOf(events: TraceEventView[], node: string) {
  const trace = new RunTrace();
  trace.apply(events);
  return [...trace.instances.values()].filter((s) => s.node === node);
}

describe('outputNumbers', () => {
  it('reads a whole output, a truncated preview and a blob pointer', () => {
    expect(outputNumbers({ accuracy: 0.5, name: 'x', nan: Number.NaN, list: [1] })).toEqual({
      accuracy: 0.5,
    });
    expect(
      outputNumbers({ truncated: true, bytes: 9000, head: '{"round":', numbers: { round: 2 } }),
    ).toEqual({ round: 2 });
    // A truncated preview without numbers offers none (not its own `bytes`).
    expect(outputNumbers({ truncated: true, bytes: 9000, head: '[1,' })).toEqual({});
    expect(
      outputNumbers({ blob: 'k', cloud: 'c', bytes: 200_000, numbers: { loss: 1.5 } }),
    ).toEqual({
      loss: 1.5,
    });
    expect(outputNumbers(3)).toEqual({});
    expect(outputNumbers([1, 2])).toEqual({});
    expect(outputNumbers(null)).toEqual({});
  });
});

describe('outputSeries', () => {
  it('orders a loop step by iteration, not by arrival, and grows as instances finish', () => {
    const events = [
      committed('evaluate/loop:rotate=2', 300, { accuracy: 0.64, round: 3 }),
      committed('evaluate/loop:rotate=0', 100, {
        truncated: true,
        bytes: 5000,
        head: '{',
        numbers: { accuracy: 0.41, round: 1 },
      }),
      committed('evaluate/loop:rotate=1', 200, { accuracy: 0.58, round: 2 }),
      committed('report', 400, { accuracy: 0.64 }),
      {
        ...committed('evaluate/loop:rotate=3', 500, undefined),
        id: 'ex/evaluate/loop:rotate=3/step.started/1',
        kind: 'step.started',
      },
    ];
    const evaluate = instancesOf(events, 'evaluate');
    expect(numericFields(evaluate)).toEqual(['accuracy', 'round']);
    expect(outputSeries(evaluate, 'accuracy')).toEqual([
      { instance: 'evaluate/loop:rotate=0', label: 'rotate 0', value: 0.41 },
      { instance: 'evaluate/loop:rotate=1', label: 'rotate 1', value: 0.58 },
      { instance: 'evaluate/loop:rotate=2', label: 'rotate 2', value: 0.64 },
    ]);
    expect(outputSeries(evaluate, 'missing')).toEqual([]);
  });

  it('orders nested scopes outermost first and offers the most common field first', () => {
    const events = [
      committed('train/loop:rounds=1/map:owners=0', 10, { loss: 0.3 }),
      committed('train/loop:rounds=0/map:owners=1', 20, { loss: 0.6, seconds: 2 }),
      committed('train/loop:rounds=0/map:owners=0', 30, { loss: 0.7 }),
    ];
    const train = instancesOf(events, 'train');
    expect(numericFields(train)).toEqual(['loss', 'seconds']);
    expect(outputSeries(train, 'loss').map((p) => [p.label, p.value])).toEqual([
      ['rounds 0 · owners 0', 0.7],
      ['rounds 0 · owners 1', 0.6],
      ['rounds 1 · owners 0', 0.3],
    ]);
  });

  it('falls back to start time and the key for instances without scopes', () => {
    const events = [committed('b', 20, { n: 2 }), committed('a', 10, { n: 1 })];
    const trace = new RunTrace();
    trace.apply(events);
    const all = [...trace.instances.values()];
    expect(outputSeries(all, 'n')).toEqual([
      { instance: 'a', label: 'a', value: 1 },
      { instance: 'b', label: 'b', value: 2 },
    ]);
  });
});
