import { analyzeControlFlow, type ControlFlow } from '../controlFlow';
import { type DiagnosticLog, quoteList } from './diagnosticLog';
import type { GraphIndex } from './graphIndex';

/** The control flow of a graph whose cycles each have one entry, so its order is known. */
export interface OrderedFlow extends ControlFlow {
  order: string[];
}

/**
 * Control-flow pass: reachability, dominators, natural loops and a topological order from the
 * start node. Reports unreachable nodes; returns undefined after reporting a cycle that can be
 * entered at more than one node (no order exists).
 */
export function analyzeFlow(
  index: GraphIndex,
  start: string,
  log: DiagnosticLog,
): OrderedFlow | undefined {
  const flow = analyzeControlFlow(index.nodeOrder, index.edges, start);
  for (const name of index.nodeOrder) {
    if (!flow.reachable.has(name)) {
      log.error(
        'IR_UNREACHABLE_NODE',
        `node "${name}" cannot be reached from the start node "${start}"; connect it or delete it`,
        { node: name },
      );
    }
  }
  const order = flow.order;
  if (order === undefined) {
    log.error(
      'IR_UNGUARDED_CYCLE',
      `the cycle through ${quoteList(flow.tangled)} can be entered at more than one node; a cycle must be entered at one node and closed by a loop node's guarded back edge`,
      { node: flow.tangled[0] },
    );
    return undefined;
  }
  return { ...flow, order };
}
