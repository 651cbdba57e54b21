import {
  type Graph,
  type GraphEdge,
  type GraphNode,
  graphNode,
  NODE_NAME_PATTERN,
  type NodeKind,
} from '@jointflow/ir';

/** Pure edits of a graph document. Every function returns a new graph and leaves its input alone. */

export const DEFAULT_TASK_CODE = `export async function handler(input: unknown) {
  return input;
}
`;

export function emptyGraph(name: string): Graph {
  return { format: 1, name, nodes: [], edges: [], sampleInput: {} };
}

/** A name of the form `<base><n>` that no node in the graph has yet. */
export function uniqueNodeName(graph: Graph, base: string, taken: Set<string> = new Set()): string {
  const names = new Set([...graph.nodes.map((n) => n.name), ...taken]);
  const stem = base.replace(/\d+$/, '') || 'step';
  if (!names.has(base) && NODE_NAME_PATTERN.test(base)) return base;
  for (let i = 1; ; i++) {
    const candidate = `${stem}${i}`;
    if (!names.has(candidate)) return candidate;
  }
}

function uniqueEdgeId(graph: Graph, source: string, target: string, taken: Set<string>): string {
  const ids = new Set([...graph.edges.map((e) => e.id), ...taken]);
  const base = `${source}-${target}`;
  if (!ids.has(base)) return base;
  for (let i = 2; ; i++) {
    if (!ids.has(`${base}-${i}`)) return `${base}-${i}`;
  }
}

/** A fresh node of `kind` with the schema's defaults, placed at `position`. */
export function createNode(
  graph: Graph,
  kind: NodeKind,
  position: { x: number; y: number },
): GraphNode {
  const name = uniqueNodeName(graph, kind);
  const base = { kind, name, position };
  switch (kind) {
    case 'task':
      return graphNode.parse({ ...base, code: DEFAULT_TASK_CODE });
    case 'join': {
      const fanOut =
        graph.nodes.find((n) => n.kind === 'map')?.name ?? graph.nodes[0]?.name ?? name;
      return graphNode.parse({ ...base, fanOut });
    }
    case 'trigger': {
      // First k of n: a runnable kind that needs neither a join after it nor named keys from
      // its producers, so a new trigger compiles once it is wired; the inspector switches kinds
      // and picks the map it collects (none by default: that map may already have a join).
      return graphNode.parse({ ...base, trigger: { type: 'k-of-n', k: 1, n: 2 } });
    }
    default:
      return graphNode.parse(base);
  }
}

export function addNode(graph: Graph, node: GraphNode): Graph {
  return { ...graph, nodes: [...graph.nodes, node] };
}

/**
 * Moves nodes to new canvas positions (rounded to whole pixels); nodes not listed keep their
 * identity, so what depends on them does not recompute.
 */
export function moveNodes(
  graph: Graph,
  positions: ReadonlyMap<string, { x: number; y: number }>,
): Graph {
  if (positions.size === 0) return graph;
  return {
    ...graph,
    nodes: graph.nodes.map((n) => {
      const position = positions.get(n.name);
      return position
        ? { ...n, position: { x: Math.round(position.x), y: Math.round(position.y) } }
        : n;
    }),
  };
}

export function updateNode(graph: Graph, name: string, patch: Partial<GraphNode>): Graph {
  return {
    ...graph,
    nodes: graph.nodes.map((n) => (n.name === name ? ({ ...n, ...patch } as GraphNode) : n)),
  };
}

/** Renames a node and everything that refers to it (edges, joins' and triggers' `fanOut`). */
export function renameNode(graph: Graph, from: string, to: string): Graph {
  if (from === to) return graph;
  const rename = (name: string) => (name === from ? to : name);
  return {
    ...graph,
    nodes: graph.nodes.map((n) => {
      const renamed = n.name === from ? { ...n, name: to } : n;
      if (renamed.kind === 'join') return { ...renamed, fanOut: rename(renamed.fanOut) };
      if (renamed.kind === 'trigger' && renamed.fanOut !== undefined)
        return { ...renamed, fanOut: rename(renamed.fanOut) };
      return renamed;
    }),
    edges: graph.edges.map((e) => ({ ...e, source: rename(e.source), target: rename(e.target) })),
  };
}

export function updateEdge(graph: Graph, id: string, patch: Partial<GraphEdge>): Graph {
  return { ...graph, edges: graph.edges.map((e) => (e.id === id ? { ...e, ...patch } : e)) };
}

export function connect(graph: Graph, source: string, target: string): Graph {
  if (source === target && !graph.nodes.some((n) => n.name === source && n.kind === 'loop')) {
    return graph;
  }
  if (graph.edges.some((e) => e.source === source && e.target === target)) return graph;
  const id = uniqueEdgeId(graph, source, target, new Set());
  return { ...graph, edges: [...graph.edges, { id, source, target }] };
}

/** Removes nodes (with their edges) and edges. */
export function removeElements(
  graph: Graph,
  nodeNames: Iterable<string>,
  edgeIds: Iterable<string>,
): Graph {
  const nodes = new Set(nodeNames);
  const edges = new Set(edgeIds);
  return {
    ...graph,
    nodes: graph.nodes.filter((n) => !nodes.has(n.name)),
    edges: graph.edges.filter(
      (e) => !edges.has(e.id) && !nodes.has(e.source) && !nodes.has(e.target),
    ),
  };
}

/** What copy puts on the clipboard: the chosen nodes and the edges between them. */
export interface GraphFragment {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export function copyFragment(graph: Graph, nodeNames: Iterable<string>): GraphFragment {
  const names = new Set(nodeNames);
  return {
    nodes: graph.nodes.filter((n) => names.has(n.name)),
    edges: graph.edges.filter((e) => names.has(e.source) && names.has(e.target)),
  };
}

/**
 * Pastes a fragment with fresh names (edges and joins inside the fragment follow the renames),
 * shifted by `offset`. Returns the new graph and the names of the pasted nodes.
 */
export function pasteFragment(
  graph: Graph,
  fragment: GraphFragment,
  offset: { x: number; y: number },
): { graph: Graph; pasted: string[] } {
  const renames = new Map<string, string>();
  const taken = new Set<string>();
  for (const node of fragment.nodes) {
    const name = uniqueNodeName(graph, node.name, taken);
    taken.add(name);
    renames.set(node.name, name);
  }
  const rename = (name: string) => renames.get(name) ?? name;
  const nodes = fragment.nodes.map((node): GraphNode => {
    const position = node.position ?? { x: 0, y: 0 };
    const moved = {
      ...node,
      name: rename(node.name),
      position: { x: position.x + offset.x, y: position.y + offset.y },
    };
    if (moved.kind === 'join') return { ...moved, fanOut: rename(moved.fanOut) };
    if (moved.kind === 'trigger' && moved.fanOut !== undefined)
      return { ...moved, fanOut: rename(moved.fanOut) };
    return moved;
  });
  const takenIds = new Set<string>();
  const edges = fragment.edges.map((edge) => {
    const source = rename(edge.source);
    const target = rename(edge.target);
    const id = uniqueEdgeId(graph, source, target, takenIds);
    takenIds.add(id);
    return { ...edge, id, source, target };
  });
  return {
    graph: { ...graph, nodes: [...graph.nodes, ...nodes], edges: [...graph.edges, ...edges] },
    pasted: nodes.map((n) => n.name),
  };
}
