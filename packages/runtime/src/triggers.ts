import type { Continuation, ScopeEntry, TriggerTarget } from '@jointflow/ir';
import { instanceKey, sha256Hex } from '@jointflow/ir';
import { z } from 'zod';
import { resolveDataRef, toDataRef } from './dataRef';
import { carriedSlots, completeSlots, resolveAll } from './joins';
import { fillJoinSlot, readJoinSlots } from './joinTree';
import { keys } from './keys';
import { dataRefSchema } from './messages';
import type { DataRef, Invocation, KeyValueStore, SlotFillResult } from './ports';
import { isTombstone, parseStored, type SlotValue, type StartRecord } from './records';
import type { Route } from './routes';
import { RuntimeError } from './runtimeError';
import {
  boundedAll,
  INVOKE_CONCURRENCY,
  invokeWithFailover,
  SLOT_INLINE_LIMIT_BYTES,
  type StepEnv,
} from './stepEnv';

/**
 * Data triggers (DESIGN.md, "Data triggers"): the peer of joins. A producer puts its objects
 * into a trigger's bucket; every decision about them is a committed record in the trigger's
 * store — a slot of a slot record (set, batch, group, the k-of-n winners' record) or a
 * put-if-absent claim (a k-of-n win) — so under crashes, duplicates, drops and reordering each
 * object lands in at most one run, k-of-n has exactly k winners, and whoever sees a record
 * complete fires the run (duplicates of the run are absorbed by its checkpoint).
 *
 * | kind      | decision record                                  | run's instance         |
 * | --------- | ------------------------------------------------ | ---------------------- |
 * | immediate | none: each object is its own run                 | `T/…/map:T=<object>`   |
 * | by-name   | none: the producer's object with the key         | `T/…`                  |
 * | set       | slot per key of the set                          | `T/…`                  |
 * | k-of-n    | claims `#win:<j>`, then slot j of a k-slot record | `T/…`                  |
 * | batch     | slot per producer in the batch's record          | `T/…/map:T=<batch>`    |
 * | group     | slot per producer (its group objects)            | `T/…/map:T=<group #>`  |
 * | window    | claims `#obj:<j>` in the window's own execution,  | `T` in execution       |
 * |           | closed by a `{close}` claim at the first free j   | `wnd.<T>.<w>.<hash>`   |
 *
 * A time window spans executions: the producer assigns the window from its committed record
 * (`floor(at / windowMs)`), and the window's run is an execution of its own whose id every
 * producer derives alike (`windowExecution`). The producer that claims position 0 writes that
 * execution's start record and invokes its timer: the trigger step, with `notBefore` = the
 * window's end plus `WINDOW_GRACE_MS` (a durable queued invocation, not an in-memory timer).
 * The timer claims the first free position with a close marker; the objects before it are the
 * members. An object that finds the window closed goes to the next window, so each object lands
 * in exactly one window.
 */

/** One object in a trigger's bucket: its key, the producer instance, and its value. */
export interface BucketObject {
  key: string;
  from: string;
  ref: DataRef;
}

const bucketObjectsSchema = z.array(
  z.object({ key: z.string(), from: z.string(), ref: dataRefSchema }),
);
const claimSchema = z.object({ claim: z.string() });

/** A window's position claims: an object, or the close marker that ends the membership. */
const windowClaimSchema = z.union([
  z.object({ close: z.literal(true) }),
  z.object({
    claim: z.string(),
    key: z.string(),
    ref: dataRefSchema,
    from: z.object({ execution: z.string(), instance: z.string() }),
  }),
]);
type WindowClaim = z.infer<typeof windowClaimSchema>;
type WindowMember = Exclude<WindowClaim, { close: true }>;

