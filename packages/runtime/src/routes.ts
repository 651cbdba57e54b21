import type {
  Continuation,
  FunctionIR,
  JoinSlot,
  JoinTarget,
  ScopeEntry,
  ScopeOp,
} from '@jointflow/ir';
import { evaluateGuard } from './expressions';
import type { SucceededRecord } from './records';
import { RuntimeError } from './runtimeError';

/**
 * Routing: from a committed record to what must happen next. `decideContinuations` runs once,
 * before the commit, and its answer is stored in the record; `routesOf` is a pure function of
 * the committed record and the instance's scope, so the winner, every adopting copy, a redrive
 * and the history checker all derive exactly the same successors.
 */

/** Where a join function runs, when the route that completes it is not a continuation to it. */
export interface JoinLocation {
  cloud: string;
  failover: string[];
}

export type Route =
  /** Invoke `target` (mode `one`, or one element of a map's `each`). */
  | { kind: 'invoke'; continuation: number; target: string; scope: ScopeEntry[]; element?: number }
  /** Fill this branch's slot of a join; whoever sees the record full invokes the join. */
  | {
      kind: 'fill';
      continuation: number;
      join: JoinTarget;
      joinScope: ScopeEntry[];
      slot: number;
      size: number;
    }
  /** Fill a skip token into the join slot of a branch that was not taken. */
  | {
      kind: 'skip';
      join: JoinTarget;
      joinScope: ScopeEntry[];
      slot: number;
      size: number;
      location: JoinLocation | undefined;
    }
  /** An empty map: invoke its join directly with `[]`. */
  | {
      kind: 'empty-map';
      continuation: number;
      join: JoinTarget;
      joinScope: ScopeEntry[];
      location: JoinLocation | undefined;
    }
  /** The terminal step: commit the execution result. */
  | { kind: 'result' };

function badIr(message: string): RuntimeError {
  return new RuntimeError('RUNTIME_BAD_IR', `${message}; recompile and redeploy the workflow`);
}

/** The scope stack of the instance a continuation creates (maps are pushed by `routesOf`). */
export function applyScopeOp(scope: readonly ScopeEntry[], op: ScopeOp): ScopeEntry[] {
  switch (op.op) {
    case 'keep':
      return [...scope];
    case 'push-loop':
      return [...scope, { kind: 'loop', name: op.loop, index: 0 }];
    case 'bump-loop': {
      const top = scope[scope.length - 1];
      if (top?.kind !== 'loop' || top.name !== op.loop) {
        throw badIr(`a back edge of loop "${op.loop}" was taken outside that loop's scope`);
      }
      return [...scope.slice(0, -1), { ...top, index: top.index + 1 }];
    }
    case 'pop':
      if (op.count > scope.length)
        throw badIr(`a continuation pops ${op.count} scopes of ${scope.length}`);
      return scope.slice(0, scope.length - op.count);
    case 'push-map':
      throw badIr(`push-map on map "${op.map}" outside an each continuation`);
  }
}

/** Slot and size of a branch in its join: the popped map entry's index and count, or static. */
export function joinSlotOf(
  scope: readonly ScopeEntry[],
  slot: JoinSlot,
): { slot: number; size: number } {
  if (slot.kind === 'static') return { slot: slot.slot, size: slot.size };
  for (let i = scope.length - 1; i >= 0; i--) {
    const entry = scope[i];
    if (entry?.kind === 'map' && entry.name === slot.map) {
      if (entry.count < 0) throw badIr(`the scope entry of map "${slot.map}" carries no count`);
      return { slot: entry.index, size: entry.count };
    }
  }
  throw badIr(`a branch joins map "${slot.map}" but is not inside it`);
}

/** The innermost loop iteration (`$iteration`): of the loop named `loop` if given. */
export function currentIteration(scope: readonly ScopeEntry[], loop?: string): number {
  for (let i = scope.length - 1; i >= 0; i--) {
    const entry = scope[i];
    if (entry?.kind === 'loop' && (loop === undefined || entry.name === loop)) return entry.index;
  }
  return 0;
}

/** Bindings for guards and mappings of an instance. */
export function bindingsOf(fn: FunctionIR, scope: readonly ScopeEntry[]): Record<string, unknown> {
  return { iteration: currentIteration(scope, fn.kind === 'loop' ? fn.name : undefined) };
}

