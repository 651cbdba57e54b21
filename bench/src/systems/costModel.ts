import type { CloudProfile } from '@jointflow/ir';
import { benchClouds } from './benchClouds';
import type { StepTally } from './chainRunner';

/** AWS Step Functions Standard: USD 25 per million state transitions. */
export const STEP_FUNCTIONS_PER_TRANSITION_USD = 25 / 1e6;

/**
 * What a baseline run would cost on the same clouds, priced from the same profiles the local
 * clouds meter Jointflow with (the baselines run on plain workers, which have no meter):
 * - every step is one function request on its cloud plus its handler time billed in GB-seconds
 *   (rounded up to the profile's granularity, at the function's memory) — the handler time only,
 *   in the baseline's favour (no runtime, no cold starts);
 * - every transition is one store write on the home cloud (`storeWrite`): the history commit of
 *   the coordinator, the journal append of Restate;
 * - `centralized`: also Step Functions Standard's per-transition price;
 * - `restate`: also one request for the orchestrating `flow` handler (as if it ran as a function
 *   and never suspended and resumed, again in Restate's favour); the Restate server's own
 *   compute is not priced (the profiles have no price for a always-on server).
 */
export function baselineRunCostUsd(
  tally: StepTally,
  family: 'centralized' | 'restate',
  home: string,
  profiles: readonly CloudProfile[] = benchClouds,
): number {
  const profileOf = (cloud: string) => profiles.find((p) => p.id === cloud) ?? profiles[0];
  let usd = 0;
  for (const step of tally.steps) {
    const prices = profileOf(step.cloud)?.prices;
    if (!prices) continue;
    const granularity = prices.billingGranularityMs;
    const billedMs = Math.max(granularity, Math.ceil(step.durationMs / granularity) * granularity);
    usd += prices.perRequest + (billedMs / 1000) * (step.memoryMb / 1024) * prices.perGbSecond;
  }
  const homePrices = profileOf(home)?.prices;
  const perTransition =
    (homePrices?.storeWrite ?? 0) +
    (family === 'centralized' ? STEP_FUNCTIONS_PER_TRANSITION_USD : 0);
  usd += tally.transitions * perTransition;
  if (family === 'restate') usd += homePrices?.perRequest ?? 0;
  return usd;
}