/** How long after a window's end its timer fires: room for producers a little behind. */
export const WINDOW_GRACE_MS = 200;
/** Window positions read per round trip while looking for a free one. */
const WINDOW_BLOCK = 64;
/** Windows an object moves on through when it keeps finding them closed (then it fails). */
const WINDOW_MOVES = 1_000;
/** The most producer executions a window's decision event lists (the count is always given). */
const SOURCES_LISTED = 100;

/**
 * The execution a time window's run belongs to. Deterministic, so every producer of every
 * execution names the same one; within the execution-id alphabet and under 128 characters.
 */
export function windowExecution(deployment: string, trigger: string, window: number): string {
  return `wnd.${trigger}.${window}.${sha256Hex(deployment).slice(0, 12)}`;
}

/** Most objects one step may emit (`ctx.emit`), so its record and slots stay small. */
export const MAX_EMITS_PER_STEP = 256;

type EmitRoute = Extract<Route, { kind: 'emit' }>;

/** The slot record of a trigger at its collection scope (a batch adds `/batch:<b>`). */
function recordKey(execution: string, trigger: string, collect: readonly ScopeEntry[]): string {
  return keys.trigger(execution, trigger, collect);
}

function objectId(o: BucketObject, index: number): string {
  return `${o.from}#${index}`;
}

/** A slot value holding a producer's objects: inline when small, else a blob pointer. */
async function objectsSlot(env: StepEnv, objects: readonly BucketObject[]): Promise<SlotValue> {
  const ref = await toDataRef(objects, {
    mode: 'auto',
    limitBytes: SLOT_INLINE_LIMIT_BYTES,
    cloud: env.fn.homeStore,
    blobs: env.ports.blobs(env.fn.homeStore),
  });
  return { ref };
}

/** The objects a trigger slot holds. */
async function slotObjects(env: StepEnv, slot: SlotValue, key: string): Promise<BucketObject[]> {
  if (!('ref' in slot)) return [];
  const value = await resolveDataRef(slot.ref, (c) => env.ports.blobs(c));
  return parseStored(bucketObjectsSchema, value, key);
}

