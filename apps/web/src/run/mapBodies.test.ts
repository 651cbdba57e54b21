import { graphSchema } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
import { mapBodies } from './mapBodies';

const code = 'export async function handler(input) { return input; }';

describe('mapBodies', () => {
  it('assigns each step its innermost map, stopping at the map’s join', () => {
    const graph = graphSchema.parse({
      name: 'nested',
      nodes: [
        { kind: 'task', name: 'start', code },
        { kind: 'map', name: 'outer' },
        { kind: 'task', name: 'prep', code },
        { kind: 'map', name: 'inner' },
        { kind: 'task', name: 'leaf', code },
        { kind: 'join', name: 'innerJoin', fanOut: 'inner', code },
        { kind: 'join', name: 'outerJoin', fanOut: 'outer', code },
        { kind: 'task', name: 'end', code },
      ],
      edges: [
        ['start', 'outer'],
        ['outer', 'prep'],
        ['prep', 'inner'],
        ['inner', 'leaf'],
        ['leaf', 'innerJoin'],
        ['innerJoin', 'outerJoin'],
        ['outerJoin', 'end'],
      ].map(([source, target]) => ({ id: `${source}-${target}`, source, target })),
    });
    expect(Object.fromEntries(mapBodies(graph))).toEqual({
      prep: 'outer',
      inner: 'outer',
      innerJoin: 'outer',
      leaf: 'inner',
    });
  });

  it('stops at a trigger that collects the map in place of a join', () => {
    const graph = graphSchema.parse({
      name: 'replicas',
      nodes: [
        { kind: 'task', name: 'resize', code },
        { kind: 'map', name: 'replicas' },
        { kind: 'task', name: 'classify', code },
        {
          kind: 'trigger',
          name: 'firstThree',
          trigger: { type: 'k-of-n', k: 3, n: 4 },
          fanOut: 'replicas',
        },
        { kind: 'task', name: 'average', code },
      ],
      edges: [
        ['resize', 'replicas'],
        ['replicas', 'classify'],
        ['classify', 'firstThree'],
        ['firstThree', 'average'],
      ].map(([source, target]) => ({ id: `${source}-${target}`, source, target })),
    });
    expect(Object.fromEntries(mapBodies(graph))).toEqual({ classify: 'replicas' });
  });
});
