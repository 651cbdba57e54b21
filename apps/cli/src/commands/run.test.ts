import { describe, expect, it } from 'vitest';
import { jointflow, type Run } from './spawnCli';

const piInput = JSON.stringify({ samples: 20_000, branches: 4 });

describe('jointflow run', () => {
  it('runs monte-carlo-pi on the local clouds and prints the result and steps as JSON', async () => {
    const run = await jointflow(
      'run',
      'examples/monte-carlo-pi.json',
      '--input',
      piInput,
      '--json',
    );
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as {
      status: string;
      output: { pi: number };
      steps: { instance: string; cloud: string }[];
    };
    expect(report.status).toBe('succeeded');
    expect(Math.abs(report.output.pi - Math.PI)).toBeLessThan(0.1);
    // plan, branches, estimate and one sample instance per branch
    expect(report.steps.filter((s) => s.instance.startsWith('sample/')).length).toBe(4);
  });

  it('deploys through the AWS shim with --clouds (stand-ins it starts itself) and prints pi', async () => {
    const run = await jointflow(
      'run',
      'examples/monte-carlo-pi.json',
      '--clouds',
      'examples/clouds/aws-emulated.json',
      '--input',
      JSON.stringify({ samples: 200_000, branches: 16 }),
      '--json',
    );
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as {
      status: string;
      output: { pi: number };
      steps: { instance: string; cloud: string }[];
    };
    expect(report.status).toBe('succeeded');
    expect(Math.abs(report.output.pi - Math.PI)).toBeLessThan(0.05);
    expect(report.steps.filter((s) => s.instance.startsWith('sample/')).length).toBe(16);
  }, 600_000);

  it('refuses a clouds file that is not valid, naming the field (exit 2)', async () => {
    const run = await jointflow(
      'run',
      'examples/monte-carlo-pi.json',
      '--clouds',
      'examples/monte-carlo-pi.json',
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('CLOUDS_CONFIG_INVALID');
  });

  it('gives the same result under crashes, duplicates and drops', async () => {
    const clean = await jointflow(
      'run',
      'examples/monte-carlo-pi.json',
      '--input',
      piInput,
      '--json',
    );
    const faulty = await jointflow(
      'run',
      'examples/monte-carlo-pi.json',
      '--input',
      piInput,
      '--faults',
      'crash=0.2,duplicate=0.2,drop=0.1',
      '--seed',
      '7',
      '--json',
    );
    expect(faulty.status, faulty.stderr).toBe(0);
    const output = (r: Run) => (JSON.parse(r.stdout) as { output: unknown }).output;
    expect(output(faulty)).toEqual(output(clean));
  }, 180_000);

  it('exits 1 with a clear message when no cloud can start the execution', async () => {
    const run = await jointflow(
      'run',
      'examples/monte-carlo-pi.json',
      '--input',
      piInput,
      '--faults',
      'outage=aws-local:0-20000',
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('execution did not start: CLOUD_OUTAGE');
    expect(run.stderr).toContain('give it a failover cloud');
  });

  it('exits 2 on bad usage', async () => {
    const run = await jointflow('run', 'examples/monte-carlo-pi.json', '--input', '{not json');
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});
