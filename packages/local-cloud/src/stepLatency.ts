/**
 * Measures the latency of one exactly-once step on one local cloud (not a test):
 *
 *   npx tsx packages/local-cloud/src/stepLatency.ts [--runs 6] [--steps 50]
 *
 * A chain of no-op steps runs warm; each step appends a high-resolution wall-clock stamp to its
 * payload, so a transition (user code of step i returns → user code of step i+1 starts: commit,
 * Event invoke, queue, dispatch, worker) is measured from inside the functions. Printed per
 * durability (`fsync`, `os`): p50/p99 per transition and store operations per step. The floor is
 * measured the same way: a loopback HTTP round trip to another process that does one
 * `synchronous=FULL` put-if-absent in SQLite per request. The floor is sampled right before
 * every chain run (as many requests as the run has steps), so both see the same load on a
 * shared machine (the disk's fsync latency especially); each durability's ratio is against the
 * floor samples taken alongside its own runs.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { WorkflowIR } from '@jointflow/ir';
import { deployWorkflow, httpRequest } from '@jointflow/shims';
import type { Durability } from './database';
import { outsidePorts, runExecution, stillQueuedOn } from './runExecution';
import { compileOrThrow, startTestClouds } from './testClouds';

const { values } = parseArgs({
  options: { runs: { type: 'string' }, steps: { type: 'string' } },
});
const RUNS = Number(values.runs ?? 6);
const STEPS = Number(values.steps ?? 50);

const stepCode = `export async function handler(input: { t: number[] }) {
  return { t: [...input.t, performance.timeOrigin + performance.now()] };
}`;

function chainGraph(steps: number) {
  const nodes = Array.from({ length: steps }, (_, i) => ({
    kind: 'task',
    name: `s${i}`,
    cloud: 'aws-local',
    code: stepCode,
  }));
  const edges = Array.from({ length: steps - 1 }, (_, i) => ({
    id: `e${i}`,
    source: `s${i}`,
    target: `s${i + 1}`,
  }));
  return { name: 'latency-chain', nodes, edges };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

async function measureChain(durability: Durability, floor: FloorServer) {
  // Every step is its own function: keep them all warm, as a steady stream of steps would.
  const t = await startTestClouds({ only: 'aws-local', durability, maxWorkersPerCloud: STEPS + 4 });
  try {
    const shims = t.local.clouds.map((c) => c.shim);
    const ir: WorkflowIR = compileOrThrow(chainGraph(STEPS), t.profiles);
    await deployWorkflow(shims, ir, 'latency', t.env);
    const ports = outsidePorts(shims, t.local.peers);
    const gaps: number[] = [];
    const floorTimes: number[] = [];
    const shim = shims[0];
    if (shim === undefined) throw new Error('no cloud started');
    let opsBefore = (await shim.stats()).storeOps?.total;
    for (let run = 0; run <= RUNS; run++) {
      if (run === 1) opsBefore = (await shim.stats()).storeOps?.total;
      if (run > 0) floorTimes.push(...(await floor.sample(STEPS)));
      const result = await runExecution(ports, {
        ir,
        deployment: 'latency',
        input: { t: [] },
        timeoutMs: 60_000,
        lastProgressAt: (e) => t.collector.lastEventAt(e),
        stillQueued: stillQueuedOn(shims),
      });
      if (result.result.status !== 'succeeded')
        throw new Error(`chain run failed: ${JSON.stringify(result.result)}`);
      // Run 0 warms the workers (cold starts); it is not measured.
      if (run === 0) continue;
      const stamps = (result.result.output as { t: number[] }).t;
      for (let i = 1; i < stamps.length; i++) {
        const a = stamps[i - 1];
        const b = stamps[i];
        if (a !== undefined && b !== undefined) gaps.push(b - a);
      }
    }
    const opsAfter = (await shim.stats()).storeOps?.total;
    gaps.sort((a, b) => a - b);
    floorTimes.sort((a, b) => a - b);
    const ops =
      opsBefore && opsAfter
        ? {
            conditionalWrites: (opsAfter.conditionalWrites - opsBefore.conditionalWrites) / RUNS,
            reads: (opsAfter.reads - opsBefore.reads) / RUNS,
            slotFills: (opsAfter.slotFills - opsBefore.slotFills) / RUNS,
            writes: (opsAfter.writes - opsBefore.writes) / RUNS,
          }
        : undefined;
    return {
      p50: percentile(gaps, 50),
      p99: percentile(gaps, 99),
      n: gaps.length,
      ops,
      floor: { p50: percentile(floorTimes, 50), p99: percentile(floorTimes, 99) },
    };
  } finally {
    await t.close();
  }
}

/** A process that answers each request after one fsync'd put-if-absent in SQLite. */
const floorServer = `
const http = require('node:http');
const Database = require('better-sqlite3');
const db = new Database(process.argv[2]);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
const put = db.prepare('INSERT OR IGNORE INTO kv (key, value) VALUES (?, ?)');
const get = db.prepare('SELECT value FROM kv WHERE key = ?');
const tx = db.transaction((k, v) => (put.run(k, v).changes === 1 ? null : get.get(k)));
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const { key, value } = JSON.parse(Buffer.concat(chunks).toString());
    const existing = tx(key, JSON.stringify(value));
    res.end(JSON.stringify(existing ? { won: false } : { won: true }));
  });
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));
`;

interface FloorServer {
  /** Times `n` sequential floor requests (ms). */
  sample(n: number): Promise<number[]>;
  close(): void;
}

async function startFloor(): Promise<FloorServer> {
  const dir = mkdtempSync(join(tmpdir(), 'jf-floor-'));
  const script = join(dir, 'floor.cjs');
  writeFileSync(script, floorServer);
  const child = fork(script, [join(dir, 'floor.db')], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_PATH: join(process.cwd(), 'node_modules') },
  });
  const close = () => {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`floor server exited with ${code}`)));
  }).catch((error: unknown) => {
    close();
    throw error;
  });
  const payload = { t: Array.from({ length: 50 }, () => Date.now() + Math.random()) };
  let key = 0;
  const sample = async (n: number) => {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const started = performance.now();
      await httpRequest({
        method: 'POST',
        url: `http://127.0.0.1:${port}/put`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key: `k${key++}`, value: payload }),
      });
      times.push(performance.now() - started);
    }
    return times;
  };
  await sample(50); // warm-up
  return { sample, close };
}

const floor = await startFloor();
try {
  for (const durability of ['fsync', 'os'] as const) {
    const m = await measureChain(durability, floor);
    console.log(
      `floor alongside ${durability} (loopback HTTP round trip + synchronous=FULL put-if-absent): p50 ${fmt(m.floor.p50)}, p99 ${fmt(m.floor.p99)}`,
    );
    console.log(
      `chain step, ${durability}: p50 ${fmt(m.p50)}, p99 ${fmt(m.p99)} (n=${m.n}, ${(m.p50 / m.floor.p50).toFixed(1)}x floor p50); store ops per run of ${STEPS} steps: ${JSON.stringify(m.ops)}`,
    );
  }
} finally {
  floor.close();
}
process.exit(0);
