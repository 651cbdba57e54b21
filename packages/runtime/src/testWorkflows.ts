import type { Continuation, FunctionIR, JoinTarget, WorkflowIR } from '@jointflow/ir';

/**
 * Hand-written IR for the runtime's own tests (what the compiler would emit for small graphs).
 * Not exported from the package.
 */

type Common = Omit<FunctionIR, 'kind' | 'terminal' | 'continuations'>;

function common(name: string, extra: Partial<Common> = {}): Common {
  return {
    name,
    cloud: 'a',
    failover: [],
    homeStore: 'a',
    memoryMb: 256,
    timeoutMs: 30_000,
    retries: 0,
    functionClass: 'cpu',
    expensive: false,
    code: '',
    routing: 'all',
    ...extra,
  };
}

export function cont(target: string, extra: Partial<Continuation> = {}): Continuation {
  return {
    target,
    cloud: 'a',
    failover: [],
    mode: 'one',
    scope: { op: 'keep' },
    skip: [],
    transfer: 'auto',
    inlineLimitBytes: 100_000,
    ...extra,
  };
}

/** A join target as the compiler emits it (where the join runs is not part of it). */
export function joinAt(join: string, slot: JoinTarget['slot'], store = 'a'): JoinTarget {
  return { join, slot, store };
}

export function task(
  name: string,
  continuations: Continuation[],
  extra: Partial<Common> = {},
): FunctionIR {
  return {
    ...common(name, { code: 'export const handler = (x) => x;', ...extra }),
    kind: 'task',
    continuations,
    terminal: continuations.length === 0,
  };
}

export function mapFn(name: string, continuations: Continuation[], items = '$'): FunctionIR {
  return {
    ...common(name),
    kind: 'map',
    items,
    maxItems: 10_000,
    continuations,
    terminal: continuations.length === 0,
  };
}

export function joinFn(
  name: string,
  fanOut: string,
  continuations: Continuation[],
  extra: { collect?: 'array' | 'taken'; store?: string; code?: string } = {},
): FunctionIR {
  return {
    ...common(name, { code: extra.code ?? '' }),
    kind: 'join',
    fanOut,
    collect: extra.collect ?? 'array',
    store: extra.store ?? 'a',
    continuations,
    terminal: continuations.length === 0,
  };
}

export function choiceFn(name: string, continuations: Continuation[]): FunctionIR {
  return {
    ...common(name, { routing: 'first' }),
    kind: 'choice',
    continuations,
    terminal: false,
  };
}

export function loopFn(
  name: string,
  maxIterations: number,
  continuations: Continuation[],
): FunctionIR {
  return {
    ...common(name, { routing: 'first' }),
    kind: 'loop',
    maxIterations,
    continuations,
    terminal: false,
  };
}

export function workflow(start: string, functions: FunctionIR[], resultStore = 'a'): WorkflowIR {
  const byName: Record<string, FunctionIR> = {};
  for (const fn of [...functions].sort((x, y) => x.name.localeCompare(y.name)))
    byName[fn.name] = fn;
  return { format: 1, workflow: 'test', version: 'v1', start, resultStore, functions: byName };
}

/** a → b → c: (x + 1) * 2 - 3. */
export const chainIr = workflow('a', [
  task('a', [cont('b')]),
  task('b', [cont('c')]),
  task('c', []),
]);
export const chainHandlers = {
  a: (x: unknown) => (x as number) + 1,
  b: (x: unknown) => (x as number) * 2,
  c: (x: unknown) => (x as number) - 3,
};

/** split → (left, right) → join → sum. */
export const parallelIr = workflow('split', [
  task('split', [cont('left'), cont('right')]),
  task('left', [
    cont('j', { mode: 'join', join: joinAt('j', { kind: 'static', slot: 0, size: 2 }) }),
  ]),
  task('right', [
    cont('j', { mode: 'join', join: joinAt('j', { kind: 'static', slot: 1, size: 2 }) }),
  ]),
  joinFn('j', 'split', [cont('sum')]),
  task('sum', []),
]);
export const parallelHandlers = {
  split: (x: unknown) => x,
  left: (x: unknown) => `L${String(x)}`,
  right: (x: unknown) => `R${String(x)}`,
  sum: (x: unknown) => (x as string[]).join('+'),
};

