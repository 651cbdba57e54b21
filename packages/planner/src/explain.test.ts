import {
  compile,
  defaultCloudProfiles,
  type Graph,
  type GraphInput,
  graphSchema,
} from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
import { estimate } from './estimate';
import { explainPlacement } from './explain';
import { plan } from './plan';

const clouds = defaultCloudProfiles;
const code = 'export async function handler(input) { return input; }';

function chain(specs: Partial<GraphInput['nodes'][number]>[]): Graph {
  const nodes = specs.map((s, i) => ({ kind: 'task', name: `s${i}`, code, cloud: 'auto', ...s }));
  const edges = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: `s${i}`, target: n.name }));
  return graphSchema.parse({ name: 'chain', nodes, edges });
}

function explain(graph: Graph) {
  const planned = plan(graph, clouds, { objective: 'makespan' });
  const { ir } = compile(graph, { clouds, placement: planned.placement });
  if (!ir) throw new Error('no IR');
  const auto = graph.nodes.filter((n) => n.cloud === 'auto').map((n) => n.name);
  return explainPlacement(ir, clouds, planned.placement, auto);
}

describe('explainPlacement', () => {
  it('says a gpu step went where gpu is faster, and what the other cloud would cost in time', () => {
    const [why] = explain(
      chain([
        { cloud: 'aws-local' },
        { functionClass: 'gpu', estimatedMs: 2000, memoryMb: 1024 },
        { cloud: 'aws-local' },
      ]),
    );
    expect(why).toMatchObject({
      node: 's1',
      cloud: 'aliyun-local',
      functionClass: 'gpu',
      speed: 4,
    });
    expect(why?.reasons[0]).toBe(
      'its "gpu" code runs 4.0× faster on aliyun-local than on aws-local',
    );
    // On aws-local: 2015 ms instead of 515 ms of step, minus 2 × 30 ms of latency.
    expect(why?.alternatives).toEqual([
      expect.objectContaining({ cloud: 'aws-local', makespanDeltaMs: 1440 }),
    ]);
    expect(why?.reasons.at(-1)).toMatch(/^on aws-local the run would take 1440 ms longer/);
  });

  it('says a short step stays next to its neighbours to save latency', () => {
    const [why] = explain(
      chain([{ cloud: 'aws-local' }, { estimatedMs: 20 }, { cloud: 'aws-local' }]),
    );
    expect(why).toMatchObject({ node: 's1', cloud: 'aws-local', latencySavedMs: 60 });
    expect(why?.reasons).toContain('next to its neighbours it saves 60 ms of cross-cloud latency');
    expect(why?.alternatives[0]?.makespanDeltaMs).toBe(60);
  });
});

describe('estimate of a first run', () => {
  it('adds each step’s cold start on the critical path and says how much of the makespan it is', () => {
    const { ir } = compile(chain([{ cloud: 'aws-local' }, { cloud: 'aliyun-local' }]), { clouds });
    if (!ir) throw new Error('no IR');
    const warm = estimate(ir, clouds);
    const cold = estimate(ir, clouds, { firstRun: true });
    const coldStarts = clouds.reduce((sum, c) => sum + c.behaviour.coldStartMs, 0);
    expect(cold.makespanMs - warm.makespanMs).toBe(coldStarts);
    expect(cold.coldStartMs).toBe(coldStarts);
    expect(cold.queueMs).toBe(20);
    expect(cold.steps.s1).toMatchObject({ cloud: 'aliyun-local', workMs: 100, waves: 1 });
  });
});
