import { readFileSync } from 'node:fs';
import { compile, defaultCloudProfiles, type WorkflowIR } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
import { buildExample, examplePath } from '../../build';
import { referenceRun } from '../../referenceRun';
import {
  apportion,
  type FlConfig,
  labelMix,
  ownerProfiles,
  ownerShard,
  seededRandom,
  testSet,
} from './dataset';
import { workflow as fedAvg } from './fedavg';
import { workflow as nebulaFl } from './nebulafl';
import { handler as setup } from './setup';
import { accuracyOf, trainSoftmax } from './softmax';

const config: FlConfig = {
  seed: 42,
  classes: 6,
  dims: 20,
  centers: 3,
  ownersPerCenter: 3,
  samplesPerOwner: 200,
  dirichletAlpha: 0.1,
  separation: 0.45,
  testSamples: 600,
  validationSamples: 120,
  rounds: 3,
  epochs: 2,
  learningRate: 0.03,
  batchSize: 10,
  ownersPerRound: 2,
  mixing: 0.6,
};

/** The small input the runs below use: 2 rounds, 2 owners per center, 1 trained per round. */
const smallInput = { seed: 42, rounds: 2, ownersPerCenter: 2, ownersPerRound: 1 };

function compiled(file: string): WorkflowIR {
  const { ir, diagnostics } = compile(JSON.parse(readFileSync(file, 'utf8')), {
    clouds: defaultCloudProfiles,
  });
  expect(diagnostics).toEqual([]);
  if (!ir) throw new Error(`${file} did not compile`);
  return ir;
}

interface Report {
  algorithm: string;
  accuracy: number;
  chance: number;
  rounds: number;
  modelDigest: string;
  crossCenterTransfers: number;
  history: { round: number; accuracy: number; trained: number[] }[];
}

describe('federated-learning data set', () => {
  it('is the same for the same seed and different for another', () => {
    const a = ownerShard(config, 4);
    expect(ownerShard(config, 4)).toEqual(a);
    expect(ownerShard({ ...config, seed: 43 }, 4).x).not.toEqual(a.x);
    expect(a.count).toBe(200);
    expect(testSet(config).count).toBe(600);
  });

  it('apportions exactly and skews labels per owner (Dirichlet alpha 0.1)', () => {
    expect(apportion(200, [0.5, 0.3, 0.2])).toEqual([100, 60, 40]);
    expect(apportion(7, [1, 1, 1]).reduce((s, v) => s + v, 0)).toBe(7);
    const owners = ownerProfiles(config);
    const dominant = owners.map((o) => {
      const mix = labelMix(config, o.owner);
      const total = mix.reduce((s, v) => s + v, 0);
      return Math.max(...mix) / total;
    });
    // IID data would give each class about 1/6 of an owner's samples.
    expect(dominant.reduce((s, v) => s + v, 0) / dominant.length).toBeGreaterThan(0.5);
    const flat = labelMix({ ...config, dirichletAlpha: 1000 }, 0);
    expect(Math.max(...flat) / flat.reduce((s, v) => s + v, 0)).toBeLessThan(0.25);
  });

  it('softmax regression trained on every shard learns well above chance', () => {
    const shards = ownerProfiles(config).map((o) => ownerShard(config, o.owner));
    const count = shards.reduce((s, shard) => s + shard.count, 0);
    const x = new Float64Array(count * config.dims);
    const y = new Int32Array(count);
    let row = 0;
    for (const shard of shards) {
      x.set(shard.x, row * config.dims);
      y.set(shard.y, row);
      row += shard.count;
    }
    const shape = { dims: config.dims, classes: config.classes };
    const zero = new Array(config.classes * (config.dims + 1)).fill(0);
    const test = testSet(config);
    expect(accuracyOf(zero, test.x, test.y, test.count, shape)).toBeCloseTo(1 / 6, 5);
    const trained = trainSoftmax(zero, x, y, count, shape, {
      epochs: 2,
      learningRate: 0.03,
      batchSize: 10,
      random: seededRandom(1, 1),
    });
    expect(accuracyOf(trained.weights, test.x, test.y, test.count, shape)).toBeGreaterThan(0.6);
  });

  it('setup rejects a setting out of range with a message naming it', async () => {
    await expect(setup({ classes: 1 })).rejects.toThrow(/input.classes must be an integer from 2/);
    await expect(setup({ ownersPerRound: 5 })).rejects.toThrow(/ownersPerRound must be at most/);
  });
});

