import { readFileSync } from 'node:fs';
import type { WorkflowIR } from '@jointflow/ir';
import type { BenchOptions } from '../benchOptions';
import { type LatencySummary, summarize } from '../percentiles';
import { benchTopology } from '../systems/catalog';
import type { StoreOpTotals } from '../systems/chainRunner';
import { compileOrThrow, startJointflow } from '../systems/jointflow/jointflowSystem';

/**
 * Suite 5, data triggers (issue 11), Jointflow only (the baselines have no triggers):
 *
 * 1. Latency from an object's arrival to the target's start, per trigger kind, against a direct
 *    invoke on the same local clouds and the same path: one producer on the home cloud stamps
 *    the time as it emits its object (`performance.timeOrigin + performance.now()`, comparable
 *    across processes) and the target stamps its own start; direct = producer -> task edge.
 *    Every kind at its smallest (one object: batch of 1, set of 1 key, 1 of 1, one group), so
 *    the difference is the trigger's decision (slot fill or claim, then the invoke).
 * 2. Pheromone's parallel sleep: a W-way fan-out gathered by a batch trigger
 *    (examples/parallel-sleep.json: batches of 100, and one batch of W) against the join path
 *    (the same map and sleep, one join). Makespan and store operations per object (the local
 *    clouds' counters; the driver's own result polls left out).
 */

export type LatencyPath =
  | 'direct invoke'
  | 'immediate'
  | 'by-name'
  | 'batch'
  | 'set'
  | 'group'
  | 'k-of-n';

export interface TriggerLatencyRow {
  path: LatencyPath;
  /** Object emitted -> target started, ms. */
  latency?: LatencySummary;
  error?: string;
}

export interface FanInRow {
  path: 'join' | 'batch trigger (100 per run)' | 'batch trigger (one batch of W)';
  width: number;
  /** Median over the measured runs, ms. */
  makespanMs?: number;
  makespans?: number[];
  storeOpsPerObject?: StoreOpTotals & { total: number };
  storeOpsPerRun?: number;
  outputOk?: boolean;
  error?: string;
}

export interface TriggersData {
  latencyRuns: number;
  fanInWidth: number;
  fanInRuns: number;
  sleepMs: number;
  latency: TriggerLatencyRow[];
  fanIn: FanInRow[];
}

const STAMP = 'performance.timeOrigin + performance.now()';

const PRODUCER_DIRECT = `export function handler() {
  return { emitAt: ${STAMP} };
}
`;

const producerEmitting = (key: string) => `export function handler(input, ctx) {
  ctx.emit(${JSON.stringify(key)}, { emitAt: ${STAMP} });
  return null;
}
`;

/** The target: its start minus the emitted stamp, wherever the trigger's input shape put it. */
const TARGET = `export function handler(input) {
  const startedAt = ${STAMP};
  const find = (v) => {
    if (v === null || typeof v !== 'object') return undefined;
    if (typeof v.emitAt === 'number') return v.emitAt;
    for (const x of Object.values(v)) {
      const found = find(x);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return { latencyMs: startedAt - find(input) };
}
`;

const PASS = `export function handler(input) { return input; }
`;

type Spec =
  | { type: 'immediate' }
  | { type: 'by-name'; key: string }
  | { type: 'batch'; size: number }
  | { type: 'set'; keys: string[] }
  | { type: 'group'; prefix: string }
  | { type: 'k-of-n'; k: number; n: number };

const kinds: { path: Exclude<LatencyPath, 'direct invoke'>; spec: Spec; key: string }[] = [
  { path: 'immediate', spec: { type: 'immediate' }, key: 'x' },
  { path: 'by-name', spec: { type: 'by-name', key: 'x' }, key: 'x' },
  { path: 'batch', spec: { type: 'batch', size: 1 }, key: 'x' },
  { path: 'set', spec: { type: 'set', keys: ['x'] }, key: 'x' },
  { path: 'group', spec: { type: 'group', prefix: 'group:' }, key: 'group:a' },
  { path: 'k-of-n', spec: { type: 'k-of-n', k: 1, n: 1 }, key: 'x' },
];

