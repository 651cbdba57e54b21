import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowIR } from '@jointflow/ir';
import { checkHistory } from '@jointflow/runtime';
import type { LocalCloudShim } from '@jointflow/shims';
import { deployWorkflow } from '@jointflow/shims';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFaultArg } from './faultArg';
import { outsidePorts, runExecution, stillQueuedOn } from './runExecution';
import { compileOrThrow, startTestClouds, type TestClouds } from './testClouds';
import { chaosInputs, comparableOutput } from './testing/chaosInputs';

/**
 * Every example gives its fault-free result, then the chaos run: at least 200 executions of the
 * examples (plus a ctx.once workflow) with crashes before and after commit, duplicates,
 * reordering, drops and an outage of one cloud with failover configured. Each execution is
 * checked with the runtime's history checker against the real stores and the delivered trace.
 */

const examplesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples');
/**
 * Part of `npm test` at 120 executions, so CI stays within its time on a 2-core machine;
 * JF_CHAOS_RUNS=1000 runs a longer one.
 */
const CHAOS_RUNS = Number(process.env.JF_CHAOS_RUNS ?? 120);
/** Executions in flight at once, against one pair of clouds. */
const PARALLEL = 20;
interface Example {
  name: string;
  graph: { nodes: { kind?: string; cloud?: string; failover?: string[] }[]; sampleInput?: unknown };
}

const examples: Example[] = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({
    name: f.replace(/\.json$/, ''),
    graph: JSON.parse(readFileSync(join(examplesDir, f), 'utf8')),
  }));

/** Every node gets a replica on the other cloud, so an outage fails over. */
function withFailover(graph: Example['graph']): Example['graph'] {
  return {
    ...graph,
    nodes: graph.nodes.map((n) => ({
      ...n,
      failover: [n.cloud === 'aws-local' ? 'aliyun-local' : 'aws-local'],
    })),
  };
}

const onceGraph = {
  name: 'once-effect',
  nodes: [
    {
      kind: 'task',
      name: 'charge',
      cloud: 'aws-local',
      code: `export async function handler(input: { url: string; amount: number }, ctx: { once<T>(k: string, fn: (key: string) => Promise<T>): Promise<T> }) {
  const receipt = await ctx.once('charge', async (key) => {
    const res = await fetch(input.url, { method: 'POST', body: JSON.stringify({ key, amount: input.amount }) });
    return (await res.json()) as { applied: boolean };
  });
  return { amount: input.amount, receipt };
}`,
    },
    {
      kind: 'task',
      name: 'confirm',
      cloud: 'aliyun-local',
      code: 'export async function handler(input: { amount: number }) { return { confirmed: input.amount }; }',
    },
  ],
  edges: [{ id: 'c', source: 'charge', target: 'confirm' }],
};

let t: TestClouds;
let shims: LocalCloudShim[];
const expected = new Map<string, unknown>();
const irs = new Map<string, WorkflowIR>();
/** The outside system the once workflow charges: it honours the idempotency key. */
/** Idempotency key → requests received; the charge is applied on the first only. */
const charges = new Map<string, number>();
let chargeUrl = '';
const chargeServer = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const { key } = JSON.parse(body) as { key: string };
    const applied = !charges.has(key);
    charges.set(key, (charges.get(key) ?? 0) + 1);
    res.end(JSON.stringify({ applied }));
  });
});

beforeAll(async () => {
  await new Promise<void>((r) => chargeServer.listen(0, '127.0.0.1', () => r()));
  chargeUrl = `http://127.0.0.1:${(chargeServer.address() as AddressInfo).port}`;
  // Short links between clouds (the profiles' 30 ms would dominate a chaos run's wall time) and
  // room for the ~25 functions each cloud hosts here (replicas included) to stay warm.
  t = await startTestClouds({ latencyMs: 3, maxWorkersPerCloud: 24 });
  shims = t.local.clouds.map((c) => c.shim);
  for (const example of examples) {
    const ir = compileOrThrow(withFailover(example.graph), t.profiles);
    irs.set(example.name, ir);
    await deployWorkflow(shims, ir, `d-${example.name}`, t.env);
  }
  const onceIr = compileOrThrow(withFailover(onceGraph), t.profiles);
  irs.set('once-effect', onceIr);
  await deployWorkflow(shims, onceIr, 'd-once-effect', t.env);
}, 120_000);

