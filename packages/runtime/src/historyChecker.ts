import type { ScopeEntry, WorkflowIR } from '@jointflow/ir';
import { instanceKey } from '@jointflow/ir';
import { readJoinSlots } from './joinTree';
import { keys } from './keys';
import type { KeyValueStore, TraceEvent } from './ports';
import {
  parseStored,
  type ResultRecord,
  resultRecordSchema,
  type StepRecord,
  slotValueSchema,
  stepRecordSchema,
} from './records';
import { routesOf } from './routes';
import { traceEventId } from './traceEvents';
import { checkEmit } from './triggers';

export interface HistoryCheckInput {
  ir: WorkflowIR;
  execution: string;
  /** Reads a cloud's store (the real store in chaos tests). */
  store: (cloud: string) => KeyValueStore;
  /** Trace events as delivered (any order, duplicates allowed, other executions ignored). */
  events: readonly TraceEvent[];
  /** The execution must have a result (default true). */
  expectComplete?: boolean;
  /**
   * Where the execution starts (default: the IR's start function at the top level). A time
   * window's execution starts at its trigger step.
   */
  start?: { fn: string; scope: ScopeEntry[] };
}

export interface HistoryReport {
  ok: boolean;
  violations: string[];
  /** Instances reached by committed decisions (all of them committed when `ok`). */
  instances: number;
}

/**
 * Verifies DESIGN.md's promise for one execution from its store and its trace. It walks the
 * committed decisions from the start instance (the same `routesOf` the runtime follows) and
 * checks: every reached instance committed; every join a branch reached has all its slots
 * filled and its join committed; the result exists and is the terminal instance's output; no
 * instance has two different commits in the trace, and none committed outside the reached set;
 * every committed instance has its started and commit events (no trace event lost); every
 * `once` effect has its memo, and the execution's final event is present.
 *
 * @example
 * const report = await checkHistory({ ir, execution, store: (c) => shims[c].store(), events });
 * expect(report.violations).toEqual([]);
 */
export async function checkHistory(input: HistoryCheckInput): Promise<HistoryReport> {
  const { ir, execution, store } = input;
  const violations: string[] = [];
  const events = input.events.filter((e) => e.execution === execution);

  const resultRaw = await store(ir.resultStore).get(keys.result(execution));
  let result: ResultRecord | undefined;
  if (resultRaw !== undefined)
    result = parseStored(resultRecordSchema, resultRaw, keys.result(execution));
  else if (input.expectComplete ?? true) violations.push(`execution ${execution} has no result`);

  const reached = new Map<string, { node: string; record: StepRecord }>();
  const slotCache = new Map<string, (unknown | undefined)[]>();
  const queue: { fn: string; scope: ScopeEntry[] }[] = [input.start ?? { fn: ir.start, scope: [] }];
  const deployment = events[0]?.deployment ?? '';
  let resultSeen = false;

  while (queue.length > 0) {
    const next = queue.shift();
    if (next === undefined) break;
    const instance = instanceKey(next.fn, next.scope);
    if (reached.has(instance)) continue;
    const fn = ir.functions[next.fn];
    if (fn === undefined) {
      violations.push(`${instance}: function ${next.fn} is not in the IR`);
      continue;
    }
    const key = keys.checkpoint(execution, instance);
    const raw = await store(fn.homeStore).get(key);
    if (raw === undefined) {
      // A k-of-n straggler need not commit: once k others won, nothing waits for it, so a
      // finished execution may end (and be checked) before it runs, or without it at all.
      const straggler =
        result !== undefined &&
        fn.continuations.length > 0 &&
        fn.continuations.every((c) => c.trigger?.spec.type === 'k-of-n');
      if ((input.expectComplete ?? true) && !straggler) {
        violations.push(`${instance} is reached by committed decisions but never committed`);
      }
      continue;
    }
    const record = parseStored(stepRecordSchema, raw, key);
    reached.set(instance, { node: fn.name, record });
    if (record.status === 'failed') {
      if (result?.status !== 'failed') {
        violations.push(`${instance} committed a failure but the execution result is not failed`);
      }
      continue;
    }
    for (const route of routesOf(fn, record, next.scope, ir)) {
      switch (route.kind) {
        case 'invoke':
          queue.push({ fn: route.target, scope: route.scope });
          break;
        case 'map-next':
          queue.push({ fn: route.successor.target, scope: route.scope });
          break;
        case 'empty-map': {
          if (route.join !== undefined) {
            queue.push({ fn: route.join, scope: route.joinScope });
            break;
          }
          // A map collected by a trigger: no object arrives; a fan-out trigger's join gets [].
          const trigger = Object.values(ir.functions).find(
            (f) => f.kind === 'trigger' && f.fanOut === fn.name,
          );
          if (trigger === undefined) {
            violations.push(`${instance}: the IR has no join for this map`);
            break;
          }
          const join = Object.values(ir.functions).find(
            (f) => f.kind === 'join' && f.fanOut === trigger.name,
          );
          if (trigger.kind === 'trigger' && trigger.fansOut && join !== undefined) {
            queue.push({ fn: join.name, scope: route.joinScope });
          }
          break;
        }
        case 'fill':
        case 'skip': {
          const joinKey = keys.join(execution, route.join.join, route.joinScope);
          let slots = slotCache.get(joinKey);
          if (slots === undefined) {
            slots = await readJoinSlots(store(route.join.store), joinKey);
            slotCache.set(joinKey, slots);
            const filled = slots.filter((s) => s !== undefined).length;
            if (slots.length !== route.size || filled !== route.size) {
              violations.push(`join record ${joinKey} has ${filled} of ${route.size} slots filled`);
            } else {
              queue.push({ fn: route.join.join, scope: route.joinScope });
            }
          }
          const slot = slots[route.slot];
          if (slot === undefined) {
            violations.push(`${instance} did not fill slot ${route.slot} of ${joinKey}`);
          } else {
            const value = parseStored(slotValueSchema, slot, joinKey);
            if ('skip' in value !== (route.kind === 'skip')) {
              violations.push(`slot ${route.slot} of ${joinKey} holds the wrong kind of value`);
            }
          }
          break;
        }
        case 'emit': {
          const emitted =
            record.emits !== undefined && record.emits.length > 0
              ? record.emits.map((e) => e.key)
              : [instance];
          const check = await checkEmit(
            store(route.target.store),
            execution,
            route,
            instance,
            emitted,
            slotCache,
            (trigger) =>
              Object.values(ir.functions).find((f) => f.kind === 'join' && f.fanOut === trigger)
                ?.name,
            deployment,
          );
          for (const v of check.violations) violations.push(`${instance}: ${v}`);
          queue.push(...check.runs);
          break;
        }
        case 'result':
          resultSeen = true;
          if (result?.status === 'succeeded') {
            if (JSON.stringify(result.output) !== JSON.stringify(record.output)) {
              violations.push(
                `the execution result differs from the output of terminal ${instance}`,
              );
            }
          } else if (input.expectComplete ?? true) {
            violations.push(`terminal ${instance} committed but the execution did not succeed`);
          }
          break;
      }
    }
  }
  if (result?.status === 'succeeded' && !resultSeen) {
    violations.push('the execution succeeded but no reached terminal instance produced the result');
  }
  if (result?.status === 'failed' && reached.get(result.instance)?.record.status !== 'failed') {
    violations.push(
      `the failed result names ${result.instance}, which has no reached failure record`,
    );
  }

  checkTrace(execution, reached, events, result, violations);
  await checkOnce(ir, execution, store, events, reached, violations);
  return { ok: violations.length === 0, violations, instances: reached.size };
}

