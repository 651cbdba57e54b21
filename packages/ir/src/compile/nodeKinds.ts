import type { GraphNode } from '../graph';

/** Kinds that run user code (a join or trigger only when it has some). */
export function runsCode(node: GraphNode): boolean {
  return node.kind === 'task' || node.kind === 'join' || node.kind === 'trigger';
}

/** Kinds whose several outgoing edges start parallel branches. */
export function isParallelKind(node: GraphNode): boolean {
  return node.kind === 'task' || node.kind === 'join' || node.kind === 'trigger';
}
