import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import type { CloudProfile, WorkflowIR } from '@jointflow/ir';
import { checkHistory, InvokeError, type RuntimePorts } from '@jointflow/runtime';
import {
  type AwsResolvedCloud,
  type AwsStandIns,
  type CloudShim,
  createAwsShim,
  deployWorkflow,
  dynamoClientOf,
  ensureBucket,
  ensureDynamoTable,
  type LocalCloudShim,
  lambdaClientOf,
  s3ClientOf,
  startAwsStandIns,
} from '@jointflow/shims';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outsidePorts, runExecution } from './runExecution';
import { compileOrThrow, startTestClouds, type TestClouds } from './testClouds';

/**
 * The AWS shim end to end on stand-ins, with the real SDKs everywhere: Lambda's control plane
 * and Invoke against a local cloud's Lambda API (which runs the uploaded zips'
 * `handler(event, context)`), DynamoDB against dynalite, S3 against s3rver. The packaged
 * functions inside the local cloud reach dynalite and s3rver with the same SDK clients they
 * would use on AWS.
 */

const here = dirname(fileURLToPath(import.meta.url));
const examplesDir = join(here, '..', '..', '..', 'examples');

type DeployProgress = Parameters<NonNullable<Parameters<CloudShim['deploy']>[1]>>[0];

let t: TestClouds;
let standIns: AwsStandIns;
let aws: AwsResolvedCloud;
let awsProfile: CloudProfile;
let shim: CloudShim;
let local: LocalCloudShim;

function cloudFor(localUrl: string, s: AwsStandIns, profile: CloudProfile): AwsResolvedCloud {
  return {
    id: 'aws',
    provider: 'aws',
    region: 'us-east-1',
    table: 'jointflow',
    bucket: 'jointflow-blobs',
    functionRole: 'arn:aws:iam::000000000000:role/jointflow-function',
    endpoints: { lambda: localUrl, dynamodb: s.dynamodb, s3: s.s3 },
    emulate: true,
    profile,
  };
}

/** Ports for code outside every cloud (this test), all through the AWS shim. */
function awsPorts(): Pick<RuntimePorts, 'store' | 'blobs' | 'invoker' | 'now'> {
  return {
    store: () => shim.store(),
    blobs: () => shim.blobs(),
    invoker: { invokeAsync: (_cloud, invocation) => shim.invokeAsync(invocation) },
    now: () => Date.now(),
  };
}

beforeAll(async () => {
  // Room for every function of the examples to stay warm (a zip sandbox is a cold `node` that
  // loads the bundle: ~1 s; evicting on a small pool turns every step into a cold start).
  t = await startTestClouds({ only: 'aws-local', maxWorkersPerCloud: 24 });
  standIns = await startAwsStandIns();
  const cloud = t.local.clouds[0];
  const base = t.profiles[0];
  if (cloud === undefined || base === undefined) throw new Error('the test cloud did not start');
  local = cloud.shim;
  awsProfile = { ...base, id: 'aws', name: 'AWS (emulated)', provider: 'aws' };
  aws = cloudFor(cloud.url, standIns, awsProfile);
  const table = await ensureDynamoTable(dynamoClientOf(aws), 'jointflow');
  expect(table.created).toBe(true);
  await ensureBucket(s3ClientOf(aws), 'jointflow-blobs', 'us-east-1');
  shim = createAwsShim(aws, [aws], { maxWaitSeconds: 120 });
}, 180_000);

afterAll(async () => {
  await t?.close();
  await standIns?.stop();
});

const chainGraph = (factor: number) => ({
  name: 'aws-chain',
  nodes: [
    {
      kind: 'task',
      name: 'first',
      cloud: 'aws',
      code: 'export const handler = (x: number) => x + 1;',
    },
    {
      kind: 'task',
      name: 'second',
      cloud: 'aws',
      code: `export const handler = (x: number) => x * ${factor};`,
    },
  ],
  edges: [{ id: 'e1', source: 'first', target: 'second' }],
});

async function deployAll(ir: WorkflowIR, deployment: string, env: Record<string, string>) {
  const progress: DeployProgress[] = [];
  const context = { workflow: ir.workflow, irVersion: ir.version, resultStore: ir.resultStore };
  await Promise.all(
    Object.values(ir.functions).map((fn) =>
      shim.deploy({ deployment, context, fn, env }, (p) => progress.push(p)),
    ),
  );
  return progress;
}

