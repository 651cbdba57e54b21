import { graphSchema } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
import { elsewhereSteps } from './windowRuns';

const code = 'export async function handler(input) { return input; }';
const graph = graphSchema.parse({
  name: 'stream',
  nodes: [
    { kind: 'task', name: 'lookup', code },
    { kind: 'trigger', name: 'perSecond', trigger: { type: 'window', windowMs: 1000 } },
    { kind: 'task', name: 'count', code },
  ],
  edges: [
    { id: 'e1', source: 'lookup', target: 'perSecond' },
    { id: 'e2', source: 'perSecond', target: 'count' },
  ],
});

describe('elsewhereSteps', () => {
  it('in a producer run: the window and what follows run in the window’s execution', () => {
    expect(Object.fromEntries(elsewhereSteps(graph, 'ex_1'))).toEqual({
      perSecond: 'runs in the window’s execution',
      count: 'runs in the window’s execution',
    });
  });

  it('in the window’s execution: the producers ran in their own runs', () => {
    expect(Object.fromEntries(elsewhereSteps(graph, 'wnd.perSecond.1796190393.de2a'))).toEqual({
      lookup: 'ran in the producer runs',
    });
  });

  it('says nothing without a time window', () => {
    const plain = graphSchema.parse({
      ...graph,
      nodes: graph.nodes.map((n) =>
        n.kind === 'trigger' ? { ...n, trigger: { type: 'k-of-n', k: 1, n: 1 } } : n,
      ),
    });
    expect(elsewhereSteps(plain, 'ex_1').size).toBe(0);
  });
});
