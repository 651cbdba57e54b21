import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowIR } from '@jointflow/ir';
import type { TraceEvent } from '@jointflow/runtime';
import type { LocalCloudShim } from '@jointflow/shims';
import { deployWorkflow } from '@jointflow/shims';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFaultArg } from './faultArg';
import { outsidePorts, runExecution, stillQueuedOn } from './runExecution';
import { compileOrThrow, historyViolations, startTestClouds, type TestClouds } from './testClouds';
import { comparableOutput } from './testing/chaosInputs';

/**
 * Data triggers under chaos on real cloud processes and real stores: a k-of-n vote
 * (ml-pipeline), a dynamic group shuffle (mapreduce-sort) and a batch fan-in (parallel-sleep,
 * batches of 4), first fault-free, then RUNS executions with crashes before and after commit,
 * duplicates, drops, reordering and an outage of one cloud with failover to the other. Every
 * result equals the fault-free one (k-of-n: the same answer, exactly 3 distinct winners, which
 * may differ), every trigger decision appears once, and the history checker passes.
 */

const examplesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples');
/** Executions under faults: a count, not a time budget. */
const RUNS = Number(process.env.JF_TRIGGER_CHAOS_RUNS ?? 9);
/**
 * Executions in flight at once. Few: a redrive re-walks an execution's committed prefix (a
 * group trigger refires every group from every mapper that sees its record complete), so on a
 * loaded 2-core machine many executions at once build a queue whose walks outlast the watchdog's
 * patience, and its redrives add more walks than the clouds drain.
 */
const PARALLEL = 2;

interface Graph {
  name: string;
  nodes: { name: string; cloud?: string; failover?: string[]; trigger?: unknown }[];
}

function example(name: string): Graph {
  return JSON.parse(readFileSync(join(examplesDir, `${name}.json`), 'utf8')) as Graph;
}

/** Every node gets a replica on the other cloud, so an outage fails over. */
function withFailover(graph: Graph): Graph {
  return {
    ...graph,
    nodes: graph.nodes.map((n) => ({
      ...n,
      failover: [n.cloud === 'aws-local' ? 'aliyun-local' : 'aws-local'],
    })),
  };
}

const sleepBatches = example('parallel-sleep');
const workflows: { name: string; graph: Graph; input: unknown }[] = [
  {
    name: 'ml-pipeline',
    graph: example('ml-pipeline'),
    // The straggler is 300 ms late: enough to lose usually, not always, under faults.
    input: { shape: 'square', width: 16, height: 16, seed: 5, slowMs: 300 },
  },
  {
    name: 'mapreduce-sort',
    graph: example('mapreduce-sort'),
    input: {
      numbers: [31, 4, 15, 9, 26, 5, 35, 8, 9, 7, 93, 2, 38, 4, 62, 6],
      mappers: 4,
      reducers: 3,
    },
  },
  {
    name: 'parallel-sleep',
    // Batches of 4 so 10 sleepers make three runs of the trigger (4, 4, 2).
    graph: {
      ...sleepBatches,
      nodes: sleepBatches.nodes.map((n) =>
        n.name === 'gather' ? { ...n, trigger: { type: 'batch', size: 4 } } : n,
      ),
    },
    input: { sleepers: 10, sleepMs: 1 },
  },
];

let t: TestClouds;
let shims: LocalCloudShim[];
const irs = new Map<string, WorkflowIR>();
const expected = new Map<string, unknown>();

beforeAll(async () => {
  // Room for every function of the three workflows (and its failover replica) to stay warm:
  // evicting and cold-starting workers is what makes a loaded machine fall behind.
  t = await startTestClouds({ latencyMs: 3, maxWorkersPerCloud: 32 });
  shims = t.local.clouds.map((c) => c.shim);
  for (const w of workflows) {
    const ir = compileOrThrow(withFailover(w.graph), t.profiles);
    irs.set(w.name, ir);
    await deployWorkflow(shims, ir, `d-${w.name}`, t.env);
  }
}, 300_000);

afterAll(async () => {
  await t?.close();
});

async function runOne(name: string, i: number, stallMs: number) {
  const ir = irs.get(name);
  const w = workflows.find((x) => x.name === name);
  if (ir === undefined || w === undefined) throw new Error(`no workflow ${name}`);
  return runExecution(outsidePorts(shims, t.local.peers), {
    ir,
    deployment: `d-${name}`,
    input: w.input,
    execution: `trig-${name}-${i}-${Date.now().toString(36)}`,
    stallMs,
    // A safety net, not a budget: on a loaded 2-core machine one execution can wait minutes.
    timeoutMs: 600_000,
    lastProgressAt: (e) => t.collector.lastEventAt(e),
    stillQueued: stillQueuedOn(shims),
  });
}

