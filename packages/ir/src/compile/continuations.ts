import type { GraphEdge, GraphNode } from '../graph';
import type { Continuation, ContinuationMode, FunctionIR } from '../ir';
import type { AnalyzedGraph } from './buildIR';
import { inlineLimit } from './cloudPlacement';

/**
 * The continuation of `edge` out of `source`: its mode (one, each, join, trigger), scope
 * operation, join or trigger slot, skip targets and transfer. Reports a notBefore on an edge
 * that cannot wait (into a join or trigger, out of a map).
 */
export function buildContinuation(
  p: AnalyzedGraph,
  source: GraphNode,
  edge: GraphEdge,
): Continuation {
  const target = p.index.nodes.get(edge.target);
  const join = p.slots.joinTargets.get(edge.id);
  const trigger = p.slots.triggerTargets.get(edge.id);
  let mode: ContinuationMode = 'one';
  if (trigger !== undefined) mode = 'trigger';
  else if (source.kind === 'map') mode = 'each';
  else if (join !== undefined) mode = 'join';
  const continuation: Continuation = {
    target: edge.target,
    cloud: p.clouds.cloudOf.get(edge.target) ?? '',
    failover: [...new Set(target?.failover ?? [])],
    mode,
    scope: p.scopes.scopeOps.get(edge.id) ?? { op: 'keep' },
    skip: p.slots.skipTargets.get(edge.id) ?? [],
    transfer: target?.transfer ?? 'auto',
    inlineLimitBytes: inlineLimit(p.index, p.clouds, edge.target),
  };
  if (edge.guard !== undefined) continuation.guard = edge.guard;
  if (edge.mapping !== undefined) continuation.mapping = edge.mapping;
  if (edge.notBefore !== undefined) {
    if (mode === 'one') continuation.notBefore = edge.notBefore;
    else {
      p.log.error(
        'IR_NOT_BEFORE_NOT_ALLOWED',
        `edge ${edge.id} has notBefore, but it ${mode === 'join' ? 'fills a join slot' : mode === 'each' ? 'leaves a map' : 'feeds a trigger'}, which cannot wait; put a task between "${source.name}" and "${edge.target}" and the notBefore on the edge into that task`,
        { edge: edge.id },
      );
    }
  }
  if (join !== undefined) continuation.join = join;
  if (trigger !== undefined) continuation.trigger = trigger;
  return continuation;
}

/**
 * Gives every branch's `join` continuation into a bounded map's join the map's `each`
 * continuation, so the branch of element k can start element k + n with local knowledge only.
 * Returns new function configs; the ones passed in are not changed.
 */
export function linkMapSuccessors(
  functions: Readonly<Record<string, FunctionIR>>,
): Record<string, FunctionIR> {
  const linked: Record<string, FunctionIR> = {};
  for (const [name, fn] of Object.entries(functions)) {
    linked[name] = {
      ...fn,
      continuations: fn.continuations.map((c) => {
        if (c.mode !== 'join' || c.join?.slot.kind !== 'map-index') return c;
        const map = functions[c.join.slot.map];
        if (map?.kind !== 'map' || map.maxConcurrency === undefined) return c;
        const each = map.continuations.find((m) => m.mode === 'each');
        if (each === undefined) return c;
        return {
          ...c,
          mapSuccessor: {
            map: map.name,
            maxConcurrency: map.maxConcurrency,
            mapStore: map.homeStore,
            target: each.target,
            cloud: each.cloud,
            failover: [...each.failover],
            ...(each.mapping === undefined ? {} : { mapping: each.mapping }),
            transfer: each.transfer,
            inlineLimitBytes: each.inlineLimitBytes,
          },
        };
      }),
    };
  }
  return linked;
}
