import { describe, expect, it } from 'vitest';
import { compile } from './compile';
import { defaultCloudProfiles } from './defaultClouds';
import type { GraphInput } from './graph';
import type { Continuation, FunctionIR, WorkflowIR } from './ir';
import { irVersion } from './irVersion';

const code = 'export async function handler(input) { return input; }';
const clouds = defaultCloudProfiles;

type NodeSpec = GraphInput['nodes'][number];

function task(name: string, extra: Partial<NodeSpec> = {}): NodeSpec {
  return { kind: 'task', name, code, cloud: 'aws-local', ...extra } as NodeSpec;
}

function graph(nodes: NodeSpec[], edges: [string, string, string?][]): GraphInput {
  return {
    name: 'test',
    nodes,
    edges: edges.map(([source, target, guard], i) =>
      guard === undefined
        ? { id: `e${i + 1}`, source, target }
        : { id: `e${i + 1}`, source, target, guard },
    ),
  };
}

function compiled(input: unknown): WorkflowIR {
  const result = compile(input, { clouds });
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  if (!result.ir) throw new Error('no IR');
  return result.ir;
}

function fn(ir: WorkflowIR, name: string): FunctionIR {
  const f = ir.functions[name];
  if (!f) throw new Error(`no function ${name}`);
  return f;
}

function cont(ir: WorkflowIR, from: string, to: string): Continuation {
  const c = fn(ir, from).continuations.find((x) => x.target === to);
  if (!c) throw new Error(`no continuation ${from} -> ${to}`);
  return c;
}

function codes(input: unknown): string[] {
  return compile(input, { clouds }).diagnostics.map((d) => d.code);
}

