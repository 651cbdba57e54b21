import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WorkflowIR } from '@jointflow/ir';
import type { BenchOptions } from '../benchOptions';
import { type LatencySummary, summarize } from '../percentiles';
import { sampleStackRss } from '../rssSampler';
import type { SystemFactory } from '../systems/catalog';
import type { SystemUnderTest } from '../systems/chainRunner';
import { baselineRunCostUsd } from '../systems/costModel';
import { compileOrThrow, type JointflowSystem } from '../systems/jointflow/jointflowSystem';

/**
 * Suite 2: the four Joint-lambda workflows and word count (examples/*.json), each on every
 * system; Jointflow also with every step on one cloud against the authored cross-cloud
 * placement. Makespan is measured by the driver from start call to result; cost comes from the
 * local clouds' meters (Jointflow only: the baselines run on plain workers, not metered).
 */
export interface WorkflowRow {
  workflow: string;
  label: string;
  family: SystemFactory['family'];
  fsync: boolean;
  /** The path its steps took (absent in results written before it was recorded). */
  path?: string;
  /** A plain-process reference row (not on the local clouds' invoke path); never a ratio's base. */
  reference?: boolean;
  placement: 'as authored (cross-cloud)' | 'single cloud';
  makespan?: LatencySummary;
  costPerMillionUsd?: number;
  /** How the cost was obtained: the local clouds' meters, or the price model for baselines. */
  costSource?: 'metered + store ops' | 'price model';
  /** Store round trips per run (Jointflow: the local clouds' counters). */
  storeOpsPerRun?: number;
  peakRssBytes?: number;
  /** Whether this system's output equals the first system's output for the same input. */
  outputMatches?: boolean;
  error?: string;
}

export interface WorkflowsData {
  runs: number;
  workflows: string[];
  rows: WorkflowRow[];
}

const examplesDir = fileURLToPath(new URL('../../../examples/', import.meta.url));

interface Example {
  name: string;
  graph: { nodes: { cloud?: string; failover?: string[] }[]; sampleInput?: unknown };
  input: unknown;
  crossCloud: WorkflowIR;
  singleCloud: WorkflowIR;
}

function loadExamples(singleCloud: string): Example[] {
  return (
    readdirSync(examplesDir)
      .filter((file) => file.endsWith('.json'))
      .sort()
      // The baselines' interpreter (workflowInterpreter.ts) has no data triggers: examples with a
      // trigger are measured by the triggers suite (suites/triggers.ts), on Jointflow only.
      .filter(
        (file) => !readFileSync(`${examplesDir}${file}`, 'utf8').includes('"kind": "trigger"'),
      )
      .map((file) => {
        const graph = JSON.parse(
          readFileSync(`${examplesDir}${file}`, 'utf8'),
        ) as Example['graph'] & {
          name: string;
        };
        const single = {
          ...graph,
          name: `${graph.name}-single`,
          nodes: graph.nodes.map((node) => ({ ...node, cloud: singleCloud, failover: [] })),
        };
        return {
          name: graph.name,
          graph,
          input: graph.sampleInput ?? {},
          crossCloud: compileOrThrow(graph),
          singleCloud: compileOrThrow(single),
        };
      })
  );
}

const stable = (value: unknown) => JSON.stringify(value);

export async function runWorkflowsSuite(
  options: BenchOptions,
  factories: readonly SystemFactory[],
  singleCloud: string,
  log: (line: string) => void,
): Promise<WorkflowsData> {
  const examples = loadExamples(singleCloud);
  const irs = examples.flatMap((example) => [example.crossCloud, example.singleCloud]);
  const reference = new Map<string, string>();
  const rows: WorkflowRow[] = [];
  for (const factory of factories) {
    log(`workflows: ${factory.label}`);
    let system: SystemUnderTest | undefined;
    try {
      system = await factory.start(irs);
      const workflows = system.workflows;
      if (!workflows) continue;
      const placements =
        factory.family === 'jointflow' && factory.fsync
          ? (['as authored (cross-cloud)', 'single cloud'] as const)
          : (['as authored (cross-cloud)'] as const);
      for (const example of examples) {
        for (const placement of placements) {
          const ir = placement === 'single cloud' ? example.singleCloud : example.crossCloud;
          const row: WorkflowRow = {
            workflow: example.name,
            label: factory.label,
            family: factory.family,
            fsync: factory.fsync,
            path: system.path,
            reference: factory.reference,
            placement,
          };
          try {
            await workflows.deploy(ir);
            const warm = await workflows.run(ir.workflow, example.input);
            const expected = reference.get(example.name);
            if (expected === undefined) reference.set(example.name, stable(warm.output));
            row.outputMatches = expected === undefined || expected === stable(warm.output);
            const costBefore = await meteredCost(system);
            const opsBefore = await system.storeOps?.();
            const sampler = sampleStackRss(() => system?.pids(ir.workflow) ?? Promise.resolve([]));
            const makespans: number[] = [];
            let modelled = 0;
            for (let run = 0; run < options.workflowRuns; run += 1) {
              const result = await workflows.run(ir.workflow, example.input);
              makespans.push(result.makespanMs);
              if (result.tally && factory.family !== 'floor' && factory.family !== 'jointflow') {
                modelled += baselineRunCostUsd(result.tally, factory.family, singleCloud);
              }
            }
            row.peakRssBytes = await sampler.stop();
            const costAfter = await meteredCost(system);
            const opsAfter = await system.storeOps?.();
            row.makespan = summarize(makespans);
            if (costBefore !== undefined && costAfter !== undefined) {
              row.costPerMillionUsd = ((costAfter - costBefore) / options.workflowRuns) * 1e6;
              row.costSource = 'metered + store ops';
            } else if (modelled > 0) {
              row.costPerMillionUsd = (modelled / options.workflowRuns) * 1e6;
              row.costSource = 'price model';
            }
            if (opsBefore && opsAfter) {
              const total = (ops: typeof opsAfter) =>
                ops.reads + ops.writes + ops.conditionalWrites + ops.slotFills;
              row.storeOpsPerRun = (total(opsAfter) - total(opsBefore)) / options.workflowRuns;
            }
          } catch (error) {
            row.error = String(error);
          }
          rows.push(row);
        }
      }
    } catch (error) {
      rows.push({
        workflow: '*',
        label: factory.label,
        family: factory.family,
        fsync: factory.fsync,
        reference: factory.reference,
        placement: 'as authored (cross-cloud)',
        error: String(error),
      });
    } finally {
      await system?.close();
    }
  }
  return { runs: options.workflowRuns, workflows: examples.map((e) => e.name), rows };
}

/** Jointflow's cost so far: the clouds' meters (requests + GB-s) plus its store operations priced. */
async function meteredCost(system: SystemUnderTest): Promise<number | undefined> {
  const metered = system as Partial<JointflowSystem>;
  if (!metered.meteredCostUsd || !metered.storeOpsCostUsd) return undefined;
  return (await metered.meteredCostUsd()) + (await metered.storeOpsCostUsd());
}
