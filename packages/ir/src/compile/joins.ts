import type { ControlFlow } from '../controlFlow';
import { type GraphEdge, triggerFansOut } from '../graph';
import type { JoinTarget, TriggerTarget } from '../ir';
import { type CloudPlacement, joinStore } from './cloudPlacement';
import type { DiagnosticLog } from './diagnosticLog';
import { type GraphIndex, inOf, outOf } from './graphIndex';
import { describeScope, scopeText } from './scopeFrame';
import type { Scopes } from './scopes';

/** What the edges into joins and triggers fill, and what a choice's untaken branch skips. */
export interface JoinSlots {
  /** Edge id -> the join slot it fills. */
  readonly joinTargets: ReadonlyMap<string, JoinTarget>;
  /** Choice branch edge id -> the join slots its skip token fills when it is not taken. */
  readonly skipTargets: ReadonlyMap<string, JoinTarget[]>;
  /** Edge id -> the trigger it feeds and its slot there. */
  readonly triggerTargets: ReadonlyMap<string, TriggerTarget>;
}

/**
 * Join-slot pass: join targets of the edges entering joins (a map's by index, a parallel step's or a
 * choice's by branch), skip targets of choice branches, and trigger targets of the edges into
 * triggers; each join's and trigger's store.
 */
export function assignJoinSlots(
  index: GraphIndex,
  flow: ControlFlow,
  clouds: CloudPlacement,
  joinOfFanOut: ReadonlyMap<string, string>,
  scopes: Scopes,
  log: DiagnosticLog,
): JoinSlots {
  const joinTargets = new Map<string, JoinTarget>();
  const skipTargets = new Map<string, JoinTarget[]>();
  const triggerTargets = new Map<string, TriggerTarget>();
  for (const [fanOutName, joinName] of joinOfFanOut) {
    const fanOut = index.nodes.get(fanOutName);
    if (fanOut === undefined || !flow.reachable.has(joinName)) continue;
    if (index.nodes.get(joinName)?.kind === 'trigger') continue;
    const incoming = inOf(index, joinName);
    const store = joinStore(clouds, joinName, incoming);
    if (fanOut.kind === 'map' || fanOut.kind === 'trigger') {
      for (const edge of incoming) {
        const inside = (scopes.scopes.get(edge.source) ?? []).some(
          (f) => f.kind === 'map' && f.name === fanOutName,
        );
        if (!inside) {
          log.error(
            'IR_JOIN_BRANCH_MISMATCH',
            `edge ${edge.id} enters join "${joinName}" from outside the body of ${fanOut.kind} "${fanOutName}"; only its branches may enter its join`,
            { node: joinName, edge: edge.id },
          );
        }
        joinTargets.set(edge.id, {
          join: joinName,
          slot: { kind: 'map-index', map: fanOutName },
          store,
        });
      }
      continue;
    }
    const slotOf = matchBranches(index, scopes, log, fanOutName, joinName, flow);
    if (slotOf === undefined) continue;
    for (const [slot, edge] of incoming.entries()) {
      joinTargets.set(edge.id, {
        join: joinName,
        slot: { kind: 'static', slot, size: incoming.length },
        store,
      });
    }
    if (fanOut.kind === 'choice') {
      for (const [branchId, slot] of slotOf) {
        skipTargets.set(branchId, [
          { join: joinName, slot: { kind: 'static', slot, size: incoming.length }, store },
        ]);
      }
    }
  }
  // Where each producer's objects go in the trigger it feeds.
  for (const [name, node] of index.nodes) {
    if (node.kind !== 'trigger') continue;
    if (node.trigger.type === 'window' && (scopes.scopes.get(name) ?? []).length > 0) {
      log.error(
        'IR_TRIGGER_WINDOW_SCOPE',
        `time window "${name}" sits inside ${describeScope(scopes.scopes.get(name) ?? [])}; a window collects across executions, so it takes objects at the top level only (set its fanOut to the map, or move it out of the loop)`,
        { node: name },
      );
    }
    const incoming = inOf(index, name);
    const store = joinStore(clouds, name, incoming);
    for (const [slot, edge] of incoming.entries()) {
      triggerTargets.set(edge.id, {
        trigger: name,
        spec: node.trigger,
        store,
        slot:
          node.fanOut !== undefined && index.nodes.get(node.fanOut)?.kind === 'map'
            ? { kind: 'map-index', map: node.fanOut }
            : { kind: 'static', slot, size: incoming.length },
        fansOut: triggerFansOut(node.trigger),
      });
    }
  }
  return { joinTargets, skipTargets, triggerTargets };
}

