import { defaultCloudProfiles } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
import { addNode, connect, createNode, emptyGraph, removeElements } from './graphEdits';
import { stepCodeProblems, validateGraph, withCodeProblems } from './validation';

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

describe('step code problems', () => {
  it('mark the step, name the line and count as errors like graph errors', () => {
    let g = emptyGraph('one');
    g = addNode(g, createNode(g, 'task', { x: 0, y: 0 }));
    const graphOnly = validateGraph(g, defaultCloudProfiles);
    expect(graphOnly.hasErrors).toBe(false);
    const problems = stepCodeProblems([
      { node: 'task', kind: 'syntax', line: 3, column: 7, tsCode: 1005, message: "';' expected." },
    ]);
    const merged = withCodeProblems(graphOnly, problems);
    expect(merged.hasErrors).toBe(true);
    expect(merged.errorNodes.has('task')).toBe(true);
    expect(merged.problems).toContainEqual(
      expect.objectContaining({ code: 'WEB_STEP_SYNTAX_ERROR', node: 'task', line: 3 }),
    );
    expect(merged.problems.at(-1)?.message).toContain('line 3');
    expect(merged.ir).toBe(graphOnly.ir);
    expect(withCodeProblems(graphOnly, [])).toBe(graphOnly);
  });
});
