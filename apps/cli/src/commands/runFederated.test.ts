import { describe, expect, it } from 'vitest';
import { jointflow } from './spawnCli';

interface Report {
  status: string;
  output: {
    algorithm: string;
    accuracy: number;
    chance: number;
    rounds: number;
    modelDigest: string;
    history: { trained: number[] }[];
  };
  steps: { node: string; cloud: string; status: string }[];
}

/** Two rounds, two owners per data center: 30 NebulaFL steps, 32 FedAvg steps. */
const input = JSON.stringify({ seed: 42, rounds: 2, ownersPerCenter: 2, ownersPerRound: 1 });

/** The workflow once without faults and once under crashes, duplicates and drops (seed 7). */
async function cleanAndFaulty(file: string): Promise<[Report, Report]> {
  // --timeout: a loaded machine (load 20-30 here) can take longer than the default 120 s.
  const [clean, faulty] = await Promise.all([
    jointflow('run', file, '--input', input, '--timeout', '600', '--json'),
    jointflow(
      'run',
      file,
      '--input',
      input,
      '--timeout',
      '600',
      '--faults',
      'crash=0.2,duplicate=0.2,drop=0.1',
      '--seed',
      '7',
      '--json',
    ),
  ]);
  expect(clean.status, clean.stderr || clean.stdout.slice(0, 2000)).toBe(0);
  expect(faulty.status, faulty.stderr || faulty.stdout.slice(0, 2000)).toBe(0);
  return [JSON.parse(clean.stdout) as Report, JSON.parse(faulty.stdout) as Report];
}

describe('jointflow run: federated learning (issue 13)', () => {
  it('NebulaFL learns across both clouds and reaches the same model under faults', async () => {
    const [clean, faulty] = await cleanAndFaulty('examples/federated-learning/nebulafl.json');
    expect(clean.status).toBe('succeeded');
    expect(clean.output.algorithm).toBe('nebulafl');
    expect(clean.output.rounds).toBe(2);
    expect(clean.output.accuracy).toBeGreaterThan(2 * clean.output.chance);
    // The model rotated through the Aliyun data center in both rounds.
    const bTrain = clean.steps.filter((s) => s.node === 'bTrain' && s.status === 'succeeded');
    expect(bTrain.map((s) => s.cloud)).toEqual(['aliyun-local', 'aliyun-local']);
    // Same final model, to the last bit of every weight.
    expect(faulty.output).toEqual(clean.output);
  }, 400_000);

  it('FedAvg learns on the same data and reaches the same model under faults', async () => {
    const [clean, faulty] = await cleanAndFaulty('examples/federated-learning/fedavg.json');
    expect(clean.output.algorithm).toBe('fedavg');
    expect(clean.output.accuracy).toBeGreaterThan(2 * clean.output.chance);
    expect(clean.output.history[1]?.trained).toEqual([0, 1, 2, 3, 4, 5]);
    expect(faulty.output).toEqual(clean.output);
  }, 400_000);

  it('gives up after --timeout and says how to wait longer', async () => {
    // Two rounds are 30 steps with cold starts of 250 ms each: they cannot end within 1 s.
    const run = await jointflow(
      'run',
      'examples/federated-learning/nebulafl.json',
      '--input',
      input,
      '--timeout',
      '1',
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/timed out after \d+ s; give --timeout <seconds>/);
    const bad = await jointflow(
      'run',
      'examples/federated-learning/nebulafl.json',
      '--timeout',
      '0',
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--timeout takes a number of seconds');
  }, 120_000);
});
