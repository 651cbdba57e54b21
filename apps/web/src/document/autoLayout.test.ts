import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Graph, graphSchema } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
import { layoutOnOpen, NODE_HEIGHT, NODE_WIDTH, needsLayout } from './autoLayout';
import { addNode, createNode, emptyGraph } from './graphEdits';

const examplesDir = fileURLToPath(new URL('../../../../examples/', import.meta.url));
const examples = readdirSync(examplesDir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => [file, graphSchema.parse(JSON.parse(readFileSync(examplesDir + file, 'utf8')))]);

function overlapping(graph: Graph): string[] {
  const found: string[] = [];
  graph.nodes.forEach((a, i) => {
    for (const b of graph.nodes.slice(i + 1)) {
      if (!a.position || !b.position) continue;
      const apart =
        Math.abs(a.position.x - b.position.x) >= NODE_WIDTH ||
        Math.abs(a.position.y - b.position.y) >= NODE_HEIGHT;
      if (!apart) found.push(`${a.name}/${b.name}`);
    }
  });
  return found;
}

function twoTasks(at: (i: number) => { x: number; y: number }): Graph {
  let graph = emptyGraph('g');
  for (let i = 0; i < 2; i++) graph = addNode(graph, createNode(graph, 'task', at(i)));
  return graph;
}

describe('layout on open', () => {
  it('finds the shipped examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
  });

  it.each(examples)('lays out %s so every step has a position and none overlap', (_file, graph) => {
    const opened = layoutOnOpen(graph as Graph);
    expect(opened.nodes.every((node) => node.position !== undefined)).toBe(true);
    expect(overlapping(opened)).toEqual([]);
    expect(needsLayout(opened)).toBe(false);
  });

  it('lays out a graph whose steps all sit on one spot', () => {
    const stacked = twoTasks(() => ({ x: 10, y: 10 }));
    expect(needsLayout(stacked)).toBe(true);
    expect(overlapping(layoutOnOpen(stacked))).toEqual([]);
  });

  it('keeps a layout the user made, and the same graph object', () => {
    const placed = twoTasks((i) => ({ x: i * 300, y: 0 }));
    expect(layoutOnOpen(placed)).toBe(placed);
    const single = twoTasks(() => ({ x: 0, y: 0 }));
    const one = { ...single, nodes: single.nodes.slice(0, 1) };
    expect(layoutOnOpen(one)).toBe(one);
  });
});
