import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowIR } from '@jointflow/ir';
import { z } from 'zod';
import { type BenchChild, benchFile, startChild, wrapChild } from '../../childProcess';
import { getJson, postJson } from '../../httpJson';
import { type LatencyProxy, startLatencyProxy } from '../../latencyProxy';
import { preciseNow } from '../../percentiles';
import { chainPayload } from '../../userCode';
import type { CloudTopology, SystemUnderTest } from '../chainRunner';

/** The Restate server binary shipped inside the npm package. */
export function restateServerBinary(): string {
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
  return fileURLToPath(
    new URL(
      `../../../../node_modules/@restatedev/restate-server-linux-${arch}/bin/restate-server`,
      import.meta.url,
    ),
  );
}

/**
 * Restate's durability as configured here, from `restate-server --dump-config` of 1.7: a single
 * node whose log (Bifrost, `replicated` loglet provider, replication 1) is stored by the
 * log-server role in RocksDB with its WAL fsync'd (`log-server.rocksdb-disable-wal-fsync = false`);
 * the `fsync: false` run sets that (and `bifrost.local`'s) to true.
 */
export function restateDurability(fsync: boolean): string {
  return fsync
    ? 'Restate defaults: log-server RocksDB WAL fsync’d (rocksdb-disable-wal-fsync=false), replication 1'
    : 'log-server and bifrost.local rocksdb-disable-wal-fsync=true: log reaches the OS, no fsync';
}

/** `restate-server --version` of the shipped binary. */
export function restateServerVersion(): Promise<string> {
  return new Promise<string>((resolve) => {
    const probe = spawn(restateServerBinary(), ['--version'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let text = '';
    probe.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    probe.on('close', () => resolve(text.trim()));
    probe.on('error', () => resolve('not runnable'));
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`BENCH_RESTATE_TIMEOUT: ${what} within ${timeoutMs} ms`);
}

const flowReply = z.object({
  output: z.unknown(),
  tally: z.object({
    steps: z.array(z.object({ cloud: z.string(), memoryMb: z.number(), durationMs: z.number() })),
    transitions: z.number(),
  }),
});

const marksOf = (output: unknown): number[] =>
  z.object({ marks: z.array(z.number()) }).parse(output).marks;

/**
 * Starts a Restate server on 127.0.0.1 (every listener: node-to-node, admin, ingress) with a
 * temporary data directory, one service endpoint per cloud (other clouds behind a latency
 * proxy, as seen from the server on the home cloud), and registers them through the admin API.
 */
export async function startRestate(
  topology: CloudTopology,
  fsync: boolean,
  workflows: readonly WorkflowIR[],
): Promise<SystemUnderTest & { version: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'jf-bench-restate-'));
  const home = topology.clouds[0] ?? '';
  const [nodePort, adminPort, ingressPort] = [await freePort(), await freePort(), await freePort()];
  const env: Record<string, string> = {
    RESTATE_BASE_DIR: dir,
    RESTATE_BIND_ADDRESS: `127.0.0.1:${nodePort}`,
    RESTATE_ADVERTISED_ADDRESS: `http://127.0.0.1:${nodePort}`,
    RESTATE_ADMIN__BIND_ADDRESS: `127.0.0.1:${adminPort}`,
    RESTATE_INGRESS__BIND_ADDRESS: `127.0.0.1:${ingressPort}`,
    RESTATE_LISTEN_MODE: 'tcp',
    RESTATE_DISABLE_TELEMETRY: 'true',
    RESTATE_LOG_FILTER: 'error',
  };
  if (!fsync) {
    env.RESTATE_LOG_SERVER__ROCKSDB_DISABLE_WAL_FSYNC = 'true';
    env.RESTATE_BIFROST__LOCAL__ROCKSDB_DISABLE_WAL_FSYNC = 'true';
  }
  const binary = restateServerBinary();
  const server = spawn(binary, ['--no-logo'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const serverChild = wrapChild(server, { adminPort, ingressPort });
  const admin = `http://127.0.0.1:${adminPort}`;
  const ingress = `http://127.0.0.1:${ingressPort}`;
  const endpoints: BenchChild<{ port: number }>[] = [];
  const proxies: LatencyProxy[] = [];
  const close = async () => {
    for (const proxy of proxies) await proxy.close();
    for (const endpoint of endpoints) await endpoint.stop();
    await serverChild.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => (await getJson(`${admin}/health`)).status === 200,
      60_000,
      'admin up',
    );
    await waitFor(
      async () => (await getJson(`${ingress}/restate/health`)).status === 200,
      60_000,
      'ingress up',
    );
    const workflowsFile = path.join(dir, 'workflows.json');
    writeFileSync(workflowsFile, JSON.stringify(workflows));
    for (const [cloudIndex, cloud] of topology.clouds.entries()) {
      const endpoint = await startChild<{ port: number }>(
        benchFile('./systems/restate/restateServices.ts'),
        {
          env: { RESTATE_LOGGING: 'WARN' },
          args: [
            JSON.stringify({
              cloudIndex,
              home: cloud === home,
              clouds: topology.clouds,
              workflowsFile,
            }),
          ],
        },
      );
      endpoints.push(endpoint);
      let port = endpoint.ready.port;
      const latency = topology.latencyMs(home, cloud);
      if (cloud !== home && latency > 0) {
        const proxy = await startLatencyProxy(port, latency);
        proxies.push(proxy);
        port = proxy.port;
      }
      const registered = await postJson(`${admin}/deployments`, {
        uri: `http://127.0.0.1:${port}`,
        force: true,
      });
      if (registered.status >= 300) {
        throw new Error(`BENCH_RESTATE_REGISTER: ${JSON.stringify(registered.body)}`);
      }
    }
    const version = await restateServerVersion();
    const cloudIndex = (cloud: string) => Math.max(0, topology.clouds.indexOf(cloud));
    const runChain = async (clouds: readonly string[]) => {
      const [first, ...rest] = clouds.map(cloudIndex);
      const response = await postJson(`${ingress}/chain${first ?? 0}/step`, {
        clouds: rest,
        payload: chainPayload(),
      });
      if (response.status !== 200) {
        throw new Error(`BENCH_RESTATE_CALL: ${response.status} ${JSON.stringify(response.body)}`);
      }
      return marksOf(response.body);
    };
    await waitFor(async () => (await runChain([home])).length === 1, 30_000, 'services callable');
    return {
      label: `Restate (${fsync ? 'defaults, fsync' : 'no fsync'})`,
      durability: restateDurability(fsync),
      path: 'Restate server → SDK endpoints (plain processes)',
      version,
      runChain,
      workflows: {
        async deploy(ir) {
          if (!workflows.some((known) => known.workflow === ir.workflow)) {
            throw new Error(`BENCH_RESTATE_NOT_LOADED: start Restate with ${ir.workflow}`);
          }
        },
        async run(workflow, input) {
          const started = preciseNow();
          const response = await postJson(`${ingress}/flow/run`, { workflow, input });
          const makespanMs = preciseNow() - started;
          if (response.status !== 200) {
            throw new Error(
              `BENCH_RESTATE_CALL: ${response.status} ${JSON.stringify(response.body)}`,
            );
          }
          const reply = flowReply.parse(response.body);
          return { output: reply.output, makespanMs, tally: reply.tally };
        },
      },
      pids: async () => [serverChild.pid, ...endpoints.map((e) => e.pid)],
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
