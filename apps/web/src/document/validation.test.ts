import { defaultCloudProfiles } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
import { addNode, connect, createNode, emptyGraph, removeElements } from './graphEdits';
import { validateGraph } from './validation';

describe('validateGraph', () => {
  it('accepts a chain of tasks and returns its IR', () => {
    let g = emptyGraph('chain');
    g = addNode(g, createNode(g, 'task', { x: 0, y: 0 }));
    g = addNode(g, createNode(g, 'task', { x: 200, y: 0 }));
    g = connect(g, 'task', 'task1');
    const v = validateGraph(g, defaultCloudProfiles);
    expect(v.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(v.hasErrors).toBe(false);
    expect(Object.keys(v.ir?.functions ?? {})).toEqual(['task', 'task1']);
    // Both steps are `auto`: the planner placed them, so the compiler has nothing to warn about.
    expect(Object.keys(v.placement ?? {}).sort()).toEqual(['task', 'task1']);
    expect(v.problems).toEqual([]);
  });

  it('flags an empty graph, and marks the nodes and edges of errors', () => {
    expect(validateGraph(emptyGraph('x'), defaultCloudProfiles).hasErrors).toBe(true);
    let g = emptyGraph('bad');
    g = addNode(g, createNode(g, 'task', { x: 0, y: 0 }));
    g = addNode(g, createNode(g, 'task', { x: 200, y: 0 }));
    g = connect(g, 'task', 'task1');
    g = { ...g, nodes: g.nodes.map((n) => (n.name === 'task1' ? { ...n, cloud: 'nowhere' } : n)) };
    const v = validateGraph(g, defaultCloudProfiles);
    expect(v.hasErrors).toBe(true);
    expect(v.errorNodes.has('task1')).toBe(true);
    const dangling = removeElements(g, [], []);
    dangling.edges.push({ id: 'e9', source: 'task', target: 'ghost' });
    expect(validateGraph(dangling, defaultCloudProfiles).errorEdges.has('e9')).toBe(true);
  });
});
