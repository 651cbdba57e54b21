import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Least privilege for a worker process (the user's step code runs in it). Node 20's permission
 * model (`--experimental-permission`) lets it read only what it must run — its own bundle (or
 * unpacked zip) and the harness — and read and write only its own working directory; every other
 * file (Jointflow's home with the API token and master key, the clouds' databases and spools,
 * other functions' code, `/proc/<pid>/environ` of its parent) fails with `ERR_ACCESS_DENIED`. It
 * also refuses child processes, worker threads and native addons. Node 20 does not restrict the
 * network: a step can still open sockets (see the README's "Isolation").
 *
 * Started as root, a cloud also runs its workers as another user (`nobody`, uid and gid 65534,
 * or `JOINTFLOW_SANDBOX_UID`/`JOINTFLOW_SANDBOX_GID`): the file modes of Jointflow's home
 * (0700, secrets 0600) then hold even against a flaw in the permission model. That user cannot
 * reach files under the home, so what a worker reads is copied to a staging directory of the
 * cloud (`stagingRootOf`: under the system's temporary directory, every level traversable but not
 * listable), its working directory there is that user's, and the staging directory is removed
 * when the cloud closes (`removeStaging`).
 */

export interface SandboxLaunch {
  /** Node flags for the worker process (before the heap limit). */
  execArgv: string[];
  /** Its working directory (also `TMPDIR` and `HOME` in its environment). */
  workDir: string;
  /** The path the worker reads a given readable path at (its staged copy when it runs as another user). */
  pathOf(path: string): string;
  /** The user and group the worker runs as, when the cloud runs as root. */
  identity?: { uid: number; gid: number };
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

const NOBODY = 65534;

/** The user workers run as when this process is root, or undefined when it is not root. */
export function sandboxIdentity(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (name: string) => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return NOBODY;
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0) {
      throw new SandboxPathError(
        `LOCAL_BAD_SANDBOX_USER: ${name}=${raw} is not a positive integer; workers never run as root`,
      );
    }
    return n;
  };
  return { uid: id('JOINTFLOW_SANDBOX_UID'), gid: id('JOINTFLOW_SANDBOX_GID') };
}

/** Every root cloud's staging directory is below this one (root's, 0711). */
const stagingTop = () => join(tmpdir(), 'jointflow-sandboxes');

/**
 * Where a root cloud whose data lives in `dataDir` stages its workers' code and directories:
 * `<tmp>/jointflow-sandboxes/<hash of dataDir>`, root's, mode 0711 at every level.
 */
export function stagingRootOf(dataDir: string): string {
  const digest = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  return join(stagingTop(), digest);
}

/**
 * Creates `dir` (and missing parents up to the staging top) as root's, 0711; refuses one that
 * is a link or another user's. Nothing above the staging top is created or changed.
 */
function traversableDir(dir: string): void {
  const top = stagingTop();
  if (dir !== top && !dir.startsWith(`${top}/`)) {
    throw new SandboxPathError(`LOCAL_BAD_DATA_DIR: ${dir} is outside ${top}`);
  }
  if (existsSync(dir)) {
    const stat = lstatSync(dir);
    if (!stat.isDirectory() || stat.uid !== 0) {
      throw new SandboxPathError(
        `LOCAL_BAD_DATA_DIR: ${dir} is not a directory of root's; remove it and start again`,
      );
    }
  } else {
    if (dir !== top) traversableDir(dirname(dir));
    mkdirSync(dir, { mode: 0o711 });
  }
  chmodSync(dir, 0o711);
}

/**
 * Prepares a root cloud's staging directory, noting whose it is, and removes those of data
 * directories that are gone (a cloud killed before it could remove its own).
 */
function prepareStaging(dataDir: string): void {
  const root = stagingRootOf(dataDir);
  if (existsSync(join(root, 'data-dir'))) return;
  traversableDir(root);
  writeFileSync(join(root, 'data-dir'), dataDir, { mode: 0o600 });
  for (const entry of readdirSync(stagingTop())) {
    const other = join(stagingTop(), entry);
    try {
      const owner = readFileSync(join(other, 'data-dir'), 'utf8');
      if (!existsSync(owner)) rmSync(other, { recursive: true, force: true });
    } catch {
      // Being made by another cloud right now, or not ours: left alone.
    }
  }
}

/** The one directory a worker of function `name` may write (zip keys made path-safe). */
export function sandboxDirOf(dataDir: string, name: string): string {
  const base = sandboxIdentity() === undefined ? dataDir : stagingRootOf(dataDir);
  return join(base, 'sandboxes', name.replace(/[^A-Za-z0-9_.-]/g, '_'));
}

/** Size and time of a file, or of every file below a directory: a change shows in it. */
function signature(path: string): string {
  const stat = statSync(path);
  if (!stat.isDirectory()) return `${stat.size}:${stat.mtimeMs}`;
  const parts: string[] = [];
  for (const entry of walk(path)) {
    const s = lstatSync(entry);
    parts.push(`${entry}:${s.size}:${s.mtimeMs}`);
  }
  return parts.join('|');
}

/** What each staged copy was made from (a zip is prepared for every dispatch: copy once). */
const stagedFrom = new Map<string, string>();

/** A copy of `path` under `root` (the same absolute path below it), refreshed when it changed. */
function staged(root: string, path: string): string {
  const target = join(root, 'code', path);
  const now = signature(path);
  if (stagedFrom.get(target) === now && existsSync(target)) return target;
  traversableDir(dirname(target));
  rmSync(target, { recursive: true, force: true });
  cpSync(path, target, { recursive: true, preserveTimestamps: true });
  // Readable by the worker's user; written only by root.
  const open = (p: string) => chmodSync(p, lstatSync(p).isDirectory() ? 0o755 : 0o644);
  open(target);
  if (lstatSync(target).isDirectory()) for (const entry of walk(target)) open(entry);
  stagedFrom.set(target, now);
  return target;
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    yield path;
    if (lstatSync(path).isDirectory()) yield* walk(path);
  }
}

/**
 * The flags and working directory of a worker of function `name` on a cloud whose data lives in
 * `dataDir`. `readable` lists the files and directories (with a trailing `/`) it must read.
 *
 * @example
 * const launch = sandboxLaunch(dataDir, 'd1-step', [`${bundleDir}/`, harnessFile]);
 * fork(launch.pathOf(program), [], { execArgv: launch.execArgv, cwd: launch.workDir, ...launch.identity });
 */
export function sandboxLaunch(dataDir: string, name: string, readable: string[]): SandboxLaunch {
  const identity = sandboxIdentity();
  const workDir = sandboxDirOf(dataDir, name);
  const copies = new Map<string, string>();
  if (identity !== undefined) {
    const root = stagingRootOf(dataDir);
    prepareStaging(dataDir);
    traversableDir(dirname(workDir));
    for (const path of readable) {
      const bare = path.endsWith('/') ? path.slice(0, -1) : path;
      if (!existsSync(bare)) continue;
      copies.set(bare, staged(root, bare));
    }
  }
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  chmodSync(workDir, 0o700);
  if (identity !== undefined) chownSync(workDir, identity.uid, identity.gid);
  const pathOf = (path: string): string => {
    for (const [original, copy] of copies) {
      if (path === original) return copy;
      if (path.startsWith(`${original}/`)) return copy + path.slice(original.length);
    }
    return path;
  };
  // A directory keeps its trailing `/` (Node grants what is below it).
  const readablePath = (path: string) =>
    path.endsWith('/') ? `${pathOf(path.slice(0, -1))}/` : pathOf(path);
  const dir = `${checked(workDir)}/`;
  return {
    execArgv: [
      '--experimental-permission',
      // Its one-line warning would land in every worker's stderr (the cloud's log).
      '--disable-warning=ExperimentalWarning',
      ...readable.map((path) => `--allow-fs-read=${checked(readablePath(path))}`),
      `--allow-fs-read=${dir}`,
      `--allow-fs-write=${dir}`,
    ],
    workDir,
    pathOf,
    ...(identity !== undefined ? { identity } : {}),
  };
}

/** Removes a root cloud's staging directory (its workers' copies and directories), if any. */
export function removeStaging(dataDir: string): void {
  if (sandboxIdentity() === undefined) return;
  const root = stagingRootOf(dataDir);
  for (const target of stagedFrom.keys())
    if (target.startsWith(`${root}/`)) stagedFrom.delete(target);
  rmSync(root, { recursive: true, force: true });
}
