import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuild } from '../bin/build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(root, 'apps', 'cli', 'bin', 'jointflow.mjs');
const current = join(root, 'apps', 'cli', 'dist', 'current.json');
const buildDir = () => (JSON.parse(readFileSync(current, 'utf8')) as { dir: string }).dir;

function jointflow(env: Record<string, string>, ...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

// A build can take tens of seconds on a loaded 2-core machine: do it once, outside any test.
beforeAll(() => ensureBuild(), 600_000);

describe('the compiled CLI (bin/build.mjs)', () => {
  it('prints what the TypeScript sources print', () => {
    const compiled = jointflow({}, 'compile', 'examples/monte-carlo-pi.json');
    const fromSource = jointflow(
      { JOINTFLOW_FROM_SOURCE: '1' },
      'compile',
      'examples/monte-carlo-pi.json',
    );
    expect(compiled.status).toBe(0);
    expect(fromSource.status).toBe(0);
    expect(compiled.stdout).toBe(fromSource.stdout);
    expect(JSON.parse(compiled.stdout)).toHaveProperty('functions');
  });

  it('runs the same build while no source changes, and rebuilds when one does', () => {
    const before = buildDir();
    expect(jointflow({}, 'compile', 'examples/iot-pipeline.json').status).toBe(0);
    expect(buildDir()).toBe(before);
    // A `git pull` or an edit: the file's mtime moves (its content may stay the same).
    const source = join(root, 'apps', 'cli', 'src', 'command.ts');
    const was = statSync(source);
    utimesSync(source, was.atime, new Date(was.mtimeMs + 2_000));
    const after = jointflow({}, 'compile', 'examples/iot-pipeline.json');
    expect(after.status).toBe(0);
    expect(buildDir()).not.toBe(before);
  }, 600_000);
});