describe('federated-learning workflows', () => {
  it('inline the shared helpers once and keep no relative import', () => {
    const graph = buildExample(nebulaFl);
    const train = graph.nodes.find((n) => n.name === 'bTrain');
    const code = train && 'code' in train ? (train.code ?? '') : '';
    expect(code).not.toMatch(/from '\.\//);
    expect(code.match(/export function ownerShard\(/g)?.length).toBe(1);
    expect(code).toContain('export async function handler');
  });

  it('NebulaFL learns, rotates three times per round and is deterministic', async () => {
    const ir = compiled(examplePath(nebulaFl));
    expect(['aTrain', 'bTrain', 'cTrain'].map((n) => ir.functions[n]?.cloud)).toEqual([
      'aws-local',
      'aliyun-local',
      'aws-local',
    ]);
    const run = await referenceRun(ir, smallInput);
    const report = run.result as Report;
    expect(report.algorithm).toBe('nebulafl');
    expect(report.rounds).toBe(2);
    expect(report.accuracy).toBeGreaterThan(2 * report.chance);
    expect(report.crossCenterTransfers).toBe(6);
    // One owner of two per center and round: round 1 trains the owners round 0 did not.
    expect(report.history.map((h) => h.trained)).toEqual([
      [0, 2, 4],
      [1, 3, 5],
    ]);
    expect(((await referenceRun(ir, smallInput)).result as Report).modelDigest).toBe(
      report.modelDigest,
    );
  });

  it('NebulaFL gives the large memory tier to slow owners worth it, through its own step', async () => {
    const ir = compiled(examplePath(nebulaFl));
    expect(['aTrain', 'aTrainLarge'].map((n) => ir.functions[n]?.memoryMb)).toEqual([512, 1536]);
    // The sample input: 3 rounds, 2 of 3 owners per center, so each center has a straggler.
    const run = await referenceRun(ir, { seed: 42, rounds: 3 });
    const report = run.result as Report & { largeJobs: number };
    const large = [...run.outputs].filter(([key]) => /^[abc]TrainLarge\//.test(key));
    expect(large.length).toBe(report.largeJobs);
    expect(large.length).toBeGreaterThan(0);
    for (const [, output] of large) expect(output).toMatchObject({ memoryMb: 1536 });
    const small = [...run.outputs].filter(([key]) => /^[abc]Train\//.test(key));
    for (const [, output] of small) expect(output).toMatchObject({ memoryMb: 512 });
    // Never before an owner's first round (no reward yet): round 0 trains small only.
    expect(large.every(([key]) => !key.includes('loop:rotate=0'))).toBe(true);
    expect(report.accuracy).toBeGreaterThan(3 * report.chance);
  });

  it('FedAvg learns on the same data with every owner every round', async () => {
    const ir = compiled(examplePath(fedAvg));
    const run = await referenceRun(ir, smallInput);
    const report = run.result as Report;
    expect(report.algorithm).toBe('fedavg');
    expect(report.accuracy).toBeGreaterThan(2 * report.chance);
    expect(report.history[0]?.trained).toEqual([0, 1, 2, 3, 4, 5]);
    // 4 owners outside the server's center, a pull and a push each, 2 rounds.
    expect(report.crossCenterTransfers).toBe(16);
    expect(((await referenceRun(ir, smallInput)).result as Report).modelDigest).toBe(
      report.modelDigest,
    );
  });
});