function latencyWorkflow(path: LatencyPath, cloud: string): WorkflowIR {
  const name = `trigger-latency-${path.replace(/ /g, '-')}`;
  if (path === 'direct invoke') {
    return compileOrThrow({
      name,
      nodes: [
        { kind: 'task', name: 'producer', cloud, code: PRODUCER_DIRECT },
        { kind: 'task', name: 'target', cloud, code: TARGET },
      ],
      edges: [{ id: 'e0', source: 'producer', target: 'target' }],
    });
  }
  const kind = kinds.find((k) => k.path === path);
  if (kind === undefined) throw new Error(`BENCH_BAD_PATH: ${path}`);
  const fansOut = ['immediate', 'batch', 'group'].includes(kind.spec.type);
  return compileOrThrow({
    name,
    nodes: [
      { kind: 'task', name: 'producer', cloud, code: producerEmitting(kind.key) },
      { kind: 'trigger', name: 'target', cloud, trigger: kind.spec, code: TARGET },
      // A fan-out trigger's runs end in a join with fanOut: the trigger.
      ...(fansOut
        ? [
            { kind: 'task', name: 'pass', cloud, code: PASS },
            { kind: 'join', name: 'all', cloud, fanOut: 'target' },
          ]
        : []),
    ],
    edges: [
      { id: 'e0', source: 'producer', target: 'target' },
      ...(fansOut
        ? [
            { id: 'e1', source: 'target', target: 'pass' },
            { id: 'e2', source: 'pass', target: 'all' },
          ]
        : []),
    ],
  });
}

/** The `latencyMs` a target reported, wherever the join put it. */
function latencyOf(output: unknown): number {
  if (output !== null && typeof output === 'object') {
    const direct = (output as { latencyMs?: unknown }).latencyMs;
    if (typeof direct === 'number') return direct;
    for (const value of Object.values(output)) {
      const found = latencyOf(value);
      if (Number.isFinite(found)) return found;
    }
  }
  return Number.NaN;
}

function parallelSleepGraph(batchSize: number, cloud: string, name: string): unknown {
  const graph = JSON.parse(
    readFileSync(new URL('../../../examples/parallel-sleep.json', import.meta.url), 'utf8'),
  ) as { name: string; nodes: { name: string; cloud?: string; trigger?: unknown }[] };
  return {
    ...graph,
    name,
    nodes: graph.nodes.map((n) => ({
      ...n,
      cloud,
      ...(n.name === 'gather' ? { trigger: { type: 'batch', size: batchSize } } : {}),
    })),
  };
}

/** The join path: the same plan, map and sleep code, one join that does what `done` does. */
function joinPathGraph(cloud: string): unknown {
  const example = parallelSleepGraph(100, cloud, 'parallel-sleep') as {
    nodes: { name: string; code?: string }[];
  };
  const code = (name: string) => example.nodes.find((n) => n.name === name)?.code ?? '';
  return {
    name: 'parallel-sleep-join',
    nodes: [
      { kind: 'task', name: 'plan', cloud, code: code('plan') },
      { kind: 'map', name: 'sleepers', cloud, items: 'sleepers' },
      { kind: 'task', name: 'sleep', cloud, memoryMb: 128, code: code('sleep') },
      {
        kind: 'join',
        name: 'done',
        cloud,
        fanOut: 'sleepers',
        code: `export function handler(input) {
  let sleptMs = 0;
  let contiguous = true;
  input.forEach((s, i) => { sleptMs += s.ms; if (s.i !== i) contiguous = false; });
  return { sleepers: input.length, batches: 1, sleptMs, contiguous };
}
`,
      },
    ],
    edges: [
      { id: 'e0', source: 'plan', target: 'sleepers' },
      { id: 'e1', source: 'sleepers', target: 'sleep' },
      { id: 'e2', source: 'sleep', target: 'done' },
    ],
  };
}

const sumOps = (ops: StoreOpTotals) =>
  ops.reads + ops.writes + ops.conditionalWrites + ops.slotFills;

