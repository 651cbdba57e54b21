import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuild } from '../../bin/build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const bin = join(root, 'apps', 'cli', 'bin', 'jointflow.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'jointflow-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
// The binary compiles itself when a source changed: do that once here, not inside a test's
// 30 s spawn (a build takes tens of seconds on a loaded 2-core machine).
beforeAll(() => ensureBuild(), 600_000);

function jointflow(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function scratchFile(name: string, content: string): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

const broken = {
  name: 'broken',
  nodes: [
    {
      kind: 'task',
      name: 'a',
      cloud: 'aws-local',
      code: 'export async function handler(i) { return i; }',
    },
  ],
  edges: [{ id: 'e7', source: 'a', target: 'resize2' }],
};

describe('jointflow compile', () => {
  it('prints the IR of an example and exits 0', () => {
    const { status, stdout } = jointflow('compile', 'examples/monte-carlo-pi.json');
    expect(status).toBe(0);
    const ir = JSON.parse(stdout) as {
      start: string;
      functions: Record<string, unknown>;
      version: string;
    };
    expect(ir.start).toBe('plan');
    expect(Object.keys(ir.functions)).toEqual(['branches', 'estimate', 'plan', 'sample']);
    expect(ir.version).toMatch(/^[0-9a-f]{64}$/);
  });

  it('prints one diagnostic per line and exits 1, or JSON with --json', () => {
    const file = scratchFile('broken.json', JSON.stringify(broken));
    const text = jointflow('compile', file);
    expect(text.status).toBe(1);
    expect(text.stdout.trim().split('\n')).toEqual([
      'error IR_DANGLING_EDGE edge e7: edge e7 points to "resize2", which does not exist; reconnect or delete the edge',
    ]);
    const json = jointflow('compile', file, '--json');
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      diagnostics: [
        expect.objectContaining({ severity: 'error', code: 'IR_DANGLING_EDGE', edge: 'e7' }),
      ],
    });
  });

  it('exits 2 with one line for a missing file or invalid JSON', () => {
    const missing = jointflow('compile', join(scratch, 'nope.json'));
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const invalid = jointflow('compile', scratchFile('bad.json', '{ "name": '));
    expect(invalid.status).toBe(2);
    expect(invalid.stderr).toContain('is not valid JSON');
    expect(invalid.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('jointflow import-asl', () => {
  it('prints a graph that jointflow compile accepts, from a file with a byte order mark', () => {
    const definition = scratchFile(
      'asl.json',
      `\uFEFF${JSON.stringify({
        Comment: 'hello',
        StartAt: 'Greet',
        States: {
          Greet: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:us-east-1:1:function:greet',
            Next: 'Check',
          },
          Check: {
            Type: 'Choice',
            Choices: [{ Variable: '$.ok', BooleanEquals: true, Next: 'Done' }],
            Default: 'Failed',
          },
          Done: { Type: 'Succeed' },
          Failed: { Type: 'Fail', Error: 'NotOk' },
        },
      })}`,
    );
    const imported = jointflow('import-asl', definition);
    expect(imported.status).toBe(0);
    expect(imported.stderr).toContain('warning ASL_TASK_STUB node Greet');
    const graphFile = scratchFile('graph.json', imported.stdout);
    const compiled = jointflow('compile', graphFile);
    expect(compiled.status).toBe(0);
    expect(JSON.parse(compiled.stdout).start).toBe('Greet');
  });
});
