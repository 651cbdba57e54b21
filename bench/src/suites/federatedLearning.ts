import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type CloudProfile, compile, sha256Hex, type WorkflowIR } from '@jointflow/ir';
import {
  loadCloudsFile,
  loadProfileDir,
  outsidePorts,
  resolveProfiles,
  runExecution,
  startLocalClouds,
  stillQueuedOn,
} from '@jointflow/local-cloud';
import { deployWorkflow } from '@jointflow/shims';
import jsonata from 'jsonata';
import type { BenchOptions } from '../benchOptions';
import { preciseNow } from '../percentiles';
import { interpretWorkflow } from '../systems/workflowInterpreter';

/**
 * Issue 13: NebulaFL against FedAvg, both as Jointflow workflows
 * (examples/federated-learning/*.json) on the local clouds, same data, same seed. Per algorithm
 * one measured execution (no warm-up: a training run is long and the cold starts are part of
 * it), then an in-process replay of the same IR (bench's workflow interpreter) that counts the
 * bytes each step sends to a successor on another cloud and checks the replay reaches the same
 * model (the steps are deterministic). Accuracy per round and the simulated cost come from the
 * workflow's own output; billed cost per cloud and store operations from the clouds' meters.
 */

export interface RoundPoint {
  round: number;
  accuracy: number;
  /** Simulated owner compute cost so far (the workflow's reward uses it). */
  costUnits: number;
  /** Model transfers between data centers so far. */
  crossCenterTransfers: number;
}

export interface CloudCost {
  cloud: string;
  invocations: number;
  billedMs: number;
  computeUsd: number;
  storeOps: number;
  storeUsd: number;
}

export interface AlgorithmRow {
  algorithm: 'nebulafl' | 'fedavg';
  status: string;
  makespanMs?: number;
  redrives?: number;
  accuracy?: number;
  chance?: number;
  modelDigest?: string;
  /** The in-process replay's digest: equal to `modelDigest` when the run is deterministic. */
  replayDigest?: string;
  rounds: RoundPoint[];
  /** Payload bytes sent by steps to successors on another cloud (replay of the same run). */
  crossCloudBytes?: number;
  crossCloudPayloads?: number;
  modelBytes?: number;
  costUnits?: number;
  simulatedMs?: number;
  /** Training jobs the reward gave the large memory tier (NebulaFL). */
  largeJobs?: number;
  perCloud: CloudCost[];
  totalUsd?: number;
  error?: string;
}

export interface FederatedLearningData {
  input: Record<string, number>;
  /** Accuracy both algorithms are compared at (cost and transfers to reach it). */
  targetAccuracy: number;
  rows: AlgorithmRow[];
}

const algorithms = ['nebulafl', 'fedavg'] as const;

/**
 * Three data centers on three clouds (issue 13): the clouds of examples/clouds/three-local.json
 * (aws-local, aliyun-local and gcp-local, each profile with its latency to the other two), and
 * the examples' three-cloud variants, whose center c runs on gcp-local.
 */
const cloudsFile = fileURLToPath(
  new URL('../../../examples/clouds/three-local.json', import.meta.url),
);

/** The profiles of the three clouds, with their latency re-keyed to the clouds file's ids. */
export function federatedClouds(): CloudProfile[] {
  return resolveProfiles(loadCloudsFile(cloudsFile), loadProfileDir());
}

function exampleIr(algorithm: (typeof algorithms)[number], clouds: CloudProfile[]): WorkflowIR {
  const file = new URL(
    `../../../examples/federated-learning/three-clouds/${algorithm}.json`,
    import.meta.url,
  );
  const { ir, diagnostics } = compile(JSON.parse(readFileSync(file, 'utf8')), { clouds });
  if (!ir) {
    throw new Error(`BENCH_COMPILE_FAILED: ${diagnostics.map((d) => d.message).join('; ')}`);
  }
  return ir;
}

type Handler = (input: unknown, ctx: unknown) => unknown;

/** The step's code as a module (tsx loads TypeScript), cached by content. */
async function loadStep(code: string, dir: string): Promise<Handler> {
  const file = path.join(dir, `${sha256Hex(code)}.ts`);
  writeFileSync(file, code);
  const module = (await import(pathToFileURL(file).href)) as { handler?: unknown };
  if (typeof module.handler !== 'function') throw new Error('BENCH_FL_NO_HANDLER');
  return module.handler as Handler;
}

/** Replays the IR in-process; bytes of every payload a step sends to a successor on another cloud. */
async function crossCloudTraffic(
  ir: WorkflowIR,
  input: unknown,
  codeDir: string,
): Promise<{ bytes: number; payloads: number; output: unknown }> {
  let bytes = 0;
  let payloads = 0;
  const handlers = new Map<string, Handler>();
  const output = await interpretWorkflow(ir, input, {
    async runTask(fn, _instance, stepInput) {
      let handler = handlers.get(fn.name);
      if (!handler) {
        handler = await loadStep(fn.code, codeDir);
        handlers.set(fn.name, handler);
      }
      return handler(stepInput, {});
    },
    async onTransition(t) {
      const fn = ir.functions[t.fn];
      if (!fn) return;
      for (const next of t.next) {
        const target = next.split('/')[0];
        const continuation = fn.continuations.find((c) => c.target === target);
        if (!continuation) continue;
        const to = continuation.join ? continuation.join.store : continuation.cloud;
        if (to === fn.cloud) continue;
        let value = t.output;
        if (continuation.mode === 'each' && Array.isArray(t.output)) {
          const index = Number(/=(\d+)$/.exec(next)?.[1] ?? Number.NaN);
          value = t.output[index];
        }
        // What travels is the edge's mapping of the output, when it has one.
        if (continuation.mapping !== undefined) {
          value = await jsonata(continuation.mapping).evaluate(value);
        }
        bytes += Buffer.byteLength(JSON.stringify(value ?? null));
        payloads++;
      }
    },
  });
  return { bytes, payloads, output };
}

