import dagre from '@dagrejs/dagre';
import type { Graph } from '@jointflow/ir';

export const NODE_WIDTH = 180;
export const NODE_HEIGHT = 64;

/** Positions every node left to right with dagre; edges are untouched. */
export function autoLayout(graph: Graph): Graph {
  const layout = new dagre.graphlib.Graph();
  layout.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 150, marginx: 20, marginy: 20 });
  layout.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) {
    layout.setNode(node.name, { width: NODE_WIDTH, height: NODE_HEIGHT });
  }
  for (const edge of graph.edges) {
    if (layout.hasNode(edge.source) && layout.hasNode(edge.target)) {
      layout.setEdge(edge.source, edge.target);
    }
  }
  dagre.layout(layout);
  return {
    ...graph,
    nodes: graph.nodes.map((node) => {
      const placed = layout.node(node.name);
      if (!placed) return node;
      return {
        ...node,
        position: {
          x: Math.round(placed.x - NODE_WIDTH / 2),
          y: Math.round(placed.y - NODE_HEIGHT / 2),
        },
      };
    }),
  };
}

/**
 * Whether a graph has no usable layout: some step has no position (examples, ASL imports and
 * graphs written by hand leave them out) or every step sits on the same spot. Such a graph
 * would open with all its steps stacked, so the designer lays it out before showing it.
 */
export function needsLayout(graph: Graph): boolean {
  if (graph.nodes.length < 2) return graph.nodes.some((node) => node.position === undefined);
  if (graph.nodes.some((node) => node.position === undefined)) return true;
  const first = graph.nodes[0]?.position;
  return graph.nodes.every(
    (node) => node.position?.x === first?.x && node.position?.y === first?.y,
  );
}

/** The graph as the designer opens it: laid out with dagre when it has no layout of its own. */
export function layoutOnOpen(graph: Graph): Graph {
  return needsLayout(graph) ? autoLayout(graph) : graph;
}
