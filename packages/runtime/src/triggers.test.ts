import type { GraphInput, WorkflowIR } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
// The repository's sequential reference interpreter (examples/ is not a package).
import { referenceRun } from '../../../examples/referenceRun';
import { loadCompiled, runToEnd } from './compiledRuns';
import type { UserHandler } from './createFunction';
import { readExecutionResult, redriveExecution, startExecution } from './execution';
import { checkHistory } from './historyChecker';
import { createMemoryPorts, type MemoryFaults } from './memoryPorts';
import type { TraceEvent } from './ports';

/**
 * Data triggers through the real compiler, fault-free and under crashes at every protocol
 * point, duplicates, drops, reordering and a cloud outage with failover: each run's result
 * equals the sequential reference run (k-of-n: the winners may differ, their number may not),
 * and the history checker's trigger invariants hold.
 */

const code = (body: string) => `export async function handler(input: any, ctx: any) { ${body} }`;
const task = (name: string, body: string, cloud = 'aws-local') => ({
  kind: 'task' as const,
  name,
  cloud,
  failover: cloud === 'aliyun-local' ? ['aws-local'] : [],
  code: code(body),
});
const edge = (source: string, target: string) => ({ id: `${source}-${target}`, source, target });

const graphs: { graph: GraphInput; inputs: unknown[]; winnersVary?: boolean }[] = [
  {
    // Assembling by name: three parallel steps, one set trigger over their keys.
    graph: {
      name: 'set',
      nodes: [
        task('s', 'return input;'),
        task('a', 'ctx.emit("left", input * 2); return null;', 'aliyun-local'),
        task('b', 'ctx.emit("right", input * 3); ctx.emit("noise", 0); return null;'),
        task('c', 'return input + 1;'),
        {
          kind: 'trigger',
          name: 't',
          cloud: 'aws-local',
          fanOut: 's',
          trigger: { type: 'set', keys: ['left', 'right', 'c'] },
          code: code('return input.left + input.right + input.c;'),
        },
      ],
      edges: [
        edge('s', 'a'),
        edge('s', 'b'),
        edge('s', 'c'),
        edge('a', 't'),
        edge('b', 't'),
        edge('c', 't'),
      ],
    },
    inputs: [1, 10],
  },
  {
    // Redundant k-of-n: 4 replicas in a map, the first 3 win.
    graph: {
      name: 'k-of-n',
      nodes: [
        task('s', 'return [1, 2, 3, 4].map((r) => ({ r, x: input }));'),
        { kind: 'map', name: 'm', cloud: 'aws-local' },
        task('replica', 'return input.x * 10;', 'aliyun-local'),
        {
          kind: 'trigger',
          name: 'vote',
          cloud: 'aws-local',
          fanOut: 'm',
          trigger: { type: 'k-of-n', k: 3, n: 4 },
          code: code(
            'return { winners: input.length, distinct: new Set(input.map((o) => o.key)).size, value: input[0].value };',
          ),
        },
      ],
      edges: [edge('s', 'm'), edge('m', 'replica'), edge('replica', 'vote')],
    },
    inputs: [7],
    winnersVary: true,
  },
  {
    // Batch: 10 producers in batches of 3 (3, 3, 3, 1), each batch summed, all sums joined.
    graph: {
      name: 'batch',
      nodes: [
        task('s', 'return Array.from({ length: input }, (_, i) => i);'),
        { kind: 'map', name: 'm', cloud: 'aws-local' },
        task('work', 'return input * input;', 'aliyun-local'),
        {
          kind: 'trigger',
          name: 'b',
          cloud: 'aws-local',
          fanOut: 'm',
          trigger: { type: 'batch', size: 3 },
        },
        task('sum', 'return input.reduce((a, o) => a + o.value, 0);'),
        { kind: 'join', name: 'all', cloud: 'aws-local', fanOut: 'b' },
      ],
      edges: [
        edge('s', 'm'),
        edge('m', 'work'),
        edge('work', 'b'),
        edge('b', 'sum'),
        edge('sum', 'all'),
      ],
    },
    inputs: [10, 3, 0],
  },
  {
    // Dynamic group (MapReduce shuffle): mappers emit numbers to range groups, reducers sort.
    graph: {
      name: 'group',
      nodes: [
        task('s', 'return input;'),
        { kind: 'map', name: 'm', cloud: 'aws-local' },
        task(
          'mapper',
          'const g = {}; for (const n of input) (g[Math.floor(n / 10)] ??= []).push(n); for (const [k, v] of Object.entries(g)) ctx.emit("group:" + k, v); return null;',
          'aliyun-local',
        ),
        {
          kind: 'trigger',
          name: 'shuffle',
          cloud: 'aws-local',
          fanOut: 'm',
          trigger: { type: 'group', prefix: 'group:' },
        },
        task('reduce', 'return input.values.flat().sort((a, b) => a - b);'),
        { kind: 'join', name: 'merge', cloud: 'aws-local', fanOut: 'shuffle' },
        task('out', 'return input.flat();'),
      ],
      edges: [
        edge('s', 'm'),
        edge('m', 'mapper'),
        edge('mapper', 'shuffle'),
        edge('shuffle', 'reduce'),
        edge('reduce', 'merge'),
        edge('merge', 'out'),
      ],
    },
    inputs: [
      [
        [35, 3, 12],
        [7, 21, 34, 1],
        [15, 30],
      ],
      [[]],
      [],
    ],
  },
  {
    // Immediate: every emitted object runs the next step once; a join collects them.
    graph: {
      name: 'immediate',
      nodes: [
        task('split', 'for (const w of input.split(" ")) ctx.emit("word", w); return null;'),
        {
          kind: 'trigger',
          name: 'each',
          cloud: 'aliyun-local',
          failover: ['aws-local'],
          trigger: { type: 'immediate' },
        },
        task('upper', 'return input.toUpperCase();'),
        { kind: 'join', name: 'words', cloud: 'aws-local', fanOut: 'each' },
      ],
      edges: [edge('split', 'each'), edge('each', 'upper'), edge('upper', 'words')],
    },
    inputs: ['exactly once please'],
  },
  {
    // By name: the producer's key picks which trigger fires (conditional output).
    graph: {
      name: 'by-name',
      nodes: [
        task('check', 'ctx.emit(input % 2 === 0 ? "even" : "odd", input); return null;'),
        {
          kind: 'trigger',
          name: 'onEven',
          cloud: 'aws-local',
          trigger: { type: 'by-name', key: 'even' },
        },
        {
          kind: 'trigger',
          name: 'onOdd',
          cloud: 'aws-local',
          trigger: { type: 'by-name', key: 'odd' },
        },
        task('half', 'return { half: input / 2 };'),
        task('triple', 'return { next: input * 3 + 1 };'),
      ],
      edges: [
        edge('check', 'onEven'),
        edge('check', 'onOdd'),
        edge('onEven', 'half'),
        edge('onOdd', 'triple'),
      ],
    },
    inputs: [6, 7],
  },
];

