import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from './compile';
import { defaultCloudProfiles } from './defaultClouds';
import type { GraphInput } from './graph';
import { workflowIRSchema } from './ir';

/** A structured workflow, lowered to a graph the compiler must accept. */
type Step =
  | { t: 'task' }
  | { t: 'par'; branches: Step[][] }
  | { t: 'choice'; branches: Step[][]; join: boolean }
  | { t: 'map'; body: Step[] }
  | { t: 'loop'; body: Step[]; shape: 'do' | 'while' };

const { block } = fc.letrec<{ block: Step[]; step: Step }>((tie) => ({
  block: fc.array(tie('step'), { minLength: 1, maxLength: 2 }),
  step: fc.oneof(
    { depthSize: 'xsmall', withCrossShrink: true },
    fc.constant<Step>({ t: 'task' }),
    fc.record({
      t: fc.constant('par' as const),
      branches: fc.array(tie('block'), { minLength: 2, maxLength: 3 }),
    }),
    fc.record({
      t: fc.constant('choice' as const),
      branches: fc.array(tie('block'), { minLength: 1, maxLength: 3 }),
      join: fc.boolean(),
    }),
    fc.record({ t: fc.constant('map' as const), body: tie('block') }),
    fc.record({
      t: fc.constant('loop' as const),
      body: tie('block'),
      shape: fc.constantFrom('do' as const, 'while' as const),
    }),
  ),
}));

type NodeSpec = GraphInput['nodes'][number];
/** A node spec without name and cloud, per node kind. */
type UnnamedNode = NodeSpec extends infer N
  ? N extends unknown
    ? Omit<N, 'name' | 'cloud'>
    : never
  : never;

const code = 'export async function handler(input) { return input; }';
const clouds = defaultCloudProfiles;

function lower(steps: Step[], cloudBits: number[]): GraphInput {
  const nodes: GraphInput['nodes'] = [];
  const edges: GraphInput['edges'] = [];
  let counter = 0;
  const cloud = () =>
    (cloudBits[counter % Math.max(1, cloudBits.length)] ?? 0) === 1 ? 'aliyun-local' : 'aws-local';
  const add = (node: UnnamedNode): string => {
    const name = `n${counter++}`;
    nodes.push({ ...node, name, cloud: cloud() } as NodeSpec);
    return name;
  };
  const task = () => add({ kind: 'task', code });
  const edge = (source: string, target: string, guard?: string) => {
    const e: GraphInput['edges'][number] = { id: `e${edges.length}`, source, target };
    if (guard !== undefined) e.guard = guard;
    edges.push(e);
  };
  // Lowers a block; every block starts with a task, so no edge both leaves and enters a scope.
  const lowerBlock = (block: Step[]): { first: string; last: string } => {
    const first = task();
    let last = first;
    for (const step of block) {
      const part = lowerStep(step);
      edge(last, part.first);
      last = part.last;
    }
    return { first, last };
  };
  const lowerStep = (step: Step): { first: string; last: string } => {
    switch (step.t) {
      case 'task': {
        const t = task();
        return { first: t, last: t };
      }
      case 'par': {
        const fork = task();
        const join = add({ kind: 'join', fanOut: fork });
        for (const branch of step.branches) {
          const b = lowerBlock(branch);
          edge(fork, b.first);
          edge(b.last, join);
        }
        return { first: fork, last: join };
      }
      case 'choice': {
        const before = task();
        const choice = add({ kind: 'choice' });
        edge(before, choice);
        const end = step.join ? add({ kind: 'join', fanOut: choice }) : task();
        step.branches.forEach((branch, i) => {
          const b = lowerBlock(branch);
          edge(choice, b.first, i < step.branches.length - 1 ? `$count($) = ${i}` : undefined);
          edge(b.last, end);
        });
        return { first: before, last: end };
      }
      case 'map': {
        const before = task();
        const map = add({ kind: 'map', items: '[1, 2]' });
        const join = add({ kind: 'join', fanOut: map });
        edge(before, map);
        const body = lowerBlock(step.body);
        edge(map, body.first);
        edge(body.last, join);
        return { first: before, last: join };
      }
      case 'loop': {
        const before = task();
        const loop = add({ kind: 'loop', maxIterations: 5 });
        const after = task();
        const body = lowerBlock(step.body);
        if (step.shape === 'do') {
          edge(before, body.first);
          edge(body.last, loop);
        } else {
          edge(before, loop);
          edge(body.last, loop);
        }
        edge(loop, body.first, '$iteration < 2');
        edge(loop, after);
        return { first: before, last: after };
      }
    }
  };
  lowerBlock(steps);
  return { name: 'generated', nodes, edges };
}