describe('AWS shim on stand-ins (Lambda API of a local cloud, dynalite, s3rver)', () => {
  it('deploys, reports Lambda states, skips unchanged functions, updates code with a new version, runs, removes', async () => {
    const deployment = 'd-aws-chain';
    const v1 = compileOrThrow(chainGraph(10), [awsProfile]);

    const first = await deployAll(v1, deployment, t.env);
    const ofFirst = first.filter((p) => p.fn === 'first');
    expect(ofFirst[0]).toMatchObject({ state: 'deploying', detail: 'packaging', cloud: 'aws' });
    expect(ofFirst.map((p) => p.providerState)).toContain('Pending');
    expect(ofFirst.at(-1)).toMatchObject({ state: 'ready', providerState: 'Active' });

    const described = await shim.describe(deployment, 'first');
    expect(described).toMatchObject({ state: 'ready' });
    const hashV1 = described.state === 'ready' ? described.codeHash : '';
    expect(hashV1).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    // The environment (trace secret included) never comes back.
    const secret = t.env.JF_TRACE_SECRET ?? 'missing';
    expect(JSON.stringify(described)).not.toContain(secret);
    expect(JSON.stringify(first)).not.toContain(secret);

    const run1 = await runExecution(awsPorts(), {
      ir: v1,
      deployment,
      input: 4,
      stallMs: 5_000,
      timeoutMs: 300_000,
      lastProgressAt: (e) => t.collector.lastEventAt(e),
    });
    expect(run1.result).toMatchObject({ status: 'succeeded', output: 50 });
    // The functions' trace events reached the ingest with the deployment's secret.
    const kinds = t.collector
      .events()
      .filter((e) => e.execution === run1.execution)
      .map((e) => `${e.node}:${e.kind}`);
    expect(kinds).toEqual(
      expect.arrayContaining(['first:step.succeeded', 'second:step.succeeded']),
    );

    // Same IR again: nothing to update.
    const again = await deployAll(v1, deployment, t.env);
    expect(again.filter((p) => p.detail === 'code' || p.detail === 'configuration')).toEqual([]);
    expect(await shim.describe(deployment, 'first')).toEqual(described);

    // A new IR version: new code for both functions (function.json changes), published.
    const v2 = compileOrThrow(chainGraph(100), [awsProfile]);
    expect(v2.version).not.toBe(v1.version);
    const updated = await deployAll(v2, deployment, { ...t.env, EXTRA: 'on' });
    const ofSecond = updated.filter((p) => p.fn === 'second');
    expect(ofSecond.map((p) => p.detail)).toEqual(
      expect.arrayContaining(['configuration', 'code']),
    );
    expect(ofSecond.at(-1)).toMatchObject({ state: 'ready' });
    const hashV2 = await shim.describe(deployment, 'second');
    expect(hashV2.state === 'ready' && hashV2.codeHash !== hashV1).toBe(true);
    const lambda = lambdaClientOf(aws);
    // Versions 1 (create) and 2 (the code update) exist and stay immutable.
    for (const version of ['1', '2']) {
      const res = await lambda.send(
        new GetFunctionCommand({ FunctionName: `${deployment}--second`, Qualifier: version }),
      );
      expect(res.Configuration?.Version).toBe(version);
    }

    const run2 = await runExecution(awsPorts(), {
      ir: v2,
      deployment,
      input: 4,
      stallMs: 5_000,
      timeoutMs: 300_000,
      lastProgressAt: (e) => t.collector.lastEventAt(e),
    });
    expect(run2.result).toMatchObject({ status: 'succeeded', output: 500 });

    await shim.remove(deployment, 'first');
    await shim.remove(deployment, 'second');
    await shim.remove(deployment, 'second'); // idempotent
    expect(await shim.describe(deployment, 'first')).toEqual({ state: 'absent' });
    const invocation = {
      execution: 'gone',
      deployment,
      irVersion: v2.version,
      fn: 'first',
      scope: [],
      input: { inline: 1 },
    };
    const refused = await shim.invokeAsync(invocation).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvokeError);
    expect(refused).toMatchObject({ code: 'AWS_NOT_FOUND' });
    lambda.destroy();
  }, 300_000);

  it('health: Lambda and the table answer; a missing table says what to do', async () => {
    const ok = await shim.health();
    expect(ok).toMatchObject({ ok: true });
    expect(ok.detail).toContain('table jointflow ACTIVE');
    const broken = createAwsShim({ ...aws, table: 'jf-not-bootstrapped' }, []);
    const bad = await broken.health();
    expect(bad.ok).toBe(false);
    expect(bad.detail).toMatch(/AWS_NOT_FOUND.*jointflow clouds bootstrap/);
  }, 60_000);

  it('a function name Lambda cannot hold is refused before any call', async () => {
    await expect(shim.describe('d', 'x'.repeat(70))).rejects.toMatchObject({
      code: 'AWS_DEPLOY_FAILED',
    });
  });
});

