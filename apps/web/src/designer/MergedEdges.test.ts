import { describe, expect, it } from 'vitest';
import { mergedEdgePaths } from './MergedEdges';

const box = (x: number, y: number) => ({ x, y, width: 100, height: 40 });

describe('mergedEdgePaths', () => {
  it('draws one path per look, each edge from the source right side to the target left side', () => {
    const boxes = new Map([
      ['a', box(0, 0)],
      ['b', box(200, 0)],
      ['c', box(400, 100)],
    ]);
    const edges = [
      { id: 'e1', source: 'a', target: 'b' },
      { id: 'e2', source: 'b', target: 'c' },
      { id: 'e3', source: 'a', target: 'missing' },
    ];
    const paths = mergedEdgePaths(edges, boxes, (e) => (e.id === 'e2' ? 'cross-cloud' : 'plain'));
    expect([...paths.keys()].sort()).toEqual(['cross-cloud', 'plain']);
    // a's right side (100, 20) to b's left side (200, 20); an edge to a missing node is left out.
    expect(paths.get('plain')).toMatch(/^M100,20 C.* 200,20$/);
    expect(paths.get('plain')?.match(/M/g)).toHaveLength(1);
    expect(paths.get('cross-cloud')).toMatch(/^M300,20 C.* 400,120$/);
  });
});
