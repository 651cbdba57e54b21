import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FunctionIR, WorkflowIR } from '@jointflow/ir';
import { defaultCloudProfiles } from '@jointflow/ir';
import {
  type Invocation,
  keys,
  readExecutionResult,
  type StepOutcome,
  startExecution,
  type TraceEvent,
} from '@jointflow/runtime';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoClientOf, s3ClientOf } from '../aws/awsClients';
import { ensureBucket, ensureDynamoTable } from '../aws/bootstrap';
import type { ResolvedCloud } from '../cloudConfig';
import { deployedFunctionName } from '../cloudShim';
import { type AwsStandIns, startAwsStandIns } from '../standIns';
import { dataPlaneOf } from './dataPlane';
import type { FunctionHandler } from './handler';
import { packageFunction } from './packageFunction';

/**
 * The packaged function entry, in process: each function of a two-step workflow is packaged
 * (esbuild + zip), unzipped and imported like Lambda would, and its `handler(event, context)`
 * runs against the real AWS SDK clients: DynamoDB on dynalite, S3 on s3rver, and Lambda's Invoke
 * API answered by a small loopback server that hands each Event to the imported handler — and
 * delivers every event twice, so duplicates race the original. Trace events go to a loopback
 * ingest that checks the secret.
 */

const profile = defaultCloudProfiles[0];
if (profile === undefined) throw new Error('no default cloud profile');

function task(name: string, code: string, next: string[]): FunctionIR {
  return {
    name,
    cloud: 'aws',
    failover: [],
    homeStore: 'aws',
    memoryMb: 256,
    timeoutMs: 30_000,
    retries: 0,
    functionClass: 'cpu',
    expensive: false,
    code,
    routing: 'all',
    kind: 'task',
    continuations: next.map((target) => ({
      target,
      cloud: 'aws',
      failover: [],
      mode: 'one',
      scope: { op: 'keep' },
      skip: [],
      transfer: 'auto',
      inlineLimitBytes: 100_000,
    })),
    terminal: next.length === 0,
  };
}

const ir: WorkflowIR = {
  format: 1,
  workflow: 'two-step',
  version: 'v-two-step',
  start: 'double',
  resultStore: 'aws',
  functions: {
    double: task('double', 'export const handler = (x: number) => x * 2;', ['describe']),
    // Output above the runtime's 64 KiB inline limit: the checkpoint points at an S3 blob.
    describe: task(
      'describe',
      "export const handler = (x: number) => ({ value: x, pad: 'p'.repeat(70_000) });",
      [],
    ),
  },
};

interface Listening {
  server: Server;
  url: string;
}

