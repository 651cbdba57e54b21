import type { Continuation } from '@jointflow/ir';
import { resolveDataRef, serialize } from './dataRef';
import { fillJoinSlot, readJoinSlots } from './joinTree';
import { keys } from './keys';
import type { DataRef, Invocation, KeyValueStore, SlotFillState } from './ports';
import { parseStored, type SlotValue, slotValueSchema } from './records';
import type { Route } from './routes';
import { RuntimeError } from './runtimeError';
import { boundedAll, INVOKE_CONCURRENCY, invokeWithFailover, type StepEnv } from './stepEnv';

/**
 * Joins: a branch fills its slot of the join's slot record with one conditional update that
 * returns the record; whoever sees it full invokes the join, carrying the slot values when they
 * fit. A choice fills skip tokens for the branches it did not take, first, so the taken branch
 * always completes the record.
 */

/**
 * The `joinSlots` field for the invocation of a join whose record `fill` completed: the slot
 * values when the store returned them and they fit the edge's inline limit, else nothing (the
 * join then reads its slot record).
 */
export function carriedSlots(
  fill: SlotFillState,
  limitBytes: number,
): Pick<Invocation, 'joinSlots'> {
  if (fill.values === undefined || fill.values.length !== fill.size) return {};
  return serialize(fill.values).bytes <= limitBytes ? { joinSlots: fill.values } : {};
}

/** Fills this branch's slot; returns 1 when this fill completed the join and invoked it. */
export async function fillJoinRoute(
  env: StepEnv,
  route: Extract<Route, { kind: 'fill' }>,
  ref: DataRef,
  flagged: boolean,
): Promise<number> {
  const c = env.fn.continuations[route.continuation] as Continuation;
  const key = keys.join(env.execution, route.join.join, route.joinScope);
  const store = env.ports.store(route.join.store);
  const fill = await fillJoinSlot(store, key, route.slot, route.size, { ref } satisfies SlotValue);
  // A sealed record: the execution was closed under this late copy; nothing to do.
  if ('sealed' in fill || fill.filled < fill.size) return 0;
  await invokeWithFailover(env, [c.cloud, ...c.failover], {
    fn: route.join.join,
    scope: route.joinScope,
    input: { inline: null },
    joinReady: true,
    ...carriedSlots(fill, c.inlineLimitBytes),
    ...(flagged || !fill.newlyFilled ? { possibleDuplicate: true } : {}),
  });
  return 1;
}

/** Fills the skip token of a branch not taken; invokes the join only if the skip completed it. */
export async function fillSkipRoute(
  env: StepEnv,
  route: Extract<Route, { kind: 'skip' }>,
  flagged: boolean,
): Promise<number> {
  const key = keys.join(env.execution, route.join.join, route.joinScope);
  const store = env.ports.store(route.join.store);
  const fill = await fillJoinSlot(store, key, route.slot, route.size, {
    skip: true,
  } satisfies SlotValue);
  if ('sealed' in fill) return 0;
  // Skips are filled before the taken branches are invoked, so a taken branch completes the
  // record; a skip that finds it already complete leaves the join to that branch.
  if (fill.filled < fill.size || !fill.newlyFilled) return 0;
  const location = requireLocation(env, route.location, route.join.join);
  // The inline limit toward the join is known when this function also continues to it.
  const limit = env.fn.continuations.find((c) => c.target === route.join.join)?.inlineLimitBytes;
  await invokeWithFailover(env, [location.cloud, ...location.failover], {
    fn: route.join.join,
    scope: route.joinScope,
    input: { inline: null },
    joinReady: true,
    ...(limit === undefined ? {} : carriedSlots(fill, limit)),
    ...(flagged || !fill.newlyFilled ? { possibleDuplicate: true } : {}),
  });
  return 1;
}

export function requireLocation(
  env: StepEnv,
  location: { cloud: string; failover: string[] } | undefined,
  join: string,
): { cloud: string; failover: string[] } {
  if (location !== undefined) return location;
  throw new RuntimeError(
    'RUNTIME_JOIN_UNREACHABLE',
    `"${env.fn.name}" must invoke join "${join}" but its config does not say where that join runs; deploy the function with the whole workflow IR (createFunction's workflow option)`,
  );
}

/**
 * The slot values of a complete record, parsed: the ones its invocation carried, else read from
 * `store` at `key`. An empty slot means the record was not complete after all (retryable).
 */
export async function completeSlots(
  env: StepEnv,
  store: KeyValueStore,
  key: string,
): Promise<SlotValue[]> {
  const slots = env.invocation.joinSlots ?? (await readJoinSlots(store, key));
  return slots.map((slot, index) => {
    if (slot === undefined) {
      throw new RuntimeError(
        'RUNTIME_JOIN_INCOMPLETE',
        `"${env.fn.name}" was invoked as ready but slot ${index} of ${key} is empty`,
        { retryable: true },
      );
    }
    return parseStored(slotValueSchema, slot, key);
  });
}

/** Resolves DataRefs (inline or blobs on any cloud), 64 at a time, keeping their order. */
export async function resolveAll(env: StepEnv, refs: readonly DataRef[]): Promise<unknown[]> {
  const resolved: unknown[] = new Array(refs.length);
  await boundedAll(
    refs.map((_, i) => i),
    INVOKE_CONCURRENCY,
    async (i) => {
      const ref = refs[i];
      if (ref !== undefined) resolved[i] = await resolveDataRef(ref, (c) => env.ports.blobs(c));
    },
  );
  return resolved;
}

/** The input of a join whose slot record is complete: slot values in order, skips left out. */
export async function collectJoinInput(env: StepEnv): Promise<unknown> {
  const { fn } = env;
  if (fn.kind !== 'join') throw new RuntimeError('RUNTIME_BAD_IR', `"${fn.name}" is not a join`);
  const key = keys.join(env.execution, fn.name, env.invocation.scope);
  const values = await completeSlots(env, env.ports.store(fn.store), key);
  const taken = values.flatMap((v) => ('ref' in v ? [v.ref] : []));
  const resolved = await resolveAll(env, taken);
  if (fn.collect === 'array') return resolved;
  if (resolved.length !== 1) {
    throw new RuntimeError(
      'RUNTIME_JOIN_NOT_ONE_TAKEN',
      `join "${fn.name}" collects the taken branch but ${resolved.length} branches arrived; check the choice's guards`,
    );
  }
  return resolved[0];
}
