import { readFileSync } from 'node:fs';
import type { WorkflowIR } from '@jointflow/ir';
import { checkHistory } from '@jointflow/runtime';
import type { LocalCloudShim, StoreOpCounts } from '@jointflow/shims';
import { deployWorkflow } from '@jointflow/shims';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outsidePorts, runExecution, stillQueuedOn } from './runExecution';
import { compileOrThrow, startTestClouds, type TestClouds } from './testClouds';

/**
 * A map of 1,000 branches across two clouds completes, its history checks, the whole stack
 * (cloud processes, their workers, this test process) stays within 1.5 GB resident memory, and
 * the store operations per branch are the same at width 10, 100 and 1,000.
 */

const MEMORY_BOUND_MB = 1536;

const graph = {
  name: 'wide-map',
  nodes: [
    {
      kind: 'task',
      name: 'spread',
      cloud: 'aws-local',
      code: 'export async function handler(input: { width: number }) { return { items: Array.from({ length: input.width }, (_, i) => i) }; }',
    },
    { kind: 'map', name: 'each', cloud: 'aws-local', items: 'items', code: '' },
    {
      kind: 'task',
      name: 'square',
      cloud: 'aliyun-local',
      code: 'export async function handler(n: number) { let s = 0; for (let i = 0; i < 1000; i++) s = (s + n * n) % 1000003; return { n, sq: n * n, s }; }',
    },
    {
      kind: 'join',
      name: 'sum',
      cloud: 'aws-local',
      fanOut: 'each',
      code: 'export async function handler(parts: { n: number; sq: number }[]) { return { count: parts.length, sum: parts.reduce((a, p) => a + p.sq, 0) }; }',
    },
  ],
  edges: [
    { id: 'a', source: 'spread', target: 'each' },
    { id: 'b', source: 'each', target: 'square' },
    { id: 'c', source: 'square', target: 'sum' },
  ],
};

let t: TestClouds;
let shims: LocalCloudShim[];
let ir: WorkflowIR;

beforeAll(async () => {
  t = await startTestClouds({ latencyMs: 3 });
  shims = t.local.clouds.map((c) => c.shim);
  ir = compileOrThrow(graph, t.profiles);
  await deployWorkflow(shims, ir, 'wide', t.env);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? 0 : Number(match[1]) / 1024;
  } catch {
    return 0; // the process exited between listing and reading
  }
}

/** Instance-level store operations (checkpoints, once memos, join records) on every cloud. */
async function instanceOps(): Promise<number> {
  let total = 0;
  for (const shim of shims) {
    const byKind = (await shim.stats()).storeOps?.byKeyKind ?? {};
    for (const kind of ['ckpt', 'once', 'join']) {
      const c: StoreOpCounts | undefined = byKind[kind];
      if (c) total += c.reads + c.writes + c.conditionalWrites + c.slotFills;
    }
  }
  return total;
}

async function runWidth(width: number) {
  const before = await instanceOps();
  const run = await runExecution(outsidePorts(shims, t.local.peers), {
    ir,
    deployment: 'wide',
    input: { width },
    execution: `wide-${width}-${Date.now().toString(36)}`,
    stallMs: 5_000,
    timeoutMs: 150_000,
    lastProgressAt: (e) => t.collector.lastEventAt(e),
    stillQueued: stillQueuedOn(shims),
  });
  return { run, ops: (await instanceOps()) - before };
}

describe('a map of 1,000 branches', () => {
  it('completes within 1.5 GB, history checked, with constant store ops per branch', async () => {
    let peakMb = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const pids = new Set<number>([process.pid]);
        for (const cloud of t.local.clouds) pids.add(cloud.pid);
        for (const shim of shims) {
          for (const w of (await shim.stats()).workers) pids.add(w.pid);
        }
        let sum = 0;
        for (const pid of pids) sum += rssMb(pid);
        peakMb = Math.max(peakMb, sum);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    try {
      const small = await runWidth(10);
      const medium = await runWidth(100);
      const wide = await runWidth(1000);
      for (const [width, { run }] of [
        [10, small],
        [100, medium],
        [1000, wide],
      ] as const) {
        expect(run.result.status, `width ${width}: ${JSON.stringify(run.result)}`).toBe(
          'succeeded',
        );
        if (run.result.status !== 'succeeded') continue;
        let sum = 0;
        for (let n = 0; n < width; n++) sum += n * n;
        expect(run.result.output).toEqual({ count: width, sum });
      }
      const report = await waitForHistory(wide.run.execution);
      expect(report.violations).toEqual([]);
      expect(report.instances).toBeGreaterThanOrEqual(1000);
      // Fault-free, each width costs a + b·width instance-level operations: b is the same.
      const perBranch = (wide.ops - small.ops) / 990;
      expect((medium.ops - small.ops) / 90).toBe(perBranch);
      console.log(
        `1,000-branch map: ${wide.run.elapsedMs} ms, peak RSS of the stack ${peakMb.toFixed(0)} MB, instance store ops ${small.ops}/${medium.ops}/${wide.ops} at width 10/100/1000 = ${perBranch} per branch`,
      );
    } finally {
      sampling = false;
      await sampler;
    }
    expect(peakMb).toBeGreaterThan(0);
    expect(peakMb).toBeLessThan(MEMORY_BOUND_MB);
  }, 200_000);
});

async function waitForHistory(execution: string) {
  const { store } = outsidePorts(shims, t.local.peers);
  let report = { ok: false, violations: ['not checked'], instances: 0 };
  for (let i = 0; i < 50; i++) {
    report = await checkHistory({
      ir,
      execution,
      store,
      events: t.collector.events(),
    });
    if (report.ok) return report;
    await new Promise((r) => setTimeout(r, 200));
  }
  return report;
}
