import type { FlState, OwnerStats, TrainTask } from './state';

/**
 * NebulaFL's reward-guided selection inside the data center the model is visiting: owners that
 * never trained come first (exploration), then the best rewards (accuracy gain per cost), and
 * one slot goes to the owner that waited longest so a reward that went stale gets re-measured.
 * Ties break by owner number, so the choice is the same in every run.
 */
export async function handler(input: unknown): Promise<{ tasks: TrainTask[] }> {
  const state = input as FlState;
  const { config } = state;
  const mine = state.owners.filter((o) => o.center === state.center);
  const chosen: OwnerStats[] = [];
  const take = (o: OwnerStats | undefined) => {
    if (o !== undefined && chosen.length < config.ownersPerRound && !chosen.includes(o))
      chosen.push(o);
  };
  for (const o of mine) if (o.selected === 0) take(o);
  const byReward = [...mine].sort((a, b) => b.reward - a.reward || a.owner - b.owner);
  const stalest = [...mine].sort((a, b) => a.lastRound - b.lastRound || a.owner - b.owner)[0];
  for (const o of byReward) {
    if (chosen.length >= config.ownersPerRound - 1) break;
    take(o);
  }
  take(stalest?.selected === 0 ? undefined : stalest);
  for (const o of byReward) take(o);
  chosen.sort((a, b) => a.owner - b.owner);
  return {
    tasks: chosen.map((o, i) => ({
      owner: o.owner,
      round: state.round,
      model: state.model,
      config,
      ...(i === 0 ? { carry: state } : {}),
    })),
  };
}
