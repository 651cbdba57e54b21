// The soak command (not a test): N chaos executions (default 10,000) of the examples through the
// API on real local clouds, with every fault kind injected (crashes before and after commit,
// duplicates, drops, reordering), a cloud process killed with SIGKILL every so often
// (its supervisor restarts it on its port) and the API restarted every so often (closed and
// started again on the same home and port, mid-run). Every execution must succeed with its
// fault-free result, and the runtime's history checker reads each one's stores and delivered
// trace. Prints a table; writes bench/results/soak.json.
//
//   npx tsx bench/src/soak.ts [--executions 10000] [--parallel 16] [--seed 7]
//                             [--kill-every 500] [--restart-every 1000] [--stall-ms 5000]
//
// --stall-ms is the watchdog's wait before it redrives a silent execution (a dropped invoke),
// the API's default 5 s (a shorter one gives up sooner: 5 redrives with doubling waits take
// 31 stall times).
// The result file is rewritten every 250 executions (`partial: true`) so a long run that is
// stopped early still leaves its numbers.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { ApiClient, type ApiServer, createApiServer } from '@jointflow/api';
import type { WorkflowIR } from '@jointflow/ir';
import { outsidePorts, startLocalClouds } from '@jointflow/local-cloud';
import { chaosInputs, comparableOutput } from '@jointflow/local-cloud/testing';
import { checkHistory, type TraceEvent } from '@jointflow/runtime';
import { listenerPid } from './processes';

const root = join(import.meta.dirname, '..', '..');

const { values } = parseArgs({
  options: {
    executions: { type: 'string', default: '10000' },
    parallel: { type: 'string', default: '16' },
    seed: { type: 'string', default: '7' },
    'kill-every': { type: 'string', default: '500' },
    'restart-every': { type: 'string', default: '1000' },
    'stall-ms': { type: 'string', default: '5000' },
  },
  strict: true,
});
const options = {
  executions: Number(values.executions),
  parallel: Number(values.parallel),
  seed: Number(values.seed),
  killEvery: Number(values['kill-every']),
  restartEvery: Number(values['restart-every']),
  stallMs: Number(values['stall-ms']),
};
for (const [name, value] of Object.entries(options)) {
  if (!Number.isInteger(value) || value < 1) {
    console.error(`SOAK_BAD_OPTION: --${name} must be a positive integer`);
    process.exit(2);
  }
}

/** Every fault kind the local clouds inject, at once (per cloud, seeded). */
const faults = (seed: number) => ({
  seed,
  crashBeforeCommit: 0.05,
  crashAfterCommit: 0.05,
  duplicate: 0.1,
  drop: 0.05,
  reorderMs: 20,
});

const dir = mkdtempSync(join(tmpdir(), 'jointflow-soak-'));
const local = await startLocalClouds({
  dataDir: join(dir, 'clouds'),
  supervise: true,
  logs: 'ignore',
});
const shims = local.clouds.map((c) => c.shim);
let api: ApiServer | undefined;
const startApi = async (port: number) =>
  createApiServer({
    home: join(dir, 'home'),
    clouds: shims,
    port,
    // Results stay in the stores until the end: the history checker reads them.
    watchdog: {
      stallMs: options.stallMs,
      intervalMs: Math.max(50, Math.round(options.stallMs / 4)),
      closeSucceededAfterMs: 24 * 3600_000,
      closeFailedAfterMs: 24 * 3600_000,
    },
    log: () => {},
  });

