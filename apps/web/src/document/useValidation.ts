import type { CloudProfile, Graph, GraphNode } from '@jointflow/ir';
import { useDeferredValue, useMemo, useRef } from 'react';
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
 * Live validation of the document, deferred so typing stays smooth. A drag changes only
 * positions: the deferred input keeps its identity then, so a 500-node drag neither recompiles
 * nor pays for a second, deferred render per frame.
 */
export function useValidation(graph: Graph, clouds: readonly CloudProfile[]): DesignerValidation {
  const semantic = useRef(graph);
  if (!sameForCompiler(semantic.current, graph)) semantic.current = graph;
  const deferred = useDeferredValue(semantic.current);
  return useMemo(() => validateGraph(deferred, clouds), [deferred, clouds]);
}
