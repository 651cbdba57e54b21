#!/usr/bin/env node
// Runs the browser tests against a whole Jointflow stack: builds the web app when its sources
// are newer than the build, starts `jointflow up` on an ephemeral port with a throwaway home,
// runs Playwright (Debian's Chromium), and tears everything down whatever happens.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startUpStack } from '../apps/cli/bin/upStack.mjs';
import { buildWeb, webBuildIsStale } from '../apps/cli/bin/webBuild.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

function buildWebIfStale() {
  if (!webBuildIsStale(root)) return;
  console.log('e2e: building apps/web');
  if (!buildWeb(root)) throw new Error('E2E_WEB_BUILD_FAILED: `vite build` in apps/web failed');
}

function checkChromium() {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `E2E_NO_CHROMIUM: ${path} is missing; install it with \`apt-get install -y chromium\``,
    );
  }
}

async function main() {
  checkChromium();
  buildWebIfStale();
  const home = mkdtempSync(join(tmpdir(), 'jointflow-e2e-'));
  let stack;
  let exitCode = 1;
  try {
    stack = await startUpStack({ home, code: 'E2E', echoStderr: Boolean(process.env.E2E_VERBOSE) });
    console.log(`e2e: stack up at ${stack.url}`);
    const playwright = spawn(
      'npx',
      [
        'playwright',
        'test',
        '-c',
        join(root, 'e2e/playwright.config.ts'),
        ...process.argv.slice(2),
      ],
      {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, JOINTFLOW_E2E_URL: stack.url, JOINTFLOW_E2E_TOKEN: stack.token },
      },
    );
    exitCode = await new Promise((resolve) => playwright.on('exit', (code) => resolve(code ?? 1)));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
  } finally {
    await stack?.stop();
    rmSync(home, { recursive: true, force: true });
  }
  process.exit(exitCode);
}

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));
await main();
