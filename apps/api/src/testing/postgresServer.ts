import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './freePort';

/**
 * A throwaway PostgreSQL server for tests: Debian's binaries, a temp data directory, loopback
 * only, a free port. `initdb` refuses to run as root, so it runs as the `postgres` user.
 */
export interface PostgresServer {
  url: string;
  stop(): Promise<void>;
}

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  const newest = versions[0];
  return newest === undefined ? undefined : join(root, newest, 'bin');
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresUnavailable(): string | undefined {
  if (binDir() === undefined)
    return 'PostgreSQL server binaries are missing (apt-get install -y postgresql)';
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) {
    return 'running as root but there is no postgres user to run initdb as';
  }
  return undefined;
}

/** True when CI demands the PostgreSQL tests run (then a missing server is a failure). */
export function postgresRequired(): boolean {
  return process.env.CI === 'true' || process.env.JOINTFLOW_REQUIRE_PG === '1';
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  if (bin === undefined) throw new Error('PostgreSQL server binaries are missing');
  const dir = mkdtempSync(join(tmpdir(), 'jf-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const run = (program: string, args: string[]) => {
    const command = asRoot ? 'runuser' : join(bin, program);
    const argv = asRoot ? ['-u', 'postgres', '--', join(bin, program), ...args] : args;
    execFileSync(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  };
  const stopNow = () => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // A test process that ends without calling stop() must not leave a server behind.
  process.once('exit', stopNow);
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync']);
    const port = await freePort();
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'log'),
      '-w',
      '-o',
      `-k ${dir} -h 127.0.0.1 -p ${port} -c fsync=off -c synchronous_commit=off`,
      'start',
    ]);
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      async stop() {
        process.off('exit', stopNow);
        stopNow();
      },
    };
  } catch (error) {
    process.off('exit', stopNow);
    stopNow();
    throw error;
  }
}

/** A fresh, empty database on the server; returns its connection string. */
export async function createDatabase(serverUrl: string): Promise<string> {
  const { default: pg } = await import('pg');
  const name = `t_${Math.random().toString(36).slice(2, 12)}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return serverUrl.replace(/\/postgres$/, `/${name}`);
}
