// Whether the built web app (apps/web/dist) is older than what it bundles, and how to rebuild it:
// shared by `jointflow up` (which serves the build) and the browser tests (e2e/run.mjs), so a
// `git pull` or an edit in a package the app bundles never serves a stale app.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Newest modification time below `path`, leaving out tests (the app bundles none). */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return /\.test\.tsx?$/.test(path) ? 0 : info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/**
 * What the app is built from: its own sources and every workspace package it imports (the IR,
 * the planner, the runtime's browser-safe subpaths, the API's response schemas).
 */
function webSources(root) {
  const web = join(root, 'apps/web');
  return [
    ...['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => join(web, p)),
    ...readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name, 'src')),
    join(root, 'apps/api/src'),
  ];
}

/** True when apps/web/dist is missing or older than a source it is built from. */
export function webBuildIsStale(root) {
  const built = join(root, 'apps/web/dist/index.html');
  if (!existsSync(built)) return true;
  return Math.max(...webSources(root).map(newestMtime)) > statSync(built).mtimeMs;
}

/** Builds the web app (`vite build`); returns whether it succeeded. */
export function buildWeb(root, stdio = 'inherit') {
  const result = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], {
    cwd: join(root, 'apps/web'),
    stdio,
  });
  return result.status === 0 && existsSync(join(root, 'apps/web/dist/index.html'));
}
