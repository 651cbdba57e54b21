// Estimate vs first run (not a test): for every shipped example, the planner's estimate of the
// first run (cold starts included, what the deploy dialog shows) against the makespan of a real
// first run right after deploying, on a running stack (`jointflow up`).
//
//   JOINTFLOW_URL=http://127.0.0.1:4320 JOINTFLOW_TOKEN=<token> npx tsx bench/web/estimateVsRun.ts
//
// Writes bench/results/estimate-vs-run.json. Each example is deployed fresh, so its first run
// meets cold sandboxes, as a user's first run does.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CloudProfile, cloudProfileSchema, graphSchema } from '@jointflow/ir';
import { plan } from '@jointflow/planner';

const root = fileURLToPath(new URL('../..', import.meta.url));
const base = process.env.JOINTFLOW_URL ?? 'http://127.0.0.1:4300';
const token = process.env.JOINTFLOW_TOKEN ?? '';

async function call(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string) {
  for (let i = 0; i < 600; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`BENCH_TIMEOUT: ${what} did not finish after 600 polls`);
}

/**
 * Where a finished run's invocations spent their time, from the hosts' `invocation.billed`
 * events: cold starts, time queued before a sandbox took them, and the handlers' own time.
 */
async function billedSplit(execution: string) {
  const response = await fetch(`${base}/api/v1/executions/${execution}/events`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  const split = {
    invocations: 0,
    coldStarts: 0,
    coldStartMsMax: 0,
    coldStartMsSum: 0,
    queuedMsSum: 0,
    handlerMsSum: 0,
  };
  for (const line of text.split('\n')) {
    if (!line.startsWith('data: ') || !line.includes('"invocation.billed"')) continue;
    const event = JSON.parse(line.slice(6)) as {
      coldStartMs?: number;
      queuedMs?: number;
      durationMs?: number;
    };
    split.invocations += 1;
    const cold = event.coldStartMs ?? 0;
    if (cold > 0) split.coldStarts += 1;
    split.coldStartMsMax = Math.max(split.coldStartMsMax, cold);
    split.coldStartMsSum += cold;
    split.queuedMsSum += event.queuedMs ?? 0;
    split.handlerMsSum += Math.round(event.durationMs ?? 0);
  }
  return split;
}

/** The clouds as the designer sees them now, with what they measured of this host so far. */
const currentClouds = async () =>
  ((await call('GET', '/clouds')) as { items: unknown[] }).items.map((c) =>
    cloudProfileSchema.parse(c),
  ) as CloudProfile[];

const rows: Record<string, unknown>[] = [];
for (const file of readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.json'))) {
  const graph = graphSchema.parse(JSON.parse(readFileSync(join(root, 'examples', file), 'utf8')));
  // Read per example, as the designer does on opening one: the clouds' measured cold starts
  // grow with every run.
  const clouds = await currentClouds();
  const planned = plan(graph, clouds, {
    objective: 'balanced',
    input: graph.sampleInput,
    firstRun: true,
  });
  const warm = plan(graph, clouds, { objective: 'balanced', input: graph.sampleInput });
  const created = (await call('POST', '/workflows', { name: `${graph.name}-estimate`, graph })) as {
    id: string;
  };
  // A deploy can time out on a loaded machine (bundling is CPU-bound): try up to three times.
  let deployment = { id: '' };
  for (let attempt = 1; attempt <= 3; attempt++) {
    deployment = (await call('POST', `/workflows/${created.id}/deployments`, {
      placement: planned.placement,
    })) as { id: string };
    const state = await waitFor(
      () => call('GET', `/deployments/${deployment.id}`) as Promise<{ status: string }>,
      (d) => d.status === 'ready' || d.status === 'failed',
      `deployment of ${graph.name}`,
    );
    if (state.status === 'ready') break;
    if (attempt === 3)
      throw new Error(`BENCH_DEPLOY_FAILED: ${graph.name}: ${JSON.stringify(state)}`);
  }
  const runs: number[] = [];
  const splits: Awaited<ReturnType<typeof billedSplit>>[] = [];
  for (let i = 0; i < 2; i++) {
    const started = (await call('POST', `/deployments/${deployment.id}/executions`, {
      input: graph.sampleInput ?? null,
    })) as { id: string };
    const finished = (await waitFor(
      () =>
        call('GET', `/executions/${started.id}`) as Promise<{
          status: string;
          makespanMs: number | null;
        }>,
      (e) => e.status !== 'running',
      `run of ${graph.name}`,
    )) as { status: string; makespanMs: number | null };
    runs.push(finished.makespanMs ?? Number.NaN);
    splits.push(await billedSplit(started.id));
  }
  const [first = Number.NaN, second = Number.NaN] = runs;
  const row = {
    example: graph.name,
    estimateFirstRunMs: Math.round(planned.estimate.makespanMs),
    firstRunMs: first,
    ratio: Number((first / planned.estimate.makespanMs).toFixed(2)),
    estimateWarmMs: Math.round(warm.estimate.makespanMs),
    secondRunMs: second,
    warmRatio: Number((second / warm.estimate.makespanMs).toFixed(2)),
    estimateColdStartMs: Math.round(planned.estimate.coldStartMs),
    // What the estimate knew of each cloud on this host (absent: the profile's figures).
    measured: Object.fromEntries(clouds.map((c) => [c.id, c.measured ?? null])),
    estimateQueueMs: Math.round(planned.estimate.queueMs),
    firstRunSplit: splits[0],
    secondRunSplit: splits[1],
    loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)),
  };
  rows.push(row);
  console.log(JSON.stringify(row));
}
writeFileSync(
  join(root, 'bench/results/estimate-vs-run.json'),
  `${JSON.stringify({ at: new Date().toISOString(), rows }, null, 2)}\n`,
);
