import { testSet } from './dataset';
import { accuracyOf } from './softmax';
import { carriedState, type FlState, type TrainResult } from './state';

/**
 * FedAvg's central aggregator: waits for every owner (synchronous), averages their models
 * weighted by sample count, and measures test accuracy. Owners are summed in owner order so
 * the floating-point result is the same in every run.
 */
export async function handler(input: unknown): Promise<FlState> {
  const results = (input as TrainResult[][]).flat().sort((a, b) => a.owner - b.owner);
  const state = carriedState(results);
  const { config } = state;
  const total = results.reduce((sum, r) => sum + r.samples, 0);
  const weights = new Array(state.model.weights.length).fill(0);
  for (const r of results) {
    for (let i = 0; i < weights.length; i++)
      weights[i] += ((r.weights[i] ?? 0) * r.samples) / total;
  }
  const test = testSet(config);
  const accuracy = accuracyOf(weights, test.x, test.y, test.count, {
    dims: config.dims,
    classes: config.classes,
  });
  const costUnits = state.costUnits + results.reduce((sum, r) => sum + r.costUnits, 0);
  const simulatedMs = state.simulatedMs + Math.max(0, ...results.map((r) => r.simulatedMs));
  // Every owner pulls from and pushes to the server, which sits in data center 0.
  const modelTransfers = state.modelTransfers + 2 * results.length;
  const remote = results.filter((r) => state.owners[r.owner]?.center !== 0).length;
  const crossCenterTransfers = state.crossCenterTransfers + 2 * remote;
  const trained = results.map((r) => r.owner);
  return {
    ...state,
    algorithm: 'fedavg',
    round: state.round + 1,
    accuracy,
    model: { weights, version: state.model.version + 1 },
    costUnits,
    simulatedMs,
    modelTransfers,
    crossCenterTransfers,
    trained: [],
    history: [
      ...state.history,
      {
        round: state.round,
        accuracy,
        costUnits,
        simulatedMs,
        modelTransfers,
        crossCenterTransfers,
        trained,
      },
    ],
  };
}
