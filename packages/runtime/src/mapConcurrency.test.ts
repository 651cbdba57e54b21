import { type GraphInput, parseInstanceKey, type WorkflowIR } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
import { loadCompiled, runToEnd } from './compiledRuns';
import type { MemoryFaults } from './memoryPorts';
import type { TraceEvent } from './messages';
import { compareHlc } from './summary/hlc';

/**
 * A map's `maxConcurrency`: the map invokes only the first n elements, and the branch of element
 * k starts element k + n once its slot is filled. Checked through the real compiler under the
 * fault harness: the result equals the unbounded map's, and the trace never shows more than n
 * branches started and not yet committed.
 */

const code = (body: string) => `export async function handler(input: any) { ${body} }`;

function bounded(maxConcurrency: number | undefined, extra: { nested?: boolean } = {}): GraphInput {
  const map = {
    kind: 'map' as const,
    name: 'm',
    cloud: 'aws-local',
    items: '$',
    ...(maxConcurrency === undefined ? {} : { maxConcurrency }),
  };
  if (extra.nested) {
    // A loop inside each branch: the edge into the join leaves two scopes.
    return {
      name: 'bounded-loop-in-map',
      nodes: [
        map,
        { kind: 'task', name: 'pre', cloud: 'aws-local', code: code('return input.v + input.i;') },
        {
          kind: 'task',
          name: 'inc',
          cloud: 'aliyun-local',
          failover: ['aws-local'],
          code: code('return input + 10;'),
        },
        { kind: 'loop', name: 'l', cloud: 'aws-local', maxIterations: 10 },
        { kind: 'task', name: 'post', cloud: 'aws-local', code: code('return input;') },
        { kind: 'join', name: 'j', cloud: 'aws-local', fanOut: 'm' },
      ],
      edges: [
        { id: 'e1', source: 'm', target: 'pre', mapping: '{ "v": $, "i": $index }' },
        { id: 'e2', source: 'pre', target: 'inc' },
        { id: 'e3', source: 'inc', target: 'l' },
        { id: 'e4', source: 'l', target: 'inc', guard: '$iteration < 2' },
        { id: 'e5', source: 'l', target: 'post' },
        { id: 'e6', source: 'post', target: 'j' },
      ],
    };
  }
  return {
    name: 'bounded-map',
    nodes: [
      { kind: 'task', name: 's', cloud: 'aws-local', code: code('return input;') },
      map,
      {
        kind: 'task',
        name: 'pre',
        cloud: 'aws-local',
        code: code('return input.v * 10 + input.i;'),
      },
      {
        kind: 'task',
        name: 'sq',
        cloud: 'aliyun-local',
        failover: ['aws-local'],
        code: code('return input * input;'),
      },
      { kind: 'join', name: 'j', cloud: 'aws-local', fanOut: 'm' },
      {
        kind: 'task',
        name: 'out',
        cloud: 'aws-local',
        code: code(
          'return { total: input.reduce((a: number, b: number) => a + b, 0), each: input };',
        ),
      },
    ],
    edges: [
      { id: 'e1', source: 's', target: 'm' },
      { id: 'e2', source: 'm', target: 'pre', mapping: '{ "v": $, "i": $index }' },
      { id: 'e3', source: 'pre', target: 'sq' },
      { id: 'e4', source: 'sq', target: 'j' },
      { id: 'e5', source: 'j', target: 'out' },
    ],
  };
}

/**
 * The most branches of map `m` in flight at once, from the trace: a branch is in flight from the
 * first `step.started` of any instance under `map:m=k` to the commit (`step.succeeded`) of its
 * step that fills the join's slot. Events are ordered by their hybrid logical clock, which
 * follows every invoke (the successor's start orders after its sender's commit).
 */
function maxBranchesInFlight(ir: WorkflowIR, events: readonly TraceEvent[]): number {
  const joining = new Set(
    Object.values(ir.functions)
      .filter((f) => f.continuations.some((c) => c.join?.slot.kind === 'map-index'))
      .map((f) => f.name),
  );
  const begin = new Map<number, string>();
  const end = new Map<number, string>();
  for (const e of events) {
    const { node, scope } = parseInstanceKey(e.instance);
    const entry = scope.find((s) => s.kind === 'map' && s.name === 'm');
    if (entry === undefined) continue;
    const k = entry.index;
    if (e.kind === 'step.started') {
      const first = begin.get(k);
      if (first === undefined || compareHlc(e.hlc, first) < 0) begin.set(k, e.hlc);
    }
    if (e.kind === 'step.succeeded' && joining.has(node)) {
      const first = end.get(k);
      if (first === undefined || compareHlc(e.hlc, first) < 0) end.set(k, e.hlc);
    }
  }
  const marks: { hlc: string; delta: number }[] = [];
  for (const [k, hlc] of begin) {
    const done = end.get(k);
    if (done === undefined) throw new Error(`branch ${k} started but never committed`);
    marks.push({ hlc, delta: 1 }, { hlc: done, delta: -1 });
  }
  // On equal stamps an end goes first (it cannot be equal: stamps are unique per process).
  marks.sort((a, b) => compareHlc(a.hlc, b.hlc) || a.delta - b.delta);
  let inFlight = 0;
  let most = 0;
  for (const m of marks) {
    inFlight += m.delta;
    most = Math.max(most, inFlight);
  }
  return most;
}

