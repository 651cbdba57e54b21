import { createServer, request, type Server } from 'node:http';
import { deployWorkflow, jsonCall } from '@jointflow/shims';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { outsidePorts, runExecution } from './runExecution';
import { compileOrThrow, startTestClouds, type TestClouds } from './testClouds';

/**
 * A cloud's peers can change after its workers started: a cloud restarted by its supervisor
 * dispatches its persisted queue before its peers arrive, and a peer may come back elsewhere.
 * Its warm workers must follow (the soak run found executions stuck for good: a restarted
 * cloud's warm worker knew only its own cloud and failed every cross-cloud invoke).
 */

const graph = {
  name: 'two-clouds',
  nodes: [
    {
      kind: 'task',
      name: 'first',
      cloud: 'aws-local',
      code: 'export async function handler(x: { n: number }) { return { n: x.n + 1 }; }',
    },
    {
      kind: 'task',
      name: 'second',
      cloud: 'aliyun-local',
      code: 'export async function handler(x: { n: number }) { return { n: x.n * 10 }; }',
    },
  ],
  edges: [{ id: 'e1', source: 'first', target: 'second' }],
};

let clouds: TestClouds;
let proxy: Server;
let proxied = 0;

beforeAll(async () => {
  clouds = await startTestClouds({ latencyMs: 0 });
}, 120_000);

afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  await clouds?.close();
});

it('a warm worker reaches a peer at its new address once the cloud is told', async () => {
  const { local } = clouds;
  const ir = compileOrThrow(graph, clouds.profiles);
  const shims = local.clouds.map((c) => c.shim);
  await deployWorkflow(shims, ir, 'dpeers', clouds.env);
  const ports = outsidePorts(shims, local.peers);
  const run = (execution: string) =>
    runExecution(ports, { ir, deployment: 'dpeers', execution, input: { n: 1 } });

  const control = { authorization: `Bearer ${local.controlSecret}` };
  const aws = local.clouds.find((c) => c.profile.id === 'aws-local');
  if (aws === undefined) throw new Error('no aws-local');
  const workersOfFirst = async () => {
    const stats = (await (
      await fetch(`${aws.url}/control/stats`, { headers: control })
    ).json()) as {
      workers: { pid: number; function: string }[];
    };
    return stats.workers.filter((w) => w.function.includes('first')).map((w) => w.pid);
  };

  // Warms aws-local's worker of `first`, which reaches aliyun-local at its first address.
  expect((await run('ex-peers-1')).result).toMatchObject({
    status: 'succeeded',
    output: { n: 20 },
  });
  const warm = await workersOfFirst();
  expect(warm.length).toBe(1);

  // aliyun-local now answers at another address (a TCP relay to it), and aws-local is told.
  const aliyun = new URL(local.peers['aliyun-local'] as string);
  // An HTTP relay (the cloud answers only requests addressed to its own port).
  proxy = createServer((req, res) => {
    proxied += 1;
    const upstream = request(
      {
        host: aliyun.hostname,
        port: Number(aliyun.port),
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: aliyun.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
  const address = proxy.address();
  if (address === null || typeof address === 'string') throw new Error('no proxy address');
  await jsonCall(
    'PUT',
    `${aws.url}/control/peers`,
    { ...local.peers, 'aliyun-local': `http://127.0.0.1:${address.port}` },
    control,
  );

  expect((await run('ex-peers-2')).result).toMatchObject({
    status: 'succeeded',
    output: { n: 20 },
  });
  // The invoke of `second` went through the new address, from the worker that was warm.
  expect(proxied).toBeGreaterThan(0);
  expect(await workersOfFirst()).toEqual(warm);
}, 120_000);
