import { testSet } from './dataset';
import { accuracyOf } from './softmax';
import type { FlState } from './state';

/** End of a NebulaFL rotation: test accuracy of the model after it visited every data center. */
export async function handler(input: unknown): Promise<FlState> {
  const state = input as FlState;
  const { config } = state;
  const test = testSet(config);
  const accuracy = accuracyOf(state.model.weights, test.x, test.y, test.count, {
    dims: config.dims,
    classes: config.classes,
  });
  return {
    ...state,
    algorithm: 'nebulafl',
    round: state.round + 1,
    accuracy,
    trained: [],
    history: [
      ...state.history,
      {
        round: state.round,
        accuracy,
        costUnits: state.costUnits,
        simulatedMs: state.simulatedMs,
        modelTransfers: state.modelTransfers,
        crossCenterTransfers: state.crossCenterTransfers,
        trained: state.trained,
      },
    ],
  };
}
