import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { CloudProfile } from '@jointflow/ir';
import { createLocalShim, jsonCall, type LocalCloudShim } from '@jointflow/shims';
import { cloudLog } from './cloudLog';
import type { Durability } from './database';
import { loadProfileDir } from './profiles';

const here = dirname(fileURLToPath(import.meta.url));
const mainFile = join(here, 'main.ts');
const tsxCli = join(
  dirname(createRequire(import.meta.url).resolve('tsx/package.json')),
  'dist',
  'cli.mjs',
);
/**
 * How a cloud process starts: the compiled cloud program of the CLI's build when this code runs
 * from that build (apps/cli/bin/build.mjs defines JOINTFLOW_CLOUD_PROGRAM there; tsx's start-up
 * took seconds per cloud under load) or when the environment names one (the bench), else its
 * TypeScript source through tsx (tests). Read per start, so a caller may set it after import.
 */
function cloudCommand(): string[] {
  const compiled = process.env.JOINTFLOW_CLOUD_PROGRAM;
  return compiled !== undefined ? [compiled] : [tsxCli, mainFile];
}

export interface StartLocalCloudsOptions {
  /** Profiles, or a directory of `*.json` profiles; default: the built-in `defaultCloudProfiles`. */
  profiles?: CloudProfile[] | string;
  /** Each cloud keeps its SQLite file, blobs and bundles in `<dataDir>/<cloud id>`. */
  dataDir: string;
  durability?: Durability;
  /** Cap on worker processes per cloud (default 6). */
  maxWorkersPerCloud?: number;
  /**
   * Changes applied to every profile's behaviour, e.g. shorter cold starts and retry delays so
   * tests run quickly. The profile files stay as they are.
   */
  behaviour?: Partial<CloudProfile['behaviour']>;
  /** Where the cloud processes' stderr goes (default: this process's stderr). */
  logs?: 'inherit' | 'ignore';
  /**
   * Restart a cloud whose process dies (kill -9, a crash) on the same port, with backoff (1 s
   * doubling to 30 s), and report it through `onEvent`: what `jointflow up` does. Its durable
   * queue and store survive in the data directory, so queued invocations run after the restart.
   */
  supervise?: boolean;
  /**
   * Supervision events (a cloud went down, came back, or failed to restart), besides the record
   * each one gets in the clouds' log (`cloudLog`).
   */
  onEvent?: (event: {
    cloud: string;
    kind: 'down' | 'restarted' | 'restart-failed';
    detail: string;
  }) => void;
}

export interface LocalCloud {
  profile: CloudProfile;
  url: string;
  pid: number;
  shim: LocalCloudShim;
}

export interface LocalClouds {
  clouds: LocalCloud[];
  /** Cloud id → URL, for the runtime's ports outside a cloud (the CLI, the API). */
  peers: Record<string, string>;
  /**
   * The clouds' control secret for this start (`Authorization: Bearer` on `/control/*`; the
   * shims above carry it already). Never log it, never hand it to a function.
   */
  controlSecret: string;
  stop(): Promise<void>;
}

/**
 * How long a cloud process may take to print its ready line. Generous: a cloud compiles its
 * TypeScript on start, and a loaded 2-core machine (CI, several test files at once) is slow.
 */
const START_TIMEOUT_MS = 180_000;

export class LocalCloudStartError extends Error {
  readonly code = 'LOCAL_START_FAILED';
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function killAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

function startOne(
  profileFile: string,
  dataDir: string,
  options: StartLocalCloudsOptions,
  controlSecret: string,
  port = 0,
  peers?: Record<string, string>,
) {
  const args = [
    ...cloudCommand(),
    '--profile',
    profileFile,
    '--dir',
    dataDir,
    '--port',
    String(port),
  ];
  // A restart knows its peers already: the cloud has them before it dispatches its queue.
  if (peers !== undefined) args.push('--peers', JSON.stringify(peers));
  args.push('--durability', options.durability ?? 'fsync');
  args.push('--max-workers', String(options.maxWorkersPerCloud ?? 6));
  const child = spawn(process.execPath, args, {
    // The secret in the environment, not in argv (which every user sees in `ps`); the cloud
    // reads it and drops it, and its workers get an environment of their own.
    env: { ...process.env, JF_CONTROL_SECRET: controlSecret },
    // The IPC channel is only a lifeline: the cloud exits when this process goes away.
    stdio: ['ignore', 'pipe', options.logs === 'ignore' ? 'ignore' : 'inherit', 'ipc'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return new Promise<{ child: ChildProcess; url: string; pid: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new LocalCloudStartError(
          `LOCAL_START_FAILED: ${profileFile} did not become ready in ${START_TIMEOUT_MS / 1000} s`,
        ),
      );
    }, START_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        const ready = JSON.parse(line) as { ready?: boolean; url?: string; pid?: number };
        if (ready.ready === true && typeof ready.url === 'string') {
          resolve({ child, url: ready.url, pid: ready.pid ?? child.pid ?? 0 });
          return;
        }
      } catch {
        // fall through
      }
      reject(
        new LocalCloudStartError(`LOCAL_START_FAILED: unexpected first line from cloud: ${line}`),
      );
    });
    // Keep draining stdout so a chatty cloud never blocks.
    lines.on('line', () => undefined);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new LocalCloudStartError(
          `LOCAL_START_FAILED: the cloud for ${profileFile} exited with code ${code} before it was ready; see its stderr`,
        ),
      );
    });
  });
}