/** Object keys of inline slot values, for the decision's trace event (blobs are not read). */
function memberKeys(values: readonly unknown[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const members: string[] = [];
  for (const value of values) {
    const ref = (value as { ref?: { inline?: unknown } } | undefined)?.ref;
    const parsed = bucketObjectsSchema.safeParse(ref?.inline);
    if (!parsed.success) return undefined;
    for (const o of parsed.data) members.push(o.key);
  }
  return members;
}

/**
 * Performs an `emit` route: puts this producer's objects into the trigger's bucket and fires
 * whatever run the committed decisions complete. Returns the number of runs this copy invoked.
 */
export async function deliverToTrigger(
  env: StepEnv,
  route: EmitRoute,
  objects: readonly BucketObject[],
  flagged: boolean,
): Promise<number> {
  const c = env.fn.continuations[route.continuation] as Continuation;
  const { target, collect } = route;
  const spec = target.spec;
  const fire = (scope: ScopeEntry[], extra: Partial<Invocation>, members?: string[]) =>
    fireRun(env, c, target, scope, extra, flagged, members);
  switch (spec.type) {
    case 'immediate': {
      const count = objects.length;
      await boundedAll(
        objects.map((o, index) => ({ o, index })),
        INVOKE_CONCURRENCY,
        ({ o, index }) =>
          fire(
            [...collect, { kind: 'map', name: target.trigger, index, count }],
            { input: o.ref },
            [o.key],
          ),
      );
      return count;
    }
    case 'by-name': {
      const named = objects.find((o) => o.key === spec.key);
      if (named === undefined) return 0;
      await fire([...collect], { input: named.ref }, [named.key]);
      return 1;
    }
    case 'set': {
      let fired = 0;
      for (const [index, o] of objects.entries()) {
        const slot = spec.keys.indexOf(o.key);
        if (slot < 0) {
          drop(env, target, collect, o, index, 'not-in-set');
          continue;
        }
        const key = recordKey(env.execution, target.trigger, collect);
        fired += await fillAndFire(env, c, target, key, slot, spec.keys.length, [o], collect, fire);
      }
      return fired;
    }
    case 'k-of-n': {
      let fired = 0;
      const store = env.ports.store(target.store);
      const key = recordKey(env.execution, target.trigger, collect);
      for (const [index, o] of objects.entries()) {
        const won = await claimWin(store, key, spec.k, objectId(o, index));
        if (won === 'closed') return fired;
        if (won === undefined) {
          drop(env, target, collect, o, index, 'late');
          continue;
        }
        fired += await fillAndFire(env, c, target, key, won, spec.k, [o], collect, fire);
      }
      return fired;
    }
    case 'batch': {
      const { slot: position, size: producers } = route.position;
      const batch = Math.floor(position / spec.size);
      const batches = Math.ceil(producers / spec.size);
      const size = Math.min(spec.size, producers - batch * spec.size);
      const runScope: ScopeEntry[] = [
        ...collect,
        { kind: 'map', name: target.trigger, index: batch, count: batches },
      ];
      const key = `${recordKey(env.execution, target.trigger, collect)}/batch:${batch}`;
      const slot = position - batch * spec.size;
      return fillAndFire(env, c, target, key, slot, size, objects, runScope, fire);
    }
    case 'group': {
      const { slot: position, size: producers } = route.position;
      const grouped = objects.filter((o) => o.key.startsWith(spec.prefix));
      const key = recordKey(env.execution, target.trigger, collect);
      const fill = await fillJoinSlot(
        env.ports.store(target.store),
        key,
        position,
        producers,
        await objectsSlot(env, grouped),
      );
      if ('sealed' in fill) return 0;
      received(env, target, collect, objects, fill);
      if (fill.filled < fill.size) return 0;
      const groups = groupNames(
        await slotsObjects(
          env,
          fill.values ?? (await readJoinSlots(env.ports.store(target.store), key)),
          key,
        ),
        spec.prefix,
      );
      if (groups.length === 0) return fireEmpty(env, target, collect);
      const carried = carriedSlots(fill, c.inlineLimitBytes);
      const dup = !fill.newlyFilled ? { possibleDuplicate: true } : {};
      await boundedAll(
        groups.map((group, index) => ({ group, index })),
        INVOKE_CONCURRENCY,
        ({ group, index }) =>
          fire(
            [...collect, { kind: 'map', name: target.trigger, index, count: groups.length }],
            { input: { inline: null }, joinReady: true, ...carried, ...dup },
            [`${spec.prefix}${group}`],
          ),
      );
      return groups.length;
    }
    case 'window':
      return deliverToWindow(env, c, route, objects, spec.windowMs);
  }
}

/** Puts each object into its window (moving on past closed ones); schedules new windows' timers. */
async function deliverToWindow(
  env: StepEnv,
  c: Continuation,
  route: EmitRoute,
  objects: readonly BucketObject[],
  windowMs: number,
): Promise<number> {
  const { target } = route;
  const store = env.ports.store(target.store);
  let scheduled = 0;
  for (const [index, o] of objects.entries()) {
    // A window holds objects of many executions: the id names the execution too.
    const id = `${env.execution}/${objectId(o, index)}`;
    let window = route.window ?? Math.floor(env.ports.now() / windowMs);
    for (let moves = 0; ; moves++, window++) {
      if (moves >= WINDOW_MOVES) {
        throw new RuntimeError(
          'RUNTIME_WINDOW_CLOSED',
          `object ${id} found ${WINDOW_MOVES} windows of "${target.trigger}" closed; check the clocks of the clouds`,
          { retryable: true },
        );
      }
      const execution = windowExecution(env.invocation.deployment, target.trigger, window);
      const base = keys.trigger(execution, target.trigger, []);
      const placed = await placeInWindow(store, base, {
        claim: id,
        key: o.key,
        ref: o.ref,
        from: { execution: env.execution, instance: env.instance },
      });
      if (placed === 'closed') continue;
      if (placed.position === 0) {
        await scheduleWindow(env, c, target, execution, window, windowMs);
        scheduled += 1;
      }
      env.trace.emitFor(
        target.trigger,
        target.trigger,
        'trigger.received',
        env.delivery.attempt,
        `from:${id}`,
        {
          output: {
            from: env.instance,
            keys: [o.key],
            window,
            windowMs,
            execution,
            position: placed.position,
          },
        },
      );
      break;
    }
  }
  return scheduled;
}

/**
 * The window's start record (for the watchdog's redrive) and its timer: the trigger step in the
 * window's execution, due when the window ends.
 */
async function scheduleWindow(
  env: StepEnv,
  c: Continuation,
  target: TriggerTarget,
  execution: string,
  window: number,
  windowMs: number,
): Promise<void> {
  const invocation: Invocation = {
    execution,
    deployment: env.invocation.deployment,
    irVersion: env.context.irVersion,
    fn: target.trigger,
    scope: [],
    input: { inline: { window, windowMs } },
    joinReady: true,
    notBefore: (window + 1) * windowMs + WINDOW_GRACE_MS,
  };
  const clouds = [c.cloud, ...c.failover];
  const start: StartRecord = { invocation, clouds, at: env.ports.now() };
  await env.ports.store(env.context.resultStore).putIfAbsent(keys.start(execution), start);
  await invokeWithFailover(env, clouds, invocation);
}

/** One position of a window's bucket, as a walk meets it. */
interface WindowPosition {
  position: number;
  /** What the position holds: a claim, `sealed` (the window's execution was closed), or nothing. */
  held: WindowClaim | 'sealed' | undefined;
  /** True when this walk's own put-if-absent filled it. */
  won: boolean;
}

/**
 * Walks a window's positions in order, reading 64 per round trip. With `fillWith`, the first
 * free position met is claimed with it (put-if-absent; a lost race shows the winner's claim).
 */
async function* windowPositions(
  store: KeyValueStore,
  base: string,
  fillWith?: WindowClaim,
): AsyncGenerator<WindowPosition> {
  for (let from = 0; ; from += WINDOW_BLOCK) {
    const block = Array.from({ length: WINDOW_BLOCK }, (_, i) => `${base}#obj:${from + i}`);
    const existing = await store.getMany(block);
    for (const [i, key] of block.entries()) {
      let value = existing[i];
      let won = false;
      if (value === undefined && fillWith !== undefined) {
        const put = await store.putIfAbsent(key, fillWith);
        won = put.won;
        value = put.won ? fillWith : put.existing;
      }
      const held =
        value === undefined
          ? undefined
          : isTombstone(value)
            ? ('sealed' as const)
            : parseStored(windowClaimSchema, value, key);
      yield { position: from + i, held, won };
    }
  }
}

/**
 * Claims the first free position of a window for an object, or finds the one it holds (a
 * duplicate). `'closed'` when a close marker (or the sealed execution) comes first.
 */
async function placeInWindow(
  store: KeyValueStore,
  base: string,
  claim: WindowMember,
): Promise<{ position: number } | 'closed'> {
  for await (const { position, held, won } of windowPositions(store, base, claim)) {
    if (held === undefined || held === 'sealed' || 'close' in held) return 'closed';
    if (won || held.claim === claim.claim) return { position };
  }
  return 'closed';
}

/**
 * Closes a window: a close marker at the first free position (or the one already there). The
 * objects before it are the window's members, in position order — the committed decision.
 */
async function closeWindow(store: KeyValueStore, base: string): Promise<WindowMember[]> {
  const members: WindowMember[] = [];
  for await (const { held } of windowPositions(store, base, { close: true })) {
    if (held === undefined || held === 'sealed' || 'close' in held) return members;
    members.push(held);
  }
  return members;
}

/** Reads a closed window's members without closing it (the history checker); undefined while open. */
async function readWindow(store: KeyValueStore, base: string): Promise<WindowMember[] | undefined> {
  const members: WindowMember[] = [];
  try {
    for await (const { held } of windowPositions(store, base)) {
      if (held === undefined || held === 'sealed') return undefined;
      if ('close' in held) return members;
      members.push(held);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * Fills `objects` into slot `slot` of the `size`-slot record at `key`; when that completes the
 * record, fires the run at `runScope` with the record's slots.
 */
async function fillAndFire(
  env: StepEnv,
  c: Continuation,
  target: TriggerTarget,
  key: string,
  slot: number,
  size: number,
  objects: readonly BucketObject[],
  runScope: ScopeEntry[],
  fire: (scope: ScopeEntry[], extra: Partial<Invocation>, members?: string[]) => Promise<void>,
): Promise<number> {
  const fill = await fillJoinSlot(
    env.ports.store(target.store),
    key,
    slot,
    size,
    await objectsSlot(env, objects),
  );
  if ('sealed' in fill) return 0;
  received(env, target, runScope, objects, fill);
  if (fill.filled < fill.size) return 0;
  await fire(
    runScope,
    {
      input: { inline: null },
      joinReady: true,
      ...carriedSlots(fill, c.inlineLimitBytes),
      ...(!fill.newlyFilled ? { possibleDuplicate: true } : {}),
    },
    memberKeys(fill.values),
  );
  return 1;
}

/** Invokes one run of the trigger and records the decision's event (one id per run). */
async function fireRun(
  env: StepEnv,
  c: Continuation,
  target: TriggerTarget,
  scope: ScopeEntry[],
  extra: Partial<Invocation>,
  flagged: boolean,
  members: string[] | undefined,
): Promise<void> {
  const run = instanceKey(target.trigger, scope);
  env.trace.emitFor(run, target.trigger, 'trigger.fired', env.delivery.attempt, 'decision', {
    output: members === undefined ? {} : { members },
  });
  await invokeWithFailover(env, [c.cloud, ...c.failover], {
    fn: target.trigger,
    scope,
    input: { inline: null },
    ...extra,
    ...(flagged ? { possibleDuplicate: true } : {}),
  });
}

/** A fan-out trigger that fires no run (no groups): its join gets `[]`, as an empty map's does. */
async function fireEmpty(
  env: StepEnv,
  target: TriggerTarget,
  collect: ScopeEntry[],
): Promise<number> {
  const join = Object.values(env.workflow?.functions ?? {}).find(
    (f) => f.kind === 'join' && f.fanOut === target.trigger,
  );
  if (join === undefined) {
    throw new RuntimeError(
      'RUNTIME_JOIN_UNREACHABLE',
      `trigger "${target.trigger}" fired no run and its join cannot be located; deploy the function with the whole workflow IR (createFunction's workflow option)`,
    );
  }
  await invokeWithFailover(env, [join.cloud, ...join.failover], {
    fn: join.name,
    scope: [...collect],
    input: { inline: [] },
  });
  return 1;
}

/**
 * An empty map whose branches feed trigger `target`: no object arrives. A fan-out trigger fires
 * no run, so its join gets `[]`; the others wait for objects that will not come (as specified).
 */
export async function emptyBucket(
  env: StepEnv,
  target: TriggerTarget,
  collect: ScopeEntry[],
): Promise<void> {
  if (target.fansOut) await fireEmpty(env, target, collect);
}

function received(
  env: StepEnv,
  target: TriggerTarget,
  runScope: readonly ScopeEntry[],
  objects: readonly BucketObject[],
  fill: Exclude<SlotFillResult, { sealed: true }>,
): void {
  const run = instanceKey(target.trigger, runScope);
  env.trace.emitFor(
    run,
    target.trigger,
    'trigger.received',
    env.delivery.attempt,
    `from:${env.instance}`,
    {
      output: {
        from: env.instance,
        keys: objects.map((o) => o.key),
        filled: fill.filled,
        size: fill.size,
      },
    },
  );
}

function drop(
  env: StepEnv,
  target: TriggerTarget,
  collect: readonly ScopeEntry[],
  o: BucketObject,
  index: number,
  reason: 'late' | 'not-in-set',
): void {
  const run = instanceKey(target.trigger, collect);
  env.trace.emitFor(
    run,
    target.trigger,
    'trigger.dropped',
    env.delivery.attempt,
    `from:${objectId(o, index)}`,
    {
      output: { from: o.from, key: o.key, reason },
    },
  );
}

/**
 * Claims one of the k wins for `id`: the first free `#win:<j>` by put-if-absent, or the one
 * this object already holds (a duplicate). `undefined` when all k are others'; `'closed'` when
 * the execution was sealed under us.
 */
async function claimWin(
  store: KeyValueStore,
  key: string,
  k: number,
  id: string,
): Promise<number | undefined | 'closed'> {
  const claimKeys = Array.from({ length: k }, (_, j) => `${key}#win:${j}`);
  const existing = await store.getMany(claimKeys);
  for (let j = 0; j < k; j++) {
    let value = existing[j];
    if (value === undefined) {
      const put = await store.putIfAbsent(claimKeys[j] as string, { claim: id });
      if (put.won) return j;
      value = put.existing;
    }
    if (isTombstone(value)) return 'closed';
    if (parseStored(claimSchema, value, claimKeys[j] as string).claim === id) return j;
  }
  return undefined;
}

/** Every slot's objects, in slot order. */
async function slotsObjects(
  env: StepEnv,
  slots: readonly unknown[],
  key: string,
): Promise<BucketObject[][]> {
  const parsed = slots.map((slot) => (slot === undefined ? undefined : (slot as SlotValue)));
  return Promise.all(
    parsed.map((slot) => (slot === undefined ? Promise.resolve([]) : slotObjects(env, slot, key))),
  );
}

/** The distinct groups of a group trigger's objects, in natural order (`2` before `10`). */
function groupNames(slots: readonly BucketObject[][], prefix: string): string[] {
  const names = new Set<string>();
  for (const objects of slots) for (const o of objects) names.add(o.key.slice(prefix.length));
  return [...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/**
 * The input of a trigger's run whose decision record is complete (invoked `joinReady`): set →
 * `{ key: value }`; k-of-n and batch → `[{ key, value }]` in decided order; group → `{ group,
 * values }` of the run's group. Immediate and by-name runs take their input as invoked.
 */
export async function collectTriggerInput(env: StepEnv): Promise<unknown> {
  const { fn, invocation } = env;
  if (fn.kind !== 'trigger') {
    throw new RuntimeError('RUNTIME_BAD_IR', `"${fn.name}" is not a trigger`);
  }
  const spec = fn.trigger;
  if (spec.type === 'window') return collectWindow(env, fn.name, fn.store);
  const run = invocation.scope[invocation.scope.length - 1];
  const collect = fn.fansOut ? invocation.scope.slice(0, -1) : invocation.scope;
  if (fn.fansOut && (run?.kind !== 'map' || run.name !== fn.name)) {
    throw new RuntimeError(
      'RUNTIME_BAD_IR',
      `trigger "${fn.name}" was invoked outside its own runs' scope; recompile the workflow`,
    );
  }
  let key = recordKey(env.execution, fn.name, collect);
  if (spec.type === 'batch') key = `${key}/batch:${run?.index ?? 0}`;
  const slots = await completeSlots(env, env.ports.store(fn.store), key);
  const perSlot = await slotsObjects(env, slots, key);
  const objects = perSlot.flat();
  if (spec.type === 'group') {
    const group = groupNames(perSlot, spec.prefix)[run?.index ?? 0];
    const members = objects.filter((o) => o.key === `${spec.prefix}${group}`);
    return {
      group,
      values: await resolveAll(
        env,
        members.map((o) => o.ref),
      ),
    };
  }
  const values = await resolveAll(
    env,
    objects.map((o) => o.ref),
  );
  if (spec.type === 'set') {
    return Object.fromEntries(objects.map((o, i) => [o.key, values[i]]));
  }
  return objects.map((o, i) => ({ key: o.key, value: values[i] }));
}

/**
 * A window's run: close the window (or find it closed), then its members' objects in position
 * order as `[{ key, value, execution }]`; the decision event names the producer executions.
 */
async function collectWindow(env: StepEnv, trigger: string, storeCloud: string): Promise<unknown> {
  const base = keys.trigger(env.execution, trigger, []);
  const members = await closeWindow(env.ports.store(storeCloud), base);
  const sources = [...new Set(members.map((m) => m.from.execution))];
  env.trace.emit(
    'trigger.fired',
    env.delivery.attempt,
    {
      output: {
        members: members.slice(0, SOURCES_LISTED).map((m) => m.key),
        count: members.length,
        sources: sources.slice(0, SOURCES_LISTED),
        sourceCount: sources.length,
      },
    },
    'decision',
  );
  const values = await resolveAll(
    env,
    members.map((m) => m.ref),
  );
  return members.map((m, i) => ({ key: m.key, value: values[i], execution: m.from.execution }));
}

/** What the history checker learns from one producer's emit route. */
export interface EmitCheck {
  /** The trigger runs (or, for a group without groups, the join) the decisions reach. */
  runs: { fn: string; scope: ScopeEntry[] }[];
  violations: string[];
}

/**
 * The trigger invariants for one committed producer, read back from the trigger's store: its
 * objects sit in the slots the kind assigns (its own position for batch and group, the key's
 * slot for a set, a claimed win or a full set of k other claims for k-of-n), no slot holds
 * another producer's objects where the position is the producer's, k-of-n has at most k
 * distinct winners, and every complete record reaches its runs.
 */
export async function checkEmit(
  store: KeyValueStore,
  execution: string,
  route: EmitRoute,
  producer: string,
  emittedKeys: readonly string[],
  slotCache: Map<string, (unknown | undefined)[]>,
  workflowJoinOf: (trigger: string) => string | undefined,
  deployment = '',
): Promise<EmitCheck> {
  const { target, collect } = route;
  const spec = target.spec;
  const runs: EmitCheck['runs'] = [];
  const violations: string[] = [];
  const slotsAt = async (key: string) => {
    let slots = slotCache.get(key);
    if (slots === undefined) {
      slots = await readJoinSlots(store, key);
      slotCache.set(key, slots);
    }
    return slots;
  };
  const inlineObjects = (slot: unknown): BucketObject[] | undefined => {
    const parsed = bucketObjectsSchema.safeParse(
      (slot as { ref?: { inline?: unknown } })?.ref?.inline,
    );
    return parsed.success ? parsed.data : undefined;
  };
  const complete = (slots: readonly unknown[], size: number) =>
    slots.length === size && slots.every((s) => s !== undefined);
  const key = recordKey(execution, target.trigger, collect);
  switch (spec.type) {
    case 'immediate':
      for (const [index] of emittedKeys.entries()) {
        runs.push({
          fn: target.trigger,
          scope: [
            ...collect,
            { kind: 'map', name: target.trigger, index, count: emittedKeys.length },
          ],
        });
      }
      break;
    case 'by-name':
      if (emittedKeys.includes(spec.key)) runs.push({ fn: target.trigger, scope: [...collect] });
      break;
    case 'set': {
      const slots = await slotsAt(key);
      for (const k of emittedKeys) {
        const slot = spec.keys.indexOf(k);
        if (slot >= 0 && slots[slot] === undefined) {
          violations.push(`object "${k}" did not reach slot ${slot} of ${key}`);
        }
      }
      if (complete(slots, spec.keys.length)) runs.push({ fn: target.trigger, scope: [...collect] });
      break;
    }
    case 'k-of-n': {
      const claimKeys = Array.from({ length: spec.k }, (_, j) => `${key}#win:${j}`);
      const claims = (await store.getMany(claimKeys)).map((c) => claimSchema.safeParse(c));
      const ids = claims.flatMap((c) => (c.success ? [c.data.claim] : []));
      if (new Set(ids).size !== ids.length) violations.push(`${key} has a winner claimed twice`);
      const slots = await slotsAt(key);
      for (const [index] of emittedKeys.entries()) {
        const id = `${producer}#${index}`;
        const j = ids.indexOf(id);
        if (j < 0 && ids.length < spec.k) {
          violations.push(
            `object ${id} was neither a winner nor late (${ids.length} of ${spec.k} claimed)`,
          );
        }
        if (j >= 0 && slots[j] === undefined)
          violations.push(`winner ${id} did not fill slot ${j} of ${key}`);
      }
      if (complete(slots, spec.k)) runs.push({ fn: target.trigger, scope: [...collect] });
      break;
    }
    case 'batch':
    case 'group': {
      const { slot: position, size: producers } = route.position;
      let recordAt = key;
      let slot = position;
      let size = producers;
      if (spec.type === 'batch') {
        const batch = Math.floor(position / spec.size);
        recordAt = `${key}/batch:${batch}`;
        slot = position - batch * spec.size;
        size = Math.min(spec.size, producers - batch * spec.size);
      }
      const slots = await slotsAt(recordAt);
      const mine = inlineObjects(slots[slot]);
      if (slots[slot] === undefined)
        violations.push(`${producer} did not fill slot ${slot} of ${recordAt}`);
      else if (mine?.some((o) => o.from !== producer)) {
        violations.push(`slot ${slot} of ${recordAt} holds objects of another producer`);
      }
      if (!complete(slots, size)) break;
      if (spec.type === 'batch') {
        const batch = Math.floor(position / spec.size);
        runs.push({
          fn: target.trigger,
          scope: [
            ...collect,
            {
              kind: 'map',
              name: target.trigger,
              index: batch,
              count: Math.ceil(producers / spec.size),
            },
          ],
        });
        break;
      }
      const perSlot = slots.map(inlineObjects);
      if (perSlot.some((o) => o === undefined)) break; // blob slots: not read by the checker
      const groups = groupNames(perSlot as BucketObject[][], spec.prefix);
      if (groups.length === 0) {
        const join = workflowJoinOf(target.trigger);
        if (join !== undefined) runs.push({ fn: join, scope: [...collect] });
      }
      for (const [index] of groups.entries()) {
        runs.push({
          fn: target.trigger,
          scope: [...collect, { kind: 'map', name: target.trigger, index, count: groups.length }],
        });
      }
      break;
    }
    case 'window': {
      // Each object sits in exactly one window: the first (from the assigned one on) that holds
      // its claim before the close marker; no earlier window may hold it too.
      for (const [index, k] of emittedKeys.entries()) {
        const id = `${execution}/${producer}#${index}`;
        let found = 0;
        let open = false;
        for (let w = route.window ?? 0; w < (route.window ?? 0) + 20 && !open; w++) {
          const base = keys.trigger(
            windowExecution(deployment, target.trigger, w),
            target.trigger,
            [],
          );
          const members = await readWindow(store, base);
          if (members === undefined) open = true;
          if ((members ?? []).some((m) => m.claim === id)) found += 1;
          if (found > 0) break;
        }
        if (found === 0 && !open) violations.push(`object ${id} ("${k}") is in no window`);
      }
      break;
    }
  }
  return { runs, violations };
}
