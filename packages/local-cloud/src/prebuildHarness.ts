import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBundler } from './bundler';

/**
 * Builds the worker harness into its cache (harnessCache.ts) before any cloud needs it: run by
 * `npm install`'s prepare step (apps/cli/bin/build.mjs), so even the first `jointflow run` after
 * an install copies the harness instead of building it in each cloud. A program, not a module:
 * it exits 0 when the harness is cached, 1 with the reason otherwise.
 */
const scratch = mkdtempSync(join(tmpdir(), 'jf-harness-'));
try {
  const built = await createBundler(scratch)('');
  if (!built.ok) {
    process.stderr.write(`${built.reason}\n`);
    process.exitCode = 1;
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
