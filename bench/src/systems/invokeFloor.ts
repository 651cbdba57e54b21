import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FROM_CLOUD_HEADER } from '@jointflow/shims';
import { listenLoopback, readJsonBody, sendJson } from '../httpJson';
import { chainPayload, MARK_STEP_CODE } from '../userCode';
import { startBenchLocalClouds } from './benchClouds';
import type { CloudTopology, SystemUnderTest } from './chainRunner';
import { deployLambdaFunction, floorFunctionModule, lambdaFunctionName } from './lambdaFunctions';
import { invokeLambda } from './lambdaInvoke';

/**
 * The floor on the same invoke path as Jointflow: fresh local clouds (same profiles, same
 * durability of their queue), one plain zip function per chain step, each invoking the next
 * through the next cloud's Lambda Invoke API (Event) after its no-op step. No checkpoint, no
 * store, no runtime: what is left is the invoke path itself. The last step posts the marks back
 * to this driver.
 */
export async function startInvokeFloor(
  topology: CloudTopology,
  fsync: boolean,
): Promise<SystemUnderTest> {
  const dir = mkdtempSync(path.join(tmpdir(), 'jf-bench-floor-'));
  const local = await startBenchLocalClouds(dir, fsync);
  const urls = new Map(local.clouds.map((cloud) => [cloud.profile.id, cloud.url]));
  const home = topology.clouds[0] ?? '';
  const urlOf = (cloud: string) => {
    const url = urls.get(cloud);
    if (url === undefined) throw new Error(`BENCH_NO_CLOUD: no local cloud ${cloud}`);
    return url;
  };
  const module = await floorFunctionModule(MARK_STEP_CODE);
  const deployed = new Set<string>();
  const waiting: ((marks: number[]) => void)[] = [];
  const replies = http.createServer((req, res) => {
    readJsonBody(req)
      .then((body) => {
        sendJson(res, 200, null);
        waiting.shift()?.((body as { marks?: number[] }).marks ?? []);
      })
      .catch(() => sendJson(res, 400, null));
  });
  const replyPort = await listenLoopback(replies);
  return {
    label: `floor (${fsync ? 'fsync' : 'no fsync'})`,
    durability: fsync
      ? 'no checkpoint; the clouds’ invoke queue in SQLite WAL, synchronous=FULL (as Jointflow fsync)'
      : 'no checkpoint; the clouds’ invoke queue in SQLite WAL, durability "os" (as Jointflow no fsync)',
    path: "local clouds' Invoke API, Event, function → function, no checkpoint",
    async runChain(clouds) {
      // One function per step, as Jointflow deploys a chain: a step never waits for a sandbox
      // that the previous step (still awaiting its invoke's 202) holds.
      const hops = clouds.map((cloud, index) => ({
        url: urlOf(cloud),
        name: lambdaFunctionName('floor', `step${index}`, cloud),
        from: index === 0 ? home : (clouds[index - 1] ?? home),
      }));
      for (const [index, hop] of hops.entries()) {
        const key = `${clouds[index]}/${hop.name}`;
        if (deployed.has(key)) continue;
        await deployLambdaFunction(hop.url, hop.name, module, 128);
        deployed.add(key);
      }
      const [first, ...rest] = hops;
      if (first === undefined) return [];
      // A safety net, not a budget: a step that kept failing would otherwise hang the run.
      const done = new Promise<number[]>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('BENCH_FLOOR_LOST: the chain did not finish in 300 s')),
          300_000,
        );
        waiting.push((marks) => {
          clearTimeout(timer);
          resolve(marks);
        });
      });
      const accepted = await invokeLambda(
        first.url,
        first.name,
        { next: rest, payload: chainPayload(), reply: `http://127.0.0.1:${replyPort}/` },
        'Event',
        { [FROM_CLOUD_HEADER]: first.from },
      );
      if (accepted.status !== 202) {
        waiting.pop()?.([]);
        throw new Error(`BENCH_FLOOR_INVOKE: ${accepted.status} ${JSON.stringify(accepted.body)}`);
      }
      return done;
    },
    async pids() {
      const stats = await Promise.all(local.clouds.map((cloud) => cloud.shim.stats()));
      return stats.flatMap((cloud) => [cloud.pid, ...cloud.workers.map((w) => w.pid)]);
    },
    async close() {
      replies.close();
      await local.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
