import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deployWorkflow } from '@jointflow/shims';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outsidePorts, runExecution, stillQueuedOn } from './runExecution';
import { loadCloudsFile, type RunningClouds, startClouds } from './startClouds';
import { compileOrThrow, historyViolations, quickBehaviour } from './testClouds';
import { startTraceCollector, type TraceCollector } from './traceCollector';

/**
 * One workflow across two providers: `aws-local` through the AWS shim (Lambda API emulator,
 * DynamoDB on dynalite, S3 on s3rver) and `aliyun-local` through the Aliyun shim (@alicloud/
 * fc20230330 against the emulator's Function Compute 3.0 API) keeping its keys in the AWS cloud's
 * DynamoDB table (`homeStore`). The middle step runs on Aliyun with a failover replica on AWS:
 * while the Aliyun cloud is down, the caller's runtime fails over to the replica, which commits
 * into the same home store.
 */

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const graph = {
  name: 'mixed-providers',
  nodes: [
    {
      kind: 'task',
      name: 'split',
      cloud: 'aws-local',
      code: 'export async function handler(x: { words: string }) { return { words: x.words.split(" ") }; }',
    },
    {
      kind: 'task',
      name: 'shout',
      cloud: 'aliyun-local',
      failover: ['aws-local'],
      code: 'export async function handler(x: { words: string[] }) { return { words: x.words.map((w) => w.toUpperCase()) }; }',
    },
    {
      kind: 'task',
      name: 'join',
      cloud: 'aws-local',
      code: 'export async function handler(x: { words: string[] }) { return { text: x.words.join("-") }; }',
    },
  ],
  edges: [
    { id: 'e1', source: 'split', target: 'shout' },
    { id: 'e2', source: 'shout', target: 'join' },
  ],
};

let running: RunningClouds;
let collector: TraceCollector;
let dataDir: string;
const ir = () => compileOrThrow(graph, running.profiles);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'jf-mixed-'));
  collector = await startTraceCollector();
  running = await startClouds({
    clouds: loadCloudsFile(join(repo, 'examples', 'clouds', 'mixed-emulated.json')),
    dataDir,
    behaviour: quickBehaviour,
    logs: 'ignore',
  });
  await deployWorkflow(running.shims, ir(), 'dmixed', {
    JF_TRACE_URL: collector.url,
    JF_TRACE_SECRET: collector.secret,
  });
}, 600_000);

afterAll(async () => {
  await running?.stop();
  await collector?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function run(execution: string) {
  return runExecution(outsidePorts(running.shims, running.peers), {
    ir: ir(),
    deployment: 'dmixed',
    input: { words: 'one cloud two clouds' },
    execution,
    stallMs: 5_000,
    timeoutMs: 300_000,
    lastProgressAt: (e) => collector.lastEventAt(e),
    stillQueued: stillQueuedOn(running.emulators),
  });
}

const clean = (execution: string) => historyViolations(running.shims, collector, ir(), execution);

describe('a workflow across the AWS and Aliyun shims', () => {
  it('builds one shim per provider; the Aliyun cloud keeps its keys in DynamoDB', () => {
    expect(running.shims.map((s) => [s.id, s.provider])).toEqual([
      ['aws-local', 'aws'],
      ['aliyun-local', 'aliyun'],
    ]);
    expect(ir().functions.shout?.homeStore).toBe('aws-local');
  });

  it('runs the Aliyun step on Function Compute', async () => {
    const result = await run('mixed-1');
    expect(result.result).toMatchObject({
      status: 'succeeded',
      output: { text: 'ONE-CLOUD-TWO-CLOUDS' },
    });
    const shout = collector
      .events()
      .find((e) => e.execution === 'mixed-1' && e.node === 'shout' && e.kind === 'step.succeeded');
    expect(shout?.cloud).toBe('aliyun-local');
    expect(await clean('mixed-1')).toEqual([]);
  }, 600_000);

  it('fails over to the AWS replica while Aliyun is down', async () => {
    const aliyun = running.emulators.find((e) => e.id === 'aliyun-local');
    if (aliyun === undefined) throw new Error('no aliyun emulator');
    await aliyun.local.injectFaults({ outage: { startInMs: 0, durationMs: 3_600_000 } });
    try {
      const result = await run('mixed-2');
      expect(result.result).toMatchObject({
        status: 'succeeded',
        output: { text: 'ONE-CLOUD-TWO-CLOUDS' },
      });
      const events = collector.events().filter((e) => e.execution === 'mixed-2');
      expect(events.some((e) => e.kind === 'invoke.failover' && e.to === 'aws-local')).toBe(true);
      expect(events.find((e) => e.node === 'shout' && e.kind === 'step.succeeded')?.cloud).toBe(
        'aws-local',
      );
      expect(await clean('mixed-2')).toEqual([]);
    } finally {
      await aliyun.local.injectFaults({});
    }
  }, 600_000);
});
