import type { GraphInput } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
// The repository's sequential reference interpreter (examples/ is not a package).
import { referenceRun } from '../../../examples/referenceRun';
import { loadCompiled, runToEnd } from './compiledRuns';
import type { MemoryFaults } from './memoryPorts';

/**
 * Small graphs through the real compiler, so the runtime is checked against the IR the compiler
 * emits (loop shapes, choice skips, parallel joins, nesting), not only against hand-written IR.
 */

const code = (body: string) => `export async function handler(input: any) { ${body} }`;
/** A task; one on aliyun-local has a replica on aws-local (aliyun is down in these runs). */
const task = (name: string, body: string, cloud = 'aws-local') => ({
  kind: 'task' as const,
  name,
  cloud,
  failover: cloud === 'aliyun-local' ? ['aws-local'] : [],
  code: code(body),
});
const edge = (
  source: string,
  target: string,
  extra: { guard?: string; mapping?: string } = {},
) => ({
  id: `${source}-${target}`,
  source,
  target,
  ...extra,
});

const graphs: { graph: GraphInput; inputs: unknown[] }[] = [
  {
    graph: {
      name: 'do-while',
      nodes: [
        task('s', 'return input;'),
        task('body', 'return input + 1;', 'aliyun-local'),
        { kind: 'loop', name: 'l', cloud: 'aws-local', maxIterations: 20 },
        task('done', 'return { final: input };'),
      ],
      edges: [
        edge('s', 'body'),
        edge('body', 'l'),
        edge('l', 'body', { guard: '$ < 5' }),
        edge('l', 'done'),
      ],
    },
    inputs: [0, 3, 10],
  },
  {
    graph: {
      name: 'while',
      nodes: [
        task('s', 'return input;'),
        { kind: 'loop', name: 'l', cloud: 'aws-local', maxIterations: 20 },
        task('body', 'return input * 2;'),
        task('done', 'return input;'),
      ],
      edges: [
        edge('s', 'l'),
        edge('l', 'body', { guard: '$ < 50' }),
        edge('body', 'l'),
        edge('l', 'done'),
      ],
    },
    inputs: [1, 7, 100],
  },
  {
    graph: {
      name: 'choice-join',
      nodes: [
        task('s', 'return input;'),
        { kind: 'choice', name: 'c', cloud: 'aws-local' },
        task('pos', 'return "pos:" + input;', 'aliyun-local'),
        task('neg', 'return "neg:" + input;'),
        { kind: 'join', name: 'j', cloud: 'aws-local', fanOut: 'c' },
        task('out', 'return { got: input };'),
      ],
      edges: [
        edge('s', 'c'),
        edge('c', 'pos', { guard: '$ > 0' }),
        edge('c', 'neg'),
        edge('pos', 'j'),
        edge('neg', 'j'),
        edge('j', 'out'),
      ],
    },
    inputs: [4, -4],
  },
  {
    graph: {
      name: 'parallel-map',
      nodes: [
        task('s', 'return input;'),
        task('a', 'return input.length;', 'aliyun-local'),
        { kind: 'map', name: 'm', cloud: 'aws-local', items: '$' },
        task('sq', 'return input * input;', 'aliyun-local'),
        { kind: 'join', name: 'mj', cloud: 'aws-local', fanOut: 'm' },
        { kind: 'join', name: 'j', cloud: 'aws-local', fanOut: 's' },
        task('out', 'return input;'),
      ],
      edges: [
        edge('s', 'a'),
        edge('s', 'm'),
        edge('m', 'sq'),
        edge('sq', 'mj'),
        edge('a', 'j'),
        edge('mj', 'j'),
        edge('j', 'out'),
      ],
    },
    inputs: [[1, 2, 3], [], [5]],
  },
  {
    graph: {
      name: 'loop-in-map',
      nodes: [
        { kind: 'map', name: 'm', cloud: 'aws-local', items: '$' },
        task('pre', 'return input;'),
        task('inc', 'return input + 10;', 'aliyun-local'),
        { kind: 'loop', name: 'l', cloud: 'aws-local', maxIterations: 10 },
        task('post', 'return input;'),
        { kind: 'join', name: 'j', cloud: 'aws-local', fanOut: 'm' },
      ],
      edges: [
        edge('m', 'pre'),
        edge('pre', 'inc'),
        edge('inc', 'l'),
        edge('l', 'inc', { guard: '$iteration < 2' }),
        edge('l', 'post'),
        edge('post', 'j'),
      ],
    },
    inputs: [[1, 2], []],
  },
];

const load = loadCompiled;

describe('compiler output runs to the reference result', () => {
  for (const { graph, inputs } of graphs) {
    it(`${graph.name}`, async () => {
      const { ir, handlers } = await load(graph);
      for (const input of inputs) {
        const reference = await referenceRun(ir, input);
        const faults: MemoryFaults = {
          seed: 3,
          duplicate: 0.2,
          drop: 0.05,
          reorder: true,
          crash: { 'before-commit': 0.1, 'after-commit': 0.1, 'before-invoke': 0.1 },
          down: ['aliyun-local'],
        };
        for (const passWorkflow of [true, false]) {
          const { report, result } = await runToEnd(ir, handlers, input, {
            faults,
            passWorkflow,
          });
          expect(report.violations).toEqual([]);
          expect(result, `${graph.name} ${JSON.stringify(input)}`).toMatchObject({
            status: 'succeeded',
            output: reference.result,
          });
        }
      }
    });
  }
});
