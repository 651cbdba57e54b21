import { modelDigest } from './softmax';
import type { FlState } from './state';

/** The run's result: final test accuracy against chance, the model's digest and the series. */
export async function handler(input: unknown) {
  const state = input as FlState;
  const last = state.history[state.history.length - 1];
  return {
    algorithm: state.algorithm,
    accuracy: last?.accuracy ?? 0,
    chance: 1 / state.config.classes,
    rounds: state.history.length,
    modelDigest: modelDigest(state.model.weights),
    modelVersion: state.model.version,
    modelBytes: JSON.stringify(state.model.weights).length,
    costUnits: state.costUnits,
    simulatedMs: state.simulatedMs,
    modelTransfers: state.modelTransfers,
    crossCenterTransfers: state.crossCenterTransfers,
    largeJobs: state.largeJobs,
    history: state.history,
    config: state.config,
  };
}
