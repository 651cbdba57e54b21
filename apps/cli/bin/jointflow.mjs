#!/usr/bin/env node
// Runs the compiled CLI (bin/build.mjs), compiling it first when it is missing or a source
// changed since it was built. JOINTFLOW_FROM_SOURCE=1 runs the TypeScript sources through tsx
// instead (slow to start; for debugging the CLI without a build).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

if (process.env.JOINTFLOW_FROM_SOURCE === '1') {
  const require = createRequire(import.meta.url);
  const tsx = join(dirname(require.resolve('tsx/package.json')), 'dist', 'cli.mjs');
  const child = spawn(
    process.execPath,
    [tsx, join(here, '..', 'src', 'main.ts'), ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  // Signals sent to this wrapper are forwarded, so `kill <pid>` stops `jointflow up` and
  // everything it started.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
  });
} else {
  const { ensureBuild } = await import('./build.mjs');
  let dir;
  try {
    dir = await ensureBuild();
  } catch (error) {
    // esbuild has printed the source errors above this line.
    console.error(
      `CLI_BUILD_FAILED: jointflow could not compile its sources (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); fix the error above, or run from source with JOINTFLOW_FROM_SOURCE=1`,
    );
    process.exit(1);
  }
  // The CLI runs in this process: it reads process.argv and handles signals itself.
  await import(pathToFileURL(join(dir, 'cli.js')).href);
}