describe('compile: shapes', () => {
  it('compiles a chain across clouds with inline limits of the target and its failovers', () => {
    const ir = compiled(
      graph(
        [task('a'), task('b', { cloud: 'aws-local', failover: ['aliyun-local'] }), task('c')],
        [
          ['a', 'b'],
          ['b', 'c'],
        ],
      ),
    );
    expect(ir.start).toBe('a');
    expect(ir.resultStore).toBe('aws-local');
    expect(cont(ir, 'a', 'b')).toMatchObject({
      mode: 'one',
      scope: { op: 'keep' },
      cloud: 'aws-local',
      failover: ['aliyun-local'],
      inlineLimitBytes: 131_072 - 4096,
      skip: [],
    });
    expect(cont(ir, 'b', 'c').inlineLimitBytes).toBe(1_048_576 - 4096);
    expect(fn(ir, 'c').terminal).toBe(true);
    expect(fn(ir, 'a').homeStore).toBe('aws-local');
    expect(ir.version).toBe(irVersion(ir));
  });

  it('compiles a parallel fan-out with static join slots in the order of the join inputs', () => {
    const ir = compiled(
      graph(
        [
          task('split'),
          task('left', { cloud: 'aliyun-local' }),
          task('right', { cloud: 'aliyun-local' }),
          task('mid'),
          { kind: 'join', name: 'gather', fanOut: 'split', cloud: 'aws-local' },
        ],
        [
          ['split', 'left'],
          ['split', 'right'],
          ['split', 'mid'],
          ['right', 'gather'],
          ['left', 'gather'],
          ['mid', 'gather'],
        ],
      ),
    );
    expect(fn(ir, 'split').routing).toBe('all');
    expect(cont(ir, 'right', 'gather').join).toEqual({
      join: 'gather',
      slot: { kind: 'static', slot: 0, size: 3 },
      store: 'aliyun-local',
    });
    expect(cont(ir, 'left', 'gather').join?.slot).toEqual({ kind: 'static', slot: 1, size: 3 });
    expect(cont(ir, 'mid', 'gather').mode).toBe('join');
    expect(fn(ir, 'gather')).toMatchObject({
      kind: 'join',
      collect: 'array',
      store: 'aliyun-local',
    });
  });

  it('puts a join record where its own cloud is on a tie', () => {
    const ir = compiled(
      graph(
        [
          task('split'),
          task('x', { cloud: 'aliyun-local' }),
          task('y', { cloud: 'aws-local' }),
          { kind: 'join', name: 'j', fanOut: 'split', cloud: 'aliyun-local' },
        ],
        [
          ['split', 'x'],
          ['split', 'y'],
          ['x', 'j'],
          ['y', 'j'],
        ],
      ),
    );
    expect(fn(ir, 'j')).toMatchObject({ store: 'aliyun-local' });
  });

  it('orders choice branches with the default last and sends skips to a reconverging join', () => {
    const ir = compiled(
      graph(
        [
          task('start'),
          { kind: 'choice', name: 'pick', cloud: 'aws-local' },
          task('small'),
          task('big'),
          { kind: 'join', name: 'done', fanOut: 'pick', cloud: 'aws-local' },
        ],
        [
          ['start', 'pick'],
          ['pick', 'small'],
          ['pick', 'big', 'n > 10'],
          ['small', 'done'],
          ['big', 'done'],
        ],
      ),
    );
    const pick = fn(ir, 'pick');
    expect(pick.routing).toBe('first');
    expect(pick.continuations.map((c) => c.target)).toEqual(['big', 'small']);
    expect(cont(ir, 'pick', 'big').guard).toBe('n > 10');
    expect(cont(ir, 'pick', 'big').skip).toEqual([
      { join: 'done', slot: { kind: 'static', slot: 1, size: 2 }, store: 'aws-local' },
    ]);
    expect(cont(ir, 'pick', 'small').skip[0]?.slot).toEqual({ kind: 'static', slot: 0, size: 2 });
    expect(fn(ir, 'done')).toMatchObject({ collect: 'taken' });
  });

  it('lets choice branches reconverge on a plain task without a join', () => {
    const ir = compiled(
      graph(
        [task('s'), { kind: 'choice', name: 'c' }, task('x'), task('y'), task('z')],
        [
          ['s', 'c'],
          ['c', 'x', 'a'],
          ['c', 'y'],
          ['x', 'z'],
          ['y', 'z'],
        ],
      ),
    );
    expect(cont(ir, 'x', 'z')).toMatchObject({ mode: 'one', scope: { op: 'keep' } });
  });

  it('compiles a map: each + push-map out of the map, map-index + pop into the join', () => {
    const ir = compiled(
      graph(
        [
          task('split'),
          { kind: 'map', name: 'frames', items: 'frames', cloud: 'aws-local' },
          task('extract', { cloud: 'aliyun-local', functionClass: 'gpu' }),
          { kind: 'join', name: 'classify', fanOut: 'frames', cloud: 'aws-local', code },
        ],
        [
          ['split', 'frames'],
          ['frames', 'extract'],
          ['extract', 'classify'],
        ],
      ),
    );
    expect(fn(ir, 'frames')).toMatchObject({ kind: 'map', items: 'frames', maxItems: 10_000 });
    expect(cont(ir, 'frames', 'extract')).toMatchObject({
      mode: 'each',
      scope: { op: 'push-map', map: 'frames' },
    });
    expect(cont(ir, 'extract', 'classify')).toMatchObject({
      mode: 'join',
      scope: { op: 'pop', count: 1 },
      join: { join: 'classify', slot: { kind: 'map-index', map: 'frames' }, store: 'aliyun-local' },
    });
    expect(fn(ir, 'classify').code).toBe(code);
  });

  it('carries a map maxConcurrency to the map and to the branch that fills its join', () => {
    const bounded = (maxConcurrency: unknown) =>
      graph(
        [
          task('split'),
          { kind: 'map', name: 'frames', cloud: 'aws-local', maxConcurrency } as NodeSpec,
          task('extract', { cloud: 'aliyun-local', failover: ['aws-local'] }),
          { kind: 'join', name: 'classify', fanOut: 'frames', cloud: 'aws-local' },
        ],
        [
          ['split', 'frames'],
          ['frames', 'extract'],
          ['extract', 'classify'],
        ],
      );
    const ir = compiled(bounded(4));
    expect(fn(ir, 'frames')).toMatchObject({ kind: 'map', maxConcurrency: 4 });
    expect(cont(ir, 'extract', 'classify').mapSuccessor).toEqual({
      map: 'frames',
      maxConcurrency: 4,
      mapStore: 'aws-local',
      target: 'extract',
      cloud: 'aliyun-local',
      failover: ['aws-local'],
      transfer: 'auto',
      inlineLimitBytes: cont(ir, 'frames', 'extract').inlineLimitBytes,
    });
    for (const bad of [0, -2, 2.5]) {
      const result = compile(bounded(bad), { clouds });
      expect(result.ir).toBeUndefined();
      const problem = result.diagnostics.find((d) => d.code === 'IR_MAP_MAX_CONCURRENCY');
      expect(problem?.message).toContain(`map "frames" has maxConcurrency ${bad}`);
      expect(problem?.node).toBe('frames');
    }
  });

  it('compiles a do-while loop: push-loop in, bump-loop on the back edge, pop on the exit', () => {
    const ir = compiled(
      graph(
        [
          task('init'),
          task('refine'),
          { kind: 'loop', name: 'again', cloud: 'aws-local' },
          task('out'),
        ],
        [
          ['init', 'refine'],
          ['refine', 'again'],
          ['again', 'out'],
          ['again', 'refine', '$iteration < 4'],
        ],
      ),
    );
    expect(cont(ir, 'init', 'refine').scope).toEqual({ op: 'push-loop', loop: 'again' });
    expect(cont(ir, 'refine', 'again').scope).toEqual({ op: 'keep' });
    const again = fn(ir, 'again');
    expect(again.routing).toBe('first');
    expect(again.continuations.map((c) => [c.target, c.scope])).toEqual([
      ['refine', { op: 'bump-loop', loop: 'again' }],
      ['out', { op: 'pop', count: 1 }],
    ]);
  });

  it('compiles a while loop whose loop node is the header', () => {
    const ir = compiled(
      graph(
        [task('init'), { kind: 'loop', name: 'w' }, task('body'), task('done')],
        [
          ['init', 'w'],
          ['w', 'body', '$iteration < 3'],
          ['body', 'w'],
          ['w', 'done'],
        ],
      ),
    );
    expect(cont(ir, 'init', 'w').scope).toEqual({ op: 'push-loop', loop: 'w' });
    expect(cont(ir, 'w', 'body').scope).toEqual({ op: 'bump-loop', loop: 'w' });
    expect(cont(ir, 'body', 'w').scope).toEqual({ op: 'keep' });
    expect(cont(ir, 'w', 'done').scope).toEqual({ op: 'pop', count: 1 });
  });

  it('nests a map inside a loop and pops both on a loop exit straight after the join', () => {
    const ir = compiled(
      graph(
        [
          task('init'),
          task('prep'),
          { kind: 'map', name: 'm' },
          task('work'),
          { kind: 'join', name: 'j', fanOut: 'm' },
          { kind: 'loop', name: 'l' },
          task('end'),
        ],
        [
          ['init', 'prep'],
          ['prep', 'm'],
          ['m', 'work'],
          ['work', 'j'],
          ['j', 'l'],
          ['l', 'prep', '$iteration < 2'],
          ['l', 'end'],
        ],
      ),
    );
    expect(cont(ir, 'init', 'prep').scope).toEqual({ op: 'push-loop', loop: 'l' });
    expect(cont(ir, 'm', 'work').scope).toEqual({ op: 'push-map', map: 'm' });
    expect(cont(ir, 'work', 'j').scope).toEqual({ op: 'pop', count: 1 });
    expect(cont(ir, 'l', 'prep').scope).toEqual({ op: 'bump-loop', loop: 'l' });
  });

  it('resolves auto clouds from the placement, else the first profile with a warning', () => {
    const input = graph([task('a', { cloud: 'auto' }), task('b', { cloud: 'auto' })], [['a', 'b']]);
    const placed = compile(input, { clouds, placement: { a: 'aliyun-local' } });
    expect(placed.ir?.functions.a?.cloud).toBe('aliyun-local');
    expect(placed.ir?.functions.b?.cloud).toBe('aws-local');
    expect(placed.diagnostics).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'IR_AUTO_CLOUD', node: 'b' }),
    ]);
  });

  it('is deterministic and independent of key order', () => {
    const input = graph([task('a'), task('b')], [['a', 'b']]);
    const first = JSON.stringify(compile(input, { clouds }));
    const reverseKeys = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(reverseKeys)
        : value !== null && typeof value === 'object'
          ? Object.fromEntries(
              Object.entries(value)
                .reverse()
                .map(([k, v]) => [k, reverseKeys(v)]),
            )
          : value;
    const reordered = reverseKeys(input);
    expect(JSON.stringify(compile(input, { clouds }))).toBe(first);
    expect(compile(reordered, { clouds }).ir?.version).toBe(compile(input, { clouds }).ir?.version);
  });
});

