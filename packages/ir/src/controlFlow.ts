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

  // Immediate dominators by the iterative algorithm of Cooper, Harvey and Kennedy ("A Simple,
  // Fast Dominance Algorithm"): linear-sized, where a dominator set per node is quadratic in
  // memory and time (a 2,000-step chain held 4 million set entries and took seconds).
  const rpoIndex = new Map<string, number>();
  for (const [i, node] of rpo.entries()) rpoIndex.set(node, i);
  const idom = new Map<string, string>([[start, start]]);
  const intersect = (a: string, b: string): string => {
    let x = a;
    let y = b;
    while (x !== y) {
      while ((rpoIndex.get(x) ?? 0) > (rpoIndex.get(y) ?? 0)) x = idom.get(x) ?? start;
      while ((rpoIndex.get(y) ?? 0) > (rpoIndex.get(x) ?? 0)) y = idom.get(y) ?? start;
    }
    return x;
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (const node of rpo) {
      if (node === start) continue;
      let next: string | undefined;
      for (const edge of predecessors.get(node) ?? []) {
        if (!idom.has(edge.source)) continue;
        next = next === undefined ? edge.source : intersect(edge.source, next);
      }
      if (next !== undefined && idom.get(node) !== next) {
        idom.set(node, next);
        changed = true;
      }
    }
  }
  // Pre/post numbers of the dominator tree: a dominates b when b's interval lies in a's.
  const children = new Map<string, string[]>();
  for (const [node, parent] of idom) {
    if (node === start) continue;
    const list = children.get(parent) ?? [];
    list.push(node);
    children.set(parent, list);
  }
  const enter = new Map<string, number>();
  const leave = new Map<string, number>();
  let clock = 0;
  const walk: { node: string; next: number }[] = [{ node: start, next: 0 }];
  enter.set(start, clock++);
  while (walk.length > 0) {
    const frame = walk[walk.length - 1];
    if (frame === undefined) break;
    const child = children.get(frame.node)?.[frame.next];
    if (child === undefined) {
      leave.set(frame.node, clock++);
      walk.pop();
      continue;
    }
    frame.next++;
    enter.set(child, clock++);
    walk.push({ node: child, next: 0 });
  }
  const dominates = (a: string, b: string): boolean => {
    const ea = enter.get(a);
    const eb = enter.get(b);
    const la = leave.get(a);
    const lb = leave.get(b);
    if (ea === undefined || eb === undefined || la === undefined || lb === undefined) return false;
    return ea <= eb && lb <= la;
  };

  const closingEdgeIds = new Set<string>();
  const closingByHeader = new Map<string, FlowEdge[]>();
  for (const edge of edges) {
    if (!reachable.has(edge.source)) continue;
    if (dominates(edge.target, edge.source)) {
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
  // The ready nodes in a binary min-heap by graph position (sorting the list on every step was
  // quadratic in a wide graph).
  const rank = (n: string) => position.get(n) ?? 0;
  const ready: string[] = [];
  const push = (node: string) => {
    ready.push(node);
    let i = ready.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const [p, c] = [ready[parent] as string, ready[i] as string];
      if (rank(p) <= rank(c)) break;
      ready[parent] = c;
      ready[i] = p;
      i = parent;
    }
  };
  const pop = (): string | undefined => {
    const top = ready[0];
    const last = ready.pop();
    if (ready.length === 0 || last === undefined) return top;
    ready[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < ready.length && rank(ready[l] as string) < rank(ready[smallest] as string))
        smallest = l;
      if (r < ready.length && rank(ready[r] as string) < rank(ready[smallest] as string))
        smallest = r;
      if (smallest === i) break;
      const [a, b] = [ready[i] as string, ready[smallest] as string];
      ready[i] = b;
      ready[smallest] = a;
      i = smallest;
    }
    return top;
  };
  for (const n of reachable) if (indegree.get(n) === 0) push(n);
  const order: string[] = [];
  while (ready.length > 0) {
    const node = pop();
    if (node === undefined) break;
    order.push(node);
    for (const edge of successors.get(node) ?? []) {
      if (closingEdgeIds.has(edge.id)) continue;
      const left = (indegree.get(edge.target) ?? 0) - 1;
      indegree.set(edge.target, left);
      if (left === 0) push(edge.target);
    }
  }
  const ordered = new Set(order);
  const tangled =
    order.length === reachable.size ? [] : [...reachable].filter((n) => !ordered.has(n));
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
