import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FaultSpec } from '@jointflow/shims';
import type { BenchOptions } from '../benchOptions';
import { type LatencySummary, summarize } from '../percentiles';
import { benchTopology } from '../systems/catalog';
import {
  compileOrThrow,
  type JointflowSystem,
  startJointflow,
} from '../systems/jointflow/jointflowSystem';

/**
 * Suite 4, faults: Jointflow (fsync) runs word count (a map over chunks and a join) with every
 * step able to fail over to the other cloud, under each fault of the local clouds' seeded fault
 * model, one at a time. Per setting: completion rate, whether each result equals the fault-free
 * result, makespan and its increase over the fault-free runs, and the watchdog's redrives.
 * The baselines are not run here: they have no fault injection on this machine.
 */
export interface FaultRow {
  setting: string;
  spec: string;
  runs: number;
  completed: number;
  correct: number;
  makespan?: LatencySummary;
  /** p50 makespan minus the fault-free p50, ms. */
  addedP50Ms?: number;
  redrives: number;
  errors: string[];
}

export interface FaultsData {
  workflow: string;
  runs: number;
  stallMs: number;
  rows: FaultRow[];
}

const STALL_MS = 1_000;
const TIMEOUT_MS = 30_000;
const OUTAGE_MS = 1_500;

const examplePath = fileURLToPath(new URL('../../../examples/word-count.json', import.meta.url));

export async function runFaultsSuite(
  options: BenchOptions,
  log: (line: string) => void,
): Promise<FaultsData> {
  const [home = '', other = home] = benchTopology.clouds;
  const graph = JSON.parse(readFileSync(examplePath, 'utf8')) as {
    name: string;
    sampleInput?: unknown;
    nodes: Record<string, unknown>[];
  };
  const ir = compileOrThrow({
    ...graph,
    name: `${graph.name}-failover`,
    nodes: graph.nodes.map((node) => ({
      ...node,
      failover: [node.cloud === other ? home : other],
    })),
  });
  const input = graph.sampleInput ?? {};
  const settings: { setting: string; spec: (run: number) => FaultSpec; clouds?: string[] }[] = [
    { setting: 'none', spec: () => ({}) },
    {
      setting: 'crash',
      spec: (run) => ({ seed: 100 + run, crashBeforeCommit: 0.2, crashAfterCommit: 0.2 }),
    },
    { setting: 'duplicate', spec: (run) => ({ seed: 200 + run, duplicate: 0.3 }) },
    { setting: 'drop', spec: (run) => ({ seed: 300 + run, drop: 0.2 }) },
    {
      setting: `outage of ${home} + failover`,
      spec: () => ({ outage: { startInMs: 0, durationMs: OUTAGE_MS } }),
      clouds: [home],
    },
  ];
  const system: JointflowSystem = await startJointflow(true);
  const rows: FaultRow[] = [];
  try {
    await system.workflows?.deploy(ir);
    await system.runWithWatchdog(ir.workflow, input, STALL_MS, TIMEOUT_MS); // warm-up
    let reference: string | undefined;
    let baselineP50: number | undefined;
    for (const { setting, spec, clouds } of settings) {
      log(`faults: ${setting}`);
      const row: FaultRow = {
        setting,
        spec: JSON.stringify(spec(0)),
        runs: options.faultRuns,
        completed: 0,
        correct: 0,
        redrives: 0,
        errors: [],
      };
      const makespans: number[] = [];
      for (let run = 0; run < options.faultRuns; run += 1) {
        await system.injectFaults(spec(run), clouds);
        try {
          const result = await system.runWithWatchdog(ir.workflow, input, STALL_MS, TIMEOUT_MS);
          row.redrives += result.redrives;
          if (result.status === 'succeeded') {
            row.completed += 1;
            makespans.push(result.makespanMs);
            const text = JSON.stringify(result.output);
            if (setting === 'none' && reference === undefined) reference = text;
            if (text === reference) row.correct += 1;
          } else {
            row.errors.push(result.status);
          }
        } catch (error) {
          row.errors.push(String(error));
        } finally {
          await system.injectFaults({});
        }
      }
      if (makespans.length > 0) {
        row.makespan = summarize(makespans);
        if (setting === 'none') baselineP50 = row.makespan.p50;
        if (baselineP50 !== undefined) row.addedP50Ms = row.makespan.p50 - baselineP50;
      }
      rows.push(row);
    }
  } finally {
    await system.close();
  }
  return { workflow: ir.workflow, runs: options.faultRuns, stallMs: STALL_MS, rows };
}