/**
 * Pairs each branch (outgoing edge) of a parallel step or choice with the one incoming edge of
 * its join that the branch ends in. Returns branch edge id -> slot, or undefined after
 * reporting why the branches and the join's inputs do not pair up one to one.
 */
function matchBranches(
  index: GraphIndex,
  scopes: Scopes,
  log: DiagnosticLog,
  fanOut: string,
  join: string,
  flow: ControlFlow,
): Map<string, number> | undefined {
  const incoming = inOf(index, join);
  const branches = outOf(index, fanOut);
  if (scopeText(scopes.scopes.get(fanOut) ?? []) !== scopeText(scopes.scopes.get(join) ?? [])) {
    log.error(
      'IR_JOIN_BRANCH_MISMATCH',
      `join "${join}" sits inside ${describeScope(scopes.scopes.get(join) ?? [])} but "${fanOut}" inside ${describeScope(scopes.scopes.get(fanOut) ?? [])}; a fan-out and its join belong in the same map or loop`,
      { node: join },
    );
    return undefined;
  }
  const slotOf = new Map<string, number>();
  const used = new Map<number, string>();
  for (const branch of branches) {
    const reached = reachedJoinInputs(index, branch, join, flow);
    const slot = reached[0];
    if (reached.length !== 1 || slot === undefined) {
      log.error(
        'IR_JOIN_BRANCH_MISMATCH',
        reached.length === 0
          ? `branch ${branch.id} of "${fanOut}" never reaches join "${join}"; connect it to the join`
          : `branch ${branch.id} of "${fanOut}" reaches join "${join}" through ${reached.length} edges; each branch must end in the join through exactly one edge (add a join for the inner fan-out)`,
        { node: join, edge: branch.id },
      );
      return undefined;
    }
    const other = used.get(slot);
    if (other !== undefined) {
      log.error(
        'IR_JOIN_BRANCH_MISMATCH',
        `branches ${other} and ${branch.id} of "${fanOut}" merge before join "${join}"; give each branch its own edge into the join`,
        { node: join, edge: branch.id },
      );
      return undefined;
    }
    used.set(slot, branch.id);
    slotOf.set(branch.id, slot);
  }
  if (incoming.length !== branches.length) {
    log.error(
      'IR_JOIN_BRANCH_MISMATCH',
      `join "${join}" has ${incoming.length} incoming edges but "${fanOut}" has ${branches.length} branches; every branch needs exactly one edge into the join and nothing else may enter it`,
      { node: join },
    );
    return undefined;
  }
  return slotOf;
}

/** Indexes (in the join's incoming order) of the join inputs a branch can reach. */
function reachedJoinInputs(
  index: GraphIndex,
  branch: GraphEdge,
  join: string,
  flow: ControlFlow,
): number[] {
  const incoming = inOf(index, join);
  if (branch.target === join) return [incoming.findIndex((e) => e.id === branch.id)];
  const seen = new Set<string>([branch.target]);
  const work = [branch.target];
  const reached = new Set<number>();
  while (work.length > 0) {
    const node = work.pop();
    if (node === undefined) break;
    for (const edge of outOf(index, node)) {
      if (flow.closingEdgeIds.has(edge.id)) continue;
      if (edge.target === join) reached.add(incoming.findIndex((e) => e.id === edge.id));
      else if (!seen.has(edge.target)) {
        seen.add(edge.target);
        work.push(edge.target);
      }
    }
  }
  return [...reached].sort((a, b) => a - b);
}