describe('compile: diagnostics', () => {
  it.each([
    ['not an object', 42, 'IR_INVALID_GRAPH'],
    ['null', null, 'IR_INVALID_GRAPH'],
    [
      'a bad node kind',
      { name: 'x', nodes: [{ kind: 'nope', name: 'a' }], edges: [] },
      'IR_INVALID_GRAPH',
    ],
  ])('reports %s as IR_INVALID_GRAPH', (_label, input, code) => {
    expect(codes(input)).toContain(code);
    expect(compile(input, { clouds }).ir).toBeUndefined();
  });

  it('names the node of a schema error', () => {
    const d = compile(
      { name: 'x', nodes: [{ kind: 'task', name: 'a', memoryMb: 1 }], edges: [] },
      { clouds },
    );
    expect(d.diagnostics[0]).toMatchObject({ code: 'IR_INVALID_GRAPH', node: 'a' });
  });

  it('reports a dangling edge with its id', () => {
    const d = compile(graph([task('a')], [['a', 'ghost']]), { clouds }).diagnostics;
    expect(d).toContainEqual(expect.objectContaining({ code: 'IR_DANGLING_EDGE', edge: 'e1' }));
    expect(d.find((x) => x.code === 'IR_DANGLING_EDGE')?.message).toContain('"ghost"');
  });

  it.each<[string, GraphInput, string]>([
    ['duplicate names', graph([task('a'), task('a')], []), 'IR_DUPLICATE_NAME'],
    [
      'no start',
      graph(
        [task('a'), task('b')],
        [
          ['a', 'b'],
          ['b', 'a'],
        ],
      ),
      'IR_NO_START',
    ],
    ['empty graph', graph([], []), 'IR_NO_START'],
    [
      'two starts',
      graph(
        [task('a'), task('b'), task('c')],
        [
          ['a', 'c'],
          ['b', 'c'],
        ],
      ),
      'IR_MULTIPLE_STARTS',
    ],
    [
      'unreachable node',
      graph(
        [task('a'), task('b'), task('c'), task('d')],
        [
          ['a', 'b'],
          ['c', 'd'],
          ['d', 'c'],
        ],
      ),
      'IR_UNREACHABLE_NODE',
    ],
    [
      'cycle without loop node',
      graph(
        [task('a'), task('b'), task('c')],
        [
          ['a', 'b'],
          ['b', 'c'],
          ['c', 'b'],
        ],
      ),
      'IR_UNGUARDED_CYCLE',
    ],
    [
      'loop back edge without guard',
      graph(
        [task('a'), task('b'), { kind: 'loop', name: 'l' }, task('c')],
        [
          ['a', 'b'],
          ['b', 'l'],
          ['l', 'b'],
          ['l', 'c'],
        ],
      ),
      'IR_UNGUARDED_CYCLE',
    ],
    [
      'irreducible cycle',
      graph(
        [task('a'), { kind: 'choice', name: 'c' }, task('x'), task('y')],
        [
          ['a', 'c'],
          ['c', 'x', 'p'],
          ['c', 'y'],
          ['x', 'y'],
          ['y', 'x'],
        ],
      ),
      'IR_UNGUARDED_CYCLE',
    ],
    [
      'join naming a missing fan-out',
      graph([task('a'), { kind: 'join', name: 'j', fanOut: 'zz' }], [['a', 'j']]),
      'IR_JOIN_WITHOUT_FANOUT',
    ],
    [
      'join naming a plain chain step',
      graph(
        [task('a'), task('b'), { kind: 'join', name: 'j', fanOut: 'a' }],
        [
          ['a', 'b'],
          ['b', 'j'],
        ],
      ),
      'IR_JOIN_WITHOUT_FANOUT',
    ],
    [
      'parallel branch that misses the join',
      graph(
        [task('s'), task('x'), task('y'), task('z'), { kind: 'join', name: 'j', fanOut: 's' }],
        [
          ['s', 'x'],
          ['s', 'y'],
          ['x', 'j'],
          ['y', 'z'],
        ],
      ),
      'IR_JOIN_BRANCH_MISMATCH',
    ],
    [
      'parallel branches merging before the join',
      graph(
        [task('s'), task('x'), task('y'), task('m'), { kind: 'join', name: 'j', fanOut: 's' }],
        [
          ['s', 'x'],
          ['s', 'y'],
          ['x', 'm'],
          ['y', 'm'],
          ['m', 'j'],
        ],
      ),
      'IR_JOIN_BRANCH_MISMATCH',
    ],
    [
      'parallel branches that never join',
      graph(
        [task('s'), task('x'), task('y')],
        [
          ['s', 'x'],
          ['s', 'y'],
        ],
      ),
      'IR_PARALLEL_WITHOUT_JOIN',
    ],
    [
      'map without join',
      graph(
        [task('s'), { kind: 'map', name: 'm' }, task('x')],
        [
          ['s', 'm'],
          ['m', 'x'],
        ],
      ),
      'IR_MAP_WITHOUT_JOIN',
    ],
    [
      'invalid guard',
      graph(
        [task('s'), { kind: 'choice', name: 'c' }, task('x'), task('y')],
        [
          ['s', 'c'],
          ['c', 'x', 'a >'],
          ['c', 'y'],
        ],
      ),
      'IR_INVALID_JSONATA',
    ],
    [
      'invalid map items',
      graph(
        [
          task('s'),
          { kind: 'map', name: 'm', items: '[[' },
          task('x'),
          { kind: 'join', name: 'j', fanOut: 'm' },
        ],
        [
          ['s', 'm'],
          ['m', 'x'],
          ['x', 'j'],
        ],
      ),
      'IR_INVALID_JSONATA',
    ],
    [
      'guard on a task edge',
      graph([task('a'), task('b')], [['a', 'b', 'x > 1']]),
      'IR_GUARD_NOT_ALLOWED',
    ],
    ['unknown cloud', graph([task('a', { cloud: 'gcp' })], []), 'IR_UNKNOWN_CLOUD'],
    ['unknown failover', graph([task('a', { failover: ['gcp'] })], []), 'IR_UNKNOWN_CLOUD'],
    [
      'failover equal to primary',
      graph([task('a', { failover: ['aws-local'] })], []),
      'IR_FAILOVER_IS_PRIMARY',
    ],
    [
      'bad trigger parameters',
      graph(
        [task('a'), { kind: 'trigger', name: 't', trigger: { type: 'k-of-n', k: 5, n: 3 } }],
        [['a', 't']],
      ),
      'IR_TRIGGER_PARAMS',
    ],
    ['task without code', graph([task('a', { code: '' })], []), 'IR_MISSING_CODE'],
    [
      'code without handler',
      graph([task('a', { code: 'export const x = 1;' })], []),
      'IR_MISSING_HANDLER',
    ],
    [
      'map straight into a loop header',
      graph(
        [
          task('s'),
          { kind: 'map', name: 'm' },
          task('b'),
          { kind: 'loop', name: 'l' },
          { kind: 'join', name: 'j', fanOut: 'm' },
        ],
        [
          ['s', 'm'],
          ['m', 'b'],
          ['b', 'l'],
          ['l', 'b', '$iteration < 2'],
          ['l', 'j'],
        ],
      ),
      'IR_SCOPE_TRANSITION',
    ],
    [
      'branch escaping a map',
      graph(
        [
          task('s'),
          { kind: 'map', name: 'm' },
          task('x'),
          { kind: 'choice', name: 'c' },
          task('after'),
          { kind: 'join', name: 'j', fanOut: 'm' },
        ],
        [
          ['s', 'm'],
          ['m', 'x'],
          ['x', 'c'],
          ['c', 'j', 'ok'],
          ['c', 'after'],
          ['j', 'after'],
        ],
      ),
      'IR_SCOPE_CONFLICT',
    ],
  ])('reports %s', (_label, input, code) => {
    const result = compile(input, { clouds });
    expect(result.diagnostics.map((d) => d.code)).toContain(code);
    if (result.diagnostics.some((d) => d.severity === 'error')) expect(result.ir).toBeUndefined();
  });

  it('compiles a time window: its producer ends its own execution, the window runs apart', () => {
    const ir = compiled(
      graph(
        [
          task('lookup'),
          { kind: 'trigger', name: 'w', trigger: { type: 'window', windowMs: 1000 } },
          task('count'),
        ],
        [
          ['lookup', 'w'],
          ['w', 'count'],
        ],
      ),
    );
    expect(fn(ir, 'lookup').terminal).toBe(true);
    expect(cont(ir, 'lookup', 'w')).toMatchObject({
      mode: 'trigger',
      trigger: { spec: { type: 'window', windowMs: 1000 }, fansOut: false },
    });
    expect(fn(ir, 'count').terminal).toBe(true);
    expect(
      codes(
        graph(
          [
            task('s'),
            { kind: 'map', name: 'm' },
            task('p'),
            { kind: 'trigger', name: 'w', fanOut: 'm', trigger: { type: 'window', windowMs: 10 } },
          ],
          [
            ['s', 'm'],
            ['m', 'p'],
            ['p', 'w'],
          ],
        ),
      ),
    ).toContain('IR_TRIGGER_WINDOW_SCOPE');
  });

  it('compiles a k-of-n trigger over a map: producers emit into it, no join needed', () => {
    const ir = compiled(
      graph(
        [
          task('s'),
          { kind: 'map', name: 'm' },
          task('replica'),
          {
            kind: 'trigger',
            name: 'vote',
            fanOut: 'm',
            trigger: { type: 'k-of-n', k: 3, n: 4 },
            code,
          },
          task('after'),
        ],
        [
          ['s', 'm'],
          ['m', 'replica'],
          ['replica', 'vote'],
          ['vote', 'after'],
        ],
      ),
    );
    const c = cont(ir, 'replica', 'vote');
    expect(c.mode).toBe('trigger');
    expect(c.scope).toEqual({ op: 'pop', count: 1 });
    expect(c.trigger).toMatchObject({
      trigger: 'vote',
      spec: { type: 'k-of-n', k: 3, n: 4 },
      slot: { kind: 'map-index', map: 'm' },
      fansOut: false,
    });
    expect(fn(ir, 'vote')).toMatchObject({ kind: 'trigger', fanOut: 'm', fansOut: false, code });
    expect(cont(ir, 'vote', 'after').scope).toEqual({ op: 'keep' });
  });

  it('refuses maxConcurrency on a map whose branches a trigger collects (nothing would start the rest)', () => {
    const result = compile(
      graph(
        [
          task('s'),
          { kind: 'map', name: 'm', maxConcurrency: 2 } as NodeSpec,
          task('replica'),
          {
            kind: 'trigger',
            name: 'vote',
            fanOut: 'm',
            trigger: { type: 'k-of-n', k: 3, n: 4 },
            code,
          },
          task('after'),
        ],
        [
          ['s', 'm'],
          ['m', 'replica'],
          ['replica', 'vote'],
          ['vote', 'after'],
        ],
      ),
      { clouds },
    );
    expect(result.ir).toBeUndefined();
    expect(result.diagnostics.find((d) => d.code === 'IR_MAP_MAX_CONCURRENCY')?.message).toContain(
      'trigger "vote" collects its branches',
    );
  });

  it('compiles a batch trigger as a fan-out whose runs a join collects', () => {
    const ir = compiled(
      graph(
        [
          task('s'),
          { kind: 'map', name: 'm' },
          task('sleep'),
          { kind: 'trigger', name: 'b', fanOut: 'm', trigger: { type: 'batch', size: 100 } },
          task('sum'),
          { kind: 'join', name: 'all', fanOut: 'b' },
        ],
        [
          ['s', 'm'],
          ['m', 'sleep'],
          ['sleep', 'b'],
          ['b', 'sum'],
          ['sum', 'all'],
        ],
      ),
    );
    expect(cont(ir, 'sleep', 'b')).toMatchObject({
      mode: 'trigger',
      scope: { op: 'pop', count: 1 },
    });
    expect(cont(ir, 'b', 'sum').scope).toEqual({ op: 'keep' });
    expect(cont(ir, 'sum', 'all')).toMatchObject({
      mode: 'join',
      scope: { op: 'pop', count: 1 },
      join: { join: 'all', slot: { kind: 'map-index', map: 'b' } },
    });
    expect(fn(ir, 'all')).toMatchObject({ kind: 'join', collect: 'array' });
  });

  it.each([
    [
      'an immediate trigger with two producers',
      graph(
        [
          task('s'),
          task('a'),
          task('b'),
          { kind: 'trigger', name: 't', trigger: { type: 'immediate' } },
        ],
        [
          ['s', 'a'],
          ['s', 'b'],
          ['a', 't'],
          ['b', 't'],
        ],
      ),
      'IR_TRIGGER_PRODUCER',
    ],
    [
      'a batch trigger whose runs nothing collects',
      graph(
        [task('a'), { kind: 'trigger', name: 't', trigger: { type: 'batch', size: 2 } }, task('x')],
        [
          ['a', 't'],
          ['t', 'x'],
        ],
      ),
      'IR_TRIGGER_WITHOUT_JOIN',
    ],
    [
      'a map feeding a trigger directly',
      graph(
        [
          task('s'),
          { kind: 'map', name: 'm' },
          { kind: 'trigger', name: 't', fanOut: 'm', trigger: { type: 'set', keys: ['a'] } },
        ],
        [
          ['s', 'm'],
          ['m', 't'],
        ],
      ),
      'IR_TRIGGER_PRODUCER',
    ],
    [
      'a trigger collecting a task',
      graph(
        [
          task('a'),
          { kind: 'trigger', name: 't', fanOut: 'a', trigger: { type: 'set', keys: ['a'] } },
        ],
        [['a', 't']],
      ),
      'IR_TRIGGER_FANOUT',
    ],
    [
      'a set with a key twice',
      graph(
        [task('a'), { kind: 'trigger', name: 't', trigger: { type: 'set', keys: ['x', 'x'] } }],
        [['a', 't']],
      ),
      'IR_TRIGGER_PARAMS',
    ],
  ])('reports %s', (_label, input, code) => {
    expect(codes(input)).toContain(code);
  });

  it('warns about a choice without a default but still compiles', () => {
    const result = compile(
      graph(
        [task('s'), { kind: 'choice', name: 'c', cloud: 'aws-local' }, task('x')],
        [
          ['s', 'c'],
          ['c', 'x', 'ok'],
        ],
      ),
      { clouds },
    );
    expect(result.diagnostics.map((d) => [d.severity, d.code])).toEqual([
      ['warning', 'IR_CHOICE_NO_DEFAULT'],
    ]);
    expect(result.ir).toBeDefined();
  });

  it('rejects a sample input too large to travel inline', () => {
    const input = {
      ...graph([task('a', { cloud: 'aliyun-local', transfer: 'inline' })], []),
      sampleInput: { text: 'x'.repeat(200_000) },
    };
    expect(codes(input)).toEqual(['IR_PAYLOAD_TOO_LARGE']);
    const auto = { ...input, nodes: [task('a', { cloud: 'aliyun-local', transfer: 'auto' })] };
    expect(codes(auto)).toEqual([]);
  });

  it('checks memory and timeout against the primary and the failover clouds', () => {
    const small = defaultCloudProfiles.map((p) =>
      p.id === 'aliyun-local'
        ? { ...p, limits: { ...p.limits, maxMemoryMb: 512, maxTimeoutMs: 1000 } }
        : p,
    );
    const input = graph([task('a', { memoryMb: 1024, failover: ['aliyun-local'] })], []);
    const result = compile(input, { clouds: small });
    expect(result.diagnostics.map((d) => d.code)).toEqual([
      'IR_LIMIT_EXCEEDED',
      'IR_LIMIT_EXCEEDED',
    ]);
    expect(compile(input, { clouds }).ir).toBeDefined();
  });

  it('reports invalid cloud profiles instead of throwing', () => {
    const result = compile(graph([task('a')], []), { clouds: [{ id: 'x' }] as never });
    expect(result.diagnostics[0]?.code).toBe('IR_INVALID_CLOUDS');
  });
});

