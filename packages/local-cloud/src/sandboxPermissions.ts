import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Least privilege for a worker process (the user's step code runs in it). Node 20's permission
 * model (`--experimental-permission`) lets it read only what it must run — its own bundle (or
 * unpacked zip) and the harness — and read and write only its own working directory; every other
 * file (Jointflow's home with the API token and master key, the clouds' databases and spools,
 * other functions' code, `/proc/<pid>/environ` of its parent) fails with `ERR_ACCESS_DENIED`. It
 * also refuses child processes, worker threads and native addons. Node 20 does not restrict the
 * network: a step can still open sockets (see the README's "Isolation").
 */

export interface SandboxLaunch {
  /** Node flags for the worker process (before the heap limit). */
  execArgv: string[];
  /** Its working directory (also `TMPDIR` and `HOME` in its environment). */
  workDir: string;
}

export class SandboxPathError extends Error {
  readonly code = 'LOCAL_BAD_DATA_DIR';
}

/** Node splits permission flag values on commas: a path with one would grant something else. */
function checked(path: string): string {
  if (path.includes(',')) {
    throw new SandboxPathError(
      `LOCAL_BAD_DATA_DIR: "${path}" contains a comma, which Node's permission flags cannot express; start the clouds with a data directory whose path has no comma`,
    );
  }
  return path;
}

/** The one directory a worker of function `name` may write (zip keys made path-safe). */
export function sandboxDirOf(dataDir: string, name: string): string {
  return join(dataDir, 'sandboxes', name.replace(/[^A-Za-z0-9_.-]/g, '_'));
}

/**
 * The flags and working directory of a worker of function `name` on a cloud whose data lives in
 * `dataDir`. `readable` lists the files and directories (with a trailing `/`) it must read.
 *
 * @example
 * const launch = sandboxLaunch(dataDir, 'd1-step', [`${bundleDir}/`, harnessFile]);
 * fork(program, [], { execArgv: launch.execArgv, cwd: launch.workDir });
 */
export function sandboxLaunch(dataDir: string, name: string, readable: string[]): SandboxLaunch {
  const workDir = sandboxDirOf(dataDir, name);
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  chmodSync(workDir, 0o700);
  const dir = `${checked(workDir)}/`;
  return {
    execArgv: [
      '--experimental-permission',
      // Its one-line warning would land in every worker's stderr (the cloud's log).
      '--disable-warning=ExperimentalWarning',
      ...readable.map((path) => `--allow-fs-read=${checked(path)}`),
      `--allow-fs-read=${dir}`,
      `--allow-fs-write=${dir}`,
    ],
    workDir,
  };
}
