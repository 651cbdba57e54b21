import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const bin = join(root, 'apps', 'cli', 'bin', 'jointflow.mjs');

function jointflow(...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('jointflow clouds', () => {
  it('lists the default local clouds and a clouds file with provider, region and home store', () => {
    const local = jointflow('clouds', '--json');
    expect(local.status, local.stderr).toBe(0);
    expect(JSON.parse(local.stdout).clouds).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'aws-local', provider: 'local', emulated: true }),
      ]),
    );
    const mixed = jointflow('clouds', '--clouds', 'examples/clouds/mixed-emulated.json', '--json');
    expect(mixed.status, mixed.stderr).toBe(0);
    expect(JSON.parse(mixed.stdout).clouds).toEqual([
      expect.objectContaining({ id: 'aws-local', provider: 'aws', region: 'us-east-1' }),
      expect.objectContaining({ id: 'aliyun-local', provider: 'aliyun', homeStore: 'aws-local' }),
    ]);
  });

  it('prints least-privilege policies for an AWS cloud, naming its table and bucket', () => {
    const run = jointflow(
      'clouds',
      'bootstrap',
      'aws-local',
      '--clouds',
      'examples/clouds/aws-emulated.json',
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('dynamodb:PutItem');
    expect(run.stdout).toContain('table/jointflow-east');
    expect(run.stdout).toContain('arn:aws:s3:::jointflow-east-blobs');
    expect(run.stdout).toContain('lambda:CreateFunction');
    // No wildcard actions (only lambda:ListFunctions, which IAM cannot scope, has Resource "*").
    expect(run.stdout).not.toMatch(/"[a-z0-9]+:\*"|"\*:/);
  });

  it('refuses unknown clouds and bad files with exit 2', () => {
    const unknown = jointflow(
      'clouds',
      'bootstrap',
      'nope',
      '--clouds',
      'examples/clouds/aws-emulated.json',
    );
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no cloud "nope"');
    const bad = jointflow('clouds', '--clouds', 'examples/iot-pipeline.json');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('CLOUDS_CONFIG_INVALID');
  });
});