export async function runTriggersSuite(
  options: BenchOptions,
  log: (line: string) => void,
): Promise<TriggersData> {
  const home = benchTopology.clouds[0] ?? '';
  const width = options.fanInWidth;
  const sleepMs = 10;
  const latencyPaths: LatencyPath[] = ['direct invoke', ...kinds.map((k) => k.path)];
  const latencyIrs = latencyPaths.map((path) => ({ path, ir: latencyWorkflow(path, home) }));
  const fanIns: { path: FanInRow['path']; ir: WorkflowIR }[] = [
    { path: 'join', ir: compileOrThrow(joinPathGraph(home)) },
    {
      path: 'batch trigger (100 per run)',
      ir: compileOrThrow(parallelSleepGraph(100, home, 'parallel-sleep-batch-100')),
    },
    {
      path: 'batch trigger (one batch of W)',
      ir: compileOrThrow(parallelSleepGraph(width, home, 'parallel-sleep-one-batch')),
    },
  ];
  const system = await startJointflow(true);
  const latency: TriggerLatencyRow[] = [];
  const fanIn: FanInRow[] = [];
  try {
    const workflows = system.workflows;
    if (!workflows) throw new Error('BENCH_NO_WORKFLOWS: Jointflow runs no workflows');
    // Interleaved rounds, so a burst of load from other processes hits every path alike.
    for (const { ir } of latencyIrs) {
      await workflows.deploy(ir);
      for (let i = 0; i < 2; i++) await workflows.run(ir.workflow, {}); // warm-up
    }
    const samples = new Map<LatencyPath, number[]>(latencyPaths.map((p) => [p, []]));
    const errors = new Map<LatencyPath, string>();
    for (let round = 0; round < options.triggerLatencyRuns; round++) {
      for (const { path, ir } of latencyIrs) {
        if (errors.has(path)) continue;
        try {
          const result = await workflows.run(ir.workflow, {});
          const value = latencyOf(result.output);
          if (!Number.isFinite(value))
            throw new Error(`no latency in ${JSON.stringify(result.output)}`);
          samples.get(path)?.push(value);
        } catch (error) {
          errors.set(path, String(error));
        }
      }
    }
    for (const path of latencyPaths) {
      const error = errors.get(path);
      const row: TriggerLatencyRow = error
        ? { path, error }
        : { path, latency: summarize(samples.get(path) ?? []) };
      log(`triggers: ${path}: p50 ${row.latency?.p50.toFixed(2) ?? error} ms`);
      latency.push(row);
    }

    const input = { sleepers: width, sleepMs };
    for (const { path, ir } of fanIns) {
      const row: FanInRow = { path, width };
      try {
        await workflows.deploy(ir);
        // Warm-up at a small width: the workers start (cold starts are not measured) without a
        // whole extra 4,000-way run.
        await workflows.run(ir.workflow, { sleepers: 200, sleepMs });
        const before = await system.storeOps?.();
        const makespans: number[] = [];
        let outputOk = true;
        for (let run = 0; run < options.fanInRuns; run++) {
          const result = await workflows.run(ir.workflow, input);
          makespans.push(result.makespanMs);
          const out = result.output as { sleepers?: number; contiguous?: boolean } | null;
          outputOk &&= out?.sleepers === width && out.contiguous === true;
        }
        const after = await system.storeOps?.();
        row.makespans = makespans;
        row.makespanMs = summarize(makespans).p50;
        row.outputOk = outputOk;
        if (before && after) {
          const objects = width * options.fanInRuns;
          const delta: StoreOpTotals = {
            reads: (after.reads - before.reads) / objects,
            writes: (after.writes - before.writes) / objects,
            conditionalWrites: (after.conditionalWrites - before.conditionalWrites) / objects,
            slotFills: (after.slotFills - before.slotFills) / objects,
          };
          row.storeOpsPerObject = { ...delta, total: sumOps(delta) };
          row.storeOpsPerRun = (sumOps(after) - sumOps(before)) / options.fanInRuns;
        }
      } catch (error) {
        row.error = String(error);
      }
      log(`triggers: ${path} at ${width}: ${row.makespanMs?.toFixed(0) ?? row.error} ms`);
      fanIn.push(row);
    }
  } finally {
    await system.close();
  }
  return {
    latencyRuns: options.triggerLatencyRuns,
    fanInWidth: width,
    fanInRuns: options.fanInRuns,
    sleepMs,
    latency,
    fanIn,
  };
}
