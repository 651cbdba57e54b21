import type { Graph, GraphEdge, GraphNode } from '../graph';
import { type DiagnosticLog, quoteList } from './diagnosticLog';

/** The graph's nodes and edges by name, without duplicates or dangling edges. */
export interface GraphIndex {
  readonly nodes: ReadonlyMap<string, GraphNode>;
  /** Node names in the document's order. */
  readonly nodeOrder: readonly string[];
  /** The edges kept (unique id, both ends exist), in the document's order. */
  readonly edges: readonly GraphEdge[];
  readonly outEdges: ReadonlyMap<string, readonly GraphEdge[]>;
  readonly inEdges: ReadonlyMap<string, readonly GraphEdge[]>;
}

/** Normalising pass: indexes the graph; reports duplicate names and ids and dangling edges. */
export function indexGraph(graph: Graph, log: DiagnosticLog): GraphIndex {
  const nodes = new Map<string, GraphNode>();
  const nodeOrder: string[] = [];
  const edges: GraphEdge[] = [];
  const outEdges = new Map<string, GraphEdge[]>();
  const inEdges = new Map<string, GraphEdge[]>();
  for (const node of graph.nodes) {
    if (nodes.has(node.name)) {
      log.error(
        'IR_DUPLICATE_NAME',
        `two nodes are named "${node.name}"; node names must be unique, rename one`,
        { node: node.name },
      );
      continue;
    }
    nodes.set(node.name, node);
    nodeOrder.push(node.name);
    outEdges.set(node.name, []);
    inEdges.set(node.name, []);
  }
  const edgeIds = new Set<string>();
  for (const edge of graph.edges) {
    if (edgeIds.has(edge.id)) {
      log.error(
        'IR_DUPLICATE_EDGE_ID',
        `two edges have the id "${edge.id}"; edge ids must be unique, rename one`,
        { edge: edge.id },
      );
      continue;
    }
    edgeIds.add(edge.id);
    const missing = [edge.source, edge.target].filter((n) => !nodes.has(n));
    if (missing.length > 0) {
      log.error(
        'IR_DANGLING_EDGE',
        `edge ${edge.id} points to ${quoteList(missing)}, which does not exist; reconnect or delete the edge`,
        { edge: edge.id },
      );
      continue;
    }
    edges.push(edge);
    outEdges.get(edge.source)?.push(edge);
    inEdges.get(edge.target)?.push(edge);
  }
  return { nodes, nodeOrder, edges, outEdges, inEdges };
}

/** The edges leaving `name` (none for an unknown name). */
export function outOf(index: GraphIndex, name: string): readonly GraphEdge[] {
  return index.outEdges.get(name) ?? [];
}

/** The edges entering `name` (none for an unknown name). */
export function inOf(index: GraphIndex, name: string): readonly GraphEdge[] {
  return index.inEdges.get(name) ?? [];
}