afterAll(async () => {
  await t?.close();
  chargeServer.close();
});

function inputOf(name: string, i: number, chaos: boolean): unknown {
  if (name === 'once-effect') return { url: chargeUrl, amount: i };
  if (chaos && chaosInputs[name] !== undefined) return chaosInputs[name];
  return examples.find((e) => e.name === name)?.graph.sampleInput;
}

async function runOne(name: string, i: number, stallMs: number, chaos = false) {
  const ir = irs.get(name);
  if (ir === undefined) throw new Error(`no IR for ${name}`);
  const ports = outsidePorts(shims, t.local.peers);
  return runExecution(ports, {
    ir,
    deployment: `d-${name}`,
    input: inputOf(name, i, chaos),
    execution: `${name}-${i}-${Date.now().toString(36)}`,
    stallMs,
    // A safety net, not a budget: on a loaded 2-core machine one execution can wait minutes.
    timeoutMs: 300_000,
    lastProgressAt: (e) => t.collector.lastEventAt(e),
    stillQueued: stillQueuedOn(shims),
  });
}

async function verify(name: string, execution: string): Promise<string[]> {
  const ir = irs.get(name);
  if (ir === undefined) return [`no IR for ${name}`];
  const { store } = outsidePorts(shims, t.local.peers);
  let violations: string[] = [];
  // The outboxes deliver the last events shortly after the result commits.
  for (let i = 0; i < 50; i++) {
    const report = await checkHistory({
      ir,
      execution,
      store,
      events: t.collector.events(),
    });
    violations = report.violations;
    if (report.ok) return [];
    await new Promise((r) => setTimeout(r, 100));
  }
  return violations;
}

