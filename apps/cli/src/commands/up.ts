import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ApiClient, type ApiServer, createApiServer } from '@jointflow/api';
import { loadCloudsFile, type RunningClouds, startClouds } from '@jointflow/local-cloud';
import { type Logger, processLogger } from '@jointflow/runtime/log';
import { buildWeb, webBuildIsStale } from '../../bin/webBuild.mjs';
import { type Command, defineCommand } from '../command';
import { jointflowHome } from './deploy';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..', '..');
const webDir = join(repoRoot, 'apps', 'web');
const examplesDir = join(repoRoot, 'examples');

/**
 * The built web app, built first when it is missing or older than its sources (after a `git
 * pull`, or an edit in a package it bundles), when the sources are here.
 */
function ensureWebBuild(log: Logger): string | undefined {
  const dist = join(webDir, 'dist');
  if (!existsSync(join(webDir, 'package.json'))) {
    return existsSync(join(dist, 'index.html')) ? dist : undefined;
  }
  if (!webBuildIsStale(repoRoot)) return dist;
  const first = !existsSync(join(dist, 'index.html'));
  log.info(
    first ? 'building the web app (first start)' : 'rebuilding the web app (its sources changed)',
  );
  if (!buildWeb(repoRoot, ['ignore', 'ignore', 'inherit'])) {
    log.warn('the web app did not build; serving the API only');
    return undefined;
  }
  return dist;
}

/**
 * examples/*.json and the graphs one folder down (examples/federated-learning/*.json); not the
 * clouds files in examples/clouds or the sources in examples/src.
 */
function exampleFiles(): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(examplesDir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.json')) files.push(entry.name);
    else if (entry.isDirectory() && entry.name !== 'clouds' && entry.name !== 'src') {
      for (const file of readdirSync(join(examplesDir, entry.name))) {
        if (file.endsWith('.json')) files.push(join(entry.name, file));
      }
    }
  }
  return files.sort();
}

