import type { Graph } from '@jointflow/ir';

/**
 * Which steps of a run happen in another execution because of a time window (a window spans
 * executions: producer runs put objects into it; its trigger and the steps after it run in the
 * window's own execution, `wnd.<trigger>.<window>.<…>`). For the run graph: such a step has no
 * events in this run and is not pending here; it says where it runs instead.
 *
 * @example
 * elsewhereSteps(graph, 'ex_1').get('count'); // "runs in the window's execution"
 * elsewhereSteps(graph, 'wnd.perSecond.1796190393.de2a').get('lookup'); // "ran in the producer runs"
 */
export function elsewhereSteps(graph: Graph, executionId: string): Map<string, string> {
  const next = new Map<string, string[]>();
  for (const edge of graph.edges) {
    next.set(edge.source, [...(next.get(edge.source) ?? []), edge.target]);
  }
  const out = new Map<string, string>();
  for (const node of graph.nodes) {
    if (node.kind !== 'trigger' || node.trigger.type !== 'window') continue;
    const after = new Set<string>([node.name]);
    const work = [...(next.get(node.name) ?? [])];
    while (work.length > 0) {
      const name = work.pop();
      if (name === undefined || after.has(name)) continue;
      after.add(name);
      work.push(...(next.get(name) ?? []));
    }
    if (executionId.startsWith(`wnd.${node.name}.`)) {
      for (const n of graph.nodes)
        if (!after.has(n.name)) out.set(n.name, 'ran in the producer runs');
    } else {
      for (const name of after) out.set(name, 'runs in the window’s execution');
    }
  }
  return out;
}