const mapJoin = joinAt('j', { kind: 'map-index', map: 'm' });
/** m over `$.items` → work (x * 2) → j (array) → total (sum). */
export const mapIr = workflow('m', [
  mapFn('m', [cont('work', { mode: 'each', scope: { op: 'push-map', map: 'm' } })], '$.items'),
  task('work', [cont('j', { mode: 'join', join: mapJoin, scope: { op: 'pop', count: 1 } })]),
  joinFn('j', 'm', [cont('total')]),
  task('total', []),
]);
export const mapHandlers = {
  work: (x: unknown) => (x as number) * 2,
  total: (x: unknown) => (x as number[]).reduce((a, b) => a + b, 0),
};

/** c: positive → pos, else neg; both rejoin at j (collect taken) → out. */
const choiceSlot0 = joinAt('j', { kind: 'static', slot: 0, size: 2 });
const choiceSlot1 = joinAt('j', { kind: 'static', slot: 1, size: 2 });
export const choiceIr = workflow('c', [
  choiceFn('c', [
    cont('pos', { guard: '$ > 0', skip: [choiceSlot0] }),
    cont('neg', { skip: [choiceSlot1] }),
  ]),
  task('pos', [cont('j', { mode: 'join', join: choiceSlot0 })]),
  task('neg', [cont('j', { mode: 'join', join: choiceSlot1 })]),
  joinFn('j', 'c', [cont('out')], { collect: 'taken' }),
  task('out', []),
]);
export const choiceHandlers = {
  pos: (x: unknown) => `positive ${String(x)}`,
  neg: (x: unknown) => `not positive ${String(x)}`,
  out: (x: unknown) => x,
};

/** enter → inc (loop body, x + 1) → l: back to inc while `$ < 5` (max 10) → done. */
export const loopIr = workflow('enter', [
  task('enter', [cont('inc', { scope: { op: 'push-loop', loop: 'l' } })]),
  task('inc', [cont('l')]),
  loopFn('l', 10, [
    cont('inc', { guard: '$ < 5', scope: { op: 'bump-loop', loop: 'l' } }),
    cont('done', { scope: { op: 'pop', count: 1 } }),
  ]),
  task('done', []),
]);
export const loopHandlers = {
  enter: (x: unknown) => x,
  inc: (x: unknown) => (x as number) + 1,
  done: (x: unknown) => ({ final: x }),
};

/** A map inside a loop: each iteration doubles every element, three iterations. */
const innerJoin = joinAt('j', { kind: 'map-index', map: 'm' });
export const mapInLoopIr = workflow('enter', [
  task('enter', [cont('m', { scope: { op: 'push-loop', loop: 'l' } })]),
  mapFn('m', [cont('sq', { mode: 'each', scope: { op: 'push-map', map: 'm' } })]),
  task('sq', [cont('j', { mode: 'join', join: innerJoin, scope: { op: 'pop', count: 1 } })]),
  joinFn('j', 'm', [cont('l')]),
  loopFn('l', 10, [
    cont('m', { guard: '$iteration < 2', scope: { op: 'bump-loop', loop: 'l' } }),
    cont('done', { scope: { op: 'pop', count: 1 } }),
  ]),
  task('done', []),
]);
export const mapInLoopHandlers = {
  enter: (x: unknown) => x,
  sq: (x: unknown) => (x as number) * 2,
  done: (x: unknown) => x,
};

/** A loop inside a map: every element gets +10 three times, then the map joins. */
const outerJoin = joinAt('j', { kind: 'map-index', map: 'm' });
export const loopInMapIr = workflow('m', [
  mapFn('m', [cont('pre', { mode: 'each', scope: { op: 'push-map', map: 'm' } })]),
  task('pre', [cont('inc', { scope: { op: 'push-loop', loop: 'l' } })]),
  task('inc', [cont('l')]),
  loopFn('l', 10, [
    cont('inc', { guard: '$iteration < 2', scope: { op: 'bump-loop', loop: 'l' } }),
    cont('j', { mode: 'join', join: outerJoin, scope: { op: 'pop', count: 2 } }),
  ]),
  joinFn('j', 'm', []),
]);
export const loopInMapHandlers = {
  pre: (x: unknown) => x,
  inc: (x: unknown) => (x as number) + 10,
};
