import { validationSet } from './dataset';
import { accuracyOf } from './softmax';
import { carriedState, type FlState, MEMORY_TIERS, type TrainResult } from './state';

/**
 * NebulaFL's asynchronous merge inside a data center, with version control. The owners'
 * updates are applied in the order they would finish (simulated time, then owner number, so
 * the order is the same in every run); each one bumps the model version, and an update that
 * started `lag` versions ago is mixed in with weight mixing / sqrt(1 + lag). Each update's
 * accuracy gain on the center's validation set, per 1,000 cost units, is the owner's reward.
 * Then the model moves on to the next data center.
 */
export async function handler(input: unknown): Promise<FlState> {
  const results = [...(input as TrainResult[])];
  const state = carriedState(results);
  const { config } = state;
  const shape = { dims: config.dims, classes: config.classes };
  const check = validationSet(config, state.center);
  results.sort((a, b) => a.simulatedMs - b.simulatedMs || a.owner - b.owner);
  let weights = [...state.model.weights];
  let version = state.model.version;
  let accuracy = accuracyOf(weights, check.x, check.y, check.count, shape);
  const owners = state.owners.map((o) => ({ ...o }));
  let costUnits = 0;
  let slowest = 0;
  for (const r of results) {
    const lag = version - r.baseVersion;
    const alpha = config.mixing / Math.sqrt(1 + lag);
    weights = weights.map((w, i) => (1 - alpha) * w + alpha * (r.weights[i] ?? 0));
    version++;
    const after = accuracyOf(weights, check.x, check.y, check.count, shape);
    const reward = ((after - accuracy) * 1000) / Math.max(r.costUnits, 1e-9);
    accuracy = after;
    const stats = owners.find((o) => o.owner === r.owner);
    if (stats !== undefined) {
      stats.reward = stats.selected === 0 ? reward : 0.5 * stats.reward + 0.5 * reward;
      stats.selected++;
      stats.lastRound = state.round;
    }
    costUnits += r.costUnits;
    slowest = Math.max(slowest, r.simulatedMs);
  }
  return {
    ...state,
    center: (state.center + 1) % config.centers,
    model: { weights, version },
    owners,
    trained: [...state.trained, ...results.map((r) => r.owner).sort((a, b) => a - b)],
    costUnits: state.costUnits + costUnits,
    // The owners train in parallel; the center is done when the slowest one is.
    simulatedMs: state.simulatedMs + slowest,
    // Each owner pulls the model and pushes its update; then one hop to the next center.
    modelTransfers: state.modelTransfers + 2 * results.length + 1,
    crossCenterTransfers: state.crossCenterTransfers + 1,
    largeJobs: state.largeJobs + results.filter((r) => r.memoryMb > MEMORY_TIERS.small).length,
  };
}