const faultMixes: { name: string; faults: MemoryFaults }[] = [
  { name: 'fault-free', faults: {} },
  { name: 'duplicates + reorder', faults: { seed: 5, duplicate: 0.4, reorder: true } },
  {
    name: 'crashes at each point',
    faults: {
      seed: 7,
      crash: { 'before-commit': 0.15, 'after-commit': 0.15, 'before-invoke': 0.15 },
    },
  },
  { name: 'drops (watchdog redrive)', faults: { seed: 11, drop: 0.1, reorder: true } },
  {
    name: 'everything + aliyun down',
    faults: {
      seed: 3,
      duplicate: 0.2,
      drop: 0.05,
      reorder: true,
      crash: { 'before-commit': 0.1, 'after-commit': 0.1, 'before-invoke': 0.1 },
      down: ['aliyun-local'],
    },
  },
];

describe('map maxConcurrency', () => {
  it('the compiler carries the bound to the map and to the branch that fills the join', async () => {
    const { ir } = await loadCompiled(bounded(3));
    const m = ir.functions.m;
    expect(m?.kind === 'map' && m.maxConcurrency).toBe(3);
    const fill = ir.functions.sq?.continuations[0];
    expect(fill?.mapSuccessor).toMatchObject({
      map: 'm',
      maxConcurrency: 3,
      target: 'pre',
      mapStore: 'aws-local',
    });
    const { ir: unbounded } = await loadCompiled(bounded(undefined));
    expect(unbounded.functions.sq?.continuations[0]?.mapSuccessor).toBeUndefined();
  });

  for (const { name, faults } of faultMixes) {
    it(`equals the unbounded map and keeps at most n branches in flight: ${name}`, async () => {
      const boundedGraph = await loadCompiled(bounded(3));
      const unboundedGraph = await loadCompiled(bounded(undefined));
      for (const input of [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [4, 5], [], [2, 2, 2]]) {
        // The edge out of the map sees `$index`, so element k + n must get its own index.
        const each = input.map((v, i) => (v * 10 + i) ** 2);
        const expected = { total: each.reduce((a, b) => a + b, 0), each };
        const plain = await runToEnd(unboundedGraph.ir, unboundedGraph.handlers, input, { faults });
        const run = await runToEnd(boundedGraph.ir, boundedGraph.handlers, input, { faults });
        expect(run.report.violations).toEqual([]);
        expect(plain.result).toMatchObject({ status: 'succeeded', output: expected });
        expect(run.result, JSON.stringify(input)).toMatchObject({
          status: 'succeeded',
          output: expected,
        });
        expect(maxBranchesInFlight(boundedGraph.ir, run.events)).toBeLessThanOrEqual(3);
      }
    });
  }

  it('the in-flight measure sees the unbounded map start every branch at once', async () => {
    const { ir, handlers } = await loadCompiled(bounded(undefined));
    const input = Array.from({ length: 12 }, (_, i) => i);
    const run = await runToEnd(ir, handlers, input, {});
    expect(maxBranchesInFlight(ir, run.events)).toBe(12);
    const boundedGraph = await loadCompiled(bounded(3));
    const limited = await runToEnd(boundedGraph.ir, boundedGraph.handlers, input, {});
    expect(maxBranchesInFlight(boundedGraph.ir, limited.events)).toBe(3);
  });

  it('a loop inside a bounded map (the join edge leaves two scopes), under faults', async () => {
    const boundedGraph = await loadCompiled(bounded(2, { nested: true }));
    const input = [1, 2, 3, 4, 5, 6, 7];
    const expected = input.map((v, i) => v + i + 30);
    for (const { name, faults: mix } of faultMixes) {
      // Element k is reached only through k - n, k - 2n…: here 4 branches of 8 hops, a chain of
      // ~30 hops. A redrive re-walks it from the start (at 10 % drops per invoke a walk rarely
      // gets through in the harness's 30 rounds), and every duplicate is re-followed down the
      // whole chain (at 40 % that is ~1.4^30 copies). Both are the costs of a long chain, said
      // in the README; here the rates are 3 % and 15 %.
      const faults = {
        ...mix,
        drop: Math.min(mix.drop ?? 0, 0.03),
        duplicate: Math.min(mix.duplicate ?? 0, 0.15),
      };
      const run = await runToEnd(boundedGraph.ir, boundedGraph.handlers, input, { faults });
      expect(run.report.violations, name).toEqual([]);
      expect(run.result).toMatchObject({ status: 'succeeded', output: expected });
      expect(maxBranchesInFlight(boundedGraph.ir, run.events)).toBeLessThanOrEqual(2);
    }
  });

  it('costs one more store read per branch that starts a successor (W - n), fault-free', async () => {
    for (const [width, n] of [
      [1, 1],
      [10, 3],
      [100, 7],
    ] as const) {
      const items = Array.from({ length: width }, (_, i) => i);
      const b = await loadCompiled(bounded(n));
      const u = await loadCompiled(bounded(undefined));
      const withBound = await runToEnd(b.ir, b.handlers, items, {});
      const without = await runToEnd(u.ir, u.handlers, items, {});
      expect(withBound.cloud.storeOps() - without.cloud.storeOps()).toBe(
        width - Math.min(n, width),
      );
    }
  });
});