/** Stores the example graphs as workflows, once per home (a marker file remembers it). */
export async function loadExamples(
  client: ApiClient,
  home: string,
  log: Logger = processLogger({ component: 'up' }),
): Promise<number> {
  const marker = join(home, 'examples-loaded');
  if (existsSync(marker) || !existsSync(examplesDir)) return 0;
  let loaded = 0;
  for (const file of exampleFiles()) {
    try {
      const graph = JSON.parse(readFileSync(join(examplesDir, file), 'utf8')) as { name?: unknown };
      const name = typeof graph.name === 'string' ? graph.name : file.replace(/\.json$/, '');
      await client.createWorkflow(name, graph);
      loaded += 1;
    } catch (error) {
      log.warn(`example ${file} was not loaded`, {
        file,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  return loaded;
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolveSignal(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export const upCommand: Command = defineCommand({
  name: 'up',
  summary: 'Start the local clouds, the API and the web app (npm start)',
  synopsis: ['[--port <n>] [--host <addr>] [--home <dir>] [--clouds <clouds.json>] [--no-web]'],
  positionals: { min: 0, max: 0, what: 'no arguments, only flags' },
  description: `Starts everything on this machine: the local clouds, the API and the web app. Prints the URL
(with the token when stdout is a terminal) and stops cleanly on Ctrl-C. On first start the
examples are loaded as workflows. PostgreSQL is used when DATABASE_URL is set, else SQLite in the
home directory. Logs (API, clouds, supervision) go to stderr as JSON lines unless stderr is a
terminal; JOINTFLOW_LOG_FORMAT=json|text and JOINTFLOW_LOG_LEVEL=debug|info|warn|error override.`,
  flags: {
    port: {
      type: 'integer',
      value: '<n>',
      what: 'a port number',
      min: 0,
      max: 65_535,
      help: 'the API and web port (default 4300; 0 picks a free one)',
    },
    host: {
      type: 'string',
      value: '<addr>',
      help: 'the address to bind (default 127.0.0.1: this machine only)',
    },
    home: {
      type: 'string',
      value: '<dir>',
      help: 'data directory (default $JOINTFLOW_HOME or ./.jointflow): token, database, clouds',
    },
    clouds: {
      type: 'string',
      value: '<clouds.json>',
      help: 'a clouds file (see examples/clouds/ and the README\'s "Deploy to AWS and Aliyun"); default: the two local clouds',
    },
    'no-web': { type: 'boolean', help: 'do not serve (or build) the web app' },
  },
  examples: ['jointflow up --port 4300 --home ~/.jointflow'],
  exitCodes: '0 stopped by a signal, 1 failed to start, 2 bad usage.',
  async run({ flags }) {
    const options = {
      port: flags.port ?? 4300,
      host: flags.host ?? '127.0.0.1',
      home: flags.home === undefined ? jointflowHome() : resolve(flags.home),
      web: flags['no-web'] !== true,
      clouds: flags.clouds === undefined ? undefined : resolve(flags.clouds),
    };
    const signal = waitForSignal();
    // Logs (this command's, the API's and the cloud processes') go to stderr, JSON lines unless
    // it is a terminal; stdout keeps the banner below for the person (or script) that started it.
    const log = processLogger({ component: 'up' });
    let local: RunningClouds | undefined;
    let api: ApiServer | undefined;
    const stop = async () => {
      await api?.close();
      await local?.stop();
    };
    try {
      const web = options.web ? ensureWebBuild(log) : undefined;
      local = await startClouds({
        ...(options.clouds === undefined ? {} : { clouds: loadCloudsFile(options.clouds) }),
        dataDir: join(options.home, 'clouds'),
        // A cloud process that dies is restarted on its port, and the clouds' log says so.
        supervise: true,
      });
      api = await createApiServer({
        home: options.home,
        clouds: local.shims,
        port: options.port,
        host: options.host,
        log: processLogger({ component: 'api' }),
        ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
        ...(web !== undefined ? { webDir: web } : {}),
        // The Vite dev server (`npm run dev -w @jointflow/web`) may call the API too.
        corsOrigins: ['http://127.0.0.1:5173', 'http://localhost:5173'],
      });
      const loaded = await loadExamples(new ApiClient(api.url, api.token), options.home, log);
      console.log(`Jointflow is up.`);
      // The token goes to a terminal only (the URL that hands it to the browser): a log file or
      // a pipe gets where it is instead, the 0600 file in the Jointflow home.
      const interactive = process.stdout.isTTY === true;
      const webUrl = interactive ? `${api.url}/#token=${api.token}` : `${api.url}/`;
      console.log(`  web:    ${web !== undefined ? webUrl : '(not built)'}`);
      console.log(`  api:    ${api.url}/api/v1  (token in ${join(options.home, 'token')})`);
      for (const cloud of local.resolved) {
        const where =
          cloud.localUrl ?? (cloud.provider === 'local' ? '' : `${cloud.provider} ${cloud.region}`);
        const mode =
          cloud.provider !== 'local' && cloud.emulate ? ` (emulated ${cloud.provider})` : '';
        console.log(`  cloud:  ${cloud.id.padEnd(14)} ${where}${mode}`);
      }
      if (loaded > 0) console.log(`  loaded ${loaded} example workflows`);
      console.log('Press Ctrl-C to stop.');
      // The same for machines, without the token (a log may be kept anywhere).
      log.info('Jointflow is up', {
        web: web !== undefined ? `${api.url}/` : null,
        api: `${api.url}/api/v1`,
        home: options.home,
        clouds: local.resolved.map((cloud) => cloud.id),
        examplesLoaded: loaded,
      });
    } catch (error) {
      log.error(
        `could not start: ${error instanceof Error ? error.message : String(error)}`,
        error instanceof Error ? { error } : {},
      );
      await stop();
      return 1;
    }
    const received = await signal;
    log.info(`${received}, stopping…`, { signal: received });
    await stop();
    return 0;
  },
});
