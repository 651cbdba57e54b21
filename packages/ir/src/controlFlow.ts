/**
 * Control-flow facts the compiler needs, computed on a graph whose edges all point at existing
 * nodes: what the start reaches, which edges close cycles (an edge u -> v where v dominates u),
 * the natural loop of each cycle header, and a topological order of the graph without those
 * edges. A graph whose cycles can be entered at more than one node (irreducible) has no such
 * order; `order` is then undefined and `tangled` names the nodes left in cycles.
 */

export interface FlowEdge {
  id: string;
  source: string;
  target: string;
}

export interface NaturalLoop {
  /** The node every path into the cycle enters through. */
  header: string;
  /** The header and every node that reaches a closing edge without passing the header. */
  body: Set<string>;
  /** Edges u -> header with the header dominating u. */
  closingEdges: FlowEdge[];
}

export interface ControlFlow {
  reachable: Set<string>;
  /** Ids of edges u -> v where v dominates u. */
  closingEdgeIds: Set<string>;
  /** Natural loops, smallest body first (inner loops before the loops around them). */
  loops: NaturalLoop[];
  /** Reachable nodes in topological order of the edges that do not close cycles. */
  order: string[] | undefined;
  /** When `order` is undefined: the nodes that are still in a cycle. */
  tangled: string[];
}

export function analyzeControlFlow(
  nodeNames: readonly string[],
  edges: readonly FlowEdge[],
  start: string,
): ControlFlow {
  const successors = new Map<string, FlowEdge[]>();
  const predecessors = new Map<string, FlowEdge[]>();
  for (const name of nodeNames) {
    successors.set(name, []);
    predecessors.set(name, []);
  }
  for (const edge of edges) {
    successors.get(edge.source)?.push(edge);
    predecessors.get(edge.target)?.push(edge);
  }

  // Reverse postorder from the start: the iteration order that makes the dominator fixpoint quick.
  const postorder: string[] = [];
  const visited = new Set<string>([start]);
  const stack: { node: string; next: number }[] = [{ node: start, next: 0 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame === undefined) break;
    const out = successors.get(frame.node) ?? [];
    const edge = out[frame.next];
    if (edge === undefined) {
      postorder.push(frame.node);
      stack.pop();
      continue;
    }
    frame.next++;
    if (!visited.has(edge.target)) {
      visited.add(edge.target);
      stack.push({ node: edge.target, next: 0 });
    }
  }
  const reachable = visited;
  const rpo = postorder.reverse();

  const dominators = new Map<string, Set<string>>();
  for (const node of rpo) dominators.set(node, node === start ? new Set([start]) : new Set(rpo));
  let changed = true;
  while (changed) {
    changed = false;
    for (const node of rpo) {
      if (node === start) continue;
      let meet: Set<string> | undefined;
      for (const edge of predecessors.get(node) ?? []) {
        const doms = dominators.get(edge.source);
        if (!reachable.has(edge.source) || doms === undefined) continue;
        meet = meet === undefined ? new Set(doms) : new Set([...meet].filter((d) => doms.has(d)));
      }
      const next = new Set(meet ?? []);
      next.add(node);
      const current = dominators.get(node);
      if (current === undefined || current.size !== next.size) {
        dominators.set(node, next);
        changed = true;
      }
    }
  }

  const closingEdgeIds = new Set<string>();
  const closingByHeader = new Map<string, FlowEdge[]>();
  for (const edge of edges) {
    if (!reachable.has(edge.source)) continue;
    if (dominators.get(edge.source)?.has(edge.target)) {
      closingEdgeIds.add(edge.id);
      const list = closingByHeader.get(edge.target) ?? [];
      list.push(edge);
      closingByHeader.set(edge.target, list);
    }
  }

  const loops: NaturalLoop[] = [];
  for (const [header, closingEdges] of closingByHeader) {
    const body = new Set<string>([header]);
    const work = closingEdges.map((e) => e.source).filter((s) => s !== header);
    for (const node of work) body.add(node);
    while (work.length > 0) {
      const node = work.pop();
      if (node === undefined) break;
      for (const edge of predecessors.get(node) ?? []) {
        if (reachable.has(edge.source) && !body.has(edge.source)) {
          body.add(edge.source);
          work.push(edge.source);
        }
      }
    }
    loops.push({ header, body, closingEdges });
  }
  loops.sort((a, b) => a.body.size - b.body.size || compareText(a.header, b.header));

  // Kahn's algorithm over the remaining edges; ties in graph order keep the output stable.
  const position = new Map(nodeNames.map((name, i) => [name, i]));
  const indegree = new Map<string, number>();
  for (const node of reachable) indegree.set(node, 0);
  for (const edge of edges) {
    if (!reachable.has(edge.source) || closingEdgeIds.has(edge.id)) continue;
    indegree.set(edge.target, (indegree.get(edge.target) ?? 0) + 1);
  }
  const ready = [...reachable].filter((n) => indegree.get(n) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
    const node = ready.shift();
    if (node === undefined) break;
    order.push(node);
    for (const edge of successors.get(node) ?? []) {
      if (closingEdgeIds.has(edge.id)) continue;
      const left = (indegree.get(edge.target) ?? 0) - 1;
      indegree.set(edge.target, left);
      if (left === 0) ready.push(edge.target);
    }
  }
  const tangled =
    order.length === reachable.size ? [] : [...reachable].filter((n) => !order.includes(n));
  return {
    reachable,
    closingEdgeIds,
    loops,
    order: tangled.length === 0 ? order : undefined,
    tangled: tangled.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0)),
  };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
