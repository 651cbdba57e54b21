import type { FunctionIR, JoinTarget, ScopeEntry, ScopeOp, WorkflowIR } from '@jointflow/ir';
import { instanceKey, scopeKey } from '@jointflow/ir';
import jsonata from 'jsonata';

/**
 * Runs a compiled workflow (packages/ir `WorkflowIR`) from one place: the central brain of the
 * baselines. The centralized coordinator and the Restate orchestrator handler both use it; what
 * differs is how a step runs (`runTask`) and how a transition is made durable (`onTransition`).
 *
 * Semantics follow DESIGN.md: a map fans out one instance per element with `map:<map>=<i>`
 * pushed; a join fires when all its slots are filled (skip tokens fill the branches a choice did
 * not take); an empty map runs the join with `[]`; a choice takes the first continuation whose
 * guard holds; loops bump their iteration on the back edge.
 */
export interface InterpreterHooks {
  /** Runs the user code of a task (or a join with code) and returns its output. */
  runTask(fn: FunctionIR, instance: string, input: unknown): Promise<unknown>;
  /** Called once per state transition, after the state produced its output and before its successors start. */
  onTransition(transition: Transition): Promise<void>;
}

export interface Transition {
  instance: string;
  fn: string;
  kind: FunctionIR['kind'];
  output: unknown;
  /** Instances this transition starts (the events a history records as entered/scheduled). */
  next: string[];
}

const SKIP = { __jointflowSkip: true } as const;
const isSkip = (value: unknown) =>
  typeof value === 'object' && value !== null && '__jointflowSkip' in value;

