#!/usr/bin/env node
// Compiles the CLI (with the API it serves in-process) and the local cloud's process entry to
// JavaScript with esbuild, so `jointflow` starts without a TypeScript loader: tsx took ~3.5 s to
// start `jointflow compile` and ~15 s of a 26 s `jointflow run` at width under load.
//
// Run by `npm install` (the root package's prepare step) and by bin/jointflow.mjs whenever the
// build is missing or stale, so the two-command quick start still holds and a `git pull` never
// runs old code. Tests run from source (vitest); only the tests that spawn the binary use this.
//
// Layout: apps/cli/dist/<build id>/{cli.js, cloud.js, chunk-*.js} and apps/cli/dist/current.json,
// which names the newest build and fingerprints (mtime and size) every workspace source file
// that went into it, plus the lock files (an `npm install` that changed node_modules). Each build
// goes to a fresh directory and current.json is replaced by a rename, so processes starting
// during a build, or still running an older build, never see a half-written one.
import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { shimsWithoutSideEffects } from '@jointflow/local-cloud/shims-side-effect-free';
import { sourceStamp, stampsUnchanged } from '@jointflow/local-cloud/source-stamps';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..');
const distDir = join(root, 'apps', 'cli', 'dist');
const currentFile = join(distDir, 'current.json');
const lockDir = join(distDir, '.build-lock');

/** Files outside the module graph whose change means a rebuild. */
const EXTRA_INPUTS = [
  'package-lock.json',
  'node_modules/.package-lock.json',
  'apps/cli/bin/build.mjs',
  // Imported by this script (so not in the metafile of the CLI's build).
  'packages/local-cloud/src/shimsSideEffectFree.mjs',
  'packages/local-cloud/src/sourceStamps.mjs',
];

/**
 * Left to Node at run time: native addons and packages that find their own files or binaries on
 * disk (better-sqlite3's .node file, esbuild's and tsx's binaries, pg's optional native part).
 */
const EXTERNAL = ['better-sqlite3', 'pg', 'pg-native', 'esbuild', 'tsx', 'fsevents'];

/** How long a build lock may stand before another process takes it over (a hung build). */
const STALE_LOCK_MS = 120_000;
/**
 * Older builds kept besides the current one and those a live process uses (pinned below): a
 * running `jointflow up` or bench starts cloud processes from its build long after a newer one.
 */
const KEEP_BUILDS = 4;

/** [mtimeMs, size] of a file under the root, or null when it is missing. */
const stamp = (relative) => sourceStamp(join(root, relative));