function backEdgeAllowed(fn: FunctionIR, c: Continuation, scope: readonly ScopeEntry[]): boolean {
  if (fn.kind !== 'loop' || c.scope.op !== 'bump-loop') return true;
  return currentIteration(scope, c.scope.loop) + 1 < fn.maxIterations;
}

/**
 * Evaluates the guards over the step's output and returns the indexes of the continuations
 * taken. `all`: every unguarded continuation plus every guarded one that holds. `first`: the
 * first guarded continuation that holds, else the first unguarded one (the default). A loop's
 * back edge is never taken once `maxIterations` iterations have run.
 */
export async function decideContinuations(
  fn: FunctionIR,
  output: unknown,
  scope: readonly ScopeEntry[],
): Promise<number[]> {
  const bindings = bindingsOf(fn, scope);
  const taken: number[] = [];
  let defaultIndex: number | undefined;
  for (const [index, c] of fn.continuations.entries()) {
    if (!backEdgeAllowed(fn, c, scope)) continue;
    if (c.guard === undefined) {
      if (fn.routing === 'all') taken.push(index);
      else defaultIndex ??= index;
      continue;
    }
    if (await evaluateGuard(c.guard, output, bindings)) {
      taken.push(index);
      if (fn.routing === 'first') return taken;
    }
  }
  if (fn.routing === 'first' && defaultIndex !== undefined) taken.push(defaultIndex);
  return taken;
}

function joinLocation(fn: FunctionIR, join: JoinTarget): JoinLocation | undefined {
  // A JoinTarget may name where its join runs (an addition some compilers make); otherwise a
  // continuation of this function that invokes the join tells us.
  const extra = join as JoinTarget & { cloud?: unknown; failover?: unknown };
  if (typeof extra.cloud === 'string') {
    const failover = Array.isArray(extra.failover)
      ? extra.failover.filter((c): c is string => typeof c === 'string')
      : [];
    return { cloud: extra.cloud, failover };
  }
  const direct = fn.continuations.find((c) => c.target === join.join);
  return direct === undefined ? undefined : { cloud: direct.cloud, failover: direct.failover };
}

/** Everything a committed success leads to, in the order the runtime performs it. */
export function routesOf(
  fn: FunctionIR,
  record: SucceededRecord,
  scope: readonly ScopeEntry[],
): Route[] {
  const routes: Route[] = [];
  const taken = new Set(record.taken);
  for (const [index, c] of fn.continuations.entries()) {
    if (!taken.has(index)) {
      for (const join of c.skip) {
        if (join.slot.kind !== 'static') {
          throw badIr(`a skip target of "${c.target}" has a map-index slot`);
        }
        routes.push({
          kind: 'skip',
          join,
          joinScope: [...scope],
          slot: join.slot.slot,
          size: join.slot.size,
          location: joinLocation(fn, join),
        });
      }
      continue;
    }
    switch (c.mode) {
      case 'one':
        routes.push({
          kind: 'invoke',
          continuation: index,
          target: c.target,
          scope: applyScopeOp(scope, c.scope),
        });
        break;
      case 'each': {
        if (c.scope.op !== 'push-map')
          throw badIr(`each continuation to "${c.target}" does not push a map scope`);
        const count = record.mapCount;
        if (count === undefined)
          throw badIr(`"${fn.name}" has an each continuation but committed no map length`);
        if (count === 0) {
          if (c.join !== undefined) {
            routes.push({
              kind: 'empty-map',
              continuation: index,
              join: c.join,
              joinScope: [...scope],
              location: joinLocation(fn, c.join),
            });
          }
          break;
        }
        for (let element = 0; element < count; element++) {
          routes.push({
            kind: 'invoke',
            continuation: index,
            target: c.target,
            scope: [...scope, { kind: 'map', name: c.scope.map, index: element, count }],
            element,
          });
        }
        break;
      }
      case 'join': {
        if (c.join === undefined) throw badIr(`join continuation to "${c.target}" names no join`);
        const { slot, size } = joinSlotOf(scope, c.join.slot);
        routes.push({
          kind: 'fill',
          continuation: index,
          join: c.join,
          joinScope: applyScopeOp(scope, c.scope),
          slot,
          size,
        });
        break;
      }
      case 'trigger':
        throw new RuntimeError(
          'RUNTIME_TRIGGER_UNSUPPORTED',
          `"${fn.name}" continues through a data trigger, which this runtime does not run yet; replace the trigger with a join or a map`,
        );
    }
  }
  if (fn.terminal) routes.push({ kind: 'result' });
  return routes;
}
