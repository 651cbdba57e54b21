import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ensureBuild } from '../../apps/cli/bin/build.mjs';
import { type BenchOptions, BenchUsageError, parseBenchOptions } from './benchOptions';
import { ensureLoopbackOnly } from './loopbackOnly';
import { describeMachine } from './machine';
import { buildResultsMarkdown } from './report/resultsMarkdown';
import { resultsSections } from './report/sections';
import { resultsMarkdownFile, type SuiteName, writeSuiteResult } from './resultFiles';
import { runFaultsSuite } from './suites/faults';
import { runFederatedLearningSuite } from './suites/federatedLearning';
import { runScalingSuite } from './suites/scaling';
import { runTransitionSuite } from './suites/transition';
import { runTriggersSuite } from './suites/triggers';
import { runWorkflowsSuite } from './suites/workflows';
import { benchTopology, systemFactories } from './systems/catalog';
import { restateServerVersion } from './systems/restate/restateSystem';

/**
 * `npm run bench [-- --quick] [-- --suite=transition,workflows] [-- --host-network]`: runs the suites, writes
 * bench/results/<suite>.json, then regenerates bench/RESULTS.md from every result file.
 * The run re-executes itself in a loopback-only network namespace first (loopbackOnly.ts).
 */
let options: BenchOptions;
try {
  options = parseBenchOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof BenchUsageError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
// Every local cloud runs the compiled cloud program, as `jointflow` starts it (issue 12): tsx
// would add seconds per cloud start and its own memory to the stacks' measured RSS.
process.env.JOINTFLOW_CLOUD_PROGRAM ??= join(await ensureBuild(), 'cloud.js');
const network = await ensureLoopbackOnly(options.hostNetwork);
const command = options.command;
const runStarted = Date.now();
const log = (line: string) =>
  process.stderr.write(`[bench +${((Date.now() - runStarted) / 1000).toFixed(1)}s] ${line}\n`);
const machine = describeMachine({
  'restate-server binary': await restateServerVersion(),
  network,
});
const factories = systemFactories();

const loadAverage = () => os.loadavg().map((value) => Math.round(value * 100) / 100);

async function timed<Data>(suite: SuiteName, run: () => Promise<Data>) {
  const startedAt = new Date().toISOString();
  const started = Date.now();
  const atStart = loadAverage();
  const data = await run();
  const file = writeSuiteResult({
    suite,
    mode: options.mode,
    startedAt,
    durationMs: Date.now() - started,
    command,
    machine,
    load: { atStart, atEnd: loadAverage() },
    data,
  });
  log(`${suite} done in ${((Date.now() - started) / 1000).toFixed(1)} s -> ${file}`);
}

if (options.suites.includes('transition')) {
  await timed('transition', () => runTransitionSuite(options, factories, log));
}

if (options.suites.includes('workflows')) {
  // Quick mode keeps the fsync'd configuration of each system; full mode runs all of them.
  const workflowFactories =
    options.mode === 'quick'
      ? factories.filter((factory) => factory.family !== 'floor' && factory.fsync)
      : factories.filter((factory) => factory.family !== 'floor');
  await timed('workflows', () =>
    runWorkflowsSuite(options, workflowFactories, benchTopology.clouds[0] ?? '', log),
  );
}

if (options.suites.includes('scaling')) {
  // The plain-process references run in suites 1 and 2 only.
  const scalingFactories = factories.filter(
    (factory) => factory.family !== 'floor' && factory.fsync && !factory.reference,
  );
  await timed('scaling', () => runScalingSuite(options, scalingFactories, log));
}

if (options.suites.includes('faults')) {
  await timed('faults', () => runFaultsSuite(options, log));
}

if (options.suites.includes('triggers')) {
  await timed('triggers', () => runTriggersSuite(options, log));
}

if (options.suites.includes('federated-learning')) {
  await timed('federated-learning', () => runFederatedLearningSuite(options, log));
}

writeFileSync(resultsMarkdownFile, buildResultsMarkdown(resultsSections));
log(`wrote ${resultsMarkdownFile}`);
