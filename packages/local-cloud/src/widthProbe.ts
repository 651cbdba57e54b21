/**
 * Measures how fast the local clouds run a wide map (not a test):
 *
 *   npx tsx packages/local-cloud/src/widthProbe.ts [--widths 200,1000] [--runs 2]
 *     [--process-concurrency N] [--max-workers 6] [--noop]
 *
 * Starts the two default clouds as `jointflow run` does (the profiles' own cold starts and
 * latencies, fsync, 6 worker processes per cloud), deploys examples/monte-carlo-pi.json (or,
 * with `--noop`, a map whose branches do nothing) and runs it at each width, `--runs` times (the
 * first run at each width includes the cold starts). Prints per run: the execution's time,
 * branches per second, store operations per branch (conditional writes + slot fills, every
 * kind), the summed peak RSS of the cloud processes and their workers, and where the branches'
 * invocations spent their time (from the `invocation.billed` events: handler run, queueing for
 * a sandbox, cold start).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CloudProfile } from '@jointflow/ir';
import { deployWorkflow } from '@jointflow/shims';
import { loadProfileDir } from './profiles';
import { outsidePorts, runExecution, stillQueuedOn } from './runExecution';
import { startLocalClouds } from './startLocalClouds';
import { compileOrThrow } from './testClouds';
import { startTraceCollector } from './traceCollector';

const { values } = parseArgs({
  options: {
    widths: { type: 'string' },
    runs: { type: 'string' },
    'process-concurrency': { type: 'string' },
    'max-workers': { type: 'string' },
    noop: { type: 'boolean' },
  },
});
const WIDTHS = (values.widths ?? '200,1000').split(',').map(Number);
const RUNS = Number(values.runs ?? 2);

const noopGraph = {
  name: 'noop-map',
  nodes: [
    {
      kind: 'task',
      name: 'spread',
      cloud: 'aws-local',
      code: 'export async function handler(input: { branches: number }) { return { items: Array.from({ length: input.branches }, (_, i) => i) }; }',
    },
    { kind: 'map', name: 'each', cloud: 'aws-local', items: 'items', code: '' },
    {
      kind: 'task',
      name: 'noop',
      cloud: 'aliyun-local',
      code: 'export async function handler(n: number) { return n; }',
    },
    {
      kind: 'join',
      name: 'count',
      cloud: 'aws-local',
      fanOut: 'each',
      code: 'export async function handler(parts: number[]) { return parts.length; }',
    },
  ],
  edges: [
    { id: 'a', source: 'spread', target: 'each' },
    { id: 'b', source: 'each', target: 'noop' },
    { id: 'c', source: 'noop', target: 'count' },
  ],
};

function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? 0 : Number(match[1]) / 1024;
  } catch {
    return 0;
  }
}

const pct = (sorted: number[], p: number) =>
  sorted.length === 0
    ? 0
    : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0);

const all = loadProfileDir();
const processConcurrency = values['process-concurrency'];
const profiles: CloudProfile[] =
  processConcurrency === undefined
    ? all
    : all.map((p) => ({
        ...p,
        behaviour: { ...p.behaviour, processConcurrency: Number(processConcurrency) },
      }));
const dataDir = join(
  process.env.TMPDIR ?? '/tmp',
  `jf-width-probe-${process.pid}-${Date.now().toString(36)}`,
);
const collector = await startTraceCollector();
const local = await startLocalClouds({
  profiles,
  dataDir,
  logs: 'ignore',
  maxWorkersPerCloud: Number(values['max-workers'] ?? 6),
});
try {
  const shims = local.clouds.map((c) => c.shim);
  const graph = values.noop
    ? noopGraph
    : JSON.parse(readFileSync(join(process.cwd(), 'examples/monte-carlo-pi.json'), 'utf8'));
  const ir = compileOrThrow(graph, profiles);
  const env = { JF_TRACE_URL: collector.url, JF_TRACE_SECRET: collector.secret };
  await deployWorkflow(shims, ir, 'probe', env);
  const ports = outsidePorts(shims, local.peers);
  const branchFn = values.noop ? 'noop' : 'sample';
  for (const width of WIDTHS) {
    for (let run = 0; run < RUNS; run++) {
      const opsBefore = await Promise.all(shims.map((s) => s.stats()));
      let peak = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const pids = new Set<number>(local.clouds.map((c) => c.pid));
          for (const shim of shims) for (const w of (await shim.stats()).workers) pids.add(w.pid);
          let sum = 0;
          for (const pid of pids) sum += rssMb(pid);
          peak = Math.max(peak, sum);
          await new Promise((r) => setTimeout(r, 250));
        }
      })();
      const load = loadavg()[0]?.toFixed(1);
      const result = await runExecution(ports, {
        ir,
        deployment: 'probe',
        input: { samples: 1000, branches: width },
        timeoutMs: 600_000,
        lastProgressAt: (e) => collector.lastEventAt(e),
        stillQueued: stillQueuedOn(shims),
      });
      sampling = false;
      await sampler;
      const opsAfter = await Promise.all(shims.map((s) => s.stats()));
      let ops = 0;
      const perCloud: string[] = [];
      opsAfter.forEach((after, i) => {
        const a = after.storeOps?.total;
        const b = opsBefore[i]?.storeOps?.total;
        if (!a || !b) return;
        const n = a.conditionalWrites + a.slotFills - b.conditionalWrites - b.slotFills;
        ops += n;
        perCloud.push(`${local.clouds[i]?.profile.id} ${n}`);
      });
      // Trace events trail the result a little.
      await new Promise((r) => setTimeout(r, 500));
      const billed = collector
        .events()
        .filter(
          (e) =>
            e.execution === result.execution &&
            e.kind === 'invocation.billed' &&
            e.node === branchFn,
        );
      // The run's phases, ms after its first event: the map's commit, the branches' first and
      // last start, the last branch's commit, the result.
      const mine = collector.events().filter((e) => e.execution === result.execution);
      const t0 = Math.min(...mine.map((e) => e.at));
      const at = (pick: (e: (typeof mine)[number]) => boolean, last = false) => {
        const times = mine.filter(pick).map((e) => e.at - t0);
        return times.length === 0 ? -1 : last ? Math.max(...times) : Math.min(...times);
      };
      const branch = (e: (typeof mine)[number]) => e.node === branchFn;
      const phases = [
        `map committed +${at((e) => e.kind === 'step.succeeded' && e.node === (values.noop ? 'each' : 'branches'))}`,
        `branches started +${at((e) => branch(e) && e.kind === 'step.started')}..+${at((e) => branch(e) && e.kind === 'step.started', true)}`,
        `last branch committed +${at((e) => branch(e) && e.kind === 'step.succeeded', true)}`,
        `result +${at((e) => e.kind === 'execution.succeeded')}`,
      ].join(', ');
      const run_ = billed.map((e) => e.durationMs ?? 0).sort((a, b) => a - b);
      const queued = billed.map((e) => e.queuedMs ?? 0).sort((a, b) => a - b);
      const cold = billed.filter((e) => (e.coldStartMs ?? 0) > 0).length;
      console.log(
        `width ${width} run ${run + 1}: ${result.result.status} in ${result.elapsedMs} ms ` +
          `(${((width / result.elapsedMs) * 1000).toFixed(0)} branches/s), redrives ${result.redrives}, ` +
          `store ops ${ops} = ${(ops / width).toFixed(2)}/branch (${perCloud.join(', ')}), peak RSS ${peak.toFixed(0)} MB, ` +
          `branch run p50/p90 ${pct(run_, 50).toFixed(0)}/${pct(run_, 90).toFixed(0)} ms, ` +
          `queued p50/p90 ${pct(queued, 50).toFixed(0)}/${pct(queued, 90).toFixed(0)} ms, ` +
          `${cold} cold starts; ${phases}; load ${load} -> ${loadavg()[0]?.toFixed(1)}`,
      );
    }
  }
} finally {
  await local.stop();
  await collector.close();
}
process.exit(0);