/** Each trigger decision once (event ids are per decision, so duplicates collapse). */
function decisions(execution: string, kind: TraceEvent['kind']): TraceEvent[] {
  const byId = new Map<string, TraceEvent>();
  for (const e of t.collector.events()) {
    if (e.execution === execution && e.kind === kind) byId.set(e.id, e);
  }
  return [...byId.values()];
}

/** What the trigger decided, checked against the output: the invariants per kind. */
function checkDecisions(name: string, execution: string, output: unknown): string[] {
  const fired = decisions(execution, 'trigger.fired');
  const runs = new Set(fired.map((e) => e.instance));
  const problems: string[] = [];
  if (name === 'ml-pipeline') {
    const winners = (output as { winners: string[] }).winners;
    if (new Set(winners).size !== 3) problems.push(`winners ${JSON.stringify(winners)}`);
    if (runs.size !== 1) problems.push(`vote fired ${runs.size} runs`);
    for (const e of fired) {
      const members = (e.output as { members?: string[] }).members;
      if (members && [...members].sort().join() !== [...winners].sort().join()) {
        problems.push(`vote fired with ${members.join()} but answered for ${winners.join()}`);
      }
    }
  }
  if (name === 'mapreduce-sort' && runs.size !== 3) problems.push(`shuffle fired ${runs.size}`);
  if (name === 'parallel-sleep' && runs.size !== 3) problems.push(`gather fired ${runs.size}`);
  return problems.map((p) => `${execution}: ${p}`);
}

describe('data triggers on the local clouds under chaos', () => {
  it('gives the reference result without faults', async () => {
    for (const w of workflows) {
      const run = await runOne(w.name, 0, 5_000);
      expect(run.result.status, `${w.name}: ${JSON.stringify(run.result)}`).toBe('succeeded');
      if (run.result.status !== 'succeeded') continue;
      expected.set(w.name, run.result.output);
      expect(checkDecisions(w.name, run.execution, run.result.output)).toEqual([]);
      const ir = irs.get(w.name) as WorkflowIR;
      expect(await historyViolations(shims, t.collector, ir, run.execution)).toEqual([]);
    }
    expect(expected.get('mapreduce-sort')).toMatchObject({
      sorted: [2, 4, 4, 5, 6, 7, 8, 9, 9, 15, 26, 31, 35, 38, 62, 93],
    });
    expect(expected.get('ml-pipeline')).toMatchObject({ label: 'square', answers: 3 });
    expect(expected.get('parallel-sleep')).toEqual({
      sleepers: 10,
      batches: 3,
      sleptMs: 10,
      contiguous: true,
    });
  }, 600_000);

  it(`${RUNS} executions with crashes, duplicates, drops, reordering and an outage: same results, clean histories`, async () => {
    expect(expected.size).toBe(workflows.length);
    const faults = parseFaultArg(
      'crash=0.2,duplicate=0.2,drop=0.05,reorder=30,outage=aliyun-local:500-2500',
      shims.map((s) => s.profile.id),
      13,
    );
    await Promise.all(shims.map((s) => s.local.injectFaults(faults[s.profile.id] ?? {})));
    let next = 0;
    const failures: string[] = [];
    const finished: { name: string; execution: string; output: unknown }[] = [];
    let redrives = 0;
    const started = Date.now();
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= RUNS) return;
        const name = workflows[i % workflows.length]?.name ?? 'mapreduce-sort';
        const run = await runOne(name, i + 1, 5_000);
        redrives += run.redrives;
        console.log(
          `${run.execution}: ${run.result.status} in ${run.elapsedMs} ms, ${run.redrives} redrives`,
        );
        if (run.result.status !== 'succeeded') {
          failures.push(`${run.execution}: ${JSON.stringify(run.result).slice(0, 300)}`);
          continue;
        }
        expect(comparableOutput(run.result.output), run.execution).toEqual(
          comparableOutput(expected.get(name)),
        );
        finished.push({ name, execution: run.execution, output: run.result.output });
      }
    };
    try {
      await Promise.all(Array.from({ length: PARALLEL }, worker));
    } finally {
      await Promise.all(shims.map((s) => s.local.injectFaults({})));
    }
    expect(failures).toEqual([]);
    for (const { name, execution, output } of finished) {
      const ir = irs.get(name) as WorkflowIR;
      const violations = await historyViolations(shims, t.collector, ir, execution);
      if (violations.length > 0) failures.push(`${execution}: ${violations.join('; ')}`);
      failures.push(...checkDecisions(name, execution, output));
    }
    console.log(
      `trigger chaos: ${RUNS} executions (${PARALLEL} at a time) in ${Date.now() - started} ms, ${redrives} redrives`,
    );
    expect(failures).toEqual([]);
    const dead = (await Promise.all(shims.map((s) => s.deadLetters()))).flat();
    expect(dead.filter((d) => !String(d.error).includes('FUNCTION_TIMEOUT'))).toEqual([]);
  }, 1_200_000);
});
