// The API fuzz command (not a test): throws N generated bad requests (default 10,000) across
// every route at a real `jointflow up` (API and local clouds on loopback, a throwaway home) and
// reports the answers by status class, every 5xx, every connection reset, and the API
// process's resident memory before, at its peak and after. Writes bench/results/fuzz.json.
//
//   npx tsx bench/src/fuzz.ts [--requests 10000] [--seed 7] [--parallel 8]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type BadRequest,
  badRequest,
  DEFAULT_BODY_LIMIT,
  schemaValidGraph,
  sendBadRequest,
} from '@jointflow/api/testing';
import fc from 'fast-check';
import { startUpStack } from '../../apps/cli/bin/upStack.mjs';
import { listenerPid, rssMb } from './processes';

const root = join(import.meta.dirname, '..', '..');

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '7' },
    parallel: { type: 'string', default: '8' },
  },
  strict: true,
});
const total = Number(values.requests);
const seed = Number(values.seed);
const parallel = Number(values.parallel);
for (const [name, value] of [
  ['requests', total],
  ['seed', seed],
  ['parallel', parallel],
] as const) {
  if (!Number.isInteger(value) || value < 1) {
    console.error(`FUZZ_BAD_OPTION: --${name} must be a positive integer`);
    process.exit(2);
  }
}

const home = mkdtempSync(join(tmpdir(), 'jointflow-fuzz-'));
const stack = await startUpStack({ home, code: 'FUZZ' });
try {
  const apiPid = listenerPid(Number(new URL(stack.url).port));
  const auth = { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' };
  const created = await fetch(`${stack.url}/api/v1/workflows`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({
      name: 'fuzz-target',
      graph: {
        name: 'fuzz-target',
        nodes: [{ kind: 'task', name: 'a', cloud: 'aws-local', code: '' }],
        edges: [],
      },
    }),
  });
  const { id: workflow } = (await created.json()) as { id: string };

  // Nine in ten requests are wrong anywhere; one in ten is a schema-valid graph that is wrong in
  // every other way, sent to compile, plan, estimate and deploy.
  const graphRequests = fc
    .tuple(
      schemaValidGraph,
      fc.constantFrom('/api/v1/compile', '/api/v1/plan', '/api/v1/estimate', 'deploy'),
    )
    .map(
      ([graph, path]): BadRequest =>
        path === 'deploy'
          ? {
              method: 'POST',
              path: '/api/v1/workflows/WORKFLOW/deployments',
              body: '{}',
              auth: 'valid',
              contentType: 'application/json',
            }
          : {
              method: 'POST',
              path,
              body: JSON.stringify({ graph }),
              auth: 'valid',
              contentType: 'application/json',
            },
    );
  const requests = fc.sample(
    fc.oneof({ arbitrary: badRequest, weight: 9 }, { arbitrary: graphRequests, weight: 1 }),
    { numRuns: total, seed },
  );

  // Warm up (JIT, pools, caches), then the baseline.
  for (const request of requests.slice(0, 200))
    await sendBadRequest(stack.url, stack.token, workflow, request).catch(() => undefined);
  const rssStart = rssMb(apiPid);
  let rssPeak = rssStart;
  const byClass: Record<string, number> = {};
  const codes: Record<string, number> = {};
  const serverErrors: { method: string; target: string; status: number; text: string }[] = [];
  const resets: { method: string; path: string; error: string }[] = [];
  // A body over the API's limit may be cut off mid-upload once the server has refused it (it
  // answers and closes rather than read megabytes it will not use): counted apart.
  const cutUploads: { method: string; path: string; error: string }[] = [];
  let next = 0;
  let done = 0;
  const started = performance.now();
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, rssMb(apiPid));
  }, 250);
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let i = next++; i < requests.length; i = next++) {
        const request = requests[i];
        if (request === undefined) continue;
        try {
          const response = await sendBadRequest(stack.url, stack.token, workflow, request);
          const cls = `${Math.floor(response.status / 100)}xx`;
          byClass[cls] = (byClass[cls] ?? 0) + 1;
          if (response.status >= 500) {
            serverErrors.push({
              method: request.method,
              target: response.target,
              status: response.status,
              text: response.text.slice(0, 300),
            });
          } else if (response.status >= 400) {
            let code = 'NO_CODE';
            try {
              const parsed = JSON.parse(response.text) as { error?: { code?: unknown } };
              if (typeof parsed.error?.code === 'string') code = parsed.error.code;
            } catch {
              code = 'NOT_JSON';
            }
            codes[code] = (codes[code] ?? 0) + 1;
          }
        } catch (error) {
          const failure = {
            method: request.method,
            path: request.path,
            error: error instanceof Error ? error.message : String(error),
          };
          const oversized = Buffer.byteLength(request.body ?? '') > DEFAULT_BODY_LIMIT;
          (oversized ? cutUploads : resets).push(failure);
        }
        done += 1;
        if (done % 1000 === 0) console.log(`fuzz: ${done}/${requests.length}`);
      }
    }),
  );
  clearInterval(sampler);
  const elapsedMs = Math.round(performance.now() - started);
  // Idle for a while: what the API keeps after the storm.
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  const rssAfter = rssMb(apiPid);
  const health = await fetch(`${stack.url}/api/v1/health`);
  const result = {
    when: new Date().toISOString(),
    loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)),
    requests: requests.length,
    seed,
    parallel,
    elapsedMs,
    byClass,
    errorCodes: codes,
    serverErrors: serverErrors.length,
    serverErrorSamples: serverErrors.slice(0, 20),
    connectionErrors: resets.length,
    connectionErrorSamples: resets.slice(0, 20),
    oversizedUploadsCutOff: cutUploads.length,
    oversizedUploadsCutOffSamples: cutUploads.slice(0, 5),
    rssMb: { start: rssStart, peak: rssPeak, afterIdle10s: rssAfter },
    healthAfter: health.status,
  };
  writeFileSync(join(root, 'bench/results/fuzz.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.table({
    requests: result.requests,
    '2xx': byClass['2xx'] ?? 0,
    '4xx': byClass['4xx'] ?? 0,
    '5xx': result.serverErrors,
    'connection errors': result.connectionErrors,
    'oversized uploads cut off': result.oversizedUploadsCutOff,
    'RSS start MB': rssStart,
    'RSS peak MB': rssPeak,
    'RSS after MB': rssAfter,
    'health after': result.healthAfter,
  });
  if (result.serverErrors > 0 || result.connectionErrors > 0 || health.status !== 200)
    process.exitCode = 1;
} finally {
  await stack.stop();
  rmSync(home, { recursive: true, force: true });
}