try {
  api = await startApi(0);
  const port = Number(new URL(api.url).port);
  let client = new ApiClient(api.url, api.token);

  // The examples whose small chaos inputs exist, deployed once; their fault-free results first.
  const examplesDir = join(root, 'examples');
  const examples = readdirSync(examplesDir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({
      name: file.replace(/\.json$/, ''),
      graph: JSON.parse(readFileSync(join(examplesDir, file), 'utf8')) as unknown,
    }))
    .filter((example) => chaosInputs[example.name] !== undefined);
  const deployed: { name: string; deployment: string; ir: WorkflowIR; expected: unknown }[] = [];
  for (const example of examples) {
    const { id: workflow } = await client.createWorkflow(example.name, example.graph);
    const { id: deployment } = await client.deploy(workflow);
    await client.waitForDeployment(deployment, 300_000);
    const { ir } = await client.getDeployment(deployment);
    const { id } = await client.startExecution(deployment, chaosInputs[example.name]);
    const end = await client.followEvents(id, { onEvent: () => {} });
    if (end?.status !== 'succeeded')
      throw new Error(`SOAK_REFERENCE_FAILED: ${example.name} ended ${end?.status} fault-free`);
    deployed.push({ name: example.name, deployment, ir, expected: end.result });
  }
  console.log(`soak: ${deployed.length} examples deployed, fault-free results recorded`);

  for (const cloud of shims)
    await client.request('POST', `/api/v1/clouds/${cloud.id}/faults`, faults(options.seed));

  const rows = new Map<
    string,
    { runs: number; failed: number; wrong: number; violations: number }
  >();
  const problems: string[] = [];
  let kills = 0;
  let restarts = 0;
  let started = 0;
  let finished = 0;
  let restarting: Promise<void> | undefined;
  const startedAt = performance.now();

  /** Waits for an execution's end through the API, whichever API instance is up. */
  const waitForEnd = async (id: string) => {
    for (;;) {
      await restarting;
      try {
        const execution = await client.getExecution(id);
        if (execution.status !== 'running') return execution;
      } catch {
        // The API is restarting: ask again.
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  const disrupt = async (n: number) => {
    if (n % options.killEvery === 0) {
      const cloud = local.clouds[(n / options.killEvery) % local.clouds.length];
      if (cloud !== undefined) {
        process.kill(listenerPid(Number(new URL(cloud.url).port)), 'SIGKILL');
        kills += 1;
      }
    }
    if (n % options.restartEvery === 0 && restarting === undefined) {
      restarting = (async () => {
        await api?.close();
        api = await startApi(port);
        client = new ApiClient(api.url, api.token);
        restarts += 1;
      })().finally(() => {
        restarting = undefined;
      });
    }
  };

  const runOne = async (n: number) => {
    const target = deployed[n % deployed.length];
    if (target === undefined) return;
    await restarting;
    let id: string | undefined;
    for (let attempt = 0; id === undefined; attempt++) {
      try {
        id = (await client.startExecution(target.deployment, chaosInputs[target.name])).id;
      } catch (error) {
        if (attempt >= 20) throw error;
        await restarting;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    const execution = await waitForEnd(id);
    const row = rows.get(target.name) ?? { runs: 0, failed: 0, wrong: 0, violations: 0 };
    rows.set(target.name, row);
    row.runs += 1;
    if (execution.status !== 'succeeded') {
      row.failed += 1;
      problems.push(
        `${target.name} ${id}: ${execution.status} ${JSON.stringify(execution.error ?? null)}`,
      );
    } else if (
      !isDeepStrictEqual(comparableOutput(execution.result), comparableOutput(target.expected))
    ) {
      row.wrong += 1;
      problems.push(`${target.name} ${id}: a result other than the fault-free one`);
    }
    // The clouds' outboxes deliver the last events shortly after the result commits, and a
    // store may be a cloud that was just killed: check again a few times before reporting.
    let violations: string[] = [];
    for (let check = 0; check < 50; check++) {
      try {
        await restarting;
        const events: TraceEvent[] = [];
        await client.followEvents(id, { onEvent: (e) => events.push(e as unknown as TraceEvent) });
        const report = await checkHistory({
          ir: target.ir,
          execution: id,
          store: outsidePorts(shims, local.peers).store,
          events,
        });
        violations = report.violations;
        if (report.ok) break;
      } catch (error) {
        violations = [
          `history not readable: ${error instanceof Error ? error.message : String(error)}`,
        ];
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (violations.length > 0) {
      row.violations += 1;
      problems.push(`${target.name} ${id}: ${violations.slice(0, 3).join('; ')}`);
    }
    finished += 1;
    if (finished % 100 === 0)
      console.log(
        `soak: ${finished}/${options.executions} in ${((performance.now() - startedAt) / 1000).toFixed(0)} s, ${problems.length} problems`,
      );
    if (finished % 250 === 0) writeResult(true);
  };

  const writeResult = (partial: boolean) => {
    const result = {
      when: new Date().toISOString(),
      partial,
      finished,
      loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)),
      ...options,
      faults: faults(options.seed),
      elapsedMs: Math.round(performance.now() - startedAt),
      cloudKills: kills,
      apiRestarts: restarts,
      byExample: Object.fromEntries(rows),
      problems: problems.slice(0, 50),
      problemCount: problems.length,
    };
    writeFileSync(join(root, 'bench/results/soak.json'), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  };

  await Promise.all(
    Array.from({ length: options.parallel }, async () => {
      for (let n = ++started; n <= options.executions; n = ++started) {
        await disrupt(n);
        await runOne(n);
      }
    }),
  );
  const { elapsedMs } = writeResult(false);
  console.table(Object.fromEntries(rows));
  console.log(
    `soak: ${finished} executions in ${(elapsedMs / 1000).toFixed(0)} s, ${kills} cloud kills, ${restarts} API restarts, ${problems.length} problems`,
  );
  for (const problem of problems.slice(0, 20)) console.log(`  ${problem}`);
  if (problems.length > 0) process.exitCode = 1;
} finally {
  await api?.close();
  await local.stop();
  rmSync(dir, { recursive: true, force: true });
}
