import { describe, expect, it } from 'vitest';
import { analyzeControlFlow, type FlowEdge } from './controlFlow';

const edges = (...pairs: [string, string][]): FlowEdge[] =>
  pairs.map(([source, target], i) => ({ id: `e${i}`, source, target }));

describe('analyzeControlFlow', () => {
  it('finds nested loops by their dominating headers, inner loop first', () => {
    const flow = analyzeControlFlow(
      ['a', 'b', 'c', 'd', 'e'],
      edges(['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'c'], ['d', 'b'], ['d', 'e']),
      'a',
    );
    expect([...flow.closingEdgeIds].sort()).toEqual(['e3', 'e4']);
    expect(flow.loops.map((l) => [l.header, [...l.body].sort()])).toEqual([
      ['c', ['c', 'd']],
      ['b', ['b', 'c', 'd']],
    ]);
    expect(flow.order).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('treats a cycle entered at two nodes as tangled (no closing edge)', () => {
    const flow = analyzeControlFlow(
      ['s', 'x', 'y'],
      edges(['s', 'x'], ['s', 'y'], ['x', 'y'], ['y', 'x']),
      's',
    );
    expect(flow.closingEdgeIds.size).toBe(0);
    expect(flow.order).toBeUndefined();
    expect(flow.tangled).toEqual(['x', 'y']);
  });

  it('orders ready nodes by graph position and leaves unreachable nodes out', () => {
    const flow = analyzeControlFlow(
      ['s', 'z', 'q', 'm', 'lost'],
      edges(['s', 'm'], ['s', 'q'], ['s', 'z'], ['lost', 's']),
      's',
    );
    expect(flow.order).toEqual(['s', 'z', 'q', 'm']);
    expect(flow.reachable.has('lost')).toBe(false);
  });

  it('handles a 5,000-step chain with a loop back to its start (dominator tree, not sets)', () => {
    const names = Array.from({ length: 5000 }, (_, i) => `s${i}`);
    const chain = names.slice(1).map((name, i): [string, string] => [names[i] ?? '', name]);
    const flow = analyzeControlFlow(names, edges(...chain, ['s4999', 's0']), 's0');
    expect(flow.order).toEqual(names);
    expect([...flow.closingEdgeIds]).toEqual(['e4999']);
    expect(flow.loops[0]?.body.size).toBe(5000);
  });
});