const graphs = fc
  .tuple(block, fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 7 }))
  .map(([b, bits]) => lower(b, bits));

describe('compile (properties)', () => {
  it('compiles random valid graphs deterministically into IR that survives JSON and is closed', () => {
    fc.assert(
      fc.property(graphs, (graph) => {
        const result = compile(graph, { clouds });
        expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        const ir = result.ir;
        if (!ir) throw new Error('no IR');
        expect(JSON.stringify(compile(graph, { clouds }))).toBe(JSON.stringify(result));
        expect(JSON.parse(JSON.stringify(ir))).toStrictEqual(ir);
        expect(workflowIRSchema.parse(JSON.parse(JSON.stringify(ir)))).toStrictEqual(ir);
        expect(Object.keys(ir.functions).sort()).toEqual(graph.nodes.map((n) => n.name).sort());
        for (const fn of Object.values(ir.functions)) {
          for (const c of fn.continuations) {
            expect(ir.functions[c.target]).toBeDefined();
            if (c.join) expect(ir.functions[c.join.join]?.kind).toBe('join');
            for (const s of c.skip) expect(ir.functions[s.join]?.kind).toBe('join');
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('turns random corruptions into diagnostics, never exceptions', () => {
    const corruption = fc.oneof(
      fc.record({ kind: fc.constant('drop-node' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('drop-edge' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('retarget' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('unguard' as const), at: fc.nat() }),
      fc.record({
        kind: fc.constant('field' as const),
        at: fc.nat(),
        key: fc.constantFrom(
          'kind',
          'name',
          'cloud',
          'fanOut',
          'items',
          'code',
          'memoryMb',
          'failover',
          'bogus',
        ),
        value: fc.jsonValue({ maxDepth: 2 }),
      }),
      fc.record({ kind: fc.constant('replace' as const), value: fc.anything() }),
    );
    fc.assert(
      fc.property(graphs, corruption, (graph, c) => {
        const g = structuredClone(graph) as {
          nodes: Record<string, unknown>[];
          edges: Record<string, unknown>[];
        };
        let mustFail = false;
        let input: unknown = g;
        const node = g.nodes[c.kind === 'replace' ? 0 : c.at % g.nodes.length];
        const edge =
          g.edges.length === 0
            ? undefined
            : g.edges[c.kind === 'replace' ? 0 : c.at % g.edges.length];
        switch (c.kind) {
          case 'drop-node':
            g.nodes.splice(c.at % g.nodes.length, 1);
            mustFail = g.edges.length > 0 || g.nodes.length === 0;
            break;
          case 'drop-edge':
            if (edge) g.edges.splice(g.edges.indexOf(edge), 1);
            break;
          case 'retarget':
            if (edge) {
              edge.target = 'ghost';
              mustFail = true;
            }
            break;
          case 'duplicate':
            if (node) g.nodes.push({ ...node });
            mustFail = true;
            break;
          case 'unguard': {
            const back = g.edges.find(
              (e) => typeof e.guard === 'string' && e.guard.startsWith('$iteration'),
            );
            if (back) {
              delete back.guard;
              mustFail = true;
            }
            break;
          }
          case 'field':
            if (node) node[c.key] = c.value;
            break;
          case 'replace':
            input = c.value;
            mustFail = true;
            break;
        }
        const result = compile(input, { clouds });
        const errors = result.diagnostics.filter((d) => d.severity === 'error');
        expect(errors.map((d) => d.code)).not.toContain('IR_INTERNAL');
        expect(result.ir === undefined).toBe(errors.length > 0);
        if (mustFail) expect(errors.length).toBeGreaterThan(0);
        for (const d of result.diagnostics) expect(d.message.length).toBeGreaterThan(10);
      }),
      { numRuns: 200 },
    );
  });
});
