import { type GraphEdge, triggerFansOut } from '../graph';
import type { ScopeOp } from '../ir';
import type { DiagnosticLog } from './diagnosticLog';
import type { OrderedFlow } from './flow';
import { type GraphIndex, outOf } from './graphIndex';
import type { Loops } from './loops';
import { describeScope, type ScopeFrame, scopeText } from './scopeFrame';

/** The scope stack of every node and the scope operation of every edge. */
export interface Scopes {
  readonly scopes: ReadonlyMap<string, ScopeFrame[]>;
  readonly scopeOps: ReadonlyMap<string, ScopeOp>;
}

/**
 * Scope pass: walks the edges in topological order (closing edges last) and gives every node its
 * scope stack and every edge the one scope operation it performs; reports nodes reached in two
 * scopes, edges that would pop and push at once, and map branches that never join.
 */
export function assignScopes(
  index: GraphIndex,
  flow: OrderedFlow,
  loops: Loops,
  joinOfFanOut: ReadonlyMap<string, string>,
  start: string,
  log: DiagnosticLog,
): Scopes {
  const order = flow.order;
  const scopes = new Map<string, ScopeFrame[]>();
  const scopeOps = new Map<string, ScopeOp>();
  scopes.set(start, []);
  const backEdges = new Set([...loops.loops.values()].map((l) => l.backEdge.id));
  const visit = (edge: GraphEdge): void => {
    const from = scopes.get(edge.source);
    if (from === undefined) return;
    const to = targetScope(index, loops, joinOfFanOut, edge, from);
    const existing = scopes.get(edge.target);
    if (existing === undefined) scopes.set(edge.target, to);
    else if (scopeText(existing) !== scopeText(to)) {
      log.error(
        'IR_SCOPE_CONFLICT',
        `node "${edge.target}" is reached inside ${describeScope(existing)} and, through edge ${edge.id}, inside ${describeScope(to)}; a branch leaves a map only through the map's join and a loop only through its loop node or a break, reconnect the edge`,
        { node: edge.target, edge: edge.id },
      );
      return;
    }
    if (backEdges.has(edge.id)) {
      scopeOps.set(edge.id, { op: 'bump-loop', loop: edge.source });
      return;
    }
    const target = index.nodes.get(edge.target);
    const collected =
      target?.kind === 'trigger' && triggerFansOut(target.trigger) ? to.slice(0, -1) : to;
    const op = scopeOp(from, collected);
    if (op === undefined) {
      log.error(
        'IR_SCOPE_TRANSITION',
        `edge ${edge.id} leaves ${describeScope(from)} and enters ${describeScope(to)} in one step; put a task between "${edge.source}" and "${edge.target}"`,
        { edge: edge.id },
      );
      return;
    }
    scopeOps.set(edge.id, op);
  };
  for (const name of order) {
    for (const edge of outOf(index, name)) {
      if (!flow.closingEdgeIds.has(edge.id)) visit(edge);
    }
  }
  for (const edge of index.edges) if (flow.closingEdgeIds.has(edge.id)) visit(edge);

  for (const name of order) {
    const scope = scopes.get(name) ?? [];
    const innermostMap = [...scope].reverse().find((f) => f.kind === 'map');
    if (outOf(index, name).length === 0 && innermostMap !== undefined) {
      log.error(
        'IR_BRANCH_NEVER_JOINS',
        `"${name}" ends a branch of map "${innermostMap.name}" without reaching its join; connect it to "${joinOfFanOut.get(innermostMap.name) ?? 'the join'}"`,
        { node: name },
      );
    }
  }
  return { scopes, scopeOps };
}

function targetScope(
  index: GraphIndex,
  loops: Loops,
  joinOfFanOut: ReadonlyMap<string, string>,
  edge: GraphEdge,
  from: ScopeFrame[],
): ScopeFrame[] {
  const source = index.nodes.get(edge.source);
  const target = edge.target;
  const to = [...from];
  if (source?.kind === 'map') to.push({ kind: 'map', name: source.name });
  for (;;) {
    const top = to[to.length - 1];
    if (top === undefined) break;
    if (top.kind === 'loop' && !loops.loops.get(top.name)?.body.has(target)) to.pop();
    else if (top.kind === 'map' && joinOfFanOut.get(top.name) === target) to.pop();
    else break;
  }
  const owner = loops.headerOwner.get(target);
  const ownerLoop = owner === undefined ? undefined : loops.loops.get(owner);
  if (owner !== undefined && ownerLoop !== undefined && !ownerLoop.body.has(edge.source)) {
    to.push({ kind: 'loop', name: owner });
  }
  const node = index.nodes.get(target);
  if (node?.kind === 'trigger' && triggerFansOut(node.trigger)) {
    to.push({ kind: 'map', name: target });
  }
  return to;
}

/** The scope operation that turns `from` into `to`, or undefined when one op cannot. */
function scopeOp(from: readonly ScopeFrame[], to: readonly ScopeFrame[]): ScopeOp | undefined {
  let common = 0;
  while (
    common < from.length &&
    common < to.length &&
    from[common]?.kind === to[common]?.kind &&
    from[common]?.name === to[common]?.name
  ) {
    common++;
  }
  const pops = from.length - common;
  const pushes = to.slice(common);
  const pushed = pushes[0];
  if (pushes.length === 0) return pops === 0 ? { op: 'keep' } : { op: 'pop', count: pops };
  if (pops === 0 && pushes.length === 1 && pushed !== undefined) {
    return pushed.kind === 'map'
      ? { op: 'push-map', map: pushed.name }
      : { op: 'push-loop', loop: pushed.name };
  }
  return undefined;
}