const load = loadCompiled;

const faultMixes: MemoryFaults[] = [
  {},
  {
    seed: 11,
    duplicate: 0.25,
    drop: 0.1,
    reorder: true,
    crash: { 'before-commit': 0.1, 'after-commit': 0.15, 'before-invoke': 0.15 },
    down: ['aliyun-local'],
  },
  { seed: 5, duplicate: 0.5, reorder: true, crash: { 'after-commit': 0.3 } },
];

function runOnce(
  ir: WorkflowIR,
  handlers: Record<string, UserHandler>,
  input: unknown,
  faults: MemoryFaults,
) {
  return runToEnd(ir, handlers, input, { faults });
}

describe('data triggers run to the reference result under faults', () => {
  for (const { graph, inputs, winnersVary } of graphs) {
    it(graph.name, async () => {
      const { ir, handlers } = await load(graph);
      for (const input of inputs) {
        const reference = await referenceRun(ir, input);
        for (const faults of faultMixes) {
          const { report, result } = await runOnce(ir, handlers, input, faults);
          const label = `${graph.name} ${JSON.stringify(input)} ${JSON.stringify(faults)}`;
          expect(report.violations, label).toEqual([]);
          if (winnersVary) {
            expect(result, label).toMatchObject({
              status: 'succeeded',
              output: { winners: 3, distinct: 3, value: 70 },
            });
          } else {
            expect(result, label).toMatchObject({ status: 'succeeded', output: reference.result });
          }
        }
      }
    });
  }

  it('k-of-n: exactly k winners and n - k late objects, whatever the faults', async () => {
    const { ir, handlers } = await load((graphs[1] as { graph: GraphInput }).graph);
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const { report, events } = await runOnce(ir, handlers, 7, {
        seed,
        duplicate: 0.3,
        reorder: true,
        crash: { 'after-commit': 0.2, 'before-invoke': 0.2 },
      });
      expect(report.violations).toEqual([]);
      const fired = unique(events, 'trigger.fired');
      const dropped = unique(events, 'trigger.dropped');
      expect(fired).toHaveLength(1);
      const members = (fired[0]?.output as { members?: string[] } | undefined)?.members;
      if (members !== undefined) expect(new Set(members).size).toBe(3);
      expect(dropped).toHaveLength(1);
    }
  });

  it('refuses a bad ctx.emit with a clear error, committed as the step failure', async () => {
    const { ir, handlers } = await load({
      name: 'bad-emit',
      nodes: [
        task('p', 'ctx.emit("", 1); return null;'),
        { kind: 'trigger', name: 't', cloud: 'aws-local', trigger: { type: 'by-name', key: 'x' } },
      ],
      edges: [edge('p', 't')],
    });
    const { result } = await runOnce(ir, handlers, 1, {});
    expect(result).toMatchObject({ status: 'failed', error: { code: 'RUNTIME_EMIT_INVALID' } });
  });
});

