import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TraceEvent, TraceEventKind } from '@jointflow/runtime';
import type { CloudShim } from '@jointflow/shims';
import { ApiClient } from '../apiClient';
import type { ExecutionEngine } from '../executionEngine';
import { type ApiServer, type ApiServerOptions, createApiServer } from '../server';

const code = 'export async function handler(input) { return { value: (input.value ?? 0) + 1 }; }';

/** A two-step chain crossing from aws-local to aliyun-local. */
export const chainGraph = {
  name: 'chain',
  nodes: [
    { kind: 'task', name: 'first', cloud: 'aws-local', code },
    { kind: 'task', name: 'second', cloud: 'aliyun-local', code },
  ],
  edges: [{ id: 'e1', source: 'first', target: 'second' }],
  sampleInput: { value: 1 },
};

/**
 * A chain of `steps` alternating aws-local and aliyun-local, each sleeping `sleepMs` and
 * returning `{ n: input.n + 1 }`: long enough to act on an execution while it runs.
 */
export function slowChainGraph(steps: readonly string[], sleepMs: number) {
  const code = `export async function handler(input) { await new Promise((r) => setTimeout(r, ${sleepMs})); return { n: (input.n ?? 0) + 1 }; }`;
  return {
    name: 'slow-chain',
    nodes: steps.map((name, i) => ({
      kind: 'task',
      name,
      cloud: i % 2 === 0 ? 'aws-local' : 'aliyun-local',
      code,
    })),
    edges: steps.slice(1).map((name, i) => ({ id: `e${i}`, source: steps[i], target: name })),
  };
}

export interface Harness {
  home: string;
  api: ApiServer;
  client: ApiClient;
  /**
   * Restarts the API on the same home, database and port (deployed functions keep posting their
   * trace events to the same URL).
   */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(options: {
  clouds: readonly CloudShim[];
  engine?: ExecutionEngine;
  databaseUrl?: string;
  extra?: Partial<ApiServerOptions>;
}): Promise<Harness> {
  const home = mkdtempSync(join(tmpdir(), 'jf-api-'));
  const start = (port?: number) =>
    createApiServer({
      home,
      ...(port !== undefined ? { port } : {}),
      clouds: options.clouds,
      log: () => {},
      ...(options.engine ? { engine: options.engine } : {}),
      ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
      ...options.extra,
    });
  const api = await start();
  await warmUp(api.url);
  const harness: Harness = {
    home,
    api,
    client: new ApiClient(api.url, api.token),
    async restart() {
      const port = Number(new URL(harness.api.url).port);
      await harness.api.close();
      harness.api = await start(port);
      await warmUp(harness.api.url);
      harness.client = new ApiClient(harness.api.url, harness.api.token);
    },
    async close() {
      await harness.api.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
  return harness;
}

/**
 * After an API on the same port was closed, the test process's connection pool may still hold
 * its closed keep-alive sockets; each failed health call uses one up, so the test's own
 * (possibly non-idempotent) requests get live connections.
 */
async function warmUp(url: string): Promise<void> {
  for (let i = 0; i < 10; i++) {
    try {
      await fetch(`${url}/api/v1/health`).then((r) => r.text());
      return;
    } catch {
      // a dead pooled socket: try the next one
    }
  }
}

let counter = 0;

/** A trace event as the runtime would send it. */
export function traceEvent(
  execution: string,
  deployment: string,
  instance: string,
  kind: TraceEventKind,
  extra: Partial<TraceEvent> = {},
): TraceEvent {
  counter += 1;
  return {
    id: `${execution}/${instance}/${kind}/1`,
    execution,
    deployment,
    instance,
    node: instance.split('/')[0] ?? instance,
    kind,
    cloud: 'aws-local',
    attempt: 1,
    hlc: `${Date.now()}-${counter}-aws-local`,
    at: Date.now(),
    ...extra,
  };
}