/** The current build's directory if every input is unchanged since it was built, else undefined. */
export function freshBuild() {
  let current;
  try {
    current = JSON.parse(readFileSync(currentFile, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof current?.dir !== 'string' || typeof current.inputs !== 'object') return undefined;
  const dir = join(distDir, current.dir);
  if (stamp(join('apps', 'cli', 'dist', current.dir, 'cli.js')) === null) return undefined;
  return stampsUnchanged(current.inputs, (file) => join(root, file)) ? dir : undefined;
}

/**
 * esbuild plugin: a bundled module keeps its source location. `import.meta.url` and
 * `import.meta.dirname` are defined (below) as two identifiers that this plugin declares at the
 * top of every module using them, holding that module's source path. Code that finds files next
 * to itself (profiles, the worker harness source, the web app, examples) and createRequire
 * then work unchanged from the bundle, since the sources stay where they are.
 */
const sourceLocation = {
  name: 'jointflow-source-location',
  setup(build) {
    build.onLoad({ filter: /\.(m|c)?(j|t)sx?$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta')) return undefined;
      const loader = /\.(m|c)?tsx$/.test(args.path)
        ? 'tsx'
        : /\.(m|c)?ts$/.test(args.path)
          ? 'ts'
          : /\.jsx$/.test(args.path)
            ? 'jsx'
            : 'js';
      const prelude = `const __jfModuleUrl = ${JSON.stringify(pathToFileURL(args.path).href)}; const __jfModuleDir = ${JSON.stringify(dirname(args.path))};\n`;
      return { contents: prelude + text, loader };
    });
  },
};

// shimsWithoutSideEffects (packages/local-cloud/src/shimsSideEffectFree.mjs, the plugin the
// worker bundles use too) keeps the AWS and Aliyun SDKs that @jointflow/shims' front door exports
// out of the programs that never use them: without it they made a 6 MB chunk that every cloud
// process loaded (~1.1 s of CPU each) though a local cloud never calls them; with it the SDKs
// stay only where a command uses them (`run --clouds`, `clouds`, `up --clouds`).

async function buildInto(id) {
  const { build } = await import('esbuild');
  const outdir = join(distDir, id);
  const common = {
    absWorkingDir: root,
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    plugins: [shimsWithoutSideEffects, sourceLocation],
    define: {
      'import.meta.url': '__jfModuleUrl',
      'import.meta.dirname': '__jfModuleDir',
      // The compiled CLI starts the compiled cloud program of the same build (startLocalClouds.ts).
      'process.env.JOINTFLOW_CLOUD_PROGRAM': JSON.stringify(join(outdir, 'cloud.js')),
    },
    // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __jfCreateRequire } from 'node:module'; const require = __jfCreateRequire(import.meta.url);",
    },
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'error',
  };
  const results = await Promise.all([
    // Each command's module graph is its own chunk (commands/index.ts imports them lazily).
    build({ ...common, entryPoints: { cli: 'apps/cli/src/main.ts' }, splitting: true }),
    // The cloud process and the harness prebuild as single files, apart from the CLI's chunks:
    // sharing chunks with `run` made every cloud load the cloud SDKs `run --clouds` needs.
    build({
      ...common,
      entryPoints: {
        cloud: 'packages/local-cloud/src/main.ts',
        'prebuild-harness': 'packages/local-cloud/src/prebuildHarness.ts',
      },
    }),
  ]);
  const inputs = {};
  const files = results.flatMap((result) => Object.keys(result.metafile.inputs));
  for (const file of [...files, ...EXTRA_INPUTS]) {
    if (!file.includes('node_modules/') || file === 'node_modules/.package-lock.json') {
      inputs[file] = stamp(file);
    }
  }
  return inputs;
}

/** The lock's holder died (killed mid-build) or has held it for longer than any build takes. */
function lockAbandoned() {
  const since = stamp(join('apps', 'cli', 'dist', '.build-lock'));
  if (since === null) return false;
  if (Date.now() - since[0] > STALE_LOCK_MS) return true;
  let holder;
  try {
    holder = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
  } catch {
    // Just created, its pid not written yet: wait.
    return false;
  }
  if (!Number.isInteger(holder) || holder <= 0) return false;
  try {
    process.kill(holder, 0);
    return false;
  } catch (error) {
    return error?.code === 'ESRCH';
  }
}

/**
 * Marks `dir` as used by this process until it exits, so no other process prunes it: a bench run
 * lost its clouds' program to a prune when other starts built four newer ones meanwhile.
 */
function pinBuild(dir) {
  const pins = join(dir, '.pins');
  const pin = join(pins, String(process.pid));
  try {
    mkdirSync(pins, { recursive: true });
    writeFileSync(pin, '');
    process.once('exit', () => rmSync(pin, { force: true }));
  } catch {
    // An unpinned build is only at risk of a prune, after four newer builds.
  }
}

/** Whether a live process pinned the build `name`. */
function pinned(name) {
  let pids;
  try {
    pids = readdirSync(join(distDir, name, '.pins'));
  } catch {
    return false;
  }
  return pids.some((pid) => {
    try {
      process.kill(Number(pid), 0);
      return true;
    } catch (error) {
      return error?.code === 'EPERM';
    }
  });
}

/** Removes builds beyond the newest KEEP_BUILDS, never the current one nor a pinned one. */
function pruneBuilds(currentId) {
  const builds = readdirSync(distDir, { withFileTypes: true })
    .filter(
      (e) => e.isDirectory() && e.name.startsWith('b-') && e.name !== currentId && !pinned(e.name),
    )
    .map((e) => ({ name: e.name, at: statSync(join(distDir, e.name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const old of builds.slice(KEEP_BUILDS - 1)) {
    rmSync(join(distDir, old.name), { recursive: true, force: true });
  }
}

/** Builds now, whatever the current build is. Resolves to the new build's directory. */
export async function buildNow() {
  mkdirSync(distDir, { recursive: true });
  const id = `b-${Date.now().toString(36)}-${process.pid}`;
  const inputs = await buildInto(id);
  const temp = `${currentFile}.${process.pid}`;
  writeFileSync(
    temp,
    `${JSON.stringify({ dir: id, builtAt: new Date().toISOString(), inputs })}\n`,
  );
  renameSync(temp, currentFile);
  pruneBuilds(id);
  return join(distDir, id);
}

/**
 * The directory of an up-to-date build, building first when there is none or a source changed,
 * pinned for this process's lifetime. Concurrent callers (tests spawning several CLIs) build
 * once: one holds a lock directory, the others wait for it and use its build.
 */
export async function ensureBuild() {
  const dir = await upToDateBuild();
  pinBuild(dir);
  return dir;
}

async function upToDateBuild() {
  for (;;) {
    const fresh = freshBuild();
    if (fresh !== undefined) return fresh;
    mkdirSync(distDir, { recursive: true });
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
    } catch (error) {
      if (error?.code !== 'EEXIST') throw error;
      if (lockAbandoned()) rmSync(lockDir, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    try {
      // Another process may have finished a build between our check and the lock.
      const built = freshBuild();
      if (built !== undefined) return built;
      if (process.stderr.isTTY) process.stderr.write('jointflow: compiling (sources changed)…\n');
      return await buildNow();
    } finally {
      rmSync(lockDir, { recursive: true, force: true });
    }
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const dir = await ensureBuild();
  // The clouds' worker harness too (packages/local-cloud/src/harnessCache.ts), so the first run
  // after an install does not build it in every cloud. Best effort: a cloud builds it otherwise.
  const harness = spawnSync(process.execPath, [join(dir, 'prebuild-harness.js')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (harness.status !== 0) {
    console.error(
      'jointflow: the worker harness was not prebuilt; each cloud builds it on its first deploy',
    );
  }
  console.log(`jointflow: ${dir} is up to date (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
