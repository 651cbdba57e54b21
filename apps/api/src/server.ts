import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Logger } from '@jointflow/runtime/log';
import type { CloudShim } from '@jointflow/shims';
import type { ApiContext } from './apiContext';
import { apiLogger } from './apiLogger';
import { createApp } from './app';
import { CompilePool } from './compilePool';
import { EventHub } from './eventHub';
import type { ExecutionEngine } from './executionEngine';
import { startWatchdog, type WatchdogOptions } from './executionService';
import { type OtelExporter, otelExporterFromEnv } from './otelExport';
import { createRuntimeEngine } from './runtimeEngine';
import { loadSecrets } from './secrets';
import { openRepository } from './store/openRepository';

export interface ApiServerOptions {
  /** `JOINTFLOW_HOME`: the SQLite file, the token and the master key live here. */
  home: string;
  /** PostgreSQL connection string; SQLite under `home` when absent. */
  databaseUrl?: string;
  /** The clouds deployments go to, by their profile id. */
  clouds: readonly CloudShim[];
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Serve the built web app from this directory at `/`. */
  webDir?: string;
  /** Extra origins CORS allows (e.g. the Vite dev server); the server's own origin always is. */
  corsOrigins?: readonly string[];
  /** Where deployed functions post trace events; default this server's `/api/v1/ingest`. */
  ingestUrl?: string;
  /** Defaults to packages/runtime over the clouds' shims. */
  engine?: ExecutionEngine;
  watchdog?: Partial<WatchdogOptions>;
  /**
   * Where the API logs: a `Logger` (e.g. `processLogger({ component: 'api' })`), or a function
   * that receives each record as a plain message (`msg key=value`). Default: stderr, JSON lines
   * unless stderr is a terminal (JOINTFLOW_LOG_FORMAT, JOINTFLOW_LOG_LEVEL).
   */
  log?: Logger | ((message: string) => void);
  /**
   * Where finished executions go as OpenTelemetry traces. Default: an OTLP/HTTP exporter when
   * `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set, else none.
   */
  otel?: OtelExporter;
}

export interface ApiServer {
  url: string;
  token: string;
  close(): Promise<void>;
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/**
 * Starts the API over HTTP and resolves once it listens.
 *
 * @example
 * const api = await createApiServer({ home: '.jointflow', clouds: shims, port: 4300 });
 * console.log(`${api.url}/#token=${api.token}`);
 * await api.close();
 */
export async function createApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const home = resolve(options.home);
  const host = options.host ?? '127.0.0.1';
  const log = apiLogger(options.log);
  const secrets = loadSecrets(home);
  const repo = await openRepository({
    home,
    ...(options.databaseUrl !== undefined ? { databaseUrl: options.databaseUrl } : {}),
  });
  const clouds = new Map(options.clouds.map((shim) => [shim.profile.id, shim] as const));
  const hub = new EventHub();
  const tracked = new Set<Promise<unknown>>();
  let closing = false;
  let url = '';

  const compiler = new CompilePool(() => [...clouds.values()].map((shim) => shim.profile));
  const ctx: ApiContext = {
    repo,
    compiler,
    secrets,
    hub,
    engine: options.engine ?? createRuntimeEngine(),
    clouds,
    ingestUrl: () => options.ingestUrl ?? `${url}/api/v1/ingest`,
    track(work) {
      tracked.add(work);
      void work.finally(() => tracked.delete(work));
    },
    log,
    isClosing: () => closing,
  };
  // Events another API process on this database stored wake this process's streams at once.
  const stopListening = repo.onExecutionChanged((execution) => hub.wake(execution));
  const otel = options.otel ?? otelExporterFromEnv();
  if (otel !== undefined) ctx.otel = otel;

  const corsOrigins = [...(options.corsOrigins ?? [])];
  const app = createApp(ctx, { corsOrigins });

  if (options.webDir !== undefined && existsSync(join(options.webDir, 'index.html'))) {
    const webDir = resolve(options.webDir);
    const indexHtml = readFileSync(join(webDir, 'index.html'), 'utf8');
    app.use('/*', serveStatic({ root: webDir }));
    // Client-side routes (e.g. /workflows/wf_…) load the app shell.
    app.get('/*', (c) => c.html(indexHtml));
  }

  const server = await new Promise<Server>((ready, fail) => {
    const started = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, () =>
      ready(started as Server),
    );
    (started as Server).once('error', fail);
  });
  const address = server.address() as AddressInfo;
  const urlHost = WILDCARD_HOSTS.has(host) ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  url = `http://${urlHost}:${address.port}`;
  corsOrigins.push(url, `http://localhost:${address.port}`);
  log.info('api listening', {
    url: `${url}/api/v1`,
    database: options.databaseUrl !== undefined ? 'postgresql' : 'sqlite',
  });

  // Loading the compiler into a worker takes a second or more on a busy machine: do it now.
  compiler.warm();
  const stopWatchdog = startWatchdog(ctx, {
    stallMs: options.watchdog?.stallMs ?? 5_000,
    intervalMs: options.watchdog?.intervalMs ?? 2_000,
    maxRedrives: options.watchdog?.maxRedrives ?? 5,
    maxBackoff: options.watchdog?.maxBackoff ?? 32,
    closeSucceededAfterMs: options.watchdog?.closeSucceededAfterMs ?? 10 * 60_000,
    closeFailedAfterMs: options.watchdog?.closeFailedAfterMs ?? 7 * 24 * 3600_000,
  });

  return {
    url,
    token: secrets.token,
    async close() {
      if (closing) return;
      closing = true;
      hub.wakeAll();
      await stopWatchdog();
      stopListening();
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      await Promise.allSettled([...tracked]);
      await compiler.close();
      await otel
        ?.shutdown()
        .catch((error: unknown) => log.warn('otel: the exporter did not shut down', { error }));
      await repo.close();
    },
  };
}