/**
 * Starts one OS process per cloud profile, wires every cloud to every other (peers), and returns
 * their shims. `stop()` shuts them down cleanly; they are also killed if this process exits.
 *
 * @example
 * const local = await startLocalClouds({ dataDir: '/tmp/jf' });
 * const aws = local.clouds.find((c) => c.profile.id === 'aws-local');
 * await local.stop();
 */
export async function startLocalClouds(options: StartLocalCloudsOptions): Promise<LocalClouds> {
  killAllOnExit();
  const profiles =
    options.profiles === undefined || typeof options.profiles === 'string'
      ? loadProfileDir(options.profiles)
      : options.profiles;
  if (profiles.length === 0)
    throw new LocalCloudStartError('LOCAL_START_FAILED: no cloud profiles given');
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const profileDir = mkdtempSync(join(tmpdir(), 'jf-profiles-'));
  const controlSecret = randomBytes(32).toString('base64url');
  const control = { authorization: `Bearer ${controlSecret}` };
  const effective = profiles.map((p) => ({
    ...p,
    behaviour: { ...p.behaviour, ...options.behaviour },
  }));
  const started = await Promise.allSettled(
    effective.map((profile) => {
      const file = join(profileDir, `${profile.id}.json`);
      writeFileSync(file, JSON.stringify(profile));
      const dir = join(options.dataDir, profile.id);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
      return startOne(file, dir, options, controlSecret);
    }),
  );
  const failure = started.find((s) => s.status === 'rejected');
  if (failure !== undefined) {
    for (const s of started) if (s.status === 'fulfilled') s.value.child.kill('SIGKILL');
    throw (failure as PromiseRejectedResult).reason;
  }
  const ready = started.map(
    (s) => (s as PromiseFulfilledResult<{ child: ChildProcess; url: string; pid: number }>).value,
  );
  const peers: Record<string, string> = {};
  effective.forEach((profile, i) => {
    const r = ready[i];
    if (r) peers[profile.id] = r.url;
  });
  await Promise.all(ready.map((r) => jsonCall('PUT', `${r.url}/control/peers`, peers, control)));
  const clouds = effective.map((profile, i) => {
    const r = ready[i] as (typeof ready)[number];
    return {
      profile,
      url: r.url,
      pid: r.pid,
      shim: createLocalShim(profile, r.url, { controlSecret }),
    };
  });
  let stopped: Promise<void> | undefined;
  // Supervision events go to the clouds' log (down: warn, restarted: info, restart-failed:
  // error) and to the caller's onEvent.
  const report: NonNullable<StartLocalCloudsOptions['onEvent']> = (event) => {
    const level = event.kind === 'restarted' ? 'info' : event.kind === 'down' ? 'warn' : 'error';
    cloudLog()[level](`cloud ${event.cloud} ${event.kind}: ${event.detail}`, {
      cloud: event.cloud,
      event: event.kind,
    });
    options.onEvent?.(event);
  };
  if (options.supervise === true) {
    effective.forEach((profile, i) => {
      const file = join(profileDir, `${profile.id}.json`);
      const supervise = (child: ChildProcess, attempt: number) => {
        child.once('exit', (code, signal) => {
          if (stopped !== undefined) return;
          report({
            cloud: profile.id,
            kind: 'down',
            detail: `its process exited (${signal ?? `code ${code}`}); restarting`,
          });
          const restart = async (tries: number): Promise<void> => {
            await new Promise((r) => setTimeout(r, Math.min(30_000, 1_000 * 2 ** tries)));
            if (stopped !== undefined) return;
            const port = Number(new URL(peers[profile.id] as string).port);
            try {
              const back = await startOne(
                file,
                join(options.dataDir, profile.id),
                options,
                controlSecret,
                port,
                peers,
              );
              await jsonCall('PUT', `${back.url}/control/peers`, peers, control);
              ready[i] = back;
              const cloud = clouds[i];
              if (cloud) cloud.pid = back.pid;
              report({
                cloud: profile.id,
                kind: 'restarted',
                detail: `back on ${back.url} (pid ${back.pid})`,
              });
              supervise(back.child, 0);
            } catch (error) {
              report({
                cloud: profile.id,
                kind: 'restart-failed',
                detail: error instanceof Error ? error.message : String(error),
              });
              await restart(tries + 1);
            }
          };
          void restart(attempt);
        });
      };
      const r = ready[i];
      if (r) supervise(r.child, 0);
    });
  }
  return {
    clouds,
    peers,
    controlSecret,
    stop() {
      stopped ??= Promise.all(
        ready.map(
          ({ child }) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
              child.once('exit', () => {
                clearTimeout(force);
                resolve();
              });
              child.kill('SIGTERM');
            }),
        ),
      ).then(() => {
        rmSync(profileDir, { recursive: true, force: true });
      });
      return stopped;
    },
  };
}