describe('time windows span executions', () => {
  const windowGraph: GraphInput = {
    name: 'ad-windows',
    nodes: [
      task('lookup', 'return { ad: input.ad, campaign: "c" + (input.ad % 3) };', 'aliyun-local'),
      {
        kind: 'trigger',
        name: 'perWindow',
        cloud: 'aws-local',
        trigger: { type: 'window', windowMs: 60 },
      },
      task(
        'count',
        'const counts = {}; for (const o of input) counts[o.value.campaign] = (counts[o.value.campaign] ?? 0) + 1; return counts;',
      ),
    ],
    edges: [edge('lookup', 'perWindow'), edge('perWindow', 'count')],
  };

  it('each event lands in exactly one window, whose counts equal a sequential count', async () => {
    const { ir, handlers } = await load(windowGraph);
    for (const faults of faultMixes) {
      const cloud = createMemoryPorts({ faults, maxAttempts: 10 });
      cloud.deploy(ir, handlers, 'd1');
      const ads = Array.from({ length: 24 }, (_, i) => i);
      const producers: string[] = [];
      for (const ad of ads) {
        const { execution } = await startExecution(cloud.ports('api'), {
          ir,
          deployment: 'd1',
          input: { ad },
        });
        producers.push(execution);
        // Spread the producers over several windows.
        if (ad % 6 === 5) await cloud.drain();
        if (ad % 6 === 5) await new Promise((r) => setTimeout(r, 70));
      }
      await settle(cloud, ir, producers);
      const received = unique(cloud.events, 'trigger.received');
      const windows = [
        ...new Set(received.map((e) => (e.output as { execution: string }).execution)),
      ];
      expect(windows.length).toBeGreaterThan(1);
      await settle(cloud, ir, windows);
      // A sequential count of the same events, by the window each producer was placed in.
      const expected = new Map<string, Record<string, number>>();
      for (const e of received) {
        const { execution } = e.output as { execution: string };
        const producer = producers.indexOf(e.execution);
        const counts = expected.get(execution) ?? {};
        const campaign = `c${(ads[producer] ?? 0) % 3}`;
        counts[campaign] = (counts[campaign] ?? 0) + 1;
        expected.set(execution, counts);
      }
      expect(received).toHaveLength(ads.length);
      let total = 0;
      for (const w of windows) {
        const result = await readExecutionResult(cloud.store(ir.resultStore), w, cloud.blobs);
        expect(result, `${w} ${JSON.stringify(faults)}`).toMatchObject({
          status: 'succeeded',
          output: expected.get(w),
        });
        total += Object.values((result as { output: Record<string, number> }).output).reduce(
          (a, b) => a + b,
          0,
        );
        const report = await checkHistory({
          ir,
          execution: w,
          store: cloud.store,
          events: cloud.events,
          start: { fn: 'perWindow', scope: [] },
        });
        expect(report.violations).toEqual([]);
      }
      expect(total).toBe(ads.length);
      for (const p of producers) {
        const report = await checkHistory({
          ir,
          execution: p,
          store: cloud.store,
          events: cloud.events,
        });
        expect(report.violations).toEqual([]);
      }
    }
  });
});

/** Drains, then redrives (as the watchdog would) whatever has not finished, until all have. */
async function settle(
  cloud: ReturnType<typeof createMemoryPorts>,
  ir: WorkflowIR,
  executions: readonly string[],
): Promise<void> {
  await cloud.drain();
  for (let round = 0; round < 30; round++) {
    let running = 0;
    for (const execution of executions) {
      const r = await readExecutionResult(cloud.store(ir.resultStore), execution);
      if (r.status !== 'running') continue;
      running += 1;
      await redriveExecution(cloud.ports('api'), { execution, resultStore: ir.resultStore });
    }
    if (running === 0) return;
    await cloud.drain();
  }
}

function unique(events: readonly TraceEvent[], kind: TraceEvent['kind']): TraceEvent[] {
  const byId = new Map<string, TraceEvent>();
  for (const e of events) if (e.kind === kind) byId.set(e.id, e);
  return [...byId.values()];
}
