import { readFileSync } from 'node:fs';
import {
  compile,
  defaultCloudProfiles,
  type Graph,
  type GraphInput,
  graphSchema,
} from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
import { estimate } from './estimate';
import { plan } from './plan';

const clouds = defaultCloudProfiles;
const code = 'export async function handler(input) { return input; }';

function chain(specs: Partial<GraphInput['nodes'][number]>[]): Graph {
  const nodes = specs.map((s, i) => ({ kind: 'task', name: `s${i}`, code, cloud: 'auto', ...s }));
  const edges = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: `s${i}`, target: n.name }));
  return graphSchema.parse({ name: 'chain', nodes, edges });
}

describe('estimate', () => {
  it('prices one task from the profile by hand', () => {
    const { ir } = compile(chain([{ cloud: 'aws-local', estimatedMs: 100 }]), { clouds });
    if (!ir) throw new Error('no IR');
    const e = estimate(ir, clouds);
    // 100 ms of code + 5 ms commit/invoke + 10 ms in the queue (warm: no cold start).
    expect(e.makespanMs).toBe(115);
    // 1 request + 105 ms at 0.25 GB + one checkpoint write.
    const expected = 0.0000002 + 0.105 * 0.25 * 0.0000166667 + 0.00000125;
    expect(e.costUsd).toBeCloseTo(expected, 15);
    expect(e.perCloud['aws-local']?.invocations).toBe(1);
    expect(e.perCloud['aliyun-local']?.costUsd).toBe(0);
  });

  it('adds cross-cloud latency to the makespan and splits cost by cloud', () => {
    const { ir } = compile(chain([{ cloud: 'aws-local' }, { cloud: 'aliyun-local' }]), { clouds });
    if (!ir) throw new Error('no IR');
    const e = estimate(ir, clouds);
    expect(e.makespanMs).toBe(115 + 30 + 115);
    expect(e.criticalPath).toEqual(['s0', 's1']);
    expect(e.perCloud['aliyun-local']?.invocations).toBe(1);
  });

  it('counts map branches in cost but runs them side by side', () => {
    const graph = JSON.parse(
      readFileSync(new URL('../../../examples/monte-carlo-pi.json', import.meta.url), 'utf8'),
    );
    const { ir } = compile(graph, { clouds });
    if (!ir) throw new Error('no IR');
    const narrow = estimate(ir, clouds, { mapWidth: 2 });
    const wide = estimate(ir, clouds, { mapWidth: 16 });
    expect(wide.makespanMs).toBe(narrow.makespanMs);
    expect(wide.perCloud['aliyun-local']?.invocations).toBe(16);
    expect(wide.costUsd).toBeGreaterThan(narrow.costUsd * 3);
  });
});

describe('plan', () => {
  it('moves a gpu step to the cloud where gpu is faster', () => {
    const graph = chain([
      { cloud: 'aws-local' },
      { functionClass: 'gpu', estimatedMs: 2000, memoryMb: 1024 },
      { cloud: 'aws-local' },
    ]);
    const result = plan(graph, clouds, { objective: 'makespan' });
    expect(result.placement).toEqual({ s1: 'aliyun-local' });
    // 115 + 30 + (500 + 15) + 30 + 115 against 115 + 2015 + 115 on one cloud.
    expect(result.estimate.makespanMs).toBe(805);
  });

  it('keeps a chain of short steps on the start cloud when latency dominates', () => {
    const onAliyun = plan(chain([{ cloud: 'aliyun-local' }, {}, {}, {}]), clouds);
    expect(onAliyun.placement).toEqual({
      s1: 'aliyun-local',
      s2: 'aliyun-local',
      s3: 'aliyun-local',
    });
    const onAws = plan(
      chain([{ cloud: 'aws-local' }, { estimatedMs: 20 }, { estimatedMs: 20 }]),
      clouds,
    );
    expect(onAws.placement).toEqual({ s1: 'aws-local', s2: 'aws-local' });
  });

  it('trades makespan for cost when asked', () => {
    const graph = chain([{ cloud: 'aws-local' }, { estimatedMs: 5000, memoryMb: 2048 }]);
    expect(plan(graph, clouds, { objective: 'makespan' }).placement).toEqual({ s1: 'aws-local' });
    const cheap = plan(graph, clouds, { objective: 'cost' });
    expect(cheap.placement).toEqual({ s1: 'aliyun-local' });
    const fast = plan(graph, clouds, { objective: 'makespan' });
    expect(cheap.estimate.costUsd).toBeLessThan(fast.estimate.costUsd);
  });

  it('returns the diagnostics of a graph that does not compile', () => {
    const broken = graphSchema.parse({
      name: 'x',
      nodes: [{ kind: 'task', name: 'a' }],
      edges: [],
    });
    const result = plan(broken, clouds);
    expect(result.placement).toEqual({});
    expect(result.diagnostics.map((d) => d.code)).toContain('IR_MISSING_CODE');
  });
});