describe('examples on the local clouds', () => {
  it('every example gives its result without faults, and the history checks', async () => {
    for (const example of [...examples.map((e) => e.name), 'once-effect']) {
      const run = await runOne(example, 0, 5_000);
      expect(run.result.status, `${example}: ${JSON.stringify(run.result)}`).toBe('succeeded');
      if (run.result.status !== 'succeeded') continue;
      expected.set(example, run.result.output);
      expect(await verify(example, run.execution)).toEqual([]);
    }
    const pi = expected.get('monte-carlo-pi') as { pi: number } | undefined;
    expect(Math.abs((pi?.pi ?? 0) - Math.PI)).toBeLessThan(0.05);
    // A safety net only: every example runs once, in turn; a loaded 2-core machine is slow.
  }, 600_000);

  it(`survives chaos: ${CHAOS_RUNS} executions with crashes, duplicates, reordering, drops and an outage`, async () => {
    // The trigger workflows run under chaos in triggerChaos.test.ts, two at a time: twenty at
    // once build redrive storms (a group trigger refires every group on each redrive) that a
    // loaded 2-core machine does not drain. They run here fault-free, above.
    const names = [
      ...examples
        .filter((e) => !e.graph.nodes.some((n) => n.kind === 'trigger'))
        .map((e) => e.name),
      'once-effect',
    ];
    // The fault-free reference for each small chaos input.
    const chaosExpected = new Map<string, unknown>();
    for (const name of Object.keys(chaosInputs)) {
      const run = await runOne(name, 0, 5_000, true);
      expect(run.result.status, `${name}: ${JSON.stringify(run.result)}`).toBe('succeeded');
      if (run.result.status === 'succeeded') chaosExpected.set(name, run.result.output);
    }
    const faults = parseFaultArg(
      'crash=0.12,duplicate=0.15,drop=0.04,reorder=30,outage=aliyun-local:1500-4500',
      shims.map((s) => s.profile.id),
      7,
    );
    await Promise.all(shims.map((s) => s.local.injectFaults(faults[s.profile.id] ?? {})));
    const started = Date.now();
    let next = 0;
    const failures: string[] = [];
    const finished: { name: string; execution: string }[] = [];
    let redrives = 0;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= CHAOS_RUNS) return;
        const name = names[i % names.length] ?? 'word-count';
        const run = await runOne(name, i + 1, 1_500, true);
        redrives += run.redrives;
        if (run.result.status !== 'succeeded') {
          failures.push(
            `${run.execution}: ${JSON.stringify(run.result).slice(0, 300)}\n${await diagnose(name, run.execution)}`,
          );
          continue;
        }
        const want = name === 'once-effect' ? { confirmed: i + 1 } : chaosExpected.get(name);
        expect(comparableOutput(run.result.output), run.execution).toEqual(comparableOutput(want));
        finished.push({ name, execution: run.execution });
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    const elapsed = Date.now() - started;
    await Promise.all(shims.map((s) => s.local.injectFaults({})));
    expect(failures).toEqual([]);
    // Every execution's history, against the real stores and the delivered trace.
    for (const { name, execution } of finished) {
      const violations = await verify(name, execution);
      if (violations.length > 0) failures.push(`${execution}: ${violations.join('; ')}`);
    }
    console.log(
      `chaos: ${CHAOS_RUNS} executions (${PARALLEL} at a time) in ${elapsed} ms, ${redrives} redrives, ${failures.length} failures`,
    );
    expect(failures).toEqual([]);
    // ctx.once: the outside system applied exactly one charge per execution, under the
    // execution's deterministic key, whatever crashes and duplicates did (a retry after a crash
    // between the effect and its memo may ask again with the same key; it is not applied).
    const onceExecutions = finished.filter((f) => f.name === 'once-effect').map((f) => f.execution);
    const chaosKeys = [...charges.keys()].filter((k) => !k.startsWith('once-effect-0-')).sort();
    expect(chaosKeys).toEqual(onceExecutions.map((e) => `${e}/charge/charge`).sort());
    const requests = chaosKeys.reduce((n, k) => n + (charges.get(k) ?? 0), 0);
    console.log(`ctx.once: ${chaosKeys.length} charges applied, ${requests} requests`);
    const dead = (await Promise.all(shims.map((s) => s.deadLetters()))).flat();
    expect(dead.filter((d) => !String(d.error).includes('FUNCTION_TIMEOUT'))).toEqual([]);
  }, 1_200_000);
});

/** Where a stuck execution stands: its frontier, the clouds' queues and its dead letters. */
async function diagnose(name: string, execution: string): Promise<string> {
  const ir = irs.get(name);
  if (ir === undefined) return `no IR for ${name}`;
  const { store } = outsidePorts(shims, t.local.peers);
  const report = await checkHistory({
    ir,
    execution,
    store,
    events: t.collector.events(),
    expectComplete: false,
  });
  const lines = [`  frontier: ${report.violations.slice(0, 8).join('; ') || '(nothing missing)'}`];
  for (const shim of shims) {
    const stats = await shim.stats();
    const dead = (await shim.deadLetters()).filter((d) =>
      JSON.stringify(d.invocation).includes(execution),
    );
    lines.push(
      `  ${shim.profile.id}: queued ${stats.queued}, in flight ${stats.inFlight}, workers ${stats.workers.length} (${stats.workers.filter((w) => w.busy).length} busy), waiting ${JSON.stringify(stats.waiting)}, dead letters of this execution ${dead.map((d) => `${d.function}: ${d.error.slice(0, 120)}`).join(' | ') || 'none'}`,
    );
  }
  return lines.join('\n');
}