function listen(server: Server): Promise<Listening> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}` });
    });
  });
}

function readBody(req: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

let standIns: AwsStandIns;
let lambda: Listening;
let ingest: Listening;
let workDir: string;
const handlers = new Map<string, FunctionHandler>();
const outcomes: StepOutcome[] = [];
const failures: unknown[] = [];
const delivered: TraceEvent[] = [];
let refusedIngest = 0;
let running = 0;
const secret = 'dep-secret.0123456789';

beforeAll(async () => {
  standIns = await startAwsStandIns();
  workDir = mkdtempSync(join(tmpdir(), 'jf-entry-'));

  lambda = await listen(
    createServer(async (req, res) => {
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url ?? '');
      const body = await readBody(req);
      const handler = match?.[1] ? handlers.get(decodeURIComponent(match[1])) : undefined;
      if (handler === undefined || req.headers['x-amz-invocation-type'] !== 'Event') {
        res.writeHead(404, { 'x-amzn-errortype': 'ResourceNotFoundException' });
        res.end(JSON.stringify({ Type: 'User', message: `no function at ${req.url}` }));
        return;
      }
      res.writeHead(202);
      res.end();
      // Lambda delivers an Event at least once: here always twice, concurrently.
      for (let copy = 0; copy < 2; copy += 1) {
        running += 1;
        handler(JSON.parse(body), {})
          .then(
            (o) => outcomes.push(o),
            (e: unknown) => failures.push(e),
          )
          .finally(() => {
            running -= 1;
          });
      }
    }),
  );

  ingest = await listen(
    createServer(async (req, res) => {
      const body = await readBody(req);
      if (req.headers.authorization !== `Bearer ${secret}`) {
        refusedIngest += 1;
        res.writeHead(401);
        res.end();
        return;
      }
      delivered.push(...(JSON.parse(body) as { events: TraceEvent[] }).events);
      res.writeHead(202);
      res.end('{}');
    }),
  );
}, 120_000);

afterAll(async () => {
  lambda?.server.close();
  ingest?.server.close();
  await standIns?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('packaged function entry (Lambda flavor) on dynalite + s3rver', () => {
  it('runs a two-step workflow: each step commits exactly once despite duplicate deliveries', async () => {
    const cloud: ResolvedCloud = {
      id: 'aws',
      provider: 'aws',
      region: 'us-east-1',
      table: 'jf-entry',
      bucket: 'jf-entry-blobs',
      functionRole: 'arn:aws:iam::123456789012:role/jointflow-function',
      endpoints: { lambda: lambda.url, dynamodb: standIns.dynamodb, s3: standIns.s3 },
      emulate: true,
      profile: { ...profile, id: 'aws' },
    };
    await ensureDynamoTable(dynamoClientOf(cloud), cloud.table);
    await ensureBucket(s3ClientOf(cloud), cloud.bucket, cloud.region);

    // The container's environment, as the control plane sets it.
    process.env.JF_TRACE_URL = `${ingest.url}/api/v1/ingest`;
    process.env.JF_TRACE_SECRET = secret;
    const deployment = 'dep-entry';
    const context = { workflow: ir.workflow, irVersion: ir.version, resultStore: ir.resultStore };
    for (const fn of Object.values(ir.functions)) {
      const pkg = await packageFunction(
        { deployment, context, fn, env: {} },
        cloud,
        [cloud],
        'lambda',
      );
      expect(pkg.zip.byteLength).toBeLessThan(50 * 1024 * 1024);
      const files = unzipSync(pkg.zip);
      expect(Object.keys(files)).toEqual(
        expect.arrayContaining(['function.json', 'index.mjs', 'user.mjs']),
      );
      expect(
        Object.keys(files).every((f) =>
          /^(index|user|chunk-[A-Z0-9]+)\.mjs$|^function\.json$/.test(f),
        ),
      ).toBe(true);
      const dir = join(workDir, fn.name);
      mkdirSync(dir);
      for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
      // The user's code and the config sit beside the constant entry.
      const config = JSON.parse(Buffer.from(files['function.json'] as Uint8Array).toString());
      expect(config).toMatchObject({ flavor: 'lambda', cloud: 'aws', deployment });
      const mod = (await import(pathToFileURL(join(dir, 'index.mjs')).href)) as {
        handler: FunctionHandler;
      };
      handlers.set(deployedFunctionName(deployment, fn.name), mod.handler);
    }

    // Start from outside, as the API does: through the same data plane registry.
    const plane = dataPlaneOf(cloud);
    const started = await startExecution(
      {
        store: () => plane.store(),
        blobs: () => plane.blobs(),
        invoker: { invokeAsync: (_cloud, inv: Invocation) => plane.invokeAsync(inv) },
        now: Date.now,
      },
      { ir, deployment, input: 21 },
    );

    let result = await readExecutionResult(plane.store(), started.execution, () => plane.blobs());
    for (let poll = 0; poll < 400 && (result.status === 'running' || running > 0); poll += 1) {
      await new Promise((r) => setTimeout(r, 25));
      result = await readExecutionResult(plane.store(), started.execution, () => plane.blobs());
    }
    expect(failures).toEqual([]);
    expect(result).toMatchObject({ status: 'succeeded', output: { value: 42 } });

    // `double` delivered twice; both copies invoke `describe` (the adopter re-invokes the
    // committed successors), each delivered twice: 2 + 4 deliveries, one commit per instance.
    const byInstance = (instance: string) =>
      outcomes.filter((o) => o.instance === instance).map((o) => o.outcome);
    expect(byInstance('double').sort()).toEqual(['adopted', 'committed']);
    expect(byInstance('describe').sort()).toEqual(['adopted', 'adopted', 'adopted', 'committed']);
    expect(outcomes).toHaveLength(6);
    const checkpoint = await plane.store().get(keys.checkpoint(started.execution, 'describe'));
    expect(JSON.stringify(checkpoint)).toContain('blob');

    // Trace events reached the ingest with the secret, each step's success included.
    expect(refusedIngest).toBe(0);
    const kinds = delivered
      .filter((e) => e.execution === started.execution)
      .map((e) => `${e.instance}:${e.kind}`);
    expect(kinds).toContain('double:step.succeeded');
    expect(kinds).toContain('describe:step.succeeded');
    expect(delivered.every((e) => e.cloud === 'aws')).toBe(true);
  });
});
