/**
 * A tiny sequential interpreter over the IR: the reference a real run is compared with. It
 * follows packages/ir/README.md literally (routing, scope operations, join slots, skips) with
 * everything in memory and one invocation at a time, so its result is what one valid
 * fault-free run produces. Step code is loaded through `loadHandler` (see `importHandler`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type Continuation,
  type FunctionIR,
  instanceKey,
  type JoinTarget,
  type ScopeEntry,
  scopeKey,
  sha256Hex,
  type TriggerTarget,
  type WorkflowIR,
} from '@jointflow/ir';
import jsonata from 'jsonata';

export interface StepContext {
  execution: string;
  instance: string;
  node: string;
  attempt: number;
  cloud: string;
  once<T>(key: string, fn: (idempotencyKey: string) => Promise<T> | T): Promise<T>;
  emit(key: string, value: unknown): void;
}

export type Handler = (input: unknown, ctx: StepContext) => unknown;

export interface ReferenceRun {
  result: unknown;
  /** Instance key -> output, for every instance that ran. */
  outputs: Map<string, unknown>;
  invocations: number;
}

const SKIP = Symbol('skip');

/** Writes the code to a temporary .ts module and imports it (works under vitest and tsx). */
export async function importHandler(code: string): Promise<Handler> {
  const dir = join(tmpdir(), 'jointflow-reference');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${sha256Hex(code)}.ts`);
  writeFileSync(file, code);
  const module: unknown = await import(pathToFileURL(file).href);
  const handler = (module as { handler?: unknown }).handler;
  if (typeof handler !== 'function')
    throw new Error('the step code does not export a handler function');
  return handler as Handler;
}

interface Pending {
  fn: string;
  input: unknown;
  scope: ScopeEntry[];
}

/** An object in a trigger's bucket. */
interface BucketObject {
  key: string;
  value: unknown;
}

export async function referenceRun(
  ir: WorkflowIR,
  input: unknown,
  loadHandler: (code: string) => Promise<Handler> = importHandler,
): Promise<ReferenceRun> {
  const execution = 'reference';
  const queue: Pending[] = [{ fn: ir.start, input, scope: [] }];
  const outputs = new Map<string, unknown>();
  const joinRecords = new Map<string, { size: number; slots: Map<number, unknown> }>();
  const handlers = new Map<string, Handler>();
  const memo = new Map<string, unknown>();
  /** Trigger records: key -> slot -> the objects of that slot (first filler wins). */
  const triggerRecords = new Map<string, Map<number, BucketObject[]>>();
  const triggerWins = new Map<string, BucketObject[]>();
  let emitted: BucketObject[] = [];
  let result: unknown;
  let finished = false;
  let invocations = 0;

  const functionOf = (name: string): FunctionIR => {
    const fn = ir.functions[name];
    if (fn === undefined) throw new Error(`the IR has no function "${name}"`);
    return fn;
  };

  const fillSlot = (
    target: JoinTarget,
    scope: ScopeEntry[],
    slot: number,
    size: number,
    value: unknown,
  ) => {
    const key = `${target.join}@${scopeKey(scope)}`;
    const record = joinRecords.get(key) ?? { size, slots: new Map<number, unknown>() };
    joinRecords.set(key, record);
    if (record.slots.has(slot)) throw new Error(`join ${key} slot ${slot} filled twice`);
    record.slots.set(slot, value);
    if (record.slots.size < record.size) return;
    const values = [...record.slots.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
    const join = functionOf(target.join);
    const collected =
      join.kind === 'join' && join.collect === 'taken' ? values.find((v) => v !== SKIP) : values;
    queue.push({ fn: target.join, input: collected, scope });
  };

  const joinOf = (fanOut: string) =>
    Object.values(ir.functions).find((f) => f.kind === 'join' && f.fanOut === fanOut);

  /** Fills a trigger slot; returns the record's slots in order once all `size` are filled. */
  const fillTrigger = (key: string, slot: number, size: number, objects: BucketObject[]) => {
    const record = triggerRecords.get(key) ?? new Map<number, BucketObject[]>();
    triggerRecords.set(key, record);
    if (record.has(slot)) return undefined;
    record.set(slot, objects);
    if (record.size < size) return undefined;
    return [...record.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  };

  /** DESIGN.md's "Data triggers", one producer at a time (see packages/runtime/src/triggers.ts). */
  const emitInto = (
    target: TriggerTarget,
    collect: ScopeEntry[],
    producerScope: ScopeEntry[],
    objects: BucketObject[],
  ) => {
    const spec = target.spec;
    const key = `${target.trigger}@${scopeKey(collect)}`;
    const run = (index: number, count: number): ScopeEntry[] => [
      ...collect,
      { kind: 'map', name: target.trigger, index, count },
    ];
    switch (spec.type) {
      case 'immediate':
        for (const [i, o] of objects.entries()) {
          queue.push({ fn: target.trigger, input: o.value, scope: run(i, objects.length) });
        }
        return;
      case 'by-name': {
        const named = objects.find((o) => o.key === spec.key);
        if (named !== undefined)
          queue.push({ fn: target.trigger, input: named.value, scope: collect });
        return;
      }
      case 'set':
        for (const o of objects) {
          const slot = spec.keys.indexOf(o.key);
          if (slot < 0) continue;
          const slots = fillTrigger(key, slot, spec.keys.length, [o]);
          if (slots !== undefined) {
            const input = Object.fromEntries(slots.flat().map((x) => [x.key, x.value]));
            queue.push({ fn: target.trigger, input, scope: collect });
          }
        }
        return;
      case 'k-of-n':
        for (const o of objects) {
          const wins = triggerWins.get(key) ?? [];
          triggerWins.set(key, wins);
          if (wins.length >= spec.k) continue;
          wins.push(o);
          if (wins.length === spec.k)
            queue.push({ fn: target.trigger, input: [...wins], scope: collect });
        }
        return;
      case 'batch': {
        const { slot: position, size: producers } = joinSlot(
          { join: target.trigger, slot: target.slot, store: target.store },
          producerScope,
        );
        const batch = Math.floor(position / spec.size);
        const size = Math.min(spec.size, producers - batch * spec.size);
        const slots = fillTrigger(
          `${key}/batch:${batch}`,
          position - batch * spec.size,
          size,
          objects,
        );
        if (slots !== undefined) {
          queue.push({
            fn: target.trigger,
            input: slots.flat().map((x) => ({ key: x.key, value: x.value })),
            scope: run(batch, Math.ceil(producers / spec.size)),
          });
        }
        return;
      }
      case 'group': {
        const { slot: position, size: producers } = joinSlot(
          { join: target.trigger, slot: target.slot, store: target.store },
          producerScope,
        );
        const grouped = objects.filter((o) => o.key.startsWith(spec.prefix));
        const slots = fillTrigger(key, position, producers, grouped);
        if (slots === undefined) return;
        const all = slots.flat();
        const groups = [...new Set(all.map((o) => o.key.slice(spec.prefix.length)))].sort((a, b) =>
          a.localeCompare(b, 'en', { numeric: true }),
        );
        if (groups.length === 0) {
          const join = joinOf(target.trigger);
          if (join) queue.push({ fn: join.name, input: [], scope: collect });
        }
        for (const [index, group] of groups.entries()) {
          const values = all.filter((o) => o.key === `${spec.prefix}${group}`).map((o) => o.value);
          queue.push({
            fn: target.trigger,
            input: { group, values },
            scope: run(index, groups.length),
          });
        }
        return;
      }
      case 'window':
        throw new Error(`trigger ${target.trigger}: time windows do not run yet`);
    }
  };

  const deliver = async (
    c: Continuation,
    output: unknown,
    scope: ScopeEntry[],
    instance: string,
    emits: BucketObject[],
  ) => {
    const value = c.mapping === undefined ? output : await jsonata(c.mapping).evaluate(output);
    const next = applyScope(c, scope);
    if (c.mode === 'trigger' && c.trigger !== undefined) {
      emitInto(c.trigger, next, scope, emits.length > 0 ? emits : [{ key: instance, value }]);
    } else if (c.mode === 'join' && c.join !== undefined) {
      const { slot, size } = joinSlot(c.join, scope);
      fillSlot(c.join, next, slot, size, value);
    } else {
      queue.push({ fn: c.target, input: value, scope: next });
    }
  };

  for (let pending = queue.shift(); pending !== undefined; pending = queue.shift()) {
    invocations++;
    if (invocations > 1_000_000) throw new Error('the reference run did not finish');
    const fn = functionOf(pending.fn);
    const instance = instanceKey(fn.name, pending.scope);
    if (outputs.has(instance)) throw new Error(`instance ${instance} ran twice`);
    let output: unknown = pending.input;
    if (fn.code !== '') {
      let handler = handlers.get(fn.name);
      if (handler === undefined) {
        handler = await loadHandler(fn.code);
        handlers.set(fn.name, handler);
      }
      const ctx: StepContext = {
        execution,
        instance,
        node: fn.name,
        attempt: 0,
        cloud: fn.cloud,
        async once(key, run) {
          const idempotencyKey = `${execution}/${instance}/${key}`;
          if (!memo.has(idempotencyKey)) memo.set(idempotencyKey, await run(idempotencyKey));
          return memo.get(idempotencyKey) as never;
        },
        emit(key, value) {
          emitted.push({ key, value: JSON.parse(JSON.stringify(value ?? null)) });
        },
      };
      emitted = [];
      output = await handler(pending.input, ctx);
    }
    outputs.set(instance, output);
    const emits = fn.code !== '' ? emitted : [];

    if (fn.kind === 'map') {
      const items: unknown = await jsonata(fn.items).evaluate(output);
      const list = items === undefined ? [] : Array.isArray(items) ? items : [items];
      if (list.length > fn.maxItems)
        throw new Error(`map ${fn.name}: ${list.length} items > ${fn.maxItems}`);
      const [each] = fn.continuations;
      if (each === undefined) throw new Error(`map ${fn.name} has no continuation`);
      if (list.length === 0) {
        const join = joinOf(fn.name);
        if (join) queue.push({ fn: join.name, input: [], scope: pending.scope });
        // A map collected by a trigger: nothing arrives; a fan-out trigger's join gets [].
        const trigger = Object.values(ir.functions).find(
          (f) => f.kind === 'trigger' && f.fanOut === fn.name,
        );
        const triggerJoin =
          trigger?.kind === 'trigger' && trigger.fansOut ? joinOf(trigger.name) : undefined;
        if (triggerJoin) queue.push({ fn: triggerJoin.name, input: [], scope: pending.scope });
        continue;
      }
      for (const [index, element] of list.entries()) {
        const value =
          each.mapping === undefined ? element : await jsonata(each.mapping).evaluate(element);
        queue.push({
          fn: each.target,
          input: value,
          scope: [...pending.scope, { kind: 'map', name: fn.name, index, count: list.length }],
        });
      }
      continue;
    }

    if (fn.terminal) {
      if (finished) throw new Error(`a second terminal function (${fn.name}) ran`);
      finished = true;
      result = output;
      continue;
    }

    if (fn.routing === 'all') {
      for (const c of fn.continuations) await deliver(c, output, pending.scope, instance, emits);
      continue;
    }
    const top = pending.scope[pending.scope.length - 1];
    const bindings = { iteration: top?.kind === 'loop' ? top.index : 0 };
    let taken: Continuation | undefined;
    for (const c of fn.continuations) {
      if (c.guard === undefined || (await jsonata(c.guard).evaluate(output, bindings))) {
        taken = c;
        break;
      }
    }
    if (taken === undefined) throw new Error(`no branch of ${fn.name} holds for its input`);
    if (
      fn.kind === 'loop' &&
      taken.scope.op === 'bump-loop' &&
      bindings.iteration + 1 >= fn.maxIterations
    ) {
      throw new Error(`loop ${fn.name} reached maxIterations ${fn.maxIterations}`);
    }
    for (const c of fn.continuations) {
      if (c === taken) continue;
      for (const skip of c.skip) {
        const { slot, size } = joinSlot(skip, pending.scope);
        fillSlot(skip, pending.scope, slot, size, SKIP);
      }
    }
    await deliver(taken, output, pending.scope, instance, emits);
  }
  if (!finished) throw new Error('the run ended without reaching a terminal function');
  return { result, outputs, invocations };
}

function joinSlot(target: JoinTarget, scope: ScopeEntry[]): { slot: number; size: number } {
  if (target.slot.kind === 'static') return { slot: target.slot.slot, size: target.slot.size };
  const map = target.slot.map;
  const entry = [...scope].reverse().find((e) => e.kind === 'map' && e.name === map);
  if (entry === undefined || entry.kind !== 'map') throw new Error(`no map scope ${map} to join`);
  return { slot: entry.index, size: entry.count };
}

function applyScope(c: Continuation, scope: ScopeEntry[]): ScopeEntry[] {
  const op = c.scope;
  switch (op.op) {
    case 'keep':
      return scope;
    case 'push-map':
      throw new Error('push-map happens per element in the map branch');
    case 'push-loop':
      return [...scope, { kind: 'loop', name: op.loop, index: 0 }];
    case 'bump-loop': {
      const top = scope[scope.length - 1];
      if (top?.kind !== 'loop' || top.name !== op.loop)
        throw new Error(`bump-loop ${op.loop} without its scope`);
      return [...scope.slice(0, -1), { ...top, index: top.index + 1 }];
    }
    case 'pop':
      return scope.slice(0, scope.length - op.count);
  }
}
