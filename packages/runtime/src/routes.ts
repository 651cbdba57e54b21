import type {
  Continuation,
  FunctionIR,
  JoinSlot,
  JoinTarget,
  MapSuccessor,
  ScopeEntry,
  ScopeOp,
  TriggerTarget,
  WorkflowIR,
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
  /** An empty map: invoke its join directly with `[]` (`join` undefined: not locatable). */
  | {
      kind: 'empty-map';
      continuation: number;
      join: string | undefined;
      joinScope: ScopeEntry[];
      location: JoinLocation | undefined;
    }
  /**
   * Put this instance's objects into a trigger's bucket (triggers.ts). `collect` is the
   * trigger's collection scope; `position` the producer's slot among the producers there.
   */
  | {
      kind: 'emit';
      continuation: number;
      target: TriggerTarget;
      collect: ScopeEntry[];
      position: { slot: number; size: number };
      /** For a time window: the window the producer's committed record falls in. */
      window?: number;
    }
  /**
   * A bounded map's next element (`maxConcurrency`): after this branch filled its slot, start
   * element `element` (= slot + n) from the map's committed record at `mapScope`.
   */
  | {
      kind: 'map-next';
      continuation: number;
      successor: MapSuccessor;
      mapScope: ScopeEntry[];
      scope: ScopeEntry[];
      element: number;
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

/** The scope of the instance of `map` that pushed the innermost `map:<map>` entry. */
function scopeOfMap(scope: readonly ScopeEntry[], map: string): ScopeEntry[] {
  for (let i = scope.length - 1; i >= 0; i--) {
    const entry = scope[i];
    if (entry?.kind === 'map' && entry.name === map) return scope.slice(0, i);
  }
  throw badIr(`a branch of map "${map}" is not inside it`);
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

/**
 * Evaluates the guards over the step's output and returns the indexes of the continuations
 * taken. `all`: every continuation whose guard (if any) holds. `first`: in array order, the first
 * continuation whose guard holds or that has none (the compiler puts a choice's default last and
 * a loop's back edge first). A `first` node where nothing holds fails; so does a loop whose back
 * edge holds when `maxIterations` iterations have run.
 */
export async function decideContinuations(
  fn: FunctionIR,
  output: unknown,
  scope: readonly ScopeEntry[],
): Promise<number[]> {
  const bindings = bindingsOf(fn, scope);
  const taken: number[] = [];
  for (const [index, c] of fn.continuations.entries()) {
    const holds = c.guard === undefined || (await evaluateGuard(c.guard, output, bindings));
    if (!holds) continue;
    if (fn.kind === 'loop' && c.scope.op === 'bump-loop') {
      const iteration = currentIteration(scope, c.scope.loop);
      if (iteration + 1 >= fn.maxIterations) {
        throw new RuntimeError(
          'RUNTIME_LOOP_LIMIT',
          `loop "${fn.name}" would start iteration ${iteration + 1} but allows ${fn.maxIterations}; raise maxIterations or fix the back edge's guard`,
        );
      }
    }
    taken.push(index);
    if (fn.routing === 'first') return taken;
  }
  if (fn.routing === 'first' && fn.continuations.length > 0) {
    throw new RuntimeError(
      'RUNTIME_NO_BRANCH',
      `no continuation of "${fn.name}" holds for this output; add a default (unguarded) branch or fix the guards`,
    );
  }
  return taken;
}

/** Where the join of an empty map runs: from the continuation, else from the whole IR. */
function emptyMapJoin(
  fn: FunctionIR,
  c: Continuation,
  workflow: WorkflowIR | undefined,
): { join: string | undefined; location: JoinLocation | undefined } {
  if (c.join !== undefined) {
    return { join: c.join.join, location: joinLocation(fn, c.join, workflow) };
  }
  const joinFn = Object.values(workflow?.functions ?? {}).find(
    (f) => f.kind === 'join' && f.fanOut === fn.name,
  );
  if (joinFn === undefined) return { join: undefined, location: undefined };
  return { join: joinFn.name, location: { cloud: joinFn.cloud, failover: joinFn.failover } };
}

function joinLocation(
  fn: FunctionIR,
  join: JoinTarget,
  workflow: WorkflowIR | undefined,
): JoinLocation | undefined {
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
  if (direct !== undefined) return { cloud: direct.cloud, failover: direct.failover };
  const joinFn = workflow?.functions[join.join];
  return joinFn === undefined ? undefined : { cloud: joinFn.cloud, failover: joinFn.failover };
}

/**
 * Everything a committed success leads to. `workflow` (the whole IR, optional) locates joins the
 * function's own config does not place: an empty map's join and a join completed by a skip.
 */
export function routesOf(
  fn: FunctionIR,
  record: SucceededRecord,
  scope: readonly ScopeEntry[],
  workflow?: WorkflowIR,
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
          location: joinLocation(fn, join, workflow),
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
          routes.push({
            kind: 'empty-map',
            continuation: index,
            ...emptyMapJoin(fn, c, workflow),
            joinScope: [...scope],
          });
          break;
        }
        // A bounded map starts the first n; each branch starts the one n further (map-next).
        const started =
          fn.kind === 'map' && fn.maxConcurrency !== undefined
            ? Math.min(count, fn.maxConcurrency)
            : count;
        for (let element = 0; element < started; element++) {
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
        const next =
          c.mapSuccessor === undefined ? undefined : slot + c.mapSuccessor.maxConcurrency;
        if (c.mapSuccessor !== undefined && next !== undefined && next < size) {
          const mapScope = scopeOfMap(scope, c.mapSuccessor.map);
          routes.push({
            kind: 'map-next',
            continuation: index,
            successor: c.mapSuccessor,
            mapScope,
            scope: [
              ...mapScope,
              { kind: 'map', name: c.mapSuccessor.map, index: next, count: size },
            ],
            element: next,
          });
        }
        break;
      }
      case 'trigger': {
        if (c.trigger === undefined) {
          throw badIr(`trigger continuation to "${c.target}" names no trigger`);
        }
        routes.push({
          kind: 'emit',
          continuation: index,
          target: c.trigger,
          collect: applyScopeOp(scope, c.scope),
          position: joinSlotOf(scope, c.trigger.slot),
          // The producer assigns the window, from its committed record: every copy agrees.
          ...(c.trigger.spec.type === 'window'
            ? { window: Math.floor(record.at / c.trigger.spec.windowMs) }
            : {}),
        });
        break;
      }
    }
  }
  if (fn.terminal) routes.push({ kind: 'result' });
  return routes;
}