function checkTrace(
  execution: string,
  reached: Map<string, { node: string; record: StepRecord }>,
  events: readonly TraceEvent[],
  result: ResultRecord | undefined,
  violations: string[],
): void {
  const ids = new Set(events.map((e) => e.id));
  const commits = new Map<string, Set<string>>();
  const started = new Set<string>();
  for (const e of events) {
    if (e.kind === 'step.started') started.add(e.instance);
    if (e.kind !== 'step.succeeded') continue;
    let set = commits.get(e.instance);
    if (set === undefined) {
      set = new Set();
      commits.set(e.instance, set);
    }
    set.add(e.id);
  }
  for (const [instance, set] of commits) {
    if (set.size > 1)
      violations.push(`${instance} committed twice in the trace (${[...set].join(', ')})`);
    if (!reached.has(instance))
      violations.push(`${instance} committed but no committed decision reaches it`);
  }
  for (const [instance, { record }] of reached) {
    const kind = record.status === 'succeeded' ? 'step.succeeded' : 'step.failed';
    if (!ids.has(traceEventId(execution, instance, kind, record.attempt))) {
      violations.push(`trace event lost: ${kind} of ${instance}`);
    }
    if (!started.has(instance)) violations.push(`trace event lost: step.started of ${instance}`);
  }
  if (result !== undefined) {
    const kind = result.status === 'succeeded' ? 'execution.succeeded' : 'execution.failed';
    if (!events.some((e) => e.kind === kind)) violations.push(`trace event lost: ${kind}`);
  }
}

async function checkOnce(
  ir: WorkflowIR,
  execution: string,
  store: (cloud: string) => KeyValueStore,
  events: readonly TraceEvent[],
  reached: Map<string, { node: string; record: StepRecord }>,
  violations: string[],
): Promise<void> {
  const seen = new Set<string>();
  for (const e of events) {
    if (e.kind !== 'once.ran' || seen.has(e.id)) continue;
    seen.add(e.id);
    const onceKey = (e.input as { onceKey?: unknown } | undefined)?.onceKey;
    const fn = ir.functions[e.node];
    if (typeof onceKey !== 'string' || fn === undefined) {
      violations.push(`once event ${e.id} names no once key or function`);
      continue;
    }
    const memo = await store(fn.homeStore).get(keys.once(execution, e.instance, onceKey));
    if (memo === undefined)
      violations.push(`once effect ${onceKey} of ${e.instance} ran but has no memo`);
    if (!reached.has(e.instance))
      violations.push(`once effect ran in ${e.instance}, which is not reached`);
  }
}
