import { ownerProfiles } from './dataset';
import { type FlState, MEMORY_TIERS, type OwnerStats, type TrainTask } from './state';

/**
 * NebulaFL's reward-guided selection inside the data center the model is visiting: owners that
 * never trained come first (exploration), then the best rewards (accuracy gain per cost), and
 * one slot goes to the owner that waited longest so a reward that went stale gets re-measured.
 * The reward also picks each job's memory (`largeTierOwner`). Ties break by owner number, so
 * the choice is the same in every run.
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
  const large = largeTierOwner(state, chosen, mine);
  return {
    tasks: chosen.map((o, i) => ({
      owner: o.owner,
      round: state.round,
      model: state.model,
      config,
      memoryMb: o.owner === large ? MEMORY_TIERS.large : MEMORY_TIERS.small,
      ...(i === 0 ? { carry: state } : {}),
    })),
  };
}

/**
 * The owner whose job gets the large memory tier, if any: the reward also picks resources. The
 * center's round lasts as long as its slowest job, so only the straggler's memory matters; it
 * gets the large tier (half the time, 1.5 times the cost) when it holds up the others by more
 * than a quarter and its reward (accuracy gain per cost) is at least the center's mean, i.e.
 * when its update is worth paying more to have sooner. An owner that never trained has no
 * reward yet and stays small.
 */
function largeTierOwner(
  state: FlState,
  chosen: readonly OwnerStats[],
  mine: readonly OwnerStats[],
): number | undefined {
  const profiles = ownerProfiles(state.config);
  const timeOf = (o: OwnerStats) => 1 / (profiles[o.owner]?.speed ?? 1);
  const bySlowness = [...chosen].sort((a, b) => timeOf(b) - timeOf(a) || a.owner - b.owner);
  const [slowest, next] = bySlowness;
  if (slowest === undefined || next === undefined || slowest.selected === 0) return undefined;
  if (timeOf(slowest) <= 1.25 * timeOf(next)) return undefined;
  const measured = mine.filter((o) => o.selected > 0);
  const mean = measured.reduce((sum, o) => sum + o.reward, 0) / Math.max(1, measured.length);
  return slowest.reward >= mean ? slowest.owner : undefined;
}
