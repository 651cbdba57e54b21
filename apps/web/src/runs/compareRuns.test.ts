import { describe, expect, it } from 'vitest';
import { compareRuns, type InstanceRow } from './compareRuns';

const row = (node: string, durationMs: number, costUsd: number, at: number): InstanceRow => ({
  node,
  durationMs,
  costUsd,
  startedAt: at,
  finishedAt: at,
});

describe('compareRuns', () => {
  it('gives per-step duration and cost differences, b minus a, in graph order', () => {
    const a = [row('plan', 10, 1e-6, 0), row('s', 20, 2e-6, 10), row('s', 40, 2e-6, 12)];
    const b = [row('plan', 15, 1e-6, 0), row('s', 10, 1e-6, 20), row('only-b', 5, 0, 40)];
    const diff = compareRuns(a, b, ['plan', 's', 'missing']);
    expect(diff.map((d) => d.step)).toEqual(['plan', 's', 'only-b']);
    expect(diff[0]).toMatchObject({ p50DeltaMs: 5, costDeltaUsd: 0 });
    expect(diff[1]?.a).toMatchObject({ instances: 2, p50Ms: 20, maxMs: 40, spanMs: 42 });
    expect(diff[1]).toMatchObject({ p50DeltaMs: -10, spanDeltaMs: -32 });
    expect(diff[1]?.costDeltaUsd).toBeCloseTo(-3e-6, 12);
    expect(diff[2]).toMatchObject({ a: undefined, p50DeltaMs: null });
  });
});