interface FlOutput {
  accuracy: number;
  chance: number;
  modelDigest: string;
  modelBytes: number;
  costUnits: number;
  simulatedMs: number;
  history: { round: number; accuracy: number; costUnits: number; crossCenterTransfers: number }[];
  largeJobs: number;
}

export async function runFederatedLearningSuite(
  options: BenchOptions,
  log: (line: string) => void,
): Promise<FederatedLearningData> {
  const input = { seed: 42, rounds: options.flRounds };
  const dataDir = mkdtempSync(path.join(tmpdir(), 'jf-bench-fl-'));
  const codeDir = path.join(dataDir, 'steps');
  mkdirSync(codeDir);
  const clouds = federatedClouds();
  const local = await startLocalClouds({
    dataDir: path.join(dataDir, 'clouds'),
    durability: 'fsync',
    profiles: clouds,
    logs: 'ignore',
    maxWorkersPerCloud: 64,
  });
  const shims = local.clouds.map((cloud) => cloud.shim);
  const ports = outsidePorts(shims, local.peers);
  const rows: AlgorithmRow[] = [];
  try {
    for (const [index, algorithm] of algorithms.entries()) {
      const row: AlgorithmRow = { algorithm, status: 'not run', rounds: [], perCloud: [] };
      rows.push(row);
      try {
        const ir = exampleIr(algorithm, clouds);
        const deployment = `fl${index}`;
        await deployWorkflow(shims, ir, deployment);
        const opsBefore = await Promise.all(shims.map((shim) => shim.stats()));
        const started = preciseNow();
        const run = await runExecution(ports, {
          ir,
          deployment,
          input,
          timeoutMs: 900_000,
          stillQueued: stillQueuedOn(shims),
        });
        row.makespanMs = preciseNow() - started;
        row.redrives = run.redrives;
        row.status = run.result.status;
        if (run.result.status !== 'succeeded') throw new Error(`the run ended ${row.status}`);
        const out = run.result.output as FlOutput;
        Object.assign(row, {
          accuracy: out.accuracy,
          chance: out.chance,
          modelDigest: out.modelDigest,
          modelBytes: out.modelBytes,
          costUnits: out.costUnits,
          simulatedMs: out.simulatedMs,
          largeJobs: out.largeJobs,
          rounds: out.history.map((h) => ({
            round: h.round,
            accuracy: h.accuracy,
            costUnits: h.costUnits,
            crossCenterTransfers: h.crossCenterTransfers,
          })),
        });
        // Billing comes after the result commit: give the meters a moment.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const opsAfter = await Promise.all(shims.map((shim) => shim.stats()));
        for (const [i, shim] of shims.entries()) {
          const mine = (await shim.metering()).filter((r) =>
            r.function.startsWith(`${deployment}`),
          );
          const before = opsBefore[i]?.storeOps?.total;
          const after = opsAfter[i]?.storeOps?.total;
          const delta = (k: 'reads' | 'writes' | 'conditionalWrites' | 'slotFills') =>
            (after?.[k] ?? 0) - (before?.[k] ?? 0);
          const reads = delta('reads');
          const writes = delta('writes') + delta('conditionalWrites') + delta('slotFills');
          const prices = shim.profile.prices;
          const computeUsd = mine.reduce((s, r) => s + r.costUsd, 0);
          const storeUsd = reads * prices.storeRead + writes * prices.storeWrite;
          row.perCloud.push({
            cloud: shim.profile.id,
            invocations: mine.reduce((s, r) => s + r.invocations, 0),
            billedMs: mine.reduce((s, r) => s + r.billedMs, 0),
            computeUsd,
            storeOps: reads + writes,
            storeUsd,
          });
        }
        row.totalUsd = row.perCloud.reduce((s, c) => s + c.computeUsd + c.storeUsd, 0);
        const replay = await crossCloudTraffic(ir, input, codeDir);
        row.crossCloudBytes = replay.bytes;
        row.crossCloudPayloads = replay.payloads;
        row.replayDigest = (replay.output as FlOutput).modelDigest;
      } catch (error) {
        row.error = String(error);
      }
      log(
        `federated-learning: ${algorithm}: ${row.status}, accuracy ${row.accuracy ?? '?'}, ${row.makespanMs?.toFixed(0) ?? '?'} ms, ${row.crossCloudBytes ?? '?'} bytes across clouds${row.error ? `, ${row.error}` : ''}`,
      );
    }
  } finally {
    await local.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const finals = rows.map((r) => r.accuracy ?? 0);
  // The lower of the two final accuracies, so both reach it: cost and transfers are compared there.
  const targetAccuracy = Math.min(...finals);
  return { input, targetAccuracy, rows };
}
