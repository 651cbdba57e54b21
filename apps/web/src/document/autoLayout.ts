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
