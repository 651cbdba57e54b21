import { readFileSync } from 'node:fs';
import { compile, defaultCloudProfiles, type WorkflowIR } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
import { estimate } from './estimate';

/**
 * Triggers in the estimate: a fan-out trigger's runs (immediate, batch, group) multiply like a
 * map's branches up to its join, a batch makes ceil(producers / size) runs, and every arrival
 * at a trigger pays a store write like a join arrival.
 */

const clouds = defaultCloudProfiles;

function example(name: string): WorkflowIR {
  const graph: unknown = JSON.parse(
    readFileSync(new URL(`../../../examples/${name}.json`, import.meta.url), 'utf8'),
  );
  const { ir, diagnostics } = compile(graph, { clouds });
  if (ir === undefined) throw new Error(JSON.stringify(diagnostics));
  return ir;
}

const invocations = (ir: WorkflowIR, mapWidth: number) =>
  Object.values(estimate(ir, clouds, { mapWidth }).perCloud).reduce(
    (sum, c) => sum + c.invocations,
    0,
  );

describe('estimate with data triggers', () => {
  it('counts a batch fan-in as ceil(branches / size) runs, each followed by its own step', () => {
    const ir = example('parallel-sleep');
    // plan + map + 250 sleepers + 3 batches (gather) + 3 tallies + the join
    expect(invocations(ir, 250)).toBe(1 + 1 + 250 + 3 + 3 + 1);
    expect(invocations(ir, 4000)).toBe(1 + 1 + 4000 + 40 + 40 + 1);
    const e = estimate(ir, clouds, { mapWidth: 4000 });
    expect(e.steps.tally?.waves).toBe(1);
    expect(e.criticalPath).toEqual(['plan', 'sleepers', 'sleep', 'gather', 'tally', 'done']);
  });

  it('counts a group trigger as one run per group, and a k-of-n trigger as one run', () => {
    // split + map + 6 mappers + 6 shuffle runs + 6 reducers + merge
    expect(invocations(example('mapreduce-sort'), 6)).toBe(1 + 1 + 6 + 6 + 6 + 1);
    // resize + map + 4 replicas + one vote
    expect(invocations(example('ml-pipeline'), 4)).toBe(1 + 1 + 4 + 1);
  });

  it('charges a store write per arrival at a trigger and times its code like a join', () => {
    const ir = example('ml-pipeline');
    const aliyun = clouds.find((c) => c.id === 'aliyun-local');
    if (aliyun === undefined) throw new Error('no aliyun-local profile');
    const narrow = estimate(ir, clouds, { mapWidth: 4 });
    const wide = estimate(ir, clouds, { mapWidth: 5 });
    // One more replica on aliyun-local: a request, its billed time (100 ms hint + 5 ms overhead
    // at 256 MB), its checkpoint write, the egress of its 1 KB answer to aws-local, and the
    // write of its arrival at the vote.
    const granularity = aliyun.prices.billingGranularityMs;
    const billedMs = Math.ceil(105 / granularity) * granularity;
    const expected =
      aliyun.prices.perRequest +
      (billedMs / 1000) * 0.25 * aliyun.prices.perGbSecond +
      aliyun.prices.storeWrite +
      (1024 / 1e9) * aliyun.prices.egressPerGb +
      aliyun.prices.storeWrite;
    const perReplica = (wide.steps.classify?.costUsd ?? 0) - (narrow.steps.classify?.costUsd ?? 0);
    expect(perReplica).toBeCloseTo(expected, 15);
    // The vote runs code without a hint: 50 ms, as a join with code does.
    expect(narrow.steps.vote?.workMs).toBe(50);
  });
});

describe('estimate of a producer that feeds a time window', () => {
  it('ends the execution at its own last step; the window runs (and is billed) apart', () => {
    const ir = example('event-stream');
    const e = estimate(ir, clouds, { firstRun: true });
    expect(e.criticalPath).toEqual(['lookup']);
    expect(e.makespanMs).toBe(e.steps.lookup?.finishMs);
    expect(e.steps.count?.finishMs).toBeGreaterThan(e.makespanMs);
    expect(e.steps.count?.costUsd).toBeGreaterThan(0);
  });
});

describe("estimate with a running cloud's measurements", () => {
  it("pays the measured cold start and runs a map in waves of the host's sandboxes", () => {
    const ir = example('monte-carlo-pi');
    const modelled = estimate(ir, clouds, { mapWidth: 24, firstRun: true });
    const measured = clouds.map((c) => ({
      ...c,
      measured: { coldStartMs: 900, coldStarts: 12, sandboxes: 6 },
    }));
    const onHost = estimate(ir, measured, { mapWidth: 24, firstRun: true });
    const mapped = Object.keys(onHost.steps).find((name) => (onHost.steps[name]?.waves ?? 1) > 1);
    expect(mapped).toBeDefined();
    if (mapped === undefined) return;
    expect(modelled.steps[mapped]?.waves).toBe(1);
    expect(onHost.steps[mapped]?.waves).toBe(4);
    expect(onHost.steps[mapped]?.coldStartMs).toBe(900);
    expect(onHost.makespanMs).toBeGreaterThan(modelled.makespanMs);
    // Warm runs pay no cold start, measured or not.
    expect(estimate(ir, measured, { mapWidth: 24 }).coldStartMs).toBe(0);
  });

  it('keeps the modelled cold start until the cloud has measured one', () => {
    const ir = example('monte-carlo-pi');
    const early = clouds.map((c) => ({ ...c, measured: { coldStarts: 0, sandboxes: 1000 } }));
    expect(estimate(ir, early, { firstRun: true }).coldStartMs).toBe(
      estimate(ir, clouds, { firstRun: true }).coldStartMs,
    );
  });
});

describe('estimate of a bounded map', () => {
  it('runs the branches of a map with maxConcurrency n in waves of n', () => {
    const graph = (maxConcurrency?: number) => ({
      name: 'bounded',
      nodes: [
        {
          kind: 'map',
          name: 'm',
          cloud: 'aws-local',
          ...(maxConcurrency ? { maxConcurrency } : {}),
        },
        {
          kind: 'task',
          name: 'w',
          cloud: 'aws-local',
          estimatedMs: 100,
          code: 'export async function handler(x) { return x; }',
        },
        { kind: 'join', name: 'j', cloud: 'aws-local', fanOut: 'm' },
      ],
      edges: [
        { id: 'a', source: 'm', target: 'w' },
        { id: 'b', source: 'w', target: 'j' },
      ],
    });
    const of = (maxConcurrency?: number) => {
      const { ir } = compile(graph(maxConcurrency), { clouds });
      if (ir === undefined) throw new Error('no IR');
      return estimate(ir, clouds, { mapWidth: 10 });
    };
    expect(of().steps.w?.waves).toBe(1);
    expect(of(3).steps.w?.waves).toBe(4);
    expect(of(3).makespanMs).toBeGreaterThan(of().makespanMs * 3);
    // The same runs; the 7 branches that start element k + 3 each read the map's record.
    const aws = clouds.find((c) => c.id === 'aws-local');
    if (aws === undefined) throw new Error('no aws-local profile');
    expect(of(3).costUsd - of().costUsd).toBeCloseTo(7 * aws.prices.storeRead, 12);
    expect(of(20).costUsd).toBeCloseTo(of().costUsd, 12);
  });
});
