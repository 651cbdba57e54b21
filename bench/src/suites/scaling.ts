import type { WorkflowIR } from '@jointflow/ir';
import type { BenchOptions } from '../benchOptions';
import { sampleStackRss } from '../rssSampler';
import { benchTopology, type SystemFactory } from '../systems/catalog';
import type { StoreOpTotals, SystemUnderTest } from '../systems/chainRunner';
import { chainWorkflow, compileOrThrow } from '../systems/jointflow/jointflowSystem';
import { chainPayload } from '../userCode';

/**
 * Suite 3, scaling: a map of width W (one no-op branch per element, then a join that counts
 * them) and a chain of N no-op steps, all on the home cloud. Per size and system: makespan,
 * store operations per branch (map) or per step (chain), and the peak RSS of the whole stack
 * (servers + workers + endpoints, VmRSS summed every 100 ms during the measured runs).
 */
export interface ScalingRow {
  label: string;
  family: SystemFactory['family'];
  /** The path its steps took (absent in results written before it was recorded). */
  path?: string;
  /** A plain-process reference row (not on the local clouds' invoke path); never a ratio's base. */
  reference?: boolean;
  shape: 'map' | 'chain';
  /** Map width or chain length. */
  size: number;
  makespanMs?: number;
  /** Store round trips per branch / step, by kind (Jointflow: the local clouds' counters). */
  storeOpsPerUnit?: StoreOpTotals & { total: number };
  /** Store round trips per run, all kinds. */
  storeOpsPerRun?: number;
  /** Durable writes per branch / step as the system reports them (centralized: history commits). */
  writesPerUnit?: number;
  peakRssBytes?: number;
  outputOk?: boolean;
  error?: string;
}

export interface ScalingData {
  runs: number;
  mapWidths: number[];
  chainLengths: number[];
  rows: ScalingRow[];
}

const FAN_CODE = `export function handler(input) {
  return { items: Array.from({ length: input.width }, (_, i) => i) };
}
`;
const WORK_CODE = `export function handler(input) { return input; }
`;
const GATHER_CODE = `export function handler(input) {
  return { branches: Array.isArray(input) ? input.length : -1 };
}
`;

export function mapWorkflow(width: number, cloud: string): WorkflowIR {
  return compileOrThrow({
    name: `scale-map-${width}`,
    nodes: [
      { kind: 'task', name: 'fan', cloud, code: FAN_CODE },
      { kind: 'map', name: 'each', cloud, items: 'items' },
      { kind: 'task', name: 'work', cloud, code: WORK_CODE },
      { kind: 'join', name: 'gather', cloud, fanOut: 'each', code: GATHER_CODE },
    ],
    edges: [
      { id: 'e0', source: 'fan', target: 'each' },
      { id: 'e1', source: 'each', target: 'work' },
      { id: 'e2', source: 'work', target: 'gather' },
    ],
  });
}

const sumOps = (ops: StoreOpTotals) =>
  ops.reads + ops.writes + ops.conditionalWrites + ops.slotFills;

export async function runScalingSuite(
  options: BenchOptions,
  factories: readonly SystemFactory[],
  log: (line: string) => void,
): Promise<ScalingData> {
  const home = benchTopology.clouds[0] ?? '';
  const shapes = [
    ...options.mapWidths.map((size) => ({
      shape: 'map' as const,
      size,
      ir: mapWorkflow(size, home),
      input: { width: size },
    })),
    ...options.chainLengths.map((size) => ({
      shape: 'chain' as const,
      size,
      ir: chainWorkflow(
        `scale-chain-${size}`,
        Array.from({ length: size }, () => home),
      ),
      input: chainPayload(),
    })),
  ];
  const rows: ScalingRow[] = [];
  for (const factory of factories) {
    log(`scaling: ${factory.label}`);
    let system: SystemUnderTest | undefined;
    try {
      system = await factory.start(shapes.map((s) => s.ir));
      const workflows = system.workflows;
      if (!workflows) continue;
      for (const { shape, size, ir, input } of shapes) {
        const row: ScalingRow = {
          label: factory.label,
          family: factory.family,
          path: system.path,
          reference: factory.reference,
          shape,
          size,
        };
        try {
          await workflows.deploy(ir);
          await workflows.run(ir.workflow, input); // warm-up: cold workers are not measured
          const opsBefore = await system.storeOps?.();
          const sampler = sampleStackRss(() => system?.pids(ir.workflow) ?? Promise.resolve([]));
          const makespans: number[] = [];
          let writes = 0;
          let outputOk = true;
          for (let run = 0; run < options.scalingRuns; run += 1) {
            const result = await workflows.run(ir.workflow, input);
            makespans.push(result.makespanMs);
            writes += result.storeWrites ?? 0;
            outputOk &&=
              shape === 'map'
                ? (result.output as { branches?: number } | null)?.branches === size
                : ((result.output as { marks?: unknown[] } | null)?.marks?.length ?? 0) === size;
          }
          row.peakRssBytes = await sampler.stop();
          const opsAfter = await system.storeOps?.();
          const units = size * options.scalingRuns;
          makespans.sort((a, b) => a - b);
          row.makespanMs = makespans[Math.floor(makespans.length / 2)];
          row.outputOk = outputOk;
          if (opsBefore && opsAfter) {
            const delta: StoreOpTotals = {
              reads: (opsAfter.reads - opsBefore.reads) / units,
              writes: (opsAfter.writes - opsBefore.writes) / units,
              conditionalWrites: (opsAfter.conditionalWrites - opsBefore.conditionalWrites) / units,
              slotFills: (opsAfter.slotFills - opsBefore.slotFills) / units,
            };
            row.storeOpsPerUnit = { ...delta, total: sumOps(delta) };
            row.storeOpsPerRun = (sumOps(opsAfter) - sumOps(opsBefore)) / options.scalingRuns;
          }
          if (writes > 0) row.writesPerUnit = writes / units;
        } catch (error) {
          row.error = String(error);
        }
        log(
          `scaling: ${factory.label} ${shape} ${size}: ${row.makespanMs?.toFixed(0) ?? row.error} ms`,
        );
        rows.push(row);
      }
    } catch (error) {
      rows.push({
        label: factory.label,
        family: factory.family,
        reference: factory.reference,
        shape: 'map',
        size: 0,
        error: String(error),
      });
    } finally {
      await system?.close();
    }
  }
  return {
    runs: options.scalingRuns,
    mapWidths: options.mapWidths,
    chainLengths: options.chainLengths,
    rows,
  };
}
