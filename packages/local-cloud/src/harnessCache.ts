import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { sourceStamp, stampsUnchanged } from './sourceStamps.mjs';

/**
 * The worker harness (bundler.ts) built once per machine and source state instead of once per
 * cloud process. Every `jointflow run`, bench system and test starts its clouds on an empty data
 * directory, so each cloud's first deploy paid an esbuild build of the runtime and the shims'
 * HTTP ports (1-3 s on a loaded 2-core machine). The cache lives in the project's own
 * node_modules/.cache (the same trust as node_modules; never a shared temporary directory, where
 * another user could plant a harness) and records the mtime and size of every file that went
 * into the build: any change, an edit or an `npm install`, means a fresh build.
 *
 * Layout: `<cache>/current.json` names the newest entry (`<cache>/h-*`: `harness.mjs` and its map,
 * whose sources are absolute so the copy maps stacks from any directory) and lists its inputs.
 * An entry is written whole, then current.json is replaced by a rename: a reader never sees half.
 */

const here = dirname(fileURLToPath(import.meta.url));
/** Where bundler.ts keeps the harness: the repository's node_modules/.cache. */
export const defaultHarnessCacheDir = join(
  here,
  '..',
  '..',
  '..',
  'node_modules',
  '.cache',
  'jointflow-worker-harness',
);
/** Entries kept besides the current one, for clouds copying from them right now. */
const KEEP_ENTRIES = 2;

const stampSchema = z.tuple([z.number(), z.number()]).nullable();
const currentSchema = z.object({
  dir: z.string().regex(/^h-[a-z0-9-]+$/),
  inputs: z.record(z.string(), stampSchema),
});

export interface HarnessCache {
  /**
   * Copies the cached harness and its map to `target` (and `target.map`) when no input changed
   * since it was built. Returns false when there is no such entry; the caller builds then.
   */
  restore(target: string): boolean;
  /**
   * Stores a just-built harness (`built`, with `built.map` beside it) for the next cloud, with
   * the absolute paths of the files it was built from. Best effort: a cache that cannot be
   * written (read-only tree, full disk) only means the next cloud builds again.
   */
  save(built: string, inputs: readonly string[]): void;
}

/** The harness cache in `cacheDir` (tests give a directory of their own). */
export function createHarnessCache(cacheDir = defaultHarnessCacheDir): HarnessCache {
  const currentFile = join(cacheDir, 'current.json');
  return {
    restore: (target) => restore(cacheDir, currentFile, target),
    save: (built, inputs) => save(cacheDir, currentFile, built, inputs),
  };
}

function restore(cacheDir: string, currentFile: string, target: string): boolean {
  try {
    const current = currentSchema.parse(JSON.parse(readFileSync(currentFile, 'utf8')));
    if (!stampsUnchanged(current.inputs)) return false;
    const entry = join(cacheDir, current.dir);
    copyFileSync(join(entry, 'harness.mjs'), target);
    copyFileSync(join(entry, 'harness.mjs.map'), `${target}.map`);
    return true;
  } catch {
    // No cache yet, or an entry pruned while we read it: build instead.
    return false;
  }
}

function save(
  cacheDir: string,
  currentFile: string,
  built: string,
  inputs: readonly string[],
): void {
  try {
    const id = `h-${Date.now().toString(36)}-${process.pid}`;
    const entry = join(cacheDir, id);
    mkdirSync(entry, { recursive: true });
    copyFileSync(built, join(entry, 'harness.mjs'));
    const map = JSON.parse(readFileSync(`${built}.map`, 'utf8')) as { sources?: unknown };
    if (Array.isArray(map.sources)) {
      map.sources = map.sources.map((source: unknown) =>
        typeof source === 'string' ? resolve(dirname(built), source) : source,
      );
    }
    writeFileSync(join(entry, 'harness.mjs.map'), JSON.stringify(map));
    const temp = `${currentFile}.${process.pid}`;
    const stamps = Object.fromEntries(inputs.map((file) => [file, sourceStamp(file)]));
    writeFileSync(temp, JSON.stringify({ dir: id, inputs: stamps }));
    renameSync(temp, currentFile);
    const old = readdirSync(cacheDir)
      .filter((name) => name.startsWith('h-') && name !== id)
      .map((name) => ({ name, at: statSync(join(cacheDir, name)).mtimeMs }))
      .sort((a, b) => b.at - a.at)
      .slice(KEEP_ENTRIES);
    for (const { name } of old) rmSync(join(cacheDir, name), { recursive: true, force: true });
  } catch {
    // See above: the cache is an optimisation only.
  }
}
