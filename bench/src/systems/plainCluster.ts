import http from 'node:http';
import { type BenchChild, benchFile, startChild } from '../childProcess';
import { listenLoopback, postJson, readJsonBody, sendJson } from '../httpJson';
import { type LatencyProxy, startLatencyProxy } from '../latencyProxy';
import { chainPayload } from '../userCode';
import type { CloudTopology, SystemUnderTest } from './chainRunner';

/**
 * Plain worker processes, one per cloud, with latency proxies between clouds: the compute the
 * floor chain and the centralized coordinator run on while they are not on the local clouds.
 */
export interface PlainCluster {
  workers: Map<string, BenchChild<{ port: number }>>;
  /** URL to reach `to`'s worker from a process on cloud `from` (through a proxy across clouds). */
  url(from: string, to: string): string;
  close(): Promise<void>;
}

export async function startPlainCluster(topology: CloudTopology): Promise<PlainCluster> {
  const workers = new Map<string, BenchChild<{ port: number }>>();
  const proxies = new Map<string, LatencyProxy>();
  for (const cloud of topology.clouds) {
    workers.set(cloud, await startChild(benchFile('./systems/plainWorker.ts')));
  }
  for (const from of topology.clouds) {
    for (const to of topology.clouds) {
      const latency = topology.latencyMs(from, to);
      const worker = workers.get(to);
      if (from === to || latency === 0 || !worker) continue;
      proxies.set(`${from}>${to}`, await startLatencyProxy(worker.ready.port, latency));
    }
  }
  return {
    workers,
    url(from, to) {
      const proxy = proxies.get(`${from}>${to}`);
      if (proxy) return `http://127.0.0.1:${proxy.port}`;
      const worker = workers.get(to);
      if (!worker) throw new Error(`BENCH_NO_WORKER: no worker for cloud ${to}`);
      return `http://127.0.0.1:${worker.ready.port}`;
    },
    async close() {
      for (const proxy of proxies.values()) await proxy.close();
      for (const worker of workers.values()) await worker.stop();
    },
  };
}

/**
 * The floor over plain processes: each step's worker invokes the next worker directly (an
 * async POST answered 202), no store, no coordinator. The last step posts the payload back here.
 */
export async function startPlainFloor(topology: CloudTopology): Promise<SystemUnderTest> {
  const cluster = await startPlainCluster(topology);
  const waiting: ((marks: number[]) => void)[] = [];
  const replies = http.createServer((req, res) => {
    readJsonBody(req)
      .then((body) => {
        sendJson(res, 200, null);
        const marks = (body as { marks?: number[] }).marks ?? [];
        waiting.shift()?.(marks);
      })
      .catch(() => sendJson(res, 400, null));
  });
  const replyPort = await listenLoopback(replies);
  const replyCloud = topology.clouds[0] ?? '';
  return {
    label: 'floor, plain processes (reference)',
    durability: 'none: no checkpoint, nothing persisted',
    path: 'plain processes, HTTP POST (reference, not the local clouds)',
    async runChain(clouds) {
      const [first, ...rest] = clouds;
      if (first === undefined) return [];
      const next = rest.map((cloud, index) => cluster.url(clouds[index] ?? cloud, cloud));
      const done = new Promise<number[]>((resolve) => waiting.push(resolve));
      await postJson(`${cluster.url(replyCloud, first)}/chain`, {
        next,
        payload: chainPayload(),
        reply: `http://127.0.0.1:${replyPort}/`,
      });
      return done;
    },
    pids: async () => [...cluster.workers.values()].map((worker) => worker.pid),
    async close() {
      replies.close();
      await cluster.close();
    },
  };
}
