import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowIR } from '@jointflow/ir';
import { deployWorkflow } from '@jointflow/shims';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The repository's sequential reference interpreter (examples/ is not a package).
import { referenceRun } from '../../../examples/referenceRun';
import { outsidePorts, runExecution, stillQueuedOn } from './runExecution';
import { loadCloudsFile, type RunningClouds, startClouds } from './startClouds';
import { compileOrThrow, historyViolations, quickBehaviour } from './testClouds';
import { startTraceCollector, type TraceCollector } from './traceCollector';

/**
 * The examples through the real cloud SDKs against stand-ins: every function is packaged by the
 * AWS shim into a zip, created with @aws-sdk/client-lambda on an emulator's Lambda API, and
 * commits into DynamoDB (dynalite) with blobs in S3 (s3rver). Results must equal the
 * sequential reference run of examples/referenceRun.ts, which the local shim's runs equal; the
 * history checker reads the stand-in stores. Then a subset under crashes before
 * and after commit, duplicates and drops.
 */

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const examplesDir = join(repo, 'examples');
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({
    name: f.replace(/\.json$/, ''),
    graph: JSON.parse(readFileSync(join(examplesDir, f), 'utf8')) as { sampleInput?: unknown },
  }));

// Small inputs: the point is the path through the SDKs, not the width.
const inputs: Record<string, unknown> = {
  'monte-carlo-pi': { samples: 20_000, branches: 4 },
};

let running: RunningClouds;
let collector: TraceCollector;
let dataDir: string;
const irs = new Map<string, WorkflowIR>();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'jf-aws-emulated-'));
  collector = await startTraceCollector();
  running = await startClouds({
    clouds: loadCloudsFile(join(examplesDir, 'clouds', 'aws-emulated.json')),
    dataDir,
    behaviour: quickBehaviour,
    logs: 'ignore',
  });
  const env = { JF_TRACE_URL: collector.url, JF_TRACE_SECRET: collector.secret };
  for (const example of examples) {
    const ir = compileOrThrow(example.graph, running.profiles);
    irs.set(example.name, ir);
    await deployWorkflow(running.shims, ir, `d-${example.name}`, env);
  }
}, 600_000);

afterAll(async () => {
  await running?.stop();
  await collector?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function runOne(name: string, execution: string) {
  const ir = irs.get(name);
  if (ir === undefined) throw new Error(`no IR for ${name}`);
  const example = examples.find((e) => e.name === name);
  return runExecution(outsidePorts(running.shims, running.peers), {
    ir,
    deployment: `d-${name}`,
    input: inputs[name] ?? example?.graph.sampleInput,
    execution,
    stallMs: 5_000,
    timeoutMs: 300_000,
    lastProgressAt: (e) => collector.lastEventAt(e),
    stillQueued: stillQueuedOn(running.emulators),
  });
}

async function historyOf(name: string, execution: string): Promise<string[]> {
  const ir = irs.get(name);
  if (ir === undefined) return [`no IR for ${name}`];
  return historyViolations(running.shims, collector, ir, execution);
}

describe('examples through the AWS shim (Lambda API emulator, dynalite, s3rver)', () => {
  it('every cloud is an AWS shim whose store is DynamoDB', () => {
    expect(running.shims.map((s) => s.provider)).toEqual(['aws', 'aws']);
    expect(running.shims.every((s) => s.store().maxSlotsPerRecord === 16)).toBe(true);
  });

  const expected = new Map<string, unknown>();
  for (const example of examples) {
    it(`${example.name}: the reference result, and a clean history`, async () => {
      const run = await runOne(example.name, `aws-${example.name}-0`);
      expect(run.result.status, JSON.stringify(run.result)).toBe('succeeded');
      if (run.result.status !== 'succeeded') return;
      expected.set(example.name, run.result.output);
      expect(await historyOf(example.name, run.execution)).toEqual([]);
      // The sequential reference interpreter's result, which the local shim's runs equal too
      // (packages/runtime examples.test.ts, chaos.test.ts; awsShim.test.ts compares the two
      // shims directly).
      const ir = irs.get(example.name);
      if (ir === undefined) throw new Error(`no IR for ${example.name}`);
      const reference = await referenceRun(ir, inputs[example.name] ?? example.graph.sampleInput);
      expect(withoutWinners({ output: run.result.output })).toEqual(
        withoutWinners({ output: reference.result }),
      );
    }, 600_000);
  }

  it('under crashes before and after commit, duplicates and drops: same results, clean histories', async () => {
    const faults = {
      seed: 11,
      crashBeforeCommit: 0.1,
      crashAfterCommit: 0.1,
      duplicate: 0.2,
      drop: 0.1,
    };
    await Promise.all(running.emulators.map((e) => e.local.injectFaults(faults)));
    try {
      for (const name of ['monte-carlo-pi', 'iot-pipeline', 'word-count']) {
        for (let i = 1; i <= 2; i++) {
          const run = await runOne(name, `aws-chaos-${name}-${i}`);
          expect(run.result.status, `${name} ${i}: ${JSON.stringify(run.result)}`).toBe(
            'succeeded',
          );
          if (run.result.status === 'succeeded') {
            expect(run.result.output).toEqual(expected.get(name));
          }
          expect(await historyOf(name, run.execution)).toEqual([]);
        }
      }
    } finally {
      await Promise.all(running.emulators.map((e) => e.local.injectFaults({})));
    }
  }, 900_000);
});

/**
 * A k-of-n example's winners depend on which replicas answer first (ml-pipeline reports them as
 * `winners`; the rest of its output is the same whichever win): compare their count only.
 */
function withoutWinners(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const { output, ...rest } = value as { output?: unknown };
  if (typeof output !== 'object' || output === null || !('winners' in output)) {
    return 'output' in value ? { ...rest, output } : value;
  }
  const { winners, ...others } = output as { winners: unknown[] };
  return { ...rest, output: { ...others, winners: new Set(winners).size } };
}
