import type { CloudProfile, Graph, GraphNode } from '@jointflow/ir';
import { useDeferredValue, useRef } from 'react';
import { type Validation, validateGraph } from './validation';

export type DesignerValidation = Validation;

/** Same node apart from its canvas position (positions do not change what compiles). */
function sameButPosition(a: GraphNode, b: GraphNode): boolean {
  if (a === b) return true;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (key === 'position') continue;
    if (a[key as keyof GraphNode] !== b[key as keyof GraphNode]) return false;
  }
  return true;
}

/** Same graph apart from canvas positions. */
export function sameForCompiler(a: Graph, b: Graph): boolean {
  if (a === b) return true;
  if (a.edges !== b.edges || a.name !== b.name || a.sampleInput !== b.sampleInput) return false;
  if (a.nodes.length !== b.nodes.length) return false;
  return a.nodes.every((node, i) => {
    const other = b.nodes[i];
    return other !== undefined && sameButPosition(node, other);
  });
}

/**
 * Live validation of the document, deferred so typing stays smooth, and skipped while only
 * positions change (dragging a 500-node graph must not recompile every frame).
 */
export function useValidation(graph: Graph, clouds: readonly CloudProfile[]): DesignerValidation {
  const deferred = useDeferredValue(graph);
  const last = useRef<{
    graph: Graph;
    clouds: readonly CloudProfile[];
    result: DesignerValidation;
  } | null>(null);
  const previous = last.current;
  if (previous && previous.clouds === clouds && sameForCompiler(previous.graph, deferred)) {
    return previous.result;
  }
  const result = validateGraph(deferred, clouds);
  last.current = { graph: deferred, clouds, result };
  return result;
}