describe('compile: notBefore (a durable wait on an edge)', () => {
  it('copies it onto a continuation that invokes one target', () => {
    const input = graph([task('a'), task('b')], [['a', 'b']]);
    const edges = input.edges.map((e) => ({ ...e, notBefore: 'until' }));
    expect(cont(compiled({ ...input, edges }), 'a', 'b').notBefore).toBe('until');
    expect(cont(compiled(input), 'a', 'b')).not.toHaveProperty('notBefore');
  });

  it('refuses it where nothing can wait (into a join, out of a map) and checks its JSONata', () => {
    const fanIn = graph(
      [
        task('s'),
        { kind: 'map', name: 'm', items: '$' },
        task('x'),
        { kind: 'join', name: 'j', fanOut: 'm' },
      ],
      [
        ['s', 'm'],
        ['m', 'x'],
        ['x', 'j'],
      ],
    );
    for (const target of ['x', 'j']) {
      const edges = fanIn.edges.map((e) => (e.target === target ? { ...e, notBefore: '0' } : e));
      expect(codes({ ...fanIn, edges })).toContain('IR_NOT_BEFORE_NOT_ALLOWED');
    }
    const chain = graph([task('a'), task('b')], [['a', 'b']]);
    const bad = chain.edges.map((e) => ({ ...e, notBefore: '[[' }));
    expect(codes({ ...chain, edges: bad })).toContain('IR_INVALID_JSONATA');
  });
});