export async function interpretWorkflow(
  ir: WorkflowIR,
  input: unknown,
  hooks: InterpreterHooks,
): Promise<unknown> {
  const joins = new Map<string, { size: number; slots: Map<number, unknown> }>();
  let result: unknown;
  let finished = false;
  const fnOf = (name: string): FunctionIR => {
    const fn = ir.functions[name];
    if (!fn)
      throw new Error(`BENCH_IR_UNKNOWN_FUNCTION: ${name} is not in workflow ${ir.workflow}`);
    return fn;
  };
  const joinOf = (fanOut: string): FunctionIR | undefined =>
    Object.values(ir.functions).find((fn) => fn.kind === 'join' && fn.fanOut === fanOut);

  const evaluate = async (expression: string, value: unknown, bindings: Record<string, unknown>) =>
    jsonata(expression).evaluate(value, bindings) as Promise<unknown>;

  const activate = async (name: string, scope: ScopeEntry[], input: unknown): Promise<void> => {
    const fn = fnOf(name);
    const instance = instanceKey(name, scope);
    let output: unknown;
    switch (fn.kind) {
      case 'map': {
        const items = await evaluate(fn.items, input, {});
        output = Array.isArray(items) ? items : items === undefined ? [] : [items];
        break;
      }
      case 'choice':
      case 'loop':
      case 'trigger':
        output = input;
        break;
      case 'join': {
        const collected =
          fn.collect === 'taken' && Array.isArray(input) ? input.find((v) => !isSkip(v)) : input;
        output = fn.code.trim() === '' ? collected : await hooks.runTask(fn, instance, collected);
        break;
      }
      case 'task':
        output = fn.code.trim() === '' ? input : await hooks.runTask(fn, instance, input);
        break;
    }
    const loopTop = [...scope].reverse().find((entry) => entry.kind === 'loop');
    const bindings = { iteration: loopTop?.index ?? 0 };
    const taken: { target: string; scope: ScopeEntry[]; value: unknown; join?: JoinTarget }[] = [];
    const skipped: { join: JoinTarget; scope: ScopeEntry[] }[] = [];
    let routed = false;
    for (const continuation of fn.continuations) {
      const holds =
        !(fn.routing === 'first' && routed) &&
        (continuation.guard === undefined ||
          Boolean(await evaluate(continuation.guard, output, bindings)));
      if (!holds) {
        for (const join of continuation.skip) skipped.push({ join, scope });
        continue;
      }
      routed = true;
      const mapValue = (value: unknown) =>
        continuation.mapping === undefined
          ? value
          : evaluate(continuation.mapping, value, bindings);
      if (continuation.mode === 'each') {
        // A map's mapping applies to each element, not to the array.
        const elements = Array.isArray(output) ? await Promise.all(output.map(mapValue)) : [];
        const scopeOp = continuation.scope;
        const mapName = scopeOp.op === 'push-map' ? scopeOp.map : name;
        if (elements.length === 0) {
          const join = joinOf(mapName);
          if (join) taken.push({ target: join.name, scope, value: [] });
          continue;
        }
        elements.forEach((element, index) => {
          taken.push({
            target: continuation.target,
            scope: [...scope, { kind: 'map', name: mapName, index, count: elements.length }],
            value: element,
          });
        });
        continue;
      }
      const value = await mapValue(output);
      taken.push({
        target: continuation.target,
        scope: applyScope(scope, continuation.scope),
        value,
        ...(continuation.mode === 'join' && continuation.join ? { join: continuation.join } : {}),
      });
    }
    await hooks.onTransition({
      instance,
      fn: name,
      kind: fn.kind,
      output,
      next: taken.map((t) => instanceKey(t.target, t.scope)),
    });
    if (fn.terminal) {
      result = output;
      finished = true;
      return;
    }
    const starts: Promise<void>[] = [];
    for (const { join, scope: at } of skipped) starts.push(fillJoin(join, at, SKIP));
    for (const next of taken) {
      if (next.join) starts.push(fillJoin(next.join, scope, next.value, next.scope));
      else starts.push(activate(next.target, next.scope, next.value));
    }
    await Promise.all(starts);
  };

  /** Fills one slot; the filler that completes the record runs the join. */
  const fillJoin = async (
    join: JoinTarget,
    branchScope: ScopeEntry[],
    value: unknown,
    afterScope?: ScopeEntry[],
  ): Promise<void> => {
    let slot: number;
    let size: number;
    let joinScope: ScopeEntry[];
    if (join.slot.kind === 'map-index') {
      const mapName = join.slot.map;
      const depth = branchScope
        .map((e) => e.kind === 'map' && e.name === mapName)
        .lastIndexOf(true);
      const entry = branchScope[depth];
      if (entry?.kind !== 'map') throw new Error(`BENCH_IR_NO_MAP_SCOPE: ${mapName}`);
      slot = entry.index;
      size = entry.count;
      joinScope = branchScope.slice(0, depth);
    } else {
      slot = join.slot.slot;
      size = join.slot.size;
      joinScope = afterScope ?? branchScope;
    }
    const key = `${join.join}@${scopeKey(joinScope)}`;
    let record = joins.get(key);
    if (!record) {
      record = { size, slots: new Map() };
      joins.set(key, record);
    }
    if (record.slots.has(slot)) return;
    record.slots.set(slot, value);
    if (record.slots.size < record.size) return;
    const values = Array.from({ length: record.size }, (_, i) => record?.slots.get(i));
    const joinFn = fnOf(join.join);
    const collected =
      joinFn.kind === 'join' && joinFn.collect === 'array'
        ? values.filter((v) => !isSkip(v))
        : values;
    await activate(join.join, joinScope, collected);
  };

  await activate(ir.start, [], input);
  if (!finished)
    throw new Error(`BENCH_IR_NO_RESULT: ${ir.workflow} ended without a terminal step`);
  return result;
}

function applyScope(scope: ScopeEntry[], op: ScopeOp): ScopeEntry[] {
  switch (op.op) {
    case 'keep':
    case 'push-map':
      return scope;
    case 'push-loop':
      return [...scope, { kind: 'loop', name: op.loop, index: 0 }];
    case 'bump-loop': {
      const top = scope[scope.length - 1];
      if (top?.kind !== 'loop') return scope;
      return [...scope.slice(0, -1), { ...top, index: top.index + 1 }];
    }
    case 'pop':
      return scope.slice(0, Math.max(0, scope.length - op.count));
  }
}