interface Example {
  name: string;
  graph: {
    nodes: { cloud?: string; failover?: string[] }[];
    sampleInput?: unknown;
  };
}

const examples: Example[] = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({
    name: f.replace(/\.json$/, ''),
    graph: JSON.parse(readFileSync(join(examplesDir, f), 'utf8')),
  }));

/** Every node on one cloud, no failover: the same workflow on the AWS shim or the local one. */
function placedOn(graph: Example['graph'], cloud: string): Example['graph'] {
  return { ...graph, nodes: graph.nodes.map((n) => ({ ...n, cloud, failover: [] })) };
}

describe('examples through the AWS shim', () => {
  it('every example gives the local shim’s result, and its history checks against dynalite', async () => {
    for (const example of examples) {
      const awsIr = compileOrThrow(placedOn(example.graph, 'aws'), [awsProfile]);
      const localIr = compileOrThrow(placedOn(example.graph, 'aws-local'), t.profiles);
      await deployWorkflow([shim], awsIr, `a-${example.name}`, t.env);
      await deployWorkflow([local], localIr, `l-${example.name}`, t.env);

      const stage = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
        try {
          return await run();
        } catch (error) {
          throw new Error(`${example.name}, ${what}: ${(error as Error).message}`);
        }
      };
      const onAws = await stage('through the AWS shim', () =>
        runExecution(awsPorts(), {
          ir: awsIr,
          deployment: `a-${example.name}`,
          input: example.graph.sampleInput,
          stallMs: 5_000,
          // A safety net, not a budget: a clean example took 40-90 s here at load 20-25.
          timeoutMs: 300_000,
          lastProgressAt: (e) => t.collector.lastEventAt(e),
        }),
      );
      const onLocal = await stage('through the local shim', () =>
        runExecution(outsidePorts([local], t.local.peers), {
          ir: localIr,
          deployment: `l-${example.name}`,
          input: example.graph.sampleInput,
          stallMs: 5_000,
          // A safety net, not a budget: a clean example took 40-90 s here at load 20-25.
          timeoutMs: 300_000,
          lastProgressAt: (e) => t.collector.lastEventAt(e),
        }),
      );
      if (onAws.result.status !== 'succeeded') {
        const events = t.collector.events().filter((e) => e.execution === onAws.execution);
        const dead = (await local.deadLetters()).filter((d) =>
          JSON.stringify(d).includes(onAws.execution),
        );
        const stats = await local.stats();
        throw new Error(
          `${example.name} through the AWS shim: ${JSON.stringify(onAws.result)} after ${onAws.redrives} redrives; events: ${events.map((e) => `${e.instance}:${e.kind}`).join(', ')}; dead letters: ${JSON.stringify(dead).slice(0, 1500)}; stats: ${JSON.stringify(stats).slice(0, 1500)}`,
        );
      }
      // Same output from the same final instance; only the commit time differs.
      const { at: _awsAt, ...awsResult } = onAws.result as { at?: number };
      const { at: _localAt, ...localResult } = onLocal.result as { at?: number };
      expect(withoutWinners(awsResult), example.name).toEqual(withoutWinners(localResult));
      if (example.name === 'monte-carlo-pi' && onAws.result.status === 'succeeded') {
        const { pi } = onAws.result.output as { pi: number };
        expect(Math.abs(pi - Math.PI)).toBeLessThan(0.05);
      }

      let violations: string[] = [];
      // The functions post their last events as they return; give the ingest a moment.
      for (let i = 0; i < 50; i += 1) {
        const report = await checkHistory({
          ir: awsIr,
          execution: onAws.execution,
          store: () => shim.store(),
          events: t.collector.events(),
        });
        violations = report.violations;
        if (report.ok) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(violations, example.name).toEqual([]);
    }
  }, 1_800_000);
});

// Chaos through the AWS shim (crashes before and after commit, duplicates, drops) is
// awsEmulated.test.ts's: the clouds-file path, two AWS clouds, histories read from dynalite.

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
