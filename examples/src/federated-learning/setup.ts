import type { FlConfig } from './dataset';
import { ownerProfiles } from './dataset';
import type { Model } from './softmax';
import type { FlState } from './state';

const defaults: FlConfig = {
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

/** [min, max, integer] per setting: what a run accepts, so a typo fails here and not in training. */
const ranges: Record<keyof FlConfig, [number, number, boolean]> = {
  seed: [0, 4_294_967_295, true],
  classes: [2, 100, true],
  dims: [1, 10_000, true],
  centers: [3, 3, true],
  ownersPerCenter: [1, 50, true],
  samplesPerOwner: [1, 100_000, true],
  dirichletAlpha: [0.01, 1000, false],
  separation: [0, 100, false],
  testSamples: [1, 100_000, true],
  validationSamples: [1, 100_000, true],
  rounds: [1, 1000, true],
  epochs: [1, 100, true],
  learningRate: [1e-6, 10, false],
  batchSize: [1, 100_000, true],
  ownersPerRound: [1, 50, true],
  mixing: [0.01, 1, false],
};

/** Checks the run's settings, fills in defaults and starts from an all-zero model. */
export async function handler(input: unknown): Promise<FlState> {
  const given = (input ?? {}) as Record<string, unknown>;
  const config = { ...defaults };
  for (const [key, [min, max, integer]] of Object.entries(ranges)) {
    const value = given[key];
    if (value === undefined) continue;
    if (
      typeof value !== 'number' ||
      value < min ||
      value > max ||
      (integer && !Number.isInteger(value))
    ) {
      throw new Error(
        `input.${key} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max} (the graphs have three data centers)`,
      );
    }
    config[key as keyof FlConfig] = value;
  }
  if (config.ownersPerRound > config.ownersPerCenter) {
    throw new Error('input.ownersPerRound must be at most input.ownersPerCenter');
  }
  const model: Model = {
    weights: new Array(config.classes * (config.dims + 1)).fill(0),
    version: 0,
  };
  return {
    algorithm: 'nebulafl',
    config,
    round: 0,
    center: 0,
    model,
    owners: ownerProfiles(config).map((p) => ({
      owner: p.owner,
      center: p.center,
      selected: 0,
      reward: 0,
      lastRound: -1,
    })),
    trained: [],
    costUnits: 0,
    simulatedMs: 0,
    modelTransfers: 0,
    crossCenterTransfers: 0,
    largeJobs: 0,
    history: [],
  };
}
